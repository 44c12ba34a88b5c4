"""Learner-facing text, kept in gettext catalogues so that it can be translated.

Every message a learner reads (check feedback, hints, solution notes, portal labels, widget and
plot labels, errors for bad input) lives in a gettext catalogue under ``helpers/locale/``:

* ``helpers/locale/templates/<domain>.pot`` holds the English text. Each entry's ``msgctxt`` is
  the key the code asks for and its ``msgid`` is the English message;
* ``helpers/locale/<lang>/LC_MESSAGES/<domain>.po`` holds a translation (Korean: ``ko``). Its
  ``msgid`` is the English text the translator saw, its ``msgstr`` the translation.

Catalogues are standard PO files: translators can use Poedit, Weblate or Crowdin, and
``python -m helpers.messages update`` merges new and changed English text into every translation
with Babel (changed entries become *fuzzy* until a translator looks at them again).

>>> from helpers.messages import t
>>> t("exercise.not_attempted", variable="organic_share", lang="en")  # doctest: +ELLIPSIS
'Not attempted yet...'

The language (:func:`language`) is, first match wins:

1. ``set_language("ko")`` called in this Python process (a lesson, a script);
2. the notebook's own language: a notebook opened in JupyterLab from a ``ko/`` folder speaks Korean;
3. the environment variable ``MMA_LANG`` (used by ``make site``/``make workshop`` and tests);
4. the learner's saved setting (``python -m helpers.messages set-language ko``, the start page's
   language switch, or ``make lab LANG=ko``), stored in ``MMA_SETTINGS``, ``./.mma/settings.json``
   (a workshop pack) or ``~/.mma/settings.json``;
5. English.

A message missing from a translation, untranslated, fuzzy or translated from an older English
text falls back to English (tests fail on each of these). A key missing everywhere raises
:class:`KeyError` naming the key, so a typo never reaches a learner as an empty message.
"""

from __future__ import annotations

import functools
import json
import os
import string
from dataclasses import dataclass
from pathlib import Path

__all__ = ["t", "has", "language", "set_language", "saved_language", "save_language", "catalogue",
           "available_languages", "entries", "Entry", "placeholders", "LANGUAGE_NAMES", "settings_path"]

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
TEMPLATES = LOCALE_DIR / "templates"
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}

_session_lang: str | None = None


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: ``source`` is the English text it was translated from."""

    key: str
    text: str
    source: str
    fuzzy: bool
    domain: str


def available_languages() -> list[str]:
    """English plus every language with a ``helpers/locale/<lang>/LC_MESSAGES`` folder."""
    return list(_languages(LOCALE_DIR))


@functools.cache
def _languages(locale_dir: Path) -> tuple[str, ...]:
    langs = {DEFAULT_LANGUAGE}
    langs.update(p.parent.name for p in locale_dir.glob("*/LC_MESSAGES") if p.is_dir())
    return tuple(sorted(langs))


def _normalise(lang: str | None) -> str | None:
    if not lang:
        return None
    lang = str(lang).strip().lower().replace("-", "_").split(".")[0]
    for candidate in (lang, lang.split("_")[0]):
        if candidate in available_languages():
            return candidate
    return None


def settings_path() -> Path:
    """The learner's settings file.

    ``MMA_SETTINGS`` if set; else ``.mma/settings.json`` in the current folder when there is one
    (a workshop pack carries its language that way: a kernel runs in the notebook's folder); else
    ``~/.mma/settings.json``.
    """
    env = os.environ.get("MMA_SETTINGS")
    if env:
        return Path(env).expanduser()
    local = Path.cwd() / ".mma" / "settings.json"
    return local if local.is_file() else Path.home() / ".mma" / "settings.json"


def _read_settings() -> dict:
    path = settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_language() -> str | None:
    """The language the learner saved, if any."""
    return _normalise(_read_settings().get("language"))


def save_language(lang: str) -> Path:
    """Remember ``lang`` as the learner's language (other settings in the file are kept)."""
    chosen = _normalise(lang)
    if chosen is None:
        raise ValueError(t("messages.error.unknown_language", code=lang,
                           available=", ".join(available_languages())))
    path = settings_path()
    data = _read_settings()
    data["language"] = chosen
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    _save_lab_locale(chosen)
    return path


# JupyterLab's own menus follow the learner's language when a language pack is installed
# (jupyterlab-language-pack-ko-KR is a dependency); `make lab` sets JUPYTERLAB_SETTINGS_DIR.
LAB_LOCALES = {"en": "en", "ko": "ko_KR"}


def _save_lab_locale(lang: str) -> None:
    folder = os.environ.get("JUPYTERLAB_SETTINGS_DIR")
    if not folder:
        return
    target = Path(folder) / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"locale": LAB_LOCALES.get(lang, "en")}) + "\n", encoding="utf-8")


def set_language(lang: str | None, *, remember: bool = False) -> str:
    """Use ``lang`` for every message in this process (``None`` undoes it); ``remember`` saves it too."""
    global _session_lang
    if lang is None:
        _session_lang = None
        return language()
    chosen = _normalise(lang)
    if chosen is None:
        raise ValueError(t("messages.error.unknown_language", code=lang,
                           available=", ".join(available_languages())))
    _session_lang = chosen
    if remember:
        save_language(chosen)
    return chosen


def _notebook_language() -> str | None:
    # JupyterLab starts each kernel with JPY_SESSION_NAME = the notebook's path
    path = os.environ.get("JPY_SESSION_NAME", "")
    parts = Path(path).parts[:-1]
    for part in reversed(parts):
        if part != DEFAULT_LANGUAGE and part in available_languages():
            return part
    return None


def language() -> str:
    """The learner's language (see the module docstring for the order of the settings)."""
    return (_session_lang or _notebook_language() or _normalise(os.environ.get("MMA_LANG"))
            or saved_language() or DEFAULT_LANGUAGE)


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        try:
            return read_po(fh, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError and others; name the file
            raise ValueError(f"message catalogue {path} is not a valid PO file: {exc}") from exc


@functools.cache
def entries(lang: str = DEFAULT_LANGUAGE) -> dict[str, Entry]:
    """Every entry of one language's catalogues (translated or not), by key."""
    if lang == DEFAULT_LANGUAGE:
        files = sorted(TEMPLATES.glob("*.pot"))
    else:
        folder = LOCALE_DIR / lang / "LC_MESSAGES"
        if not folder.is_dir():
            raise ValueError(f"no message catalogue for language {lang!r}; available: {available_languages()}")
        files = sorted(folder.glob("*.po"))
    out: dict[str, Entry] = {}
    for path in files:
        for message in _read(path):
            if not message.id:
                continue  # the header
            key = message.context
            if not key:
                raise ValueError(f"message {message.id[:40]!r} in {path} has no msgctxt (its key)")
            if key in out:
                raise ValueError(f"message key {key!r} is defined twice (second time in {path})")
            text = message.id if lang == DEFAULT_LANGUAGE else message.string
            out[key] = Entry(key, text, message.id, message.fuzzy, path.stem)
    return out


@functools.cache
def catalogue(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The usable messages of one language as ``{key: text}``.

    For a translation these are the entries that are translated, not fuzzy, and translated from
    the current English text.
    """
    if lang == DEFAULT_LANGUAGE:
        return {k: e.text for k, e in entries(lang).items()}
    english = entries(DEFAULT_LANGUAGE)
    return {k: e.text for k, e in entries(lang).items()
            if e.text and not e.fuzzy and k in english and english[k].source == e.source}


def has(key: str, lang: str | None = None) -> bool:
    """True when ``key`` exists in the language's catalogue or in English."""
    lang = lang or language()
    return key in catalogue(lang) or key in catalogue(DEFAULT_LANGUAGE)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` used in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, /, lang: str | None = None, **params: object) -> str:
    """The message ``key`` in the learner's language, with ``{placeholders}`` filled in."""
    lang = _normalise(lang) or language() if lang else language()
    text = catalogue(lang).get(key) if lang != DEFAULT_LANGUAGE else None
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"no message {key!r} in the {lang!r} or English catalogue")
    try:
        return text.format(**params)
    except KeyError as exc:
        raise KeyError(f"message {key!r} needs the value {exc.args[0]!r}") from None
