"""The offline site: every lesson with its executed outputs and plots, readable without a kernel.

``python -m helpers.site build --out site [--lang en] [--courses 01 04] [--jobs 2]`` (``make site``)
writes::

    site/index.html                       the catalogue: courses, objectives, time, prerequisites, lessons
    site/<course>/index.html              one page per course
    site/<course>/<lesson>.html           one page per lesson, with previous/next navigation

How a lesson page is made: the lesson's source notebook is copied into a temporary folder and run
there from a fresh kernel with :mod:`nbclient` (the files in ``courses/`` are never written; the
progress store is a temporary file, so building never adds to anyone's progress), then converted
with nbconvert's ``HTMLExporter`` (JupyterLab look). Plots are embedded as ``data:`` images. The
page needs no network: the template drops the script tags nbconvert would load from a CDN
(require.js, MathJax, Mermaid, the widget manager - the lessons use no LaTeX), and interactive
widgets are replaced by a note that they need a kernel. Lessons run in parallel in a small process
pool (``--jobs``, default 2).

The pages hold no build date, so the same sources build the same site (a lesson that prints a
timing is the only exception). Page text (headings, navigation labels) comes from
``helpers/locale/templates/site.pot (and its translations)``; ``--lang`` sets ``MMA_LANG`` for the build, so the lessons'
own messages follow the same language.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from helpers import catalog
from helpers.messages import available_languages, t

__all__ = ["SiteError", "SiteReport", "build", "select_courses", "lesson_page_name", "main"]

CELL_TIMEOUT = 600
STYLE = """
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;max-width:980px;margin:0 auto;
padding:1em 1.5em;color:#1f2328;line-height:1.5}
a{color:#0b5cad}
header.mma-site{border-bottom:1px solid #d0d7de;margin-bottom:1em}
.mma-course{border:1px solid #d0d7de;border-radius:6px;padding:0.6em 1em;margin:1em 0}
.mma-meta{color:#57606a}
table.mma-lessons{border-collapse:collapse}
table.mma-lessons td{padding:2px 10px 2px 0;vertical-align:top}
nav.mma-nav{display:flex;flex-wrap:wrap;gap:1.2em;padding:0.5em 0;margin:0.5em 0;border-top:1px solid #d0d7de;
border-bottom:1px solid #d0d7de;font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.mma-note{background:#eef3fb;border-left:4px solid #2a5db0;padding:6px 10px;margin:0.5em 0;
font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
footer.mma-site{color:#57606a;font-size:90%;margin-top:2em}
"""

# nbconvert's JupyterLab template without anything fetched from the network.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.mma.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.mma.top }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.mma.bottom }}
{{ super() }}
{%- endblock body_footer -%}
{%- block data_widget_view -%}
<div class="mma-note">{{ resources.mma.widget_placeholder }}</div>
{%- endblock data_widget_view -%}
"""


class SiteError(ValueError):
    """Bad input for the site builder, or a lesson that failed to run."""


@dataclass
class SiteReport:
    out: Path
    pages: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def lesson_page_name(lesson: catalog.Lesson) -> str:
    """``01.1-why-attribution.ipynb`` -> ``01.1-why-attribution.html``."""
    return Path(lesson.file).with_suffix(".html").name


def select_courses(wanted: list[str] | None, lang: str = "en") -> list[catalog.Course]:
    """Courses by number (``01``), id (``01-attribution``) or topic; all when ``wanted`` is empty."""
    if not wanted:
        return catalog.courses(lang=lang)
    chosen, unknown, available = catalog.pick(wanted, lang)
    if unknown is not None:
        raise SiteError(t("site.cli.unknown_course", value=unknown, available=available))
    return chosen


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str, lang: str, css_href: str) -> str:
    glossary = css_href.replace("style.css", "glossary.html")
    return (f'<!DOCTYPE html>\n<html lang="{_esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n<title>{_esc(title)}</title>\n'
            f'<link rel="stylesheet" href="{css_href}">\n</head>\n<body>\n{body}\n'
            f'<footer class="mma-site">{_esc(t("site.built_note"))} · '
            f'<a href="{glossary}">{_esc(t("i18n.glossary_link"))}</a></footer>\n</body>\n</html>\n')


# Korean pages carry their own Hangul font (a subset of NanumGothic with the characters the site uses),
# so they render the same on a machine without Korean fonts.
FONT_FILE = "fonts/hangul.woff"
_FAMILIES = {
    "content": 'system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,"MMA Hangul",sans-serif',
    "ui": 'system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,"MMA Hangul",sans-serif',
    "code": 'Menlo,Consolas,"DejaVu Sans Mono",monospace,"MMA Hangul"',
}


def hangul_css(font_href: str) -> str:
    """CSS that loads the site's Hangul font and puts it in every font stack (page and notebook)."""
    stack = _FAMILIES["content"]
    return (f'@font-face{{font-family:"MMA Hangul";src:url("{font_href}") format("woff");font-display:swap}}\n'
            f':root{{--jp-content-font-family:{_FAMILIES["content"]};--jp-ui-font-family:{_FAMILIES["ui"]};'
            f'--jp-code-font-family:{_FAMILIES["code"]}}}\n'
            f'body,nav.mma-nav,.mma-note{{font-family:{stack}}}\n')


def _hangul_font(texts: list[str]) -> bytes:
    """NanumGothic cut down to the characters in ``texts``, as WOFF (deterministic)."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from helpers.fonts import hangul_font_file

    chars = sorted({ord(c) for text in texts for c in text if ord(c) >= 0x80})
    options = subset.Options()
    options.flavor = "woff"
    options.recalc_timestamp = False
    options.name_IDs = ["*"]
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "DSIG"]  # font-editor data browsers ignore
    font = TTFont(str(hangul_font_file()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def _glossary_page(lang: str) -> str:
    from helpers.glossary import terms

    rows = "".join(
        f"<tr><td><b>{_esc(item.name(lang))}</b>"
        + (f"<br><span class='mma-meta'>{_esc(item.en)}</span>" if lang != "en" else "")
        + f"</td><td>{_esc(item.definition(lang))}</td></tr>"
        for item in terms())
    nav = f'<nav class="mma-nav"><a href="index.html">{_esc(t("site.nav.home"))}</a></nav>'
    body = (f'{nav}\n<h1>{_esc(t("glossary.title"))}</h1>\n<p>{_esc(t("glossary.intro"))}</p>\n'
            f'<table class="mma-lessons">{rows}</table>\n{nav}')
    return _page(t("glossary.title"), body, lang, "style.css")


def _course_summary(course: catalog.Course, link_prefix: str) -> str:
    prereq = ", ".join(course.prerequisites) or t("site.none")
    objectives = "".join(f"<li>{_esc(o)}</li>" for o in course.objectives)
    rows = "".join(
        f'<tr><td>{_esc(lesson.number)}</td><td><a href="{link_prefix}{lesson_page_name(lesson)}">'
        f'{_esc(lesson.title)}</a></td><td>{_esc(t("site.minutes", minutes=lesson.minutes))}</td></tr>'
        for lesson in course.lessons)
    assignment = ""
    if course.assignment_title:
        note = t("site.assignment", title=course.assignment_title, minutes=course.assignment_minutes)
        assignment = f'<p class="mma-meta">{_esc(note)}</p>'
    return (f'<p>{_esc(course.summary)}</p>\n'
            f'<p class="mma-meta">{_esc(t("site.time", minutes=course.minutes))} · '
            f'{_esc(t("site.prerequisites", items=prereq))}</p>\n'
            f'<p>{_esc(t("site.objectives"))}</p><ul>{objectives}</ul>\n'
            f'<h3>{_esc(t("site.lessons"))}</h3><table class="mma-lessons">{rows}</table>\n{assignment}')


def _index_page(courses: list[catalog.Course], lang: str) -> str:
    parts = [f'<header class="mma-site"><h1>{_esc(t("site.title"))}</h1><p>{_esc(t("site.subtitle"))}</p></header>',
             f'<h2>{_esc(t("site.catalog"))}</h2>']
    for course in courses:
        parts.append(f'<section class="mma-course" id="{_esc(course.id)}"><h2><a href="{_esc(course.id)}/index.html">'
                     f'{_esc(course.title)}</a></h2>\n{_course_summary(course, course.id + "/")}</section>')
    return _page(t("site.title"), "\n".join(parts), lang, "style.css")


def _course_page(course: catalog.Course, lang: str) -> str:
    nav = f'<nav class="mma-nav"><a href="../index.html">{_esc(t("site.nav.home"))}</a></nav>'
    body = f'{nav}\n<h1>{_esc(course.title)}</h1>\n{_course_summary(course, "")}\n{nav}'
    return _page(course.title, body, lang, "../style.css")


def _lesson_nav(course: catalog.Course, i: int) -> str:
    links = [f'<a href="../index.html">{_esc(t("site.nav.home"))}</a>',
             f'<a href="index.html">{_esc(t("site.nav.course"))}</a>']
    if i > 0:
        prev = course.lessons[i - 1]
        links.append(f'<a rel="prev" href="{lesson_page_name(prev)}">{_esc(t("site.nav.prev", title=prev.title))}</a>')
    if i + 1 < len(course.lessons):
        nxt = course.lessons[i + 1]
        links.append(f'<a rel="next" href="{lesson_page_name(nxt)}">{_esc(t("site.nav.next", title=nxt.title))}</a>')
    return '<nav class="mma-nav">' + " ".join(links) + "</nav>"


def _kernel_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env["MMA_PROGRESS"] = str(tmp / "progress.sqlite3")
    env.pop("MMA_STRICT_CHECKS", None)
    env.pop("MPLBACKEND", None)  # the kernel's inline backend embeds the plots
    return env


def _render_lesson(task: dict) -> tuple[str, str | None, str]:
    """Run one lesson in a temporary copy and convert it: (page name, error or None, html)."""
    import jinja2
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    source = Path(task["source"])
    with tempfile.TemporaryDirectory(prefix="mma-site-") as tmpdir:
        tmp = Path(tmpdir)
        copy = tmp / source.name
        shutil.copyfile(source, copy)
        nb = nbformat.read(copy, as_version=4)
        old_env = dict(os.environ)
        kernel_env = _kernel_env(tmp)  # before clearing: it copies the build's environment (MMA_LANG ...)
        os.environ.clear()
        os.environ.update(kernel_env)
        try:
            NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                           resources={"metadata": {"path": str(tmp)}}).execute()
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()
            return task["page"], (first[-1] if first else type(exc).__name__), ""
        except Exception as exc:  # a kernel that died, a timeout
            return task["page"], f"{type(exc).__name__}: {exc}", ""
        finally:
            os.environ.clear()
            os.environ.update(old_env)
    nb.metadata.pop("widgets", None)
    placeholder = f'<div class="mma-note mma-widget">{_esc(task["widget_placeholder"])}</div>'
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                # a live widget cannot work without a kernel: say so instead of printing its repr
                output["data"] = {"text/html": placeholder}
    exporter = HTMLExporter(template_name="lab", template_file="mma_lesson.html.j2", embed_images=True,
                            extra_loaders=[jinja2.DictLoader({"mma_lesson.html.j2": _TEMPLATE})])
    resources = {"metadata": {"name": task["title"], "path": str(source.parent)},
                 "mma": {"css": task.get("css", STYLE), "top": task["top"], "bottom": task["bottom"],
                         "widget_placeholder": _esc(task["widget_placeholder"])}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return task["page"], None, body


def _lesson_tasks(course: catalog.Course, css: str = STYLE) -> list[dict]:
    tasks = []
    for i, lesson in enumerate(course.lessons):
        nav = _lesson_nav(course, i)
        heading = _esc(t("site.lesson_heading", number=lesson.number, title=lesson.title))
        top = (f'{nav}<div class="mma-note"><b>{heading}</b> · {_esc(t("site.minutes", minutes=lesson.minutes))}'
               f'<br>{_esc(t("site.widget_note"))}</div>')
        tasks.append({"source": str(course.lesson_path(lesson)), "page": f"{course.id}/{lesson_page_name(lesson)}",
                      "css": css,
                      "title": t("site.lesson_heading", number=lesson.number, title=lesson.title),
                      "top": top, "bottom": nav, "widget_placeholder": t("site.widget_placeholder")})
    return tasks


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _build(out: Path | str = "site", lang: str | None = None, courses: list[str] | None = None,
          jobs: int = 2, progress=print) -> SiteReport:
    if lang is not None:
        if lang not in available_languages():
            raise SiteError(t("site.cli.unknown_language", value=lang, available=", ".join(available_languages())))
        os.environ["MMA_LANG"] = lang
    lang = lang or os.environ.get("MMA_LANG", "en") or "en"
    if not isinstance(jobs, int) or not 1 <= jobs <= 16:
        raise SiteError(t("site.cli.bad_jobs", value=jobs))
    chosen = select_courses(courses, lang)
    start = time.perf_counter()
    out = Path(out)
    report = SiteReport(out=out)
    hangul = lang == "ko"
    lesson_css = STYLE + (hangul_css("../" + FONT_FILE) if hangul else "")
    tasks = [task for course in chosen for task in _lesson_tasks(course, lesson_css)]
    if progress:
        progress(t("site.cli.executing", count=len(tasks), jobs=jobs))
    if jobs == 1:
        results = [_render_lesson(task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_render_lesson, tasks))
    failures = [t("site.cli.failed", lesson=page, error=error) for page, error, _ in results if error]
    if failures:
        raise SiteError("\n".join(failures))
    pages = {"index.html": _index_page(chosen, lang), "glossary.html": _glossary_page(lang)}
    pages.update({f"{course.id}/index.html": _course_page(course, lang) for course in chosen})
    pages.update({page: body for page, _, body in results})
    report.pages.append(_write(out / "style.css", STYLE.lstrip() + (hangul_css(FONT_FILE) if hangul else "")))
    for name, text in pages.items():
        report.pages.append(_write(out / name, text))
    font = out / FONT_FILE
    if hangul:
        font.parent.mkdir(parents=True, exist_ok=True)
        font.write_bytes(_hangul_font(list(pages.values())))
        report.pages.append(font)
    elif font.exists():  # an English build over a Korean one: no font left behind
        font.unlink()
        if not any(font.parent.iterdir()):
            font.parent.rmdir()
    report.seconds = time.perf_counter() - start
    return report


def build(out: Path | str = "site", lang: str | None = None, courses: list[str] | None = None,
          jobs: int = 2, progress=print) -> SiteReport:
    """Build the site into ``out`` (see the module docstring); returns the pages written.

    ``lang`` sets ``MMA_LANG`` for the build (and the lesson kernels); the caller's value is restored after.
    """
    saved = os.environ.get("MMA_LANG")
    try:
        return _build(out, lang, courses, jobs, progress)
    finally:
        if saved is None:
            os.environ.pop("MMA_LANG", None)
        else:
            os.environ["MMA_LANG"] = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.site", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the offline site")
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.add_argument("--lang", default=None, help="language of the page text (sets MMA_LANG; default en)")
    b.add_argument("--courses", nargs="+", default=None, help="only these courses (numbers like 01 04, or ids)")
    b.add_argument("--jobs", type=int, default=2, help="lessons run in parallel (default 2)")
    args = parser.parse_args(argv)
    try:
        report = build(args.out, lang=args.lang, courses=args.courses, jobs=args.jobs)
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(t("site.cli.done", pages=len(report.pages), out=report.out, seconds=f"{report.seconds:.0f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
