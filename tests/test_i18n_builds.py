"""Korean builds: the learner workspace, the offline site and a workshop pack, each in Korean.

Built for course 05 only (its lessons run fastest). The site's Korean pages carry their own Hangul
font, so they render on a machine without Korean fonts; the font must cover every Hangul character
the pages use.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import catalog, site, workshop, workspace
from helpers.messages import t

ROOT = Path(__file__).resolve().parent.parent
COURSE_EN = catalog.course("05-privacy-sandbox")
COURSE = catalog.course("05-privacy-sandbox", lang="ko")
HANGUL = re.compile(r"[\uac00-\ud7a3]")

pytestmark = pytest.mark.slow


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.refs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")
        if tag != "a":  # links to sources are fine; nothing may be *loaded* from elsewhere
            self.refs.extend(v for k, v in attrs if k in ("src", "href") and v)

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _text(path: Path) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts), parser.refs


@pytest.fixture(scope="module")
def korean_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site-ko")
    report = site.build(out, lang="ko", courses=["05"], jobs=2, progress=None)
    return out, report


def test_korean_site_pages_are_in_korean(korean_site):
    out, _ = korean_site
    index, _ = _text(out / "index.html")
    assert '<html lang="ko">' in (out / "index.html").read_text()
    assert COURSE.title in index and COURSE_EN.title not in index
    assert t("site.time", lang="ko", minutes=COURSE.minutes) in index
    for lesson in COURSE.lessons:
        page = out / COURSE.id / site.lesson_page_name(lesson)
        text, _ = _text(page)
        # the Korean lesson was run: its prose, its title, and the exercises' Korean feedback
        assert lesson.title in text
        assert len(HANGUL.findall(text)) > 500, f"{page.name} has little Korean"
        assert t("site.widget_note", lang="ko") in text
        # the lesson ran in a Korean kernel: its checks answered in Korean, never in English
        if "mma-check" in page.read_text(encoding="utf-8"):
            assert t("exercise.title.correct", lang="ko") in text, f"{page.name}: checks did not answer in Korean"
            assert t("exercise.title.correct", lang="en") not in text
    glossary, _ = _text(out / "glossary.html")
    assert "어트리뷰션" in glossary and "룩백 윈도우" in glossary and "attribution" in glossary


def test_korean_site_brings_a_font_with_every_hangul_character_it_uses(korean_site):
    from fontTools.ttLib import TTFont

    out, report = korean_site
    font_file = out / site.FONT_FILE
    assert font_file in report.pages and font_file.stat().st_size < 1_500_000
    cmap = TTFont(str(font_file)).getBestCmap()
    used = set()
    for page in out.rglob("*.html"):
        text, refs = _text(page)
        used |= set(HANGUL.findall(text))
        # nothing from the network; the font is a file of the site
        assert not [r for r in refs if r.startswith(("http:", "https:", "//"))], page
        html = page.read_text(encoding="utf-8")
        assert '"MMA Hangul"' in html or 'href="style.css"' in html or 'href="../style.css"' in html
    assert len(used) > 300
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert not missing, f"{len(missing)} Hangul characters missing from the site font: {''.join(missing[:20])}"
    css = (out / "style.css").read_text()
    assert f'url("{site.FONT_FILE}")' in css and "--jp-content-font-family" in css
    lesson = (out / COURSE.id / site.lesson_page_name(COURSE.lessons[0])).read_text()
    assert f'url("../{site.FONT_FILE}")' in lesson


def test_site_font_is_deterministic():
    texts = ["어트리뷰션 룩백 윈도우", "전환값과 포스트백"]
    assert site._hangul_font(texts) == site._hangul_font(list(reversed(texts)))


# ------------------------------------------------------------------------------------ workspace
def test_workspace_holds_the_korean_lessons_beside_the_english(tmp_path):
    report = workspace.build(tmp_path / "ws", release_dir=tmp_path / "no-release")
    ko = [rel for rel in report.written if "/ko/" in rel]
    assert f"{COURSE.id}/ko/{COURSE.lessons[0].file}" in ko
    assert f"{COURSE.id}/{COURSE.lessons[0].file}" in report.written
    nb = nbformat.read(tmp_path / "ws" / COURSE.id / "ko" / COURSE.lessons[0].file, 4)
    assert nb.metadata["mma"]["lang"] == "ko"
    assert any(HANGUL.search(c.source) for c in nb.cells if c.cell_type == "markdown")


# ------------------------------------------------------------------------------------- workshop
@pytest.fixture(scope="module")
def korean_pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("workshops-ko")
    return workshop.build(["05"], "subscription", "hanbit", out=out, users=300, seed=5, lang="ko", start="10:00")


def test_korean_pack_documents_and_lessons_are_korean(korean_pack):
    folder = korean_pack.folder
    agenda = (folder / "agenda.md").read_text(encoding="utf-8")
    assert COURSE.lessons[0].title in agenda and len(HANGUL.findall(agenda)) > 50
    notes = (folder / "facilitator" / "notes.md").read_text(encoding="utf-8")
    assert len(HANGUL.findall(notes)) > 500
    assert json.loads((folder / ".mma" / "settings.json").read_text()) == {"language": "ko"}
    nb = nbformat.read(folder / COURSE.lessons[0].file, 4)
    assert nb.metadata["mma"]["lang"] == "ko"
    html = (folder / "agenda.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in html


def test_a_korean_pack_lesson_answers_in_korean_with_a_fresh_kernel(korean_pack, tmp_path):
    lesson = COURSE.lessons[1].file
    env_before = dict(os.environ)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_", "MMA_"))}
    env.pop("PYTHONPATH", None)
    env["MMA_PROGRESS"] = str(tmp_path / "progress.sqlite3")
    env["HOME"] = str(tmp_path)  # no saved setting of the machine's user
    try:
        os.environ.clear()
        os.environ.update(env)
        nb = nbformat.read(korean_pack.folder / lesson, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(korean_pack.folder)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{lesson} raised {errors[0].get('ename')}: {errors[0].get('evalue')}"
    text = "\n".join(str(o.get("data", o.get("text", ""))) for c in nb.cells if c.cell_type == "code"
                     for o in c.outputs)
    not_yet = t("exercise.not_attempted", lang="ko", variable="").split("`")[0].strip()
    assert not_yet in text and "Not attempted yet" not in text
