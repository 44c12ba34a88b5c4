"""Scenario parameters for the simulated marketing world.

A :class:`Scenario` holds everything that makes one vertical (gaming, e-commerce, home services,
subscription) look different from another: country mix, iOS/Android split, ATT opt-in, organic
share, which ad networks buy the installs and at what cost, the in-app funnel, revenue and
retention. The numbers are *illustrative*: plausible orders of magnitude for teaching, not market
data. Where a number comes from a reported case (e.g. about 24% of a Korean retail app's installers
made a first purchase), the scenario's ``notes`` say so.

To try a variation, copy a built-in scenario with :func:`dataclasses.replace`::

    from dataclasses import replace
    from helpers.synth import VERTICALS, generate_world
    cheap = replace(VERTICALS["ecommerce"], organic_share=0.5)
    world = generate_world(2_000, seed=1, scenario=cheap)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers.messages import t as _t

COUNTRIES: tuple[str, ...] = ("KR", "US", "JP")
PLATFORMS: tuple[str, ...] = ("android", "ios")
TOUCH_TYPES: tuple[str, ...] = ("click", "impression")
EVENT_NAMES: tuple[str, ...] = ("session", "sign_up", "purchase")
ORGANIC = "organic"
FRAUD_TYPES: tuple[str, ...] = ("click_injection", "click_flooding", "sdk_spoofing", "bot", "device_farm")
"""Labels of the fraud module (:mod:`helpers.synth.fraud`); genuine rows have a missing ``fraud_type``."""
OWNED_MEDIA: tuple[str, ...] = ("owned_email", "owned_push", "owned_web")
"""The app's own channels in ``deeplink_clicks`` (e-mail, push/in-app messages, the mobile web site)."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FLAT_MONTHS: tuple[float, ...] = (1.0,) * 12
FLAT_WEEK: tuple[float, ...] = (1.0,) * 7

# CPI multiplier by country (applied to a network's base CPI range, in USD).
COUNTRY_CPI_MULTIPLIER: dict[str, float] = {"KR": 0.8, "US": 1.0, "JP": 1.15}


@dataclass(frozen=True)
class Network:
    """An advertising channel ("media source" in MMP language).

    ``self_attributing`` networks (SANs such as Google Ads or Meta) claim installs themselves when
    the MMP asks them with the advertising ID; ordinary ad networks send click and impression
    URLs to the MMP. ``cpi_usd`` is the base cost-per-install range for a US install of a gaming
    app; countries and verticals scale it.
    """

    name: str
    self_attributing: bool
    cpi_usd: tuple[float, float]
    campaigns: tuple[str, ...]
    n_sites: int
    platforms: tuple[str, ...] = PLATFORMS
    retargeting_campaign: str | None = None


NETWORKS: tuple[Network, ...] = (
    Network("google_ads", True, (1.6, 4.0), ("ua_broad", "ua_value"), 3, retargeting_campaign="rt_lapsed"),
    Network("meta_ads", True, (1.8, 4.5), ("ua_broad", "ua_lookalike"), 4, retargeting_campaign="rt_lapsed"),
    Network("apple_search_ads", True, (2.2, 5.5), ("ua_brand", "ua_category", "ua_competitor"), 2,
            platforms=("ios",)),
    Network("tiktok_ads", True, (1.2, 3.2), ("ua_broad", "ua_creators"), 3, retargeting_campaign="rt_lapsed"),
    Network("unity_ads", False, (1.0, 2.8), ("ua_rewarded", "ua_interstitial"), 30),
    Network("applovin", False, (1.4, 3.8), ("ua_broad", "ua_roas"), 35, retargeting_campaign="rt_lapsed"),
    Network("mintegral", False, (0.6, 1.8), ("ua_broad", "ua_playable"), 40),
    Network("ironsource", False, (0.8, 2.4), ("ua_broad", "ua_offerwall"), 30),
)
NETWORK_NAMES: tuple[str, ...] = tuple(n.name for n in NETWORKS)
MEDIA_SOURCES: tuple[str, ...] = NETWORK_NAMES  # alias in the MMP's vocabulary


def site_ids(network_index: int, n_sites: int) -> list[str]:
    """Publisher / placement IDs of a network: a block of 100 numbers per network."""
    return [f"site_{100 * network_index + k + 1:04d}" for k in range(n_sites)]


@dataclass(frozen=True)
class Scenario:
    """The parameters of one vertical. All rates are fractions between 0 and 1.

    Funnel rates are shares of *first installs* (cumulative): ``first_purchase_rate=0.24`` means
    24% of installers buy at least once (within the data window). ``repeat_purchase_rate`` is the
    chance that a buyer buys again after each purchase. Retention ``d1``/``d7``/``d30`` are the
    shares of installers with a session on day 1/7/30 after install (24-hour days).

    The funnel is install -> ``sign_up_rate`` -> ``first_purchase_rate`` -> repeat purchase
    (``repeat_purchase_rate`` is also the share of buyers who ever buy a second time).
    ``network_quality`` scales the chance that an install caused by a network buys (organic
    installs use ``organic_quality``); the overall first-purchase rate stays ``first_purchase_rate``.

    Seasonality: installs are spread over the days of the window in proportion to
    ``monthly_demand[month] * weekly_demand[weekday]`` (January first, Monday first), so a month
    with 1.6 gets 60% more installs per day than a month with 1.0. Purchases follow installs.

    ``country_cpi`` scales every network's base CPI range by country (together with
    ``cpi_multiplier`` for the vertical). ``ipv6_share`` of people have an IPv6 address
    (2001:db8::/32) instead of an IPv4 one (100.64.0.0/10). ``download_seconds_median`` is the
    typical time from the store's download start (Play ``install_begin``) to the first open.
    Deep links: ``deeplink_ua_share`` of click-driven paid installs came through a deep link
    (deferred), ``owned_clicks_per_installer`` owned-media clicks (e-mail, push) per installer over
    the window, ``web_clicks_per_visitor`` mobile-web links per person who never installs;
    ``landing_paths`` are the vertical's in-app content paths.
    """

    name: str
    label: str
    country_mix: dict[str, float]
    android_share: dict[str, float]
    att_opt_in: float
    organic_share: float
    network_mix: dict[str, float]
    cpi_multiplier: float
    sign_up_rate: float
    first_purchase_rate: float
    repeat_purchase_rate: float
    purchase_delay_days: float
    repeat_gap_days: float
    revenue_median_usd: float
    revenue_sigma: float
    d1: float
    d7: float
    d30: float
    whale_share: float = 0.0
    whale_repeat_rate: float = 0.0
    whale_revenue_multiplier: float = 1.0
    regular_repeats: bool = False
    never_install_share: float = 0.45
    reinstall_rate: float = 0.04
    retargeted_reinstall_share: float = 0.5
    retargeting_share: float = 0.15
    view_through_share: float = 0.15
    impressions_per_user: float = 2.4
    clicks_per_user: float = 0.4
    fingerprint_change_rate: float = 0.12
    carrier_nat_share: float = 0.25
    monthly_demand: tuple[float, ...] = FLAT_MONTHS
    weekly_demand: tuple[float, ...] = FLAT_WEEK
    network_quality: dict[str, float] = field(default_factory=dict)
    organic_quality: float = 1.0
    country_cpi: dict[str, float] = field(default_factory=lambda: dict(COUNTRY_CPI_MULTIPLIER))
    ipv6_share: float = 0.15
    download_seconds_median: float = 45.0
    deeplink_ua_share: float = 0.3
    owned_clicks_per_installer: float = 0.6
    web_clicks_per_visitor: float = 0.05
    landing_paths: tuple[str, ...] = ("/home",)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for key in ("att_opt_in", "organic_share", "sign_up_rate", "first_purchase_rate",
                    "repeat_purchase_rate", "d1", "d7", "d30", "whale_share", "whale_repeat_rate",
                    "never_install_share", "reinstall_rate", "retargeted_reinstall_share",
                    "retargeting_share", "view_through_share", "fingerprint_change_rate",
                    "carrier_nat_share", "ipv6_share", "deeplink_ua_share"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise ValueError(_t("errors.synth.scenario_rate", name=self.name, key=key, value=value))
        if self.first_purchase_rate > self.sign_up_rate:
            raise ValueError(_t("errors.synth.scenario_purchase_rate", name=self.name))
        if max(self.repeat_purchase_rate, self.whale_repeat_rate) >= 1.0:
            raise ValueError(_t("errors.synth.scenario_repeat_rate", name=self.name))
        if sorted(self.country_mix) != sorted(COUNTRIES) or sorted(self.android_share) != sorted(COUNTRIES):
            raise ValueError(_t("errors.synth.scenario_countries", name=self.name, countries=", ".join(COUNTRIES)))
        unknown = sorted(set(self.network_mix) - set(NETWORK_NAMES))
        if unknown:
            raise ValueError(_t("errors.synth.scenario_sources", name=self.name, unknown=unknown,
                                valid=", ".join(NETWORK_NAMES)))
        for key, n in (("monthly_demand", 12), ("weekly_demand", 7)):
            values = getattr(self, key)
            if len(values) != n or min(values) < 0 or max(values) <= 0:
                raise ValueError(_t("errors.synth.scenario_demand", name=self.name, key=key, count=n))
        unknown = sorted(set(self.network_quality) - set(NETWORK_NAMES))
        if unknown or min([*self.network_quality.values(), self.organic_quality]) <= 0:
            raise ValueError(_t("errors.synth.scenario_quality", name=self.name, valid=", ".join(NETWORK_NAMES)))
        if sorted(self.country_cpi) != sorted(COUNTRIES):
            raise ValueError(_t("errors.synth.scenario_cpi", name=self.name, countries=", ".join(COUNTRIES)))
        if not self.landing_paths or not all(p.startswith("/") for p in self.landing_paths):
            raise ValueError(_t("errors.synth.scenario_landing_paths", name=self.name))
        if not (1.0 >= self.d1 >= self.d7 >= self.d30 > 0.0):
            raise ValueError(_t("errors.synth.scenario_retention", name=self.name))

    def quality(self, source: str) -> float:
        """Relative chance that an install from ``source`` (or ``"organic"``) buys."""
        return self.organic_quality if source == ORGANIC else self.network_quality.get(source, 1.0)

    def cpi_range(self, network: str, country: str) -> tuple[float, float]:
        """CPI range in USD for a network, country and this vertical."""
        net = NETWORKS[NETWORK_NAMES.index(network)]
        k = self.country_cpi[country] * self.cpi_multiplier
        return round(net.cpi_usd[0] * k, 2), round(net.cpi_usd[1] * k, 2)


_NET_GAMING = {"google_ads": 0.20, "meta_ads": 0.14, "apple_search_ads": 0.05, "tiktok_ads": 0.08,
               "unity_ads": 0.15, "applovin": 0.18, "mintegral": 0.10, "ironsource": 0.10}
_NET_BRAND = {"google_ads": 0.30, "meta_ads": 0.27, "apple_search_ads": 0.08, "tiktok_ads": 0.13,
              "unity_ads": 0.03, "applovin": 0.08, "mintegral": 0.05, "ironsource": 0.06}
# how likely an install from each source is to pay, relative to the average (brand search best,
# offerwalls and cheap playable inventory worst); the overall purchase rate is kept
_QUALITY_BRAND = {"google_ads": 1.0, "meta_ads": 1.1, "apple_search_ads": 1.5, "tiktok_ads": 0.7,
                  "unity_ads": 0.4, "applovin": 0.8, "mintegral": 0.45, "ironsource": 0.4}
_QUALITY_RETAIL = {"google_ads": 1.0, "meta_ads": 1.2, "apple_search_ads": 2.1, "tiktok_ads": 0.55,
                   "unity_ads": 0.28, "applovin": 0.75, "mintegral": 0.22, "ironsource": 0.2}
_QUALITY_GAMING = {"google_ads": 1.0, "meta_ads": 1.0, "apple_search_ads": 1.3, "tiktok_ads": 0.7,
                   "unity_ads": 0.9, "applovin": 1.2, "mintegral": 0.6, "ironsource": 0.5}
_WEEKEND_UP = (0.93, 0.93, 0.95, 0.97, 1.02, 1.12, 1.08)
_WEEKDAY_UP = (1.12, 1.08, 1.04, 1.02, 0.96, 0.88, 0.90)

VERTICALS: dict[str, Scenario] = {
    "gaming": Scenario(
        name="gaming", label="Mobile game (free to play)",
        country_mix={"KR": 0.45, "US": 0.35, "JP": 0.20},
        android_share={"KR": 0.70, "US": 0.45, "JP": 0.33},
        att_opt_in=0.30, organic_share=0.35, network_mix=_NET_GAMING, cpi_multiplier=1.0,
        sign_up_rate=0.60, first_purchase_rate=0.04, repeat_purchase_rate=0.50,
        purchase_delay_days=3.0, repeat_gap_days=4.0, revenue_median_usd=4.99, revenue_sigma=0.9,
        d1=0.36, d7=0.15, d30=0.055,
        whale_share=0.05, whale_repeat_rate=0.93, whale_revenue_multiplier=6.0,
        monthly_demand=(1.10, 0.95, 1.0, 1.0, 0.95, 0.95, 1.10, 1.10, 0.90, 0.90, 0.95, 1.20),
        weekly_demand=_WEEKEND_UP, network_quality=_QUALITY_GAMING, organic_quality=1.1,
        country_cpi={"KR": 0.8, "US": 1.0, "JP": 1.15},
        landing_paths=("/event/login-bonus", "/shop/starter-pack", "/shop/pack/{id}", "/season/pass"),
        notes=("Few payers (about 4% of installers); about 5% of payers are 'whales' who buy often "
               "and spend more per purchase, so a handful of users carry much of the revenue.",
               "Seasonality: school holidays (July-August, December-January) bring more installs, "
               "and weekends more than weekdays."),
    ),
    "ecommerce": Scenario(
        name="ecommerce", label="Retail / e-commerce app",
        country_mix={"KR": 0.60, "US": 0.25, "JP": 0.15},
        android_share={"KR": 0.70, "US": 0.45, "JP": 0.33},
        att_opt_in=0.28, organic_share=0.40, network_mix=_NET_BRAND, cpi_multiplier=3.2,
        sign_up_rate=0.45, first_purchase_rate=0.24, repeat_purchase_rate=0.45,
        purchase_delay_days=4.0, repeat_gap_days=12.0, revenue_median_usd=20.0, revenue_sigma=0.6,
        d1=0.25, d7=0.12, d30=0.06,
        monthly_demand=(0.95, 0.85, 0.95, 0.95, 1.0, 0.95, 0.90, 0.90, 0.95, 1.05, 1.80, 1.35),
        weekly_demand=_WEEKEND_UP, network_quality=_QUALITY_RETAIL, organic_quality=1.3,
        country_cpi={"KR": 0.9, "US": 1.3, "JP": 1.45},
        landing_paths=("/product/{id}", "/category/{id}", "/sale/black-friday", "/cart"),
        notes=("First-purchase rate 24% of installers follows a Korean beauty retailer's reported "
               "figure (about 24% of app downloaders bought, 76% did nothing after installing).",
               "Seasonality: a November sale (Black Friday, Korea's shopping festivals) nearly doubles "
               "installs per day; December stays high.",
               "Economics: CPIs of roughly 2-25 USD and a 20 USD median basket give a truth day-30 "
               "ROAS between about 0.25 (offerwall / playable networks) and 1.3 (brand search) by "
               "network - most e-commerce installs do not pay back within a month."),
    ),
    "home_services": Scenario(
        name="home_services", label="Home-services marketplace (cleaning, moving, repairs)",
        country_mix={"KR": 0.80, "US": 0.12, "JP": 0.08},
        android_share={"KR": 0.70, "US": 0.45, "JP": 0.33},
        att_opt_in=0.32, organic_share=0.45, network_mix=_NET_BRAND, cpi_multiplier=3.2,
        sign_up_rate=0.40, first_purchase_rate=0.12, repeat_purchase_rate=0.40,
        purchase_delay_days=5.0, repeat_gap_days=21.0, revenue_median_usd=65.0, revenue_sigma=0.5,
        d1=0.18, d7=0.09, d30=0.05,
        monthly_demand=(0.70, 0.70, 0.85, 1.00, 1.75, 1.90, 1.20, 0.90, 0.80, 0.85, 0.95, 1.10),
        weekly_demand=_WEEKDAY_UP, network_quality=_QUALITY_BRAND, organic_quality=1.3,
        country_cpi={"KR": 0.85, "US": 1.4, "JP": 1.3},
        landing_paths=("/cleaning/aircon", "/cleaning/home", "/moving/quote", "/repair/{id}"),
        notes=("A booking is the purchase; recurring services (cleaning) drive repeat bookings "
               "about every three weeks.",
               "Seasonality: air-conditioner cleaning before summer makes May-June the peak (almost "
               "twice the installs per day of winter); bookings follow installs. Weekdays (Monday "
               "most) are busier than weekends."),
    ),
    "subscription": Scenario(
        name="subscription", label="Subscription app (streaming, fitness, learning)",
        country_mix={"KR": 0.40, "US": 0.40, "JP": 0.20},
        android_share={"KR": 0.70, "US": 0.45, "JP": 0.33},
        att_opt_in=0.34, organic_share=0.38, network_mix=_NET_BRAND, cpi_multiplier=1.3,
        sign_up_rate=0.35, first_purchase_rate=0.09, repeat_purchase_rate=0.80,
        purchase_delay_days=7.0, repeat_gap_days=30.0, revenue_median_usd=9.99, revenue_sigma=0.05,
        d1=0.30, d7=0.16, d30=0.08, regular_repeats=True,
        monthly_demand=(1.60, 1.20, 1.05, 0.95, 0.90, 0.85, 0.85, 0.90, 1.10, 0.95, 0.90, 0.85),
        weekly_demand=_WEEKDAY_UP, network_quality=_QUALITY_BRAND, organic_quality=1.2,
        country_cpi={"KR": 0.8, "US": 1.1, "JP": 1.2},
        landing_paths=("/trial", "/content/{id}", "/plan/annual", "/class/{id}"),
        notes=("sign_up is the free-trial start; a purchase is a monthly renewal at about 9.99 USD, "
               "repeated every 30 days while the subscriber stays (80% renew each month).",
               "Seasonality: New Year resolutions make January the peak; September (back to school / "
               "work) is a second, smaller one."),
    ),
}


def get_scenario(vertical: str) -> Scenario:
    """The built-in scenario for a vertical, or a ValueError naming the valid ones."""
    if not isinstance(vertical, str) or vertical not in VERTICALS:
        raise ValueError(_t("errors.synth.unknown_vertical", vertical=vertical, valid=", ".join(VERTICALS)))
    return VERTICALS[vertical]
