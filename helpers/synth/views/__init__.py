"""Views of the simulated world: what each measurement system can see of the same truth.

Each view module takes a :class:`helpers.synth.World` and returns what one system records, with
the simulator's truth columns (``user_id``, ``true_source``, ``acquisition``, ``fraud_type``) kept
out of the view and, where lessons need it, in a separate ``truth`` frame keyed by an ID.

* :mod:`helpers.synth.views.mmp` - ``mmp_view(world, **attribution_options)``: MMP user-level
  attribution (device-ID matching where IDs are shared, probabilistic matching otherwise,
  self-attributing networks' claims) and in-app events linked to their install.
* :mod:`helpers.synth.views.ara` - Attribution Reporting API: event-level reports with randomized
  response, aggregatable reports with key pieces and the 65,536 contribution budget, summary
  reports with Aggregation-Service noise.

Compare a view with the truth with :mod:`helpers.synth.compare`.
"""
from helpers.synth.views.skan import skan_postbacks, skan_view  # noqa: F401,E402
