"""Build (or check) the committed datasets and their data cards.

The default set (``python -m helpers.synth build --out datasets``) is:

- ``datasets/attribution/`` - the Attribution course's world (gaming, 8,000 people, 60 days), with
  multi-touch ``paths``;
- ``datasets/fraud/`` - the Fraud course's world (course 02): gaming, 2,000 people, 60 days, with the
  default :class:`~helpers.synth.fraud.FraudMix` (``fraud_type`` labels the fraudulent rows); its
  flood-click ``touches`` table is written as ``touches.csv.gz``;
- ``datasets/world-<vertical>/`` - one small world per vertical (gaming, ecommerce, home_services,
  subscription) over a whole year, so seasonality shows;
- a data card ``README.md`` in every folder, the index ``datasets/README.md`` and
  ``datasets/SHA256SUMS`` (``sha256sum -c`` format).

Big tables are written as deterministic gzip (``gzip.compress(data, compresslevel=9, mtime=0)``).
Compressed bytes depend on the zlib build, so everything that compares or checksums a ``.gz`` file
uses its DECOMPRESSED bytes: ``SHA256SUMS`` lists ``fraud/touches.csv`` (the checksum of the
decompressed CSV) for the file ``fraud/touches.csv.gz`` - ``sha256sum -c --ignore-missing SHA256SUMS``
checks the plain files, ``gzip -dc fraud/touches.csv.gz | sha256sum`` the compressed one.

With ``--check`` the set is regenerated into a temporary folder and compared byte for byte
(decompressed bytes for ``.gz`` files); the files that differ are listed and the exit status is 1. ``ensure`` (what ``make data`` runs) builds
the set when something is missing, otherwise checks it and verifies ``SHA256SUMS``.

Bigger worlds on demand (one world, with a progress bar on stderr)::

    python -m helpers.synth build --users 1000000 --vertical ecommerce --out /tmp/big

writes ``/tmp/big/world-ecommerce/`` (``--name`` chooses another folder name).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import sys
import tempfile
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path

from helpers import data as _data
from helpers.messages import t as _t  # `t` is the touches table in _fraud_section
from helpers.synth.fraud import FRAUD_TYPES, FraudMix
from helpers.synth.scenarios import COUNTRIES, MONTHS, NETWORKS, WEEKDAYS, Scenario
from helpers.synth.world import World, generate_world, to_csv_bytes

COURSE = "attribution"
SEED = 20261124
DEFAULTS = {"seed": SEED, "users": 8000, "vertical": "gaming", "start": "2026-03-01", "days": 60}
"""The attribution dataset's parameters (kept for callers of the first version)."""
DATASET_FILES = ("users", "touches", "installs", "events", "spend", "deeplink_clicks", "paths")
WORLD_FILES = DATASET_FILES[:-1]
CHECKSUMS = "SHA256SUMS"
GZ = ".gz"
FRAUD_FLOOD_CLICKS_PER_INSTALL = 3000
"""Flood clicks per stolen install in ``datasets/fraud`` (the default 4,000 would make ``touches`` too big
to commit); every flooding site's click->install conversion stays below 0.05 %."""


@dataclass(frozen=True)
class DatasetSpec:
    """One folder of the default set: which world, and which files."""

    name: str
    vertical: str
    users: int
    start: str
    days: int
    seed: int = SEED
    paths: bool = False
    purpose: str = ""
    fraud: FraudMix | None = field(default=None, hash=False)
    """Passed to ``generate_world(..., fraud=...)``; ``None`` = a clean world."""
    gzip: tuple[str, ...] = ()
    """Tables written as ``<table>.csv.gz`` (deterministic gzip) instead of ``<table>.csv``."""

    @property
    def files(self) -> tuple[str, ...]:
        return DATASET_FILES if self.paths else WORLD_FILES

    def filename(self, table: str) -> str:
        """The file of one table in the dataset folder: ``touches.csv`` or ``touches.csv.gz``."""
        return f"{table}.csv" + (GZ if table in self.gzip else "")


DEFAULT_SET: tuple[DatasetSpec, ...] = (
    DatasetSpec(COURSE, "gaming", 8000, "2026-03-01", 60, paths=True,
                purpose="the Attribution course (course 01)"),
    DatasetSpec("fraud", "gaming", 2000, "2026-03-01", 60,
                purpose="the Fraud course (course 02), with labelled fraud",
                fraud=FraudMix(flood_clicks_per_install=FRAUD_FLOOD_CLICKS_PER_INSTALL), gzip=("touches",)),
    DatasetSpec("world-gaming", "gaming", 2500, "2026-01-01", 365, purpose="the gaming vertical, one year"),
    DatasetSpec("world-ecommerce", "ecommerce", 2500, "2026-01-01", 365,
                purpose="the e-commerce vertical, one year (November sale)"),
    DatasetSpec("world-home_services", "home_services", 2500, "2026-01-01", 365,
                purpose="the home-services vertical, one year (air-conditioner cleaning in May-June)"),
    DatasetSpec("world-subscription", "subscription", 2500, "2026-01-01", 365,
                purpose="the subscription vertical, one year (January peak)"),
)


def _single_command(spec: DatasetSpec) -> str:
    cmd = (f"python -m helpers.synth build --out <folder> --name {spec.name} --vertical {spec.vertical} "
           f"--users {spec.users} --seed {spec.seed} --start {spec.start} --days {spec.days}")
    return cmd + (" --paths" if spec.paths else "")


def _scenario_table(sc: Scenario) -> str:
    rows = ["| parameter | value |", "|---|---|"]
    for f in fields(sc):
        if f.name in ("name", "label", "notes"):
            continue
        value = getattr(sc, f.name)
        if f.name == "monthly_demand":
            value = ", ".join(f"{m} {v:g}" for m, v in zip(MONTHS, value, strict=True))
        elif f.name == "weekly_demand":
            value = ", ".join(f"{d} {v:g}" for d, v in zip(WEEKDAYS, value, strict=True))
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v:g}" for k, v in value.items()) or "(none: 1 for every source)"
        elif isinstance(value, tuple):
            value = ", ".join(f"`{v}`" for v in value)
        elif isinstance(value, float):
            value = f"{value:g}"
        rows.append(f"| `{f.name}` | {value} |")
    return "\n".join(rows)


def _cpi_table(sc: Scenario) -> str:
    rows = ["| media source | type | platforms | " + " | ".join(f"CPI {c} (USD)" for c in COUNTRIES) + " |",
            "|---|---|---|" + "---|" * len(COUNTRIES)]
    for net in NETWORKS:
        kind = "self-attributing (SAN)" if net.self_attributing else "ad network"
        cpis = " | ".join("{:.2f}-{:.2f}".format(*sc.cpi_range(net.name, c)) for c in COUNTRIES)
        rows.append(f"| {net.name} | {kind} | {', '.join(net.platforms)} | {cpis} |")
    return "\n".join(rows)


def _has_fraud(world: World) -> bool:
    return any("fraud_type" in df and df["fraud_type"].notna().any() for df in world.tables.values())


def _fraud_section(world: World, mix: FraudMix | None, name: str) -> list[str]:
    """The data card's section on the fraud labels (worlds generated with a ``FraudMix``)."""
    t, i, e = world.touches, world.installs, world.events
    rows = ["| fraud_type | share of installs (mix) | installs | touches | events | committed by (media_source / site_id) |",
            "|---|---|---|---|---|---|"]
    for ft in FRAUD_TYPES:
        sites = ", ".join(f"{n} / {s}" for n, s in mix.sites[ft]) if mix is not None else ""
        share = f"{(i['fraud_type'] == ft).mean():.1%} ({mix.share(ft):.1%})" if mix is not None else \
            f"{(i['fraud_type'] == ft).mean():.1%}"
        rows.append(f"| `{ft}` | {share} | {int((i['fraud_type'] == ft).sum()):,} | "
                    f"{int((t['fraud_type'] == ft).sum()):,} | {int((e['fraud_type'] == ft).sum()):,} | {sites} |")
    rows.append(f"| (genuine: empty) | {i['fraud_type'].isna().mean():.1%} | {int(i['fraud_type'].isna().sum()):,} | "
                f"{int(t['fraud_type'].isna().sum()):,} | {int(e['fraud_type'].isna().sum()):,} | |")
    flood = ""
    if mix is not None:
        flood = (f" Here `flood_clicks_per_install` is **{mix.flood_clicks_per_install:,}** (the default is 4,000), "
                 "which keeps every flooding site's click->install conversion below 0.05 % while the "
                 "committed files stay small.")
    return [
        "## Fraud labels",
        "",
        "This world was generated with `generate_world(..., fraud=FraudMix(...))` (see `helpers.synth.fraud`): "
        "fraudulent rows were added to `touches`, `installs` and `events`, and some genuine installs were "
        "stolen (click injection and click flooding add a fraudulent click in front of a real install, whose "
        "row is then labelled too).",
        "",
        "- **`fraud_type` is the truth**: which kind of fraud produced the row; empty for genuine rows. Use it "
        "only to grade a detector (`helpers.fraud.evaluate`, `helpers.fraud.confusion_matrix`), never as an "
        "input. The same holds for every column marked `truth` below (`user_id`, `true_source`, "
        "`is_reinstall`, `previous_install_time`, the whole `users` table) and for the site list in the table "
        "below.",
        "- **What a detector may use** is what an MMP sees: the installs' `device_id`, `fingerprint`, `ip`, "
        "`platform`, `country`, `install_time`, `install_begin_time` and `referrer_click_time`; the clicks and "
        "impressions the networks report (`media_source`, `campaign`, `site_id`, `touch_time`, `device_id`, "
        "`fingerprint`, `ip`); the events with `receipt_valid`; the cost reports in `spend`; and what an MMP "
        "derives from them (the attributed touch, CTIT, counts per device, IP and site). "
        f"`helpers.fraud.inputs_from_world(helpers.data.load_world(\"{name}\"))` attributes the installs like "
        "an MMP and returns exactly those inputs, with the truth (`fraud_type` by `install_id`) kept apart.",
        "- IDs are numbered in time order over genuine and fraudulent rows alike; an ID number is not evidence. "
        "Fabricated devices have user IDs that are not in `users`.",
        "",
        "\n".join(rows),
        "",
        "Shares are of all installs (genuine plus fabricated). The signatures a detector can find:",
        "",
        "- `click_injection` (Android): a click on a bad site *after* `install_begin_time`, seconds before "
        "the first open (CTIT under ~10 s). The install itself is real.",
        "- `click_flooding`: a bad site sends huge numbers of clicks (for real people and for made-up device "
        "IDs from a few addresses) and steals organic installs that happen within 7 days: a flat CTIT of "
        "hours to days, click->install conversion far below 0.05 %, many clicks per device and per IP."
        + flood,
        "- `sdk_spoofing`: installs and purchases fabricated by a server: new device IDs, timestamps out of "
        "order (install before its click), purchases with `receipt_valid = false`, nobody returns.",
        "- `bot`: emulators on hosting servers: clicks and installs from the RFC 5737 datacenter ranges, "
        "machine-like timing (click->install under 2 minutes), robotic sessions.",
        "- `device_farm`: real phones with reset advertising IDs: many new devices per IP and fingerprint, "
        "one or two phone models per farm, regular install spacing, almost no retention.",
        "",
    ]


def _schema_of(name: str, table: str, vertical: str) -> _data.Schema:
    """The schema of ``table`` in the folder ``name``; a custom folder (``--name``) has the columns of
    the committed world of its vertical (``paths``: of the attribution dataset)."""
    for key in (f"{name}/{table}", f"world-{vertical}/{table}", f"{COURSE}/{table}"):
        if key in _data.SCHEMAS:
            return _data.SCHEMAS[key]
    raise KeyError(f"no schema for {name}/{table}")  # (every table the builder writes has one)


def data_card(world: World, sizes: dict[str, tuple[int, int]], command: str, name: str = COURSE,
              files: tuple[str, ...] = DATASET_FILES, purpose: str = "", *,
              filenames: dict[str, str] | None = None, fraud: FraudMix | None = None) -> str:
    """The Markdown data card of one dataset folder.

    ``sizes`` maps each table to (rows, bytes of the CSV text); for a ``.csv.gz`` file the bytes are
    the uncompressed size (compressed sizes depend on the zlib build, and the card must not).
    """
    sc = world.scenario
    filenames = filenames or {}
    table = ["| dataset | file | rows | bytes |", "|---|---|---|---|"]
    for f in files:
        rows, size = sizes[f]
        fname = filenames.get(f, f"{f}.csv")
        shown = f"{size:,} uncompressed" if fname.endswith(GZ) else f"{size:,}"
        table.append(f"| `{name}/{f}` | `{fname}` | {rows:,} | {shown} |")
    title = {COURSE: "Attribution datasets", "fraud": "Fraud datasets"}.get(name, f"World `{name}`")
    has_fraud = _has_fraud(world)
    fraud_note = ("Fraud is mixed in: `fraud_type` labels the fraudulent rows (see \"Fraud labels\" below)."
                  if has_fraud else "No fraud is mixed in (`fraud_type` is empty everywhere); "
                  "`generate_world(..., fraud=FraudMix(...))` adds it.")
    # (only in cards of fraud worlds: the older cards stay as they were)
    world_note = (f" `load_world(\"{name}\")` returns every table as a `helpers.synth.World`."
                  if has_fraud else "")
    gz_note = ""
    if any(fn.endswith(GZ) for fn in filenames.values()):
        gz_note = (" Files ending in `.csv.gz` are gzip-compressed CSV; `load` reads them transparently "
                   "(`pandas.read_csv` does too).")
    parts = [
        f"# {title} - data card",
        "",
        "<!-- Generated by `python -m helpers.synth build`; do not edit by hand. -->",
        "",
        f"A simulated marketing world{' for ' + purpose if purpose else ''}: **{sc.label}** ({sc.name}), "
        f"{world.n_users:,} people, installs from {world.start.date()} for {world.days} days (UTC), "
        f"seed **{world.seed}**. Every number is synthetic; IP addresses come from the reserved ranges "
        "100.64.0.0/10 (RFC 6598) and 2001:db8::/32 (RFC 3849), advertising IDs are random. " + fraud_note,
        "",
        f"Read the files only through `helpers.data.load`, e.g. `load(\"{name}/touches\")`: it parses "
        "timestamps as UTC, sets the types below and checks the values." + world_note + gz_note,
        "",
        "## Files",
        "",
        "\n".join(table),
        "",
        "## Summary",
        "",
        "```",
        world.describe(),
        "```",
        "",
        "## Truth versus what an MMP sees",
        "",
        "The simulator knows why everyone installed; a measurement partner (MMP) does not. Columns marked "
        "`truth` below are that ground truth and must not be used as inputs to attribution - only to grade "
        "it. An MMP sees installs (device_id, fingerprint, time, platform, country), the touches networks "
        "report (without `user_id`), the app's events joined by `install_id`, and the networks' cost "
        "reports. It matches touches to installs by advertising ID when both sides have one, otherwise "
        "probabilistically by `fingerprint` - which fails when the IP changed and is fooled when two "
        "people share a carrier-NAT address and the same phone.",
        "",
        "Things built into the world that lessons can discover:",
        "",
        "- iOS users without ATT consent have no `device_id`, in installs and in their touches.",
        "- Some causing clicks happened more than 7 days before the install, and some causing impressions "
        "more than 24 hours before: a 7-day / 24-hour lookback calls those installs organic.",
        "- Organic installers were also shown ads: last-touch rules credit some organic installs to networks.",
        "- Reinstalls (`is_reinstall`), some within 90 days of the first install and some later, some "
        "brought back by a retargeting click (`is_retargeting`).",
        "- Every touch after a person's first install is a retargeting touch.",
        "- Android installs carry the Play Install Referrer timestamps: the causing click "
        "(`referrer_click_time`) comes before the download start (`install_begin_time`), which comes "
        "before the first open (`install_time`). A click after `install_begin_time` cannot have caused "
        "the install (that is how click injection is caught).",
        "- Seasonality: installs per day follow the scenario's monthly and weekday demand below.",
        "- Install quality differs by network: brand search and social buyers pay more often than "
        "offerwall or playable-ad installs, so ROAS differs far more than CPI does.",
        "- Deep links: `deeplink_clicks` are direct when the app was installed and deferred otherwise; "
        "people who already saw the benefits page were sent to `/signup` or to `/benefits` again.",
        "",
    ]
    if has_fraud:
        parts += _fraud_section(world, fraud, name)
    parts += [
        "## Conventions",
        "",
        "- Money in **US dollars** (`revenue`, `cost`), written with two decimals.",
        "- Timestamps in **UTC**, written `YYYY-MM-DDTHH:MM:SSZ`; `spend.date` is a UTC day written "
        "`YYYY-MM-DD` and loaded as midnight UTC.",
        "- IDs are strings with a prefix: `u` people, `t` touches, `i` installs, `e` events, `d` deep-link "
        "clicks, `site_` sites.",
        "- Empty cell = missing value. Booleans are `true`/`false`. Rows are in ID (time) order.",
        "- Day-N retention: a session between N and N+1 full days after `install_time`.",
        "",
        "## Columns",
        "",
    ]
    for f in files:
        schema = _schema_of(name, f, sc.name)
        parts += [f"### `{name}/{f}` - {schema.title}", "", schema.description, "",
                  _data.card(schema.name), ""]
    parts += [
        "## Scenario parameters",
        "",
        f"Vertical `{sc.name}`. Rates are fractions; funnel rates (install -> sign-up -> first purchase -> "
        "repeat purchase) are shares of first installs. The numbers are illustrative orders of magnitude "
        "for teaching, not market data.",
        "",
        _scenario_table(sc),
        "",
    ]
    parts += [f"- {note}" for note in sc.notes]
    parts += [
        "",
        "CPI ranges used for the cost of each truly caused install (network base range x country "
        "factor x vertical factor):",
        "",
        _cpi_table(sc),
        "",
        "## Regenerate",
        "",
        "```",
        command,
        "python -m helpers.synth build --out datasets --check   # compare, exit 1 if anything differs",
        "```",
        "",
    ]
    return "\n".join(parts)


def index_card(specs: tuple[DatasetSpec, ...] = DEFAULT_SET) -> str:
    lines = [
        "# Datasets",
        "",
        "<!-- Generated by `python -m helpers.synth build`; do not edit by hand. -->",
        "",
        "Generated, deterministic data for the lessons. Notebooks read them only with "
        "`helpers.data.load(\"<name>\")`; no Python code lives here. Set `MMA_DATASETS` to read another "
        "folder with the same layout; `helpers.data.load_world(\"<folder>\")` returns a whole folder as a "
        "`helpers.synth.World`. `SHA256SUMS` holds the checksum of every file (`make data` verifies them).",
        "",
        "Big tables are written as deterministic gzip (`<table>.csv.gz`, level 9, no timestamp); `load` reads "
        "them transparently. Compressed bytes depend on the zlib build, so checks and checksums use the "
        "DECOMPRESSED bytes of `.gz` files: `SHA256SUMS` lists such a file under its name without `.gz` "
        "(e.g. `fraud/touches.csv`) with the checksum of the decompressed CSV. "
        "`sha256sum -c --ignore-missing SHA256SUMS` (run in this folder) checks the plain files; "
        "`gzip -dc fraud/touches.csv.gz | sha256sum` gives the listed checksum of the compressed one "
        "(or `gunzip -k` it first and `sha256sum -c SHA256SUMS` checks everything).",
        "",
        "| folder | world | seed | card |",
        "|---|---|---|---|",
    ]
    for spec in specs:
        lines.append(f"| `{spec.name}/` | {spec.vertical}, {spec.users:,} people, {spec.days} days from "
                     f"{spec.start} - {spec.purpose} | {spec.seed} | [{spec.name}/README.md]({spec.name}/README.md) |")
    lines += ["", "| name | description |", "|---|---|"]
    for spec in specs:
        for f in spec.files:
            schema = _data.SCHEMAS[f"{spec.name}/{f}"]
            lines.append(f"| `{schema.name}` | {schema.title} |")
    lines += ["", "Regenerate with `make data-rebuild`, or:", "", "```",
              "python -m helpers.synth build --out datasets", "```", "",
              "A bigger world on demand (not committed), with a progress bar:", "", "```",
              "python -m helpers.synth build --users 1000000 --vertical ecommerce --out /tmp/big", "```", ""]
    return "\n".join(lines)


def build_world(out, spec: DatasetSpec, command: str, progress: bool = False) -> list[Path]:
    """Generate one world and write its CSVs and data card into ``out/<spec.name>``."""
    world = generate_world(spec.users, spec.seed, vertical=spec.vertical, start=spec.start, days=spec.days,
                           fraud=spec.fraud, progress=progress)
    folder = Path(out) / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(world.tables)
    if spec.paths:
        tables["paths"] = world.paths()
    names = list(spec.files)
    if progress:
        from tqdm import tqdm

        names = tqdm(names, desc=_t("synth.progress.writing", folder=folder), unit="file", file=sys.stderr)
    written, sizes = [], {}
    for f in names:
        text = to_csv_bytes(tables[f])
        path = folder / spec.filename(f)
        path.write_bytes(gzip.compress(text, compresslevel=9, mtime=0) if path.name.endswith(GZ) else text)
        stale = folder / (f"{f}.csv" if path.name.endswith(GZ) else f"{f}.csv{GZ}")
        stale.unlink(missing_ok=True)  # the other format of the same table would shadow or confuse
        written.append(path)
        sizes[f] = (text.count(b"\n") - 1, len(text))
    card_path = folder / "README.md"
    card = data_card(world, sizes, command, spec.name, spec.files, spec.purpose,
                     filenames={f: spec.filename(f) for f in spec.files}, fraud=spec.fraud)
    card_path.write_bytes(card.encode("utf-8"))
    return [*written, card_path]


def content(path) -> bytes:
    """The bytes that checks and checksums compare: the file's, or the DECOMPRESSED bytes of a ``.gz``
    file (compressed bytes differ between zlib builds). A ``.gz`` file that does not decompress gives
    ``b""`` prefixed by a marker, so it never matches a real file."""
    raw = Path(path).read_bytes()
    if not str(path).endswith(GZ):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        return b"\x00not a valid gzip file\x00" + hashlib.sha256(raw).digest()


def _listed_name(rel: str) -> str:
    """The name a file has in ``SHA256SUMS``: ``.gz`` files are listed without ``.gz``."""
    return rel[: -len(GZ)] if rel.endswith(GZ) else rel


def checksums(out) -> str:
    """``SHA256SUMS`` text for every file under ``out`` except itself (sorted, ``sha256sum`` format).

    A ``x.csv.gz`` file is listed as ``x.csv`` with the checksum of its decompressed bytes, so the
    list does not depend on the zlib build and ``sha256sum -c --ignore-missing`` still checks the
    plain files.
    """
    out = Path(out)
    entries = []
    for path in (p for p in out.rglob("*") if p.is_file() and p.name != CHECKSUMS):
        rel = _listed_name(path.relative_to(out).as_posix())
        entries.append((rel, hashlib.sha256(content(path)).hexdigest()))
    return "\n".join(f"{digest}  {rel}" for rel, digest in sorted(entries)) + "\n"


def verify_checksums(out) -> list[str]:
    """Problems with ``out/SHA256SUMS``: files missing, altered or not listed (empty when all is well)."""
    out = Path(out)
    sums = out / CHECKSUMS
    if not sums.is_file():
        return [_t("synth.cli.checksums_missing", checksums=CHECKSUMS)]
    expected = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, rel = line.partition("  ")
            expected[rel] = digest
    actual = {}
    for line in checksums(out).splitlines():
        digest, _, rel = line.partition("  ")
        actual[rel] = digest
    problems = [_t("synth.cli.file_missing", file=rel) for rel in sorted(set(expected) - set(actual))]
    problems += [_t("synth.cli.checksum_differs", file=rel) for rel in sorted(set(expected) & set(actual))
                 if expected[rel] != actual[rel]]
    problems += [_t("synth.cli.not_listed", file=rel, checksums=CHECKSUMS)
                 for rel in sorted(set(actual) - set(expected))]
    return problems


def _custom_spec(seed, users, vertical, start, days, name, paths) -> DatasetSpec:
    vertical = vertical or "gaming"
    return DatasetSpec(name or f"world-{vertical}", vertical, users if users is not None else 10_000,
                       start or "2026-01-01", days if days is not None else 365,
                       seed=seed if seed is not None else SEED, paths=bool(paths))


def _is_custom(users, vertical, start, days, name, paths) -> bool:
    return any(v is not None for v in (users, vertical, start, days, name)) or bool(paths)


def build(out, seed: int | None = None, users: int | None = None, vertical: str | None = None,
          start: str | None = None, days: int | None = None, *, name: str | None = None,
          paths: bool = False, progress: bool = False) -> list[Path]:
    """Write datasets into ``out``; returns the files written.

    Without ``users``/``vertical``/``start``/``days``/``name`` this is the default set (every folder,
    the index and ``SHA256SUMS``; ``seed`` then replaces every world's seed). Otherwise one world
    goes into ``out/<name>`` (default ``world-<vertical>``) with its data card.
    """
    out = Path(out)
    if _is_custom(users, vertical, start, days, name, paths):
        spec = _custom_spec(seed, users, vertical, start, days, name, paths)
        return build_world(out, spec, _single_command(spec), progress=progress)
    specs = DEFAULT_SET if seed is None else tuple(dataclasses.replace(s, seed=seed) for s in DEFAULT_SET)
    command = "python -m helpers.synth build --out datasets" + (f" --seed {seed}" if seed is not None else "")
    written = []
    for spec in specs:
        written += build_world(out, spec, command, progress=progress)
    index_path = out / "README.md"
    index_path.write_bytes(index_card(specs).encode("utf-8"))
    written.append(index_path)
    sums = out / CHECKSUMS
    sums.write_bytes(checksums(out).encode("utf-8"))
    written.append(sums)
    return written


def check(out, **kwargs) -> list[str]:
    """Regenerate into a temporary folder; the relative paths of files that differ from ``out``."""
    out = Path(out)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = build(tmp, **kwargs)
        differing = []
        for path in fresh:
            rel = path.relative_to(tmp)
            target = out / rel
            if not target.is_file() or content(target) != content(path):
                differing.append(rel.as_posix())
    return differing


def _missing_default_files(out: Path) -> bool:
    if not (out / CHECKSUMS).is_file() or not (out / "README.md").is_file():
        return True
    return any(not (out / spec.name / spec.filename(f)).is_file() for spec in DEFAULT_SET for f in spec.files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.synth",
                                     description="Generate the simulated datasets of the course kit.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the default datasets (or one custom world) and their data cards")
    e = sub.add_parser("ensure", help="build the default datasets if missing, otherwise check them and "
                                      "their checksums (make data)")
    e.add_argument("--out", default="datasets", help="output folder (default: datasets)")
    b.add_argument("--out", default="datasets", help="output folder (default: datasets)")
    b.add_argument("--seed", type=int, default=None, help=f"random seed (default {SEED})")
    b.add_argument("--users", type=int, default=None, help="build one world of this many people")
    b.add_argument("--vertical", default=None, help="gaming, ecommerce, home_services or subscription")
    b.add_argument("--start", default=None, help="first day of installs (one world; default 2026-01-01)")
    b.add_argument("--days", type=int, default=None, help="days of installs (one world; default 365)")
    b.add_argument("--name", default=None, help="folder name of the one world (default world-<vertical>)")
    b.add_argument("--paths", action="store_true", help="also write paths.csv (multi-touch journeys)")
    b.add_argument("--check", action="store_true",
                   help="regenerate into a temporary folder and compare bytes instead of writing")
    b.add_argument("--no-progress", action="store_true", help="no progress bar for one big world")
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        if args.command == "ensure":
            if _missing_default_files(out):
                for path in build(out):
                    print(_t("synth.cli.wrote", path=path))
                return 0
            differing = check(out)
            problems = verify_checksums(out)
            if differing or problems:
                if differing:
                    print(_t("synth.cli.differ", folder=out, files=", ".join(differing)), file=sys.stderr)
                for problem in problems:
                    print(_t("synth.cli.checksum_problem", checksums=CHECKSUMS, problem=problem), file=sys.stderr)
                print(_t("synth.cli.regenerate", command="python -m helpers.synth build --out datasets"), file=sys.stderr)
                return 1
            print(_t("synth.cli.match_checksums", folder=out, checksums=CHECKSUMS))
            return 0
        kwargs = {"seed": args.seed, "users": args.users, "vertical": args.vertical, "start": args.start,
                  "days": args.days, "name": args.name, "paths": args.paths}
        custom = _is_custom(args.users, args.vertical, args.start, args.days, args.name, args.paths)
        if args.check:
            differing = check(out, **kwargs)
            if differing:
                print(_t("synth.cli.differ", folder=out, files=", ".join(differing)), file=sys.stderr)
                cmd = " ".join(["python -m helpers.synth build", *(argv if argv is not None else sys.argv[1:])])
                print(_t("synth.cli.regenerate", command=cmd.replace(" --check", "")), file=sys.stderr)
                return 1
            print(_t("synth.cli.match", folder=out))
            return 0
        progress = custom and not args.no_progress
        for path in build(out, **kwargs, progress=progress):
            print(_t("synth.cli.wrote", path=path))
        return 0
    except ValueError as exc:
        print(_t("synth.cli.error", message=exc), file=sys.stderr)
        return 2
