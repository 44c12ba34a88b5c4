"""Deep links: Apple Universal Links (AASA files), Android App Links (assetlinks.json), routing.

The public API is filled in by the modules of this package (``aasa``, ``assetlinks``, ``lint``,
``routing``); course modules (``journeys``, ``widgets``, ``plots``) live beside them.
"""
