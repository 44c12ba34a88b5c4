"""Learner-facing text, kept out of the code so it can be translated.

Every message a learner reads (check feedback, hints, solution notes, portal labels, input
errors shown in lessons) lives in a TOML catalogue under ``helpers/messages/<lang>/``. Files are
merged; each top-level table is a namespace, so ``attribution.lesson_1_1.q1.hint1`` is the key
``hint1`` of the table ``[attribution.lesson_1_1.q1]`` in any ``en/*.toml`` file.

>>> from helpers.messages import t
>>> t("exercise.not_attempted", variable="organic_share")  # doctest: +ELLIPSIS
'Not attempted yet...'

The language comes from :func:`language` (environment variable ``MMA_LANG``, default English).
A key missing in the chosen language falls back to English; a key missing everywhere raises
:class:`KeyError` naming the key, so a typo never reaches a learner as an empty message.
"""

from __future__ import annotations

import functools
import os
import string
import tomllib
from pathlib import Path

__all__ = ["t", "has", "language", "catalogue", "available_languages"]

_ROOT = Path(__file__).resolve().parent
DEFAULT_LANGUAGE = "en"


def available_languages() -> list[str]:
    """Languages that have a catalogue folder."""
    return sorted(p.name for p in _ROOT.iterdir() if p.is_dir() and not p.name.startswith("_"))


def language() -> str:
    """The learner's language: ``MMA_LANG`` if it names a catalogue, else English."""
    lang = os.environ.get("MMA_LANG", DEFAULT_LANGUAGE).strip().lower() or DEFAULT_LANGUAGE
    return lang if (_ROOT / lang).is_dir() else DEFAULT_LANGUAGE


def _flatten(prefix: str, table: dict, out: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out, source)
        elif isinstance(value, str):
            if full in out:
                raise ValueError(f"message key {full!r} is defined twice (second time in {source})")
            out[full] = value
        else:
            raise ValueError(f"message {full!r} in {source} must be text, not {type(value).__name__}")


@functools.cache
def catalogue(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """All messages of one language as a flat ``{key: text}`` dict."""
    folder = _ROOT / lang
    if not folder.is_dir():
        raise ValueError(f"no message catalogue for language {lang!r}; available: {available_languages()}")
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            try:
                data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"message catalogue {path} is not valid TOML: {exc}") from exc
        _flatten("", data, out, path)
    return out


def has(key: str, lang: str | None = None) -> bool:
    """True when ``key`` exists in the language's catalogue or in English."""
    lang = lang or language()
    return key in catalogue(lang) or key in catalogue(DEFAULT_LANGUAGE)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` used in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, /, lang: str | None = None, **params: object) -> str:
    """The message ``key`` in the learner's language, with ``{placeholders}`` filled in."""
    lang = lang or language()
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the {lang!r} or English catalogue")
    try:
        return text.format(**params)
    except KeyError as exc:
        raise KeyError(f"message {key!r} needs the value {exc.args[0]!r}") from None
