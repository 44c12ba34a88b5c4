"""One link for every platform: where a click goes, and the campaign parameters it carries.

:func:`route_link` decides, for a platform and whether the app is installed, between the app (a
verified https link, or the custom scheme when no link domain is set), the App Store, Google Play
and the web page. When the person is sent to a store and the link pointed deeper than the home
screen, the route is **deferred**: the path has to survive the install (reference file section C3).

* Android: Google Play's ``referrer=`` parameter carries it; the app reads it on first launch with
  the Play Install Referrer API. Here the referrer is itself a query string, ``deep_link=<path>``
  followed by the campaign parameters, percent-encoded as one value of ``referrer``.
* iOS: there is no platform channel; an MMP matches the install to the click (probabilistic
  matching on IP and user agent within a short window, or a pasteboard token, which iOS 16+ asks the
  user to allow). The App Store URL itself carries nothing.

:func:`add_campaign_params` and :func:`campaign_params` write and read the query parameters.

>>> config = LinkConfig(web_url="https://example.com",
...     ios_app_store_url="https://apps.apple.com/app/id1234567890",
...     android_play_store_url="https://play.google.com/store/apps/details?id=com.example.app",
...     universal_link_domain="links.example.com")
>>> route_link(config, "android", app_installed=False, path="/item/42",
...            params={"utm_source": "newsletter"}).url
'https://play.google.com/store/apps/details?id=com.example.app&referrer=deep_link%3D%252Fitem%252F42%26utm_source%3Dnewsletter'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit, urlunsplit

from helpers.messages import t

__all__ = ["PLATFORMS", "DESTINATIONS", "LinkConfig", "Route", "route_link", "add_campaign_params",
           "campaign_params", "REFERRER_PATH_KEY"]

PLATFORMS = ("ios", "android", "desktop")
DESTINATIONS = ("app", "app_store", "play_store", "web")
#: The key that carries the deep-link path inside Google Play's ``referrer`` value.
REFERRER_PATH_KEY = "deep_link"


def _check_url(value: object, name: str, schemes: tuple[str, ...]) -> str:
    if not isinstance(value, str) or "://" not in value:
        raise ValueError(t("errors.deeplinks.routing.absolute_url", name=name, value=repr(value)))
    scheme = value.split("://", 1)[0].lower()
    if scheme not in schemes:
        raise ValueError(t("errors.deeplinks.routing.url_scheme", name=name, value=repr(value),
                           schemes=t("errors.deeplinks.or").join(s + "://" for s in schemes)))
    return value


@dataclass(frozen=True)
class LinkConfig:
    """Where a link can send people: the web page, the two stores, and how to open the app.

    ``universal_link_domain`` is the host whose AASA/assetlinks files verify the app (a verified
    https link); ``app_scheme`` is the app's custom URI scheme (``"myapp"``), used only when no link
    domain is set.
    """

    web_url: str
    ios_app_store_url: str
    android_play_store_url: str
    universal_link_domain: str | None = None
    app_scheme: str | None = None

    def __post_init__(self) -> None:
        _check_url(self.web_url, "web_url", ("http", "https"))
        _check_url(self.ios_app_store_url, "ios_app_store_url", ("https", "http", "itms-apps"))
        _check_url(self.android_play_store_url, "android_play_store_url", ("https", "http", "market"))
        if self.universal_link_domain is not None:
            d = self.universal_link_domain
            if not isinstance(d, str) or not d or "/" in d or " " in d:
                raise ValueError(t("errors.deeplinks.routing.link_domain", value=repr(d)))
        if self.app_scheme is not None:
            s = self.app_scheme
            if not isinstance(s, str) or not s.removesuffix("://").replace("+", "").replace("-", "").replace(".", "").isalnum():
                raise ValueError(t("errors.deeplinks.routing.app_scheme", value=repr(s)))


@dataclass(frozen=True)
class Route:
    """Where one click goes: ``destination`` (``app``, ``app_store``, ``play_store`` or ``web``),
    the ``url`` to open, whether it is a ``deferred`` deep link (the path must survive an install),
    and the ``reason`` in words."""

    destination: str
    url: str
    deferred: bool
    reason: str


def _encode(text: str) -> str:
    return quote(text, safe="-._~")


def add_campaign_params(url: str, params: Mapping[str, object]) -> str:
    """``url`` with the query parameters ``params`` added.

    Existing query items are kept as they are written and where they are; an item whose name is in
    ``params`` gets the new value (in the place of its first occurrence, later repeats dropped); new
    names are appended in alphabetical order, so the same inputs always give the same URL. Names
    and values are percent-encoded (a space becomes ``%20``); the fragment is kept.

    >>> add_campaign_params("https://example.com/sale?utm_source=old&x=1#top",
    ...                     {"utm_source": "mail", "utm_campaign": "spring sale"})
    'https://example.com/sale?utm_source=mail&x=1&utm_campaign=spring%20sale#top'
    """
    if not isinstance(url, str):
        raise TypeError(t("errors.deeplinks.routing.url_type", type=type(url).__name__))
    if not isinstance(params, Mapping):
        raise TypeError(t("errors.deeplinks.routing.params_type", type=type(params).__name__))
    new: dict[str, str] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not key:
            raise ValueError(t("errors.deeplinks.routing.param_name", value=repr(key)))
        if value is None or isinstance(value, dict | list | tuple | set):
            raise ValueError(t("errors.deeplinks.routing.param_value", name=repr(key), value=repr(value)))
        new[key] = str(value)
    parts = urlsplit(url)
    out: list[str] = []
    done: set[str] = set()
    for piece in parts.query.split("&") if parts.query else []:
        if not piece:
            continue
        name = unquote_plus(piece.partition("=")[0])
        if name in new:
            if name not in done:
                out.append(f"{_encode(name)}={_encode(new[name])}")
                done.add(name)
        else:
            out.append(piece)
    out.extend(f"{_encode(k)}={_encode(new[k])}" for k in sorted(new) if k not in done)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(out), parts.fragment))


def campaign_params(url: str) -> dict[str, str]:
    """The query parameters of ``url`` as a dict (decoded; a repeated name keeps its last value).

    >>> campaign_params("https://example.com/?utm_source=mail&utm_campaign=spring%20sale")
    {'utm_source': 'mail', 'utm_campaign': 'spring sale'}
    """
    if not isinstance(url, str):
        raise TypeError(t("errors.deeplinks.routing.url_type", type=type(url).__name__))
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _with_fragment(url: str, fragment: str) -> str:
    return f"{url}#{fragment}" if fragment else url


def _join(base: str, path: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + path, parts.query, ""))


def route_link(config: LinkConfig, platform: str, app_installed: bool, path: str = "/",
               params: Mapping[str, object] | None = None) -> Route:
    """Where a click on a link to ``path`` goes on ``platform`` (``ios``, ``android``, ``desktop``).

    * App installed (phones): a verified https link on ``universal_link_domain`` when set (it falls
      back to the web if the app is not verified), else the custom scheme, else the web page.
    * App not installed: the platform's store. ``deferred`` is true when ``path`` or ``params`` hold
      something to restore after the install; on Android the store URL then carries them in
      Google Play's ``referrer`` parameter (key :data:`REFERRER_PATH_KEY` for the path).
    * Desktop: the web page.

    ``params`` (campaign parameters such as ``utm_source``) are added to every URL but the App Store's;
    ``path`` may carry its own query (``/sale?color=red``, replaced by ``params`` of the same name) and
    fragment (``/sale#top``, kept on web and app URLs, and in the referrer's ``deep_link``).
    """
    if platform not in PLATFORMS:
        raise ValueError(t("errors.deeplinks.routing.platform", allowed=", ".join(PLATFORMS), value=repr(platform)))
    if not isinstance(app_installed, bool):
        raise TypeError(t("errors.deeplinks.routing.app_installed", value=repr(app_installed)))
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(t("errors.deeplinks.routing.path", value=repr(path)))
    params = dict(params or {})
    path, _, fragment = path.partition("#")
    path_only, _, path_query = path.partition("?")
    # Parameters written in the path come first; explicit params replace them.
    all_params = {**dict(parse_qsl(path_query, keep_blank_values=True)), **params}
    web = _with_fragment(add_campaign_params(_join(config.web_url, path_only), all_params), fragment)

    if platform == "desktop":
        return Route("web", web, False, t("deeplinks.route.desktop"))
    if app_installed:
        if config.universal_link_domain:
            url = _with_fragment(
                add_campaign_params(f"https://{config.universal_link_domain}{path_only}", all_params), fragment)
            return Route("app", url, False, t("deeplinks.route.app_universal"))
        if config.app_scheme:
            scheme = config.app_scheme.removesuffix("://")
            url = _with_fragment(add_campaign_params(f"{scheme}://{path_only.lstrip('/')}", all_params), fragment)
            return Route("app", url, False, t("deeplinks.route.app_scheme"))
        return Route("web", web, False, t("deeplinks.route.app_no_link"))
    deferred = path_only != "/" or bool(all_params) or bool(fragment)
    if platform == "ios":
        key = "app_store" if deferred else "app_store_plain"
        return Route("app_store", config.ios_app_store_url, deferred, t(f"deeplinks.route.{key}"))
    if not deferred:
        return Route("play_store", config.android_play_store_url, False, t("deeplinks.route.play_store_plain"))
    deep_link = path_only + (f"#{fragment}" if fragment else "")
    referrer = urlencode([(REFERRER_PATH_KEY, deep_link), *sorted(all_params.items())],
                         quote_via=quote, safe="-._~")
    url = add_campaign_params(config.android_play_store_url, {"referrer": referrer})
    return Route("play_store", url, True, t("deeplinks.route.play_store"))
