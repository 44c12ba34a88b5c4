"""Benchmark for helpers.deeplinks' Universal Links matcher (a script, not a pytest test).

Run:  python tests/bench_deeplinks.py [--urls 1000000] [--seed 7]

Issue 5's target: matching 1M URLs against an ``apple-app-site-association`` file with 200 rules in
under 10 s. The file (:func:`aasa_file`) is a realistic mix for a shop with a content site: exclusions
first, ``components`` with paths, query dictionaries, fragments, ``caseSensitive: false`` rules,
substitution variables (``$(lang)``, ``$(region)`` and a custom one), a second app, and a legacy
``paths`` entry with ``NOT`` exclusions. The URLs (:func:`urls`) come from a seeded generator: about
half are built to match a rule (or an exclusion), the rest are paths no rule lists.

Cases (each in a fresh subprocess, so its peak memory and caches are its own):

* ``match``: ``parse_aasa(file).match(url)`` for every URL (the issue's target: under 10 s);
* ``match_many_star``: the same with 10 of the 200 rules replaced by patterns holding many ``*``
  (``/deals3/*a*b*c*d*e*``), which are matched by the backtracking-free matcher instead of a regex
  (in the ``match`` case no rule lists ``/deals...``: those URLs open nothing);
* ``explain``: ``explain(url)`` (the CLI's path: the deciding rule and a reason) on a tenth of the URLs.

``seconds`` is wall-clock time of the matching loop only (building the URLs and parsing the file are
timed apart), ``cpu_seconds`` the process's CPU time for the same loop: on a busy machine the CPU
time stays close to the idle wall-clock time. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "ABCDE12345.com.example.shop"
APP_CLIP = "ABCDE12345.com.example.shop.Clip"
APP_LEGACY = "FGHIJ67890.com.example.magazine"
RULES = 200

_SECTIONS = [f"section{i}" for i in range(60)]
_FOODS = ["burrito", "pizza", "sushi", "samosa", "ramen", "bibimbap"]


def aasa_file(many_star: bool = False) -> dict:
    """The benchmark's AASA file: exactly :data:`RULES` rules (components and legacy paths).

    :func:`helpers.deeplinks.lint_aasa` finds nothing to warn about in it (checked by the script).
    """
    shop: list[dict] = [
        {"/": "/account/*", "exclude": True, "comment": "signed-in pages stay on the web"},
        {"/": "/checkout/*", "exclude": True},
        {"/": "/help/*", "exclude": True},
        {"/": "/*", "?": {"no_app": "1"}, "exclude": True},
        {"/": "/", "comment": "home"},
        {"/": "/product/?*"},
        {"/": "/p/$(digit)*"},
        {"/": "/category/*/item/?*"},
        {"/": "/search", "?": {"q": "?*"}},
        {"/": "/promo/*", "?": {"utm_campaign": "spring-*", "utm_source": "?*"}},
        {"/": "/invite", "?": {"code": "????????"}},
        {"/": "/guide/*", "#": "step-*"},
        {"/": "/$(lang)/shop/*"},
        {"/": "/$(lang)_$(region)/$(food)/*"},
        {"/": "/Brand/*", "caseSensitive": False},
        {"/": "/stores/$(region)/?*", "caseSensitive": False},
        {"/": "/caf%C3%A9/*", "percentEncoded": False},
        {"/": "/gift/*", "?": "card=*"},
    ]
    for i, section in enumerate(_SECTIONS):  # 60 sections x 2 rules
        shop.append({"/": f"/{section}/*", "?": {"ref": "*"}} if i % 5 == 0 else {"/": f"/{section}/?*"})
        shop.append({"/": f"/{section}-archive/*", "exclude": True} if i % 7 == 0 else {"/": f"/{section}"})
    clip = [{"/": f"/clip/{i}/*"} for i in range(30)]
    clip.append({"/": "/order/*", "?": {"table": "$(digit)*"}})
    legacy = ["NOT /magazine/drafts/*", "/magazine/*", "/issue/?*", "NOT /issue/0/*"]
    legacy += [f"/column/{i}/*" for i in range(RULES - len(shop) - len(clip) - len(legacy) - 1)]
    legacy.append("/archive/*/page/?")
    if many_star:  # ten rules a regex would need exponential time for on long paths
        for j in range(10):
            shop[20 + 5 * j] = {"/": f"/deals{j}/*a*b*c*d*e*"}
    doc = {"applinks": {
        "apps": [],
        "substitutionVariables": {"food": _FOODS},
        "details": [
            {"appIDs": [APP], "components": shop},
            {"appIDs": [APP_CLIP], "components": clip},
            {"appID": APP_LEGACY, "paths": legacy},
        ],
    }}
    assert len(shop) + len(clip) + len(legacy) == RULES
    return doc


def urls(n: int, seed: int) -> list[str]:
    """``n`` URLs from a seeded generator: about half built to match a rule, half not."""
    rng = random.Random(seed)
    host = "https://shop.example.com"

    def word(k: int = 6) -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-") for _ in range(k))

    matching = [
        lambda: f"/product/{rng.randrange(10**6)}",
        lambda: f"/p/{rng.randrange(10)}{word(4)}",
        lambda: f"/category/{word()}/item/{rng.randrange(1000)}",
        lambda: f"/search?q={word()}&page={rng.randrange(9)}",
        lambda: f"/promo/{word()}?utm_source=mail&utm_campaign=spring-{rng.randrange(30)}",
        lambda: f"/invite?code={word(8)}",
        lambda: f"/guide/{word()}#step-{rng.randrange(9)}",
        lambda: f"/{rng.choice(['en', 'ko', 'ja', 'fr'])}/shop/{word()}",
        lambda: f"/{rng.choice(['en', 'ko'])}_{rng.choice(['US', 'KR', 'GB'])}/{rng.choice(_FOODS)}/{word()}",
        lambda: f"/BRAND/{word()}",
        lambda: f"/stores/kr/{word()}",
        lambda: f"/caf%C3%A9/{word()}",
        lambda: f"/{rng.choice(_SECTIONS)}/{word()}",
        lambda: f"/{rng.choice(_SECTIONS)}/item-{rng.randrange(500)}?ref={word()}",
        lambda: f"/{rng.choice(_SECTIONS)}",
        lambda: f"/clip/{rng.randrange(30)}/{word()}",
        lambda: f"/order/{word()}?table={rng.randrange(40)}",
        lambda: f"/magazine/{word()}/{word()}",
        lambda: f"/column/{rng.randrange(80)}/{word()}",
        lambda: f"/account/{word()}",  # exclusions decide too
        lambda: f"/magazine/drafts/{word()}",
        lambda: "/",
        lambda: f"/deals{rng.randrange(10)}/a-b-c-d-e-{word()}",  # many-star rules (match_many_star only)
    ]
    other = [
        lambda: f"/{word()}/{word()}",
        lambda: f"/blog/{rng.randrange(2020, 2027)}/{word(10)}",
        lambda: f"/product/?utm_source={word()}",
        lambda: f"/search?page={rng.randrange(9)}",
        lambda: f"/promo/{word()}?utm_campaign=fall-{rng.randrange(30)}",
        lambda: f"/invite?code={word(5)}",
        lambda: f"/xx/shop/{word()}",
        lambda: f"/{word(3)}/{word(12)}/{word(12)}/{word(12)}",
        lambda: f"/static/img/{word(16)}.png",
        lambda: f"/deals{rng.randrange(10)}/{word(40)}",  # a many-star rule's first segment
        lambda: f"/issue/{word()}/{word()}/page/{word(2)}",
    ]
    out = []
    for _ in range(n):
        make = rng.choice(matching) if rng.random() < 0.5 else rng.choice(other)
        out.append(host + make())
    return out


def run_case(case: str, n: int, seed: int) -> dict:
    """One case in this process (called in a fresh subprocess by :func:`main`)."""
    sys.path.insert(0, str(ROOT))
    from helpers.deeplinks import parse_aasa

    t0 = time.perf_counter()
    count = n // 10 if case == "explain" else n
    batch = urls(count, seed)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    doc = aasa_file(many_star=case == "match_many_star")
    if case == "match":
        from helpers.deeplinks import lint_aasa

        assert not lint_aasa(doc), lint_aasa(doc)
    f = parse_aasa(json.dumps(doc))
    parse_s = time.perf_counter() - t0
    opened = excluded = 0
    t0, c0 = time.perf_counter(), time.process_time()
    if case == "explain":
        for u in batch:
            d = f.explain(u)
            opened += d.matched
            excluded += d.excluded
    else:
        match = f.match
        for u in batch:
            if match(u):
                opened += 1
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"case": case, "urls": count, "rules": RULES, "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "target_s": 10.0 if case == "match" else None, "opened_share": round(opened / count, 3),
            **({"excluded_share": round(excluded / count, 3)} if case == "explain" else {}),
            "urls_per_second": round(count / wall), "generate_urls_s": round(gen_s, 3),
            "parse_file_s": round(parse_s, 4)}


def _subprocess(case: str, n: int, seed: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--case", case, "--urls", str(n), "--seed", str(seed)],
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--case", choices=["match", "match_many_star", "explain"], default=None,
                        help="run one case in this process (default: every case, each in a fresh subprocess)")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.urls, args.seed)))
        return
    results = [_subprocess(c, args.urls, args.seed) for c in ("match", "match_many_star", "explain")]
    print(json.dumps({"python": sys.version.split()[0], "results": results}, indent=2))


if __name__ == "__main__":
    main()
