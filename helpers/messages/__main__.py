"""``python -m helpers.messages``: keep the translations in step with the English messages.

Commands:

* ``check [--lang ko]``  list missing, extra, untranslated, fuzzy and out-of-date translations and
  placeholder mismatches; exit 1 when there is any (tests run the same checks);
* ``update [--lang ko]`` merge the English templates into the translations: new keys are added
  untranslated, entries whose English changed keep their translation but become fuzzy (with the
  old English as ``#| msgid`` so the translator sees what changed), removed keys are dropped;
* ``set-language LANG`` save the learner's language (what the start page's switch does);
* ``language`` print the language in effect and why.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from helpers import messages
from helpers.messages import DEFAULT_LANGUAGE, LOCALE_DIR, TEMPLATES, _read, placeholders

HEADER = (
    '# Translation ({lang}) of the messages of Mobile Measurement Academy: domain "{domain}".\n'
    "# msgctxt is the key the code asks for; msgid is the English text this translation was made from.\n"
    "# English source: helpers/locale/templates/{domain}.pot. After an English change run\n"
    "# `python -m helpers.messages update`, then translate the empty and fuzzy entries.\n"
    'msgid ""\nmsgstr ""\n"Project-Id-Version: Mobile Measurement Academy\\n"\n"Language: {lang}\\n"\n'
    '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
)


def problems(lang: str) -> list[str]:
    """Everything that keeps ``lang`` from matching the English catalogue, one line each."""
    english = messages.entries(DEFAULT_LANGUAGE)
    translated = messages.entries(lang)
    out = []
    for key, en in english.items():
        tr = translated.get(key)
        if tr is None:
            out.append(f"missing in {lang}: {key} ({en.domain}.pot)")
        elif not tr.text.strip():
            out.append(f"untranslated in {lang}: {key}")
        elif tr.fuzzy:
            out.append(f"fuzzy in {lang}: {key}")
        elif tr.source != en.source:
            out.append(f"out of date in {lang}: {key} (translated from an older English text)")
        elif placeholders(tr.text) != placeholders(en.text):
            out.append(f"placeholders differ in {lang}: {key}: English {sorted(placeholders(en.text))}, "
                       f"{lang} {sorted(placeholders(tr.text))}")
        elif tr.domain != en.domain:
            out.append(f"{key} is in {tr.domain}.po in {lang} but in {en.domain}.pot in English")
    out.extend(f"not in English (remove or add to a template): {key} in {lang}"
               for key in translated if key not in english)
    return out


def _write_po(target: Path, cat: Catalog, lang: str, before: str | None = None) -> bool:
    """Write a translation in the kit's layout (header, width 100, no locations), atomically.

    ``before`` is the file's text as it was read: when the new text is the same, nothing is written
    (so a file nobody changed is never rewritten). Returns whether the file was written.
    """
    buf = io.BytesIO()
    write_po(buf, cat, width=100, omit_header=True, no_location=True, include_previous=True)
    text = HEADER.format(domain=target.stem, lang=lang) + buf.getvalue().decode("utf-8")
    if before == text:
        return False
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return True


def update(lang: str) -> list[Path]:
    """Merge the templates into ``lang``'s PO files; returns the files written."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in sorted(TEMPLATES.glob("*.pot")):
        target = folder / f"{template.stem}.po"
        before = target.read_text(encoding="utf-8") if target.exists() else None
        old = {m.context: m for m in _read(target) if m.id} if target.exists() else {}
        cat = Catalog(locale=None, domain=template.stem, fuzzy=False)
        for msg in _read(template):
            if not msg.id:
                continue
            prev = old.get(msg.context)
            flags = set(msg.flags) - {"fuzzy"}
            if prev is None:
                cat.add(msg.id, "", context=msg.context, flags=flags)
                continue
            if prev.id != msg.id:
                flags.add("fuzzy")
                cat.add(msg.id, prev.string, context=msg.context, flags=flags, previous_id=[prev.id])
            else:
                if prev.fuzzy:
                    flags.add("fuzzy")
                cat.add(msg.id, prev.string, context=msg.context, flags=flags,
                        previous_id=list(prev.previous_id or []))
        if _write_po(target, cat, lang, before):
            written.append(target)
    for stale in sorted(folder.glob("*.po")):
        if not (TEMPLATES / f"{stale.stem}.pot").exists():
            print(f"note: {stale} has no English template; remove it or add {stale.stem}.pot")
    messages.entries.cache_clear()
    messages.catalogue.cache_clear()
    return written


def import_translations(lang: str, texts: dict[str, str]) -> list[Path]:
    """Put ``{key: translated text}`` into ``lang``'s PO files (the entry's domain decides the file).

    The entry becomes current (not fuzzy) for the English text it has now. Unknown keys raise
    ``KeyError`` naming them, so nothing is silently dropped.
    """
    english = messages.entries(DEFAULT_LANGUAGE)
    unknown = sorted(k for k in texts if k not in english)
    if unknown:
        raise KeyError(f"not in the English templates: {unknown[:10]}{' ...' if len(unknown) > 10 else ''}")
    update(lang)
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    by_domain: dict[str, dict[str, str]] = {}
    for key, text in texts.items():
        by_domain.setdefault(english[key].domain, {})[key] = text
    written = []
    for domain, chosen in sorted(by_domain.items()):
        target = folder / f"{domain}.po"
        cat = _read(target)
        for msg in cat:
            if msg.id and msg.context in chosen:
                msg.string = chosen[msg.context]
                msg.flags.discard("fuzzy")
                msg.previous_id = []
        _write_po(target, cat, lang)
        written.append(target)
    messages.entries.cache_clear()
    messages.catalogue.cache_clear()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.messages", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    translations = [lang for lang in messages.available_languages() if lang != DEFAULT_LANGUAGE]
    for name in ("check", "update"):
        p = sub.add_parser(name)
        p.add_argument("--lang", action="append", choices=translations or None,
                       help="language to work on (default: every translation)")
    s = sub.add_parser("set-language", help="save the learner's language")
    s.add_argument("lang")
    sub.add_parser("language", help="print the language in effect")
    imp = sub.add_parser("import-json", help="fill translations from a JSON file {key: text}")
    imp.add_argument("--lang", required=True, choices=translations or None)
    imp.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "set-language":
        try:
            path = messages.save_language(args.lang)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 2
        lang = messages.saved_language()
        print(messages.t("messages.language_set", code=lang, name=messages.LANGUAGE_NAMES.get(lang, lang))
              + f" ({path})")
        return 0
    if args.command == "language":
        print(messages.language())
        return 0
    if args.command == "import-json":
        texts = json.loads(args.file.read_text(encoding="utf-8"))
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            print(f"{args.file}: expected a JSON object {{key: text}}", file=sys.stderr)
            return 2
        for path in import_translations(args.lang, texts):
            print(f"wrote {path.relative_to(LOCALE_DIR.parent.parent)}")
        return 0
    langs = args.lang or translations
    if args.command == "update":
        for lang in langs:
            for path in update(lang):
                print(f"updated {path.relative_to(LOCALE_DIR.parent.parent)}")
        return 0
    found = [line for lang in langs for line in problems(lang)]
    for line in found:
        print(line)
    total = len(messages.entries(DEFAULT_LANGUAGE))
    for lang in langs:
        ok = len(messages.catalogue(lang))
        print(f"{lang}: {ok}/{total} messages translated and current")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
