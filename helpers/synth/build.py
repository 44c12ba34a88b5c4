"""Build (or check) the committed datasets and their data cards.

The default set (``python -m helpers.synth build --out datasets``) is:

- ``datasets/attribution/`` - the Attribution course's world (gaming, 8,000 people, 60 days), with
  multi-touch ``paths``;
- ``datasets/world-<vertical>/`` - one small world per vertical (gaming, ecommerce, home_services,
  subscription) over a whole year, so seasonality shows;
- a data card ``README.md`` in every folder, the index ``datasets/README.md`` and
  ``datasets/SHA256SUMS`` (``sha256sum -c`` format).

With ``--check`` the set is regenerated into a temporary folder and compared byte for byte; the
files that differ are listed and the exit status is 1. ``ensure`` (what ``make data`` runs) builds
the set when something is missing, otherwise checks it and verifies ``SHA256SUMS``.

Bigger worlds on demand (one world, with a progress bar on stderr)::

    python -m helpers.synth build --users 1000000 --vertical ecommerce --out /tmp/big

writes ``/tmp/big/world-ecommerce/`` (``--name`` chooses another folder name).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

from helpers import data as _data
from helpers.synth.scenarios import COUNTRIES, MONTHS, NETWORKS, WEEKDAYS, Scenario
from helpers.synth.world import World, generate_world, to_csv_bytes

COURSE = "attribution"
SEED = 20261124
DEFAULTS = {"seed": SEED, "users": 8000, "vertical": "gaming", "start": "2026-03-01", "days": 60}
"""The attribution dataset's parameters (kept for callers of the first version)."""
DATASET_FILES = ("users", "touches", "installs", "events", "spend", "deeplink_clicks", "paths")
WORLD_FILES = DATASET_FILES[:-1]
CHECKSUMS = "SHA256SUMS"


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

    @property
    def files(self) -> tuple[str, ...]:
        return DATASET_FILES if self.paths else WORLD_FILES


DEFAULT_SET: tuple[DatasetSpec, ...] = (
    DatasetSpec(COURSE, "gaming", 8000, "2026-03-01", 60, paths=True,
                purpose="the Attribution course (course 01)"),
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


def data_card(world: World, sizes: dict[str, tuple[int, int]], command: str, name: str = COURSE,
              files: tuple[str, ...] = DATASET_FILES, purpose: str = "") -> str:
    """The Markdown data card of one dataset folder."""
    sc = world.scenario
    table = ["| dataset | file | rows | bytes |", "|---|---|---|---|"]
    for f in files:
        rows, size = sizes[f]
        table.append(f"| `{name}/{f}` | `{f}.csv` | {rows:,} | {size:,} |")
    title = "Attribution datasets" if name == COURSE else f"World `{name}`"
    parts = [
        f"# {title} - data card",
        "",
        "<!-- Generated by `python -m helpers.synth build`; do not edit by hand. -->",
        "",
        f"A simulated marketing world{' for ' + purpose if purpose else ''}: **{sc.label}** ({sc.name}), "
        f"{world.n_users:,} people, installs from {world.start.date()} for {world.days} days (UTC), "
        f"seed **{world.seed}**. Every number is synthetic; IP addresses come from the reserved ranges "
        "100.64.0.0/10 (RFC 6598) and 2001:db8::/32 (RFC 3849), advertising IDs are random. No fraud "
        "is mixed in (`fraud_type` is empty everywhere); `generate_world(..., fraud=FraudMix(...))` adds it.",
        "",
        f"Read the files only through `helpers.data.load`, e.g. `load(\"{name}/touches\")`: it parses "
        "timestamps as UTC, sets the types below and checks the values.",
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
        schema = _data.SCHEMAS[f"{name}/{f}"]
        parts += [f"### `{schema.name}` - {schema.title}", "", schema.description, "",
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
        "folder with the same layout. `SHA256SUMS` holds the checksum of every file (`make data` "
        "verifies them).",
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
                           progress=progress)
    folder = Path(out) / spec.name
    folder.mkdir(parents=True, exist_ok=True)
    tables = dict(world.tables)
    if spec.paths:
        tables["paths"] = world.paths()
    names = list(spec.files)
    if progress:
        from tqdm import tqdm

        names = tqdm(names, desc=f"writing {folder}", unit="file", file=sys.stderr)
    written, sizes = [], {}
    for f in names:
        text = to_csv_bytes(tables[f])
        path = folder / f"{f}.csv"
        path.write_bytes(text)
        written.append(path)
        sizes[f] = (text.count(b"\n") - 1, len(text))
    card_path = folder / "README.md"
    card_path.write_bytes(data_card(world, sizes, command, spec.name, spec.files, spec.purpose).encode("utf-8"))
    return [*written, card_path]


def checksums(out) -> str:
    """``SHA256SUMS`` text for every file under ``out`` except itself (sorted, ``sha256sum`` format)."""
    out = Path(out)
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != CHECKSUMS):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(out).as_posix()}")
    return "\n".join(lines) + "\n"


def verify_checksums(out) -> list[str]:
    """Problems with ``out/SHA256SUMS``: files missing, altered or not listed (empty when all is well)."""
    out = Path(out)
    sums = out / CHECKSUMS
    if not sums.is_file():
        return [f"{CHECKSUMS} is missing"]
    expected = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, rel = line.partition("  ")
            expected[rel] = digest
    actual = {}
    for line in checksums(out).splitlines():
        digest, _, rel = line.partition("  ")
        actual[rel] = digest
    problems = [f"{rel}: missing" for rel in sorted(set(expected) - set(actual))]
    problems += [f"{rel}: checksum differs" for rel in sorted(set(expected) & set(actual))
                 if expected[rel] != actual[rel]]
    problems += [f"{rel}: not listed in {CHECKSUMS}" for rel in sorted(set(actual) - set(expected))]
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
    specs = DEFAULT_SET if seed is None else tuple(
        DatasetSpec(s.name, s.vertical, s.users, s.start, s.days, seed, s.paths, s.purpose) for s in DEFAULT_SET)
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
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                differing.append(rel.as_posix())
    return differing


def _missing_default_files(out: Path) -> bool:
    if not (out / CHECKSUMS).is_file() or not (out / "README.md").is_file():
        return True
    return any(not (out / spec.name / f"{f}.csv").is_file() for spec in DEFAULT_SET for f in spec.files)


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
                    print(f"wrote {path}")
                return 0
            differing = check(out)
            problems = verify_checksums(out)
            if differing or problems:
                if differing:
                    print(f"datasets in {out} differ from a fresh build: " + ", ".join(differing), file=sys.stderr)
                for problem in problems:
                    print(f"{CHECKSUMS}: {problem}", file=sys.stderr)
                print("regenerate with: python -m helpers.synth build --out datasets", file=sys.stderr)
                return 1
            print(f"datasets in {out} match a fresh build and {CHECKSUMS}")
            return 0
        kwargs = {"seed": args.seed, "users": args.users, "vertical": args.vertical, "start": args.start,
                  "days": args.days, "name": args.name, "paths": args.paths}
        custom = _is_custom(args.users, args.vertical, args.start, args.days, args.name, args.paths)
        if args.check:
            differing = check(out, **kwargs)
            if differing:
                print(f"datasets in {out} differ from a fresh build: " + ", ".join(differing), file=sys.stderr)
                cmd = " ".join(["python -m helpers.synth build", *(argv if argv is not None else sys.argv[1:])])
                print("regenerate with: " + cmd.replace(" --check", ""), file=sys.stderr)
                return 1
            print(f"datasets in {out} match a fresh build")
            return 0
        progress = custom and not args.no_progress
        for path in build(out, **kwargs, progress=progress):
            print(f"wrote {path}")
        return 0
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
