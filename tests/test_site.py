"""The offline site: pages for the catalog, the course and every lesson, with executed outputs and
embedded plots, working links, and nothing loaded from the network. Built for course 01 only (fast)."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from helpers import catalog, site
from helpers.messages import t
from helpers.nbtools import dirty_reasons

ROOT = Path(__file__).resolve().parent.parent
COURSE = catalog.course("01-attribution")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    before = {p: p.stat().st_mtime_ns for p in COURSE.folder.rglob("*") if p.is_file()}
    report = site.build(out, lang="en", courses=["01"], jobs=2, progress=None)
    after = {p: p.stat().st_mtime_ns for p in COURSE.folder.rglob("*") if p.is_file()}
    return out, report, before, after


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.refs.append((tag, name, value))


def _refs(path: Path) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.refs


def _lesson_pages(out: Path) -> list[Path]:
    return [out / COURSE.id / site.lesson_page_name(lesson) for lesson in COURSE.lessons]


def test_every_page_exists_and_the_index_shows_the_catalog(built):
    out, report, _, _ = built
    pages = [out / "index.html", out / "glossary.html", out / "style.css", out / COURSE.id / "index.html",
             *_lesson_pages(out)]
    for page in pages:
        assert page.is_file(), f"missing {page.relative_to(out)}"
    assert sorted(report.pages) == sorted(pages)
    index = (out / "index.html").read_text()
    assert COURSE.title in index and t("site.time", minutes=COURSE.minutes) in index
    for objective in COURSE.objectives:
        assert objective.replace("'", "&#x27;") in index
    for lesson in COURSE.lessons:
        assert lesson.title in index
    assert "02-fraud" not in index, "--courses 01 should build only course 01"


def test_lesson_pages_hold_executed_outputs_and_embedded_plots(built):
    out, _, _, _ = built
    for page in _lesson_pages(out):
        text = page.read_text()
        assert "jp-OutputArea-output" in text, f"{page.name} shows no outputs"
        assert 'class="mma-check mma-correct"' in text, f"{page.name}: the exercises' checks did not run"
        assert "data:image/png;base64," in text, f"{page.name} has no embedded plot"
        assert "Traceback" not in text and "jp-RenderedText" in text
        assert t("site.widget_note") in text


def test_building_never_writes_into_the_course_sources(built):
    _, _, before, after = built
    assert before == after
    for lesson in COURSE.lesson_paths:
        assert dirty_reasons(lesson) == []


def test_links_resolve_and_navigation_goes_both_ways(built):
    out, _, _, _ = built
    for page in [out / "index.html", out / COURSE.id / "index.html", *_lesson_pages(out)]:
        for tag, _, value in _refs(page):
            if value.startswith(("http:", "https:", "mailto:", "data:", "#")):
                continue
            target = (page.parent / urldefrag(value).url).resolve()
            assert target.is_file(), f"{page.relative_to(out)}: <{tag}> points to {value}, which does not exist"
    pages = _lesson_pages(out)
    second = {value for _, _, value in _refs(pages[1])}
    text = pages[1].read_text()
    assert f'href="{pages[0].name}" rel="prev"' in text or f'rel="prev" href="{pages[0].name}"' in text
    assert {pages[2].name, pages[0].name, "../index.html", "index.html"} <= second
    assert 'rel="prev"' not in pages[0].read_text() and 'rel="next"' not in pages[-1].read_text()


def test_no_page_loads_anything_from_the_network(built):
    out, _, _, _ = built
    for page in out.rglob("*.html"):
        loads = [v for tag, name, v in _refs(page) if tag in ("script", "link", "img", "iframe", "source")]
        remote = [v for v in loads if v.startswith(("http:", "https:", "//"))]
        assert not remote, f"{page.name} loads {remote[:3]}"
        text = page.read_text()
        for cdn in ("cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net", "require.min.js", "MathJax.js"):
            assert cdn not in text, f"{page.name} mentions {cdn}"


def test_bad_input_is_named():
    with pytest.raises(site.SiteError, match=r"'99'.*01 \(01-attribution\)"):
        site.build("unused", courses=["99"], progress=None)
    with pytest.raises(site.SiteError, match="'xx'"):
        site.build("unused", lang="xx", courses=["01"], progress=None)
    with pytest.raises(site.SiteError, match="--jobs"):
        site.build("unused", jobs=0, progress=None)
    assert not Path("unused").exists()
    assert os.environ.get("MMA_LANG") is None, "build must restore MMA_LANG"


def test_cli_rejects_an_unknown_course(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run([sys.executable, "-m", "helpers.site", "build", "--out", str(tmp_path / "s"),
                           "--courses", "9"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown course '9'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "s").exists()


def test_widgets_are_replaced_by_a_note_that_they_need_a_kernel(built):
    out, _, _, _ = built
    page = out / COURSE.id / "01.2-last-touch-lookback.html"
    source = (COURSE.folder / "01.2-last-touch-lookback.ipynb").read_text()
    assert "ipywidgets" in source or "widgets" in source, "lesson 01.2 no longer shows a widget; pick another page"
    text = page.read_text()
    assert 'class="mma-note mma-widget"' in text and t("site.widget_placeholder") in text
    assert "VBox(children" not in text and "application/vnd.jupyter.widget" not in text


def _tiny_course(root: Path) -> Path:
    import nbformat

    folder = root / "courses" / "09-tiny"
    folder.mkdir(parents=True)
    (folder / "course.toml").write_text(
        'id = "09-tiny"\ntopic = "tiny"\ntitle = "Tiny"\nsummary = "A test course."\nminutes = 10\n'
        'objectives = ["Read a page"]\n\n[[lessons]]\nnumber = "09.1"\nfile = "09.1-one.ipynb"\ntitle = "One"\n'
        'minutes = 5\n\n[[lessons]]\nnumber = "09.2"\nfile = "09.2-two.ipynb"\ntitle = "Two"\nminutes = 5\n')
    for name, code in (("09.1-one.ipynb", "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"),
                       ("09.2-two.ipynb", "import ipywidgets as w\nprint(6 * 7)\nw.IntSlider(value=3)")):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell("# A page\n\nSome text."), nbformat.v4.new_code_cell(code)]
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"c{i}"
        nbformat.write(nb, folder / name)
    return folder.parent


def test_the_same_sources_build_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("MMA_COURSES", str(_tiny_course(tmp_path)))
    first = site.build(tmp_path / "a", courses=["09"], jobs=2, progress=None)
    second = site.build(tmp_path / "b", courses=["tiny"], jobs=1, progress=None)
    names = sorted(p.relative_to(tmp_path / "a").as_posix() for p in first.pages)
    assert names == sorted(p.relative_to(tmp_path / "b").as_posix() for p in second.pages)
    assert "09-tiny/09.2-two.html" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), f"{name} differs"
    two = (tmp_path / "a" / "09-tiny" / "09.2-two.html").read_text()
    assert "42" in two and "mma-widget" in two and "IntSlider(" not in two
    assert "data:image/png;base64," in (tmp_path / "a" / "09-tiny" / "09.1-one.html").read_text()


def test_a_lesson_that_fails_to_run_is_named_and_no_page_is_written(tmp_path, monkeypatch):
    import nbformat

    courses = _tiny_course(tmp_path)
    broken = courses / "09-tiny" / "09.2-two.ipynb"
    nb = nbformat.read(broken, as_version=4)
    nb.cells[1].source = "1 / 0"
    nbformat.write(nb, broken)
    monkeypatch.setenv("MMA_COURSES", str(courses))
    with pytest.raises(site.SiteError, match=r"09-tiny/09\.2-two\.html.*ZeroDivisionError"):
        site.build(tmp_path / "out", courses=["09"], jobs=2, progress=None)
    assert not (tmp_path / "out").exists()


def test_english_site_needs_no_extra_font_and_has_the_glossary(built):
    out, _, _, _ = built
    assert not (out / site.FONT_FILE).exists() and "MMA Hangul" not in (out / "style.css").read_text()
    glossary = (out / "glossary.html").read_text()
    assert t("glossary.title") in glossary and "lookback window" in glossary
    assert 'href="glossary.html"' in (out / "index.html").read_text()
