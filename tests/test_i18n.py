"""Korean and English stay in step: notebooks, message catalogues, glossary, language setting, fonts.

* every lesson and assignment has a Korean version whose code cells and cell metadata equal the
  English ones (``helpers.i18n.drift``), and whose prose is translated;
* every message key exists, is translated and current in Korean, with the same placeholders; the
  catalogues are standard gettext (compiled with Babel, read back with the standard library);
* the glossary's terms are used in every Korean message and lesson cell;
* the learner's language setting works in the documented order;
* Korean renders in plots (a Hangul font is installed with the kit).
"""

from __future__ import annotations

import gettext
import io
import json
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

from helpers import catalog, glossary, i18n, messages
from helpers.messages import __main__ as messages_cli

REPO = Path(__file__).resolve().parent.parent
PAIRS = i18n.pairs("ko", REPO / "courses")


def _rel(pair) -> str:
    return str(pair[0].relative_to(REPO / "courses"))


# ------------------------------------------------------------------------------------ notebooks
@pytest.mark.parametrize("pair", PAIRS, ids=_rel)
def test_korean_notebook_matches_the_english_code(pair):
    english, korean = pair
    assert i18n.drift(english, korean) == []


@pytest.mark.parametrize("pair", PAIRS, ids=_rel)
def test_korean_notebook_prose_is_translated(pair):
    english, korean = pair
    assert korean.is_file(), f"{korean} is missing"
    assert i18n.untranslated_cells(english, korean) == [], "markdown cells still in English"
    assert nbformat.read(korean, 4).metadata["mma"]["lang"] == "ko"


def _copy_pair(tmp_path: Path) -> tuple[Path, Path]:
    english, korean = next(p for p in PAIRS if p[1].is_file() and "assignment" in p[0].parts)
    a, b = tmp_path / "en.ipynb", tmp_path / "ko.ipynb"
    shutil.copyfile(english, a)
    shutil.copyfile(korean, b)
    return a, b


def test_drift_is_detected_and_sync_repairs_it(tmp_path):
    english, korean = _copy_pair(tmp_path)
    assert i18n.drift(english, korean) == []
    nb = nbformat.read(english, 4)
    code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells[code].source += "\nx = 1  # a code change made only in English"
    nbformat.write(nb, english)
    problems = i18n.drift(english, korean)
    assert len(problems) == 1 and f"cell {code}" in problems[0] and "differs from the English" in problems[0]
    assert i18n.sync(english, korean) is True
    assert i18n.drift(english, korean) == []
    assert i18n.sync(english, korean) is False


def test_drift_catches_metadata_cells_and_language(tmp_path):
    english, korean = _copy_pair(tmp_path)
    nb = nbformat.read(korean, 4)
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("points"))
    graded.metadata["nbgrader"]["points"] += 5
    nbformat.write(nb, korean)
    assert any("metadata differs" in p for p in i18n.drift(english, korean))
    nb.cells.pop()
    del nb.metadata["mma"]
    nbformat.write(nb, korean)
    problems = i18n.drift(english, korean)
    assert any("cells, the English has" in p for p in problems)
    assert any("lacks mma.lang" in p for p in problems)
    with pytest.raises(ValueError, match="added, removed or moved"):
        i18n.sync(english, korean)


def test_prose_change_alone_is_not_drift(tmp_path):
    english, korean = _copy_pair(tmp_path)
    nb = nbformat.read(korean, 4)
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    md.source += "\n\n추가 설명입니다."
    nbformat.write(nb, korean)
    assert i18n.drift(english, korean) == []


def test_untranslated_markdown_is_reported(tmp_path):
    english, korean = _copy_pair(tmp_path)
    nb = nbformat.read(korean, 4)
    en = nbformat.read(english, 4)
    i = next(i for i, c in enumerate(en.cells) if c.cell_type == "markdown" and len(c.source) > 200)
    nb.cells[i].source = en.cells[i].source
    nbformat.write(nb, korean)
    assert i18n.untranslated_cells(english, korean) == [i]


@pytest.mark.parametrize("course", catalog.courses(REPO / "courses"), ids=lambda c: c.id)
def test_korean_catalogue_entry(course):
    path = course.folder / "ko" / "course.toml"
    assert path.is_file(), f"{path} is missing"
    ko = catalog.course(course.id, REPO / "courses", lang="ko")
    assert ko.title != course.title and ko.summary != course.summary
    assert len(ko.objectives) == len(course.objectives)
    assert all(a != b for a, b in zip(ko.objectives, course.objectives, strict=True))
    assert [lesson.number for lesson in ko.lessons] == [lesson.number for lesson in course.lessons]
    assert all(a.title != b.title for a, b in zip(ko.lessons, course.lessons, strict=True))
    assert all(p.parent == course.folder / "ko" for p in ko.lesson_paths)
    assert ko.assignment_path == course.folder / "ko" / "assignment"
    assert ko.assignment_id == f"{course.id}-ko" and ko.assignment_title != course.assignment_title
    assert (course.folder / "ko" / "README.md").is_file()


def test_bad_korean_catalogue_entry_is_named(tmp_path):
    src = REPO / "courses" / "04-skan"
    dst = tmp_path / "04-skan"
    shutil.copytree(src, dst)
    (dst / "ko" / "course.toml").write_text('title = "x"\nobjectives = ["only one"]\n', encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match="1 objectives, the English course.toml has"):
        catalog.courses(tmp_path, lang="ko")
    (dst / "ko" / "course.toml").write_text('[[lessons]]\nnumber = "09.9"\ntitle = "x"\n', encoding="utf-8")
    with pytest.raises(catalog.CatalogError, match="lesson 09.9 is not in"):
        catalog.courses(tmp_path, lang="ko")


# ----------------------------------------------------------------------------------- catalogues
def test_every_message_is_translated_and_current():
    assert "ko" in messages.available_languages()
    problems = messages_cli.problems("ko")
    assert problems == [], f"{len(problems)} problems, first: {problems[:15]}"


def test_catalogue_checks_fail_on_each_kind_of_problem(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(messages.LOCALE_DIR, locale)
    monkeypatch.setattr(messages, "LOCALE_DIR", locale)
    monkeypatch.setattr(messages, "TEMPLATES", locale / "templates")
    monkeypatch.setattr(messages_cli, "LOCALE_DIR", locale)
    monkeypatch.setattr(messages_cli, "TEMPLATES", locale / "templates")
    messages.entries.cache_clear()
    messages.catalogue.cache_clear()
    try:
        pot = locale / "templates" / "i18n.pot"
        pot.write_text(pot.read_text(encoding="utf-8").replace('msgid "Glossary"', 'msgid "Glossary of terms!"')
                       + '\nmsgctxt "i18n.only_english"\nmsgid "Only in English"\nmsgstr ""\n', encoding="utf-8")
        po = locale / "ko" / "LC_MESSAGES" / "i18n.po"
        po.write_text(po.read_text(encoding="utf-8").replace('msgstr "용어"', 'msgstr "용어 {extra}"')
                      + '\nmsgctxt "i18n.only_korean"\nmsgid "x"\nmsgstr "엑스"\n', encoding="utf-8")
        messages.entries.cache_clear()
        messages.catalogue.cache_clear()
        found = "\n".join(messages_cli.problems("ko"))
        assert "missing in ko: i18n.only_english" in found
        assert "not in English (remove or add to a template): i18n.only_korean" in found
        assert "out of date in ko: glossary.title" in found
        assert "placeholders differ in ko: glossary.column.term" in found
        # an out-of-date translation is not used: the learner reads the current English
        assert messages.t("glossary.title", lang="ko") == "Glossary of terms!"
        # update keeps the old translation as fuzzy, with the old English beside it
        messages_cli.update("ko")
        text = po.read_text(encoding="utf-8")
        assert '#, fuzzy' in text and '#| msgid "Glossary"' in text
        found = "\n".join(messages_cli.problems("ko"))
        assert "fuzzy in ko: glossary.title" in found and "untranslated in ko: i18n.only_english" in found
        messages_cli.import_translations("ko", {"glossary.title": "용어 모음", "i18n.only_english": "한국어도"})
        assert messages.t("glossary.title", lang="ko") == "용어 모음"
        with pytest.raises(KeyError, match="not in the English templates"):
            messages_cli.import_translations("ko", {"no.such.key": "x"})
    finally:
        messages.entries.cache_clear()
        messages.catalogue.cache_clear()


def test_catalogues_compile_to_standard_gettext(tmp_path):
    """Babel compiles every Korean PO file; Python's own gettext reads the result (pgettext by key)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    english = messages.entries("en")
    checked = 0
    for po in sorted((messages.LOCALE_DIR / "ko" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            cat = read_po(fh)
        buffer = io.BytesIO()
        write_mo(buffer, cat)
        buffer.seek(0)
        translations = gettext.GNUTranslations(buffer)
        for message in cat:
            if message.id and message.string and not message.fuzzy:
                assert translations.pgettext(message.context, english[message.context].source) == message.string
                checked += 1
    assert checked >= len(english) * 0.99


def test_language_order(tmp_path, monkeypatch):
    settings = tmp_path / "settings.json"
    monkeypatch.setenv("MMA_SETTINGS", str(settings))
    monkeypatch.delenv("MMA_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert messages.language() == "en"
    messages.save_language("ko")
    assert json.loads(settings.read_text())["language"] == "ko" and messages.language() == "ko"
    monkeypatch.setenv("MMA_LANG", "en")
    assert messages.language() == "en"  # the environment beats the saved setting
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/workspace/01-attribution/ko/01.1-why-attribution.ipynb")
    assert messages.language() == "ko"  # a notebook opened from a ko/ folder speaks Korean
    try:
        messages.set_language("en")
        assert messages.language() == "en"  # the session's own choice beats everything
    finally:
        messages.set_language(None)
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/workspace/01-attribution/01.1-why-attribution.ipynb")
    assert messages.language() == "en"
    assert messages.t("glossary.title", lang="ko") == "용어집"
    assert messages.t("glossary.title", lang="ko_KR.UTF-8") == "용어집"


def test_workshop_pack_folder_carries_its_language(tmp_path, monkeypatch):
    monkeypatch.delenv("MMA_SETTINGS", raising=False)
    monkeypatch.delenv("MMA_LANG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "pack" / ".mma").mkdir(parents=True)
    (tmp_path / "pack" / ".mma" / "settings.json").write_text('{"language": "ko"}')
    monkeypatch.chdir(tmp_path / "pack")
    assert messages.language() == "ko"
    monkeypatch.chdir(tmp_path)
    assert messages.language() == "en"


def test_unknown_language_is_refused_in_the_learners_language(tmp_path, monkeypatch):
    monkeypatch.setenv("MMA_SETTINGS", str(tmp_path / "s.json"))
    with pytest.raises(ValueError, match="Unknown language 'fr'.*en, ko"):
        messages.set_language("fr")
    monkeypatch.setenv("MMA_LANG", "ko")
    with pytest.raises(ValueError, match="알 수 없는 언어 'fr'"):
        messages.save_language("fr")
    assert not (tmp_path / "s.json").exists()


def test_set_language_cli_writes_jupyterlab_locale(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MMA_SETTINGS", str(tmp_path / "s.json"))
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "lab"))
    assert messages_cli.main(["set-language", "ko"]) == 0
    assert "한국어" in capsys.readouterr().out
    lab = tmp_path / "lab" / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    assert json.loads(lab.read_text()) == {"locale": "ko_KR"}
    assert messages_cli.main(["set-language", "xx"]) == 2
    assert json.loads((tmp_path / "s.json").read_text())["language"] == "ko"


# ------------------------------------------------------------------------------------- glossary
def test_glossary_is_used_everywhere():
    found = glossary.findings(REPO / "courses")
    assert found == [], "\n".join(f"{w}: {f}" for w, f in found[:30])


def test_glossary_check_finds_wrong_and_missing_terms():
    kinds = {(f.term, f.kind) for f in glossary.check_pair(
        "Set the lookback window and read the postback.", "조회 기간을 정하고 포스트 백을 읽으세요.")}
    assert {("lookback_window", "avoid"), ("lookback_window", "missing"), ("postback", "avoid")} <= kinds
    assert glossary.check_pair("Set the lookback window.", "룩백 윈도우를 정하세요.") == []
    # code spans are not prose
    assert glossary.check_pair("Call `lookback window` here.", "여기서 호출하세요.") == []
    # one voice: instructions end in -세요
    assert [f.term for f in glossary.check_pair("Run it.", "실행하십시오.")] == ["style"]


def test_glossary_terms_are_complete_and_the_table_follows_the_language():
    ids = [term.id for term in glossary.terms()]
    assert len(ids) == len(set(ids)) >= 40
    for required in ("attribution", "lookback_window", "conversion_value", "postback"):
        assert required in ids
    ko = glossary.glossary_table(["attribution", "postback"], lang="ko").data
    assert list(ko.iloc[:, 0]) == ["어트리뷰션", "포스트백"] and "영어" in ko.columns
    en = glossary.glossary_table(["attribution"], lang="en").data
    assert list(en.iloc[:, 0]) == ["attribution"]


# ---------------------------------------------------------------------------------------- fonts
def test_korean_renders_in_plots_without_missing_glyphs(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from helpers import plots
    from helpers.fonts import hangul_font_file

    assert hangul_font_file().is_file()
    monkeypatch.setenv("MMA_LANG", "ko")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail the test
        ax = plots.bar_by_channel(pd.Series({"google_ads": 10, "organic": 5}))
        ax.set_title("어트리뷰션 · 룩백 윈도우 · 전환값 · 포스트백")
        png = plots.figure_png(ax.figure)
        plt.close("all")
    assert png[:4] == b"\x89PNG"


# -------------------------------------------------------------------------------------- grading
def test_assignment_language_comes_from_the_released_id():
    from grading.execute import assignment_language

    assert assignment_language("01-attribution-ko") == "ko"
    assert assignment_language("01-attribution") == "en"
    assert assignment_language("05-privacy-sandbox") == "en"
    assert assignment_language("04-skan-xx") == "en"


def test_trusted_runner_gives_feedback_in_the_assignments_language(tmp_path):
    from grading.execute import Runner

    setup = ["from helpers.messages import t"]
    test = {"grade_id": "q1", "source": 'assert False, t("glossary.title")', "values": {}, "missing": []}
    for lang, expected in (("ko", "용어집"), ("en", "Glossary")):
        runner = Runner(setup, str(tmp_path), lang)
        try:
            reply = runner.call({"op": "grade", "timeout": 60, "tests": [test]}, timeout=60)
        finally:
            runner.close()
        errors = [o for o in reply["results"]["q1"]["outputs"] if o["output_type"] == "error"]
        assert errors and errors[0]["evalue"] == expected, reply


def test_every_message_key_the_code_asks_for_exists():
    """Literal keys in t("...") calls in helpers/ and in the lessons' code cells are in the English catalogue
    (and so, by the test above, in Korean)."""
    import re as _re

    call = _re.compile(r"""(?<![\w.])(?:messages\.)?_?t\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
    english = messages.catalogue("en")
    sources = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in (REPO / "helpers").rglob("*.py")}
    for english_nb, _ in PAIRS:
        nb = nbformat.read(english_nb, 4)
        sources[str(english_nb.relative_to(REPO))] = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    used = {(where, key) for where, text in sources.items() for key in call.findall(text)}
    assert len(used) > 500
    missing = sorted((where, key) for where, key in used if key not in english)
    assert missing == [], missing[:20]


def test_a_lessons_own_matplotlib_chart_gets_the_hangul_font():
    """A lesson imports matplotlib.pyplot first (isort order), then helpers: its plain charts render Hangul."""
    import subprocess
    import sys

    lesson = ("import warnings\nimport matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
              "from helpers.messages import t\n"
              "warnings.simplefilter('error')\nfig, ax = plt.subplots()\nax.set_title('어트리뷰션 룩백 윈도우')\n"
              "fig.savefig('/dev/null', format='png')\nprint('ok')\n")
    proc = subprocess.run([sys.executable, "-c", lesson], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
    # and importing helpers alone does not load matplotlib
    quiet = subprocess.run([sys.executable, "-c", "import sys, helpers.messages; print('matplotlib' in sys.modules)"],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert quiet.stdout.strip() == "False", quiet.stderr
