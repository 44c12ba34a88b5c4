"""The kit's English-Korean glossary (``helpers/locale/glossary.toml``) and its consistency check.

The same glossary serves three purposes:

* lessons show it: ``glossary_table(["attribution", "lookback_window"])`` gives the terms with
  their definitions in the learner's language (Korean shows the English term beside it);
* the offline site has a glossary page built from it;
* ``check_pair(english, korean)`` finds Korean text that does not use the agreed term for an
  English term it translates, or uses a rendering the glossary rules out. Tests run it over every
  catalogue message and every lesson cell; ``python -m helpers.glossary check`` prints the findings.

>>> from helpers.glossary import check_pair
>>> check_pair("Move the lookback window.", "조회 기간을 움직여 보세요.")[0].term
'lookback_window'
"""

from __future__ import annotations

import functools
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from helpers.messages import language, t

__all__ = ["Term", "terms", "term", "check_pair", "Finding", "glossary_table", "strip_code", "GLOSSARY_FILE"]

GLOSSARY_FILE = Path(__file__).resolve().parent / "locale" / "glossary.toml"


@dataclass(frozen=True)
class Term:
    id: str
    en: str
    ko: str
    pattern: re.Pattern
    ko_also: tuple[str, ...]
    avoid: tuple[str, ...]
    require: bool
    en_def: str
    ko_def: str

    def name(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def definition(self, lang: str) -> str:
        return self.ko_def if lang == "ko" else self.en_def


@dataclass(frozen=True)
class Finding:
    term: str
    kind: str  # "missing" (agreed Korean term absent) or "avoid" (ruled-out rendering present)
    detail: str

    def __str__(self) -> str:
        return f"{self.term}: {self.detail}"


class GlossaryError(ValueError):
    """The glossary file is malformed."""


@functools.cache
def terms() -> tuple[Term, ...]:
    """Every glossary term, in file order."""
    try:
        data = tomllib.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(f"{GLOSSARY_FILE} is not valid TOML: {exc}") from exc
    out, seen = [], set()
    for i, raw in enumerate(data.get("term", []), 1):
        missing = [k for k in ("id", "en", "ko", "en_def", "ko_def") if not isinstance(raw.get(k), str) or not raw[k]]
        if missing:
            raise GlossaryError(f"{GLOSSARY_FILE}: term {i} ({raw.get('id', '?')}) lacks {missing}")
        if raw["id"] in seen:
            raise GlossaryError(f"{GLOSSARY_FILE}: term id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        try:
            pattern = re.compile(raw.get("match") or re.escape(raw["en"]), re.IGNORECASE)
        except re.error as exc:
            raise GlossaryError(f"{GLOSSARY_FILE}: term {raw['id']!r} has a bad match pattern: {exc}") from exc
        out.append(Term(raw["id"], raw["en"], raw["ko"], pattern, tuple(raw.get("ko_also", ())),
                        tuple(raw.get("avoid", ())), bool(raw.get("require", False)), raw["en_def"], raw["ko_def"]))
    return tuple(out)


def term(term_id: str) -> Term:
    for item in terms():
        if item.id == term_id:
            return item
    raise KeyError(f"no glossary term {term_id!r}; known: {', '.join(x.id for x in terms())}")


_CODE = re.compile(r"```.*?```|`[^`\n]*`|<[^>\n]+>|https?://\S+|\$[^$\n]+\$|\{[a-z_][a-z0-9_]*\}", re.DOTALL)


def strip_code(text: str) -> str:
    """Text without code spans, fenced code, HTML tags, URLs, formulas and ``{placeholders}``."""
    return _CODE.sub(" ", text)


def _korean_forms(item: Term) -> tuple[str, ...]:
    # the agreed term, its bare parts ("CPI(설치당 비용)" is also satisfied by "CPI" or "설치당 비용")
    forms = [item.ko, *item.ko_also]
    head = item.ko.split("(")[0].strip()
    inner = item.ko[item.ko.find("(") + 1:item.ko.rfind(")")] if "(" in item.ko else ""
    return tuple(f for f in (*forms, head, inner) if f)


@functools.cache
def style_avoid() -> tuple[str, ...]:
    """Endings the Korean text should not use (the glossary's ``[style]`` table)."""
    data = tomllib.loads(GLOSSARY_FILE.read_text(encoding="utf-8"))
    return tuple(data.get("style", {}).get("avoid", ()))


def check_pair(english: str, korean: str) -> list[Finding]:
    """Glossary findings for one English text and its Korean translation (an empty list is clean)."""
    en, ko = strip_code(english), strip_code(korean)
    found = [Finding("style", "avoid", f"uses {bad!r}; instructions end in -세요") for bad in style_avoid() if bad in ko]
    for item in terms():
        for bad in item.avoid:
            if bad in ko:
                found.append(Finding(item.id, "avoid", f"uses {bad!r}; the glossary term is {item.ko!r}"))
        if item.require and item.pattern.search(en) and not any(f in ko for f in _korean_forms(item)):
            found.append(Finding(item.id, "missing",
                                 f"the English says {item.pattern.search(en).group(0)!r} but the Korean lacks {item.ko!r}"))
    return found


def glossary_table(ids: list[str] | None = None, lang: str | None = None):
    """The glossary (or the named terms) as a table for a lesson, in the learner's language."""
    import pandas as pd

    lang = lang or language()
    chosen = [term(i) for i in ids] if ids else list(terms())
    rows = []
    for item in chosen:
        row = {t("glossary.column.term", lang=lang): item.name(lang)}
        if lang != "en":
            row[t("glossary.column.english", lang=lang)] = item.en
        row[t("glossary.column.meaning", lang=lang)] = item.definition(lang)
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.style.hide(axis="index").set_properties(**{"text-align": "left"})


def _iter_notebook_pairs(root: Path):
    import nbformat

    from helpers import i18n

    for en_path, ko_path in i18n.pairs("ko", root):
        if not ko_path.is_file():
            continue  # a missing translation is tests/test_i18n.py's finding, not the glossary's
        en_nb, ko_nb = nbformat.read(en_path, 4), nbformat.read(ko_path, 4)
        for i, (a, b) in enumerate(zip(en_nb.cells, ko_nb.cells, strict=False)):
            if a.cell_type == b.cell_type == "markdown":
                yield f"{ko_path.relative_to(root)} cell {i}", a.source, b.source


def findings(root: Path | None = None) -> list[tuple[str, Finding]]:
    """Every glossary finding in the Korean catalogues and the Korean lessons."""
    from helpers import catalog, messages

    out = []
    english = messages.catalogue("en")
    for lang in messages.available_languages():
        if lang != "ko":
            continue
        for key, text in messages.catalogue(lang).items():
            if key in english:
                out.extend((f"message {key}", f) for f in check_pair(english[key], text))
    for where, en, ko in _iter_notebook_pairs(root or catalog.courses_dir()):
        out.extend((where, f) for f in check_pair(en, ko))
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.glossary", description="Check Korean text against the glossary.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="list Korean messages and lesson cells that break the glossary")
    show = sub.add_parser("show", help="print the glossary")
    show.add_argument("--lang", default="ko")
    args = parser.parse_args(argv)
    if args.command == "show":
        for item in terms():
            print(f"{item.en}\t{item.ko}\t{item.definition(args.lang)}")
        return 0
    problems = findings()
    for where, finding in problems:
        print(f"{where}: {finding}")
    print(f"{len(problems)} finding(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
