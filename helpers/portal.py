"""The portal's start page: the course catalogue with each learner's progress.

It is served by a small Jupyter server extension at ``/mma`` (``make lab`` opens it), so the
page is always current: it reads the catalogue (``courses/*/course.toml``) and the learner's
progress store each time it is shown. Links open lessons in JupyterLab.

Also usable without a server: ``render_start_page()`` returns the same HTML, and
``python -m helpers.portal`` prints a text summary.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers import catalog, messages, progress
from helpers.messages import LANGUAGE_NAMES, available_languages

__all__ = ["LessonProgress", "course_progress", "render_start_page", "continue_link"]


@dataclass(frozen=True)
class LessonProgress:
    course: str
    number: str
    title: str
    file: str
    minutes: int
    exercises: int
    passed: int
    attempted: int

    @property
    def status(self) -> str:
        if self.exercises and self.passed >= self.exercises:
            return "finished"
        if self.attempted or self.passed:
            return "started"
        return "not_started"


def _exercise_counts(topic: str) -> dict[str, list[str]]:
    from helpers.exercises import lesson_modules

    try:
        modules = lesson_modules(topic)
    except ValueError:
        return {}
    return {number: [ex.id for ex in module.EXERCISES] for number, module in modules.items()}


def course_progress(course: catalog.Course) -> list[LessonProgress]:
    """Per-lesson progress of one course from the learner's progress store."""
    ids = _exercise_counts(course.topic)
    events = progress.events(course.id)
    passed: dict[str, set[str]] = {}
    attempted: dict[str, set[str]] = {}
    for ev in events:
        attempted.setdefault(ev.lesson, set()).add(ev.exercise)
        if ev.action == "check" and ev.outcome == "correct":
            passed.setdefault(ev.lesson, set()).add(ev.exercise)
    out = []
    for lesson in course.lessons:
        known = set(ids.get(lesson.number, []))
        out.append(LessonProgress(
            course=course.id, number=lesson.number, title=lesson.title, file=lesson.file,
            minutes=lesson.minutes, exercises=len(known),
            passed=len(passed.get(lesson.number, set()) & known),
            attempted=len(attempted.get(lesson.number, set()) & known),
        ))
    return out


def lesson_href(course: catalog.Course, lesson: catalog.Lesson) -> str:
    """Workspace path of a lesson in the course's language (the workspace mirrors ``courses/``)."""
    return course.lesson_path(lesson).relative_to(course.folder.parent).as_posix()


def continue_link(lang: str | None = None) -> tuple[str, str] | None:
    """(workspace path, lesson file) of the lesson the learner touched last, if any."""
    events = progress.events()
    if not events:
        return None
    last = events[-1]
    try:
        course = catalog.course(last.course, lang=lang)
    except catalog.CatalogError:
        return None
    for lesson in course.lessons:
        if lesson.number == last.lesson:
            return lesson_href(course, lesson), lesson.file
    return None


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR",sans-serif;max-width:980px;margin:24px auto;
padding:0 16px;color:#1d2430;background:#fafbfc}
h1{margin-bottom:4px} .sub{color:#5b6472;margin-top:0}
.course{background:#fff;border:1px solid #dde2ea;border-radius:8px;padding:16px 20px;margin:18px 0}
.meta{color:#5b6472;font-size:14px} table{border-collapse:collapse;width:100%;margin-top:10px}
td,th{padding:6px 8px;border-bottom:1px solid #eef0f4;text-align:left;font-size:15px}
td:nth-child(2){white-space:nowrap}
.bar{background:#eef0f4;border-radius:4px;width:120px;height:10px;display:inline-block;vertical-align:middle}
.fill{background:#2f7d4f;height:10px;border-radius:4px}
.finished{color:#2f7d4f;font-weight:600} .started{color:#a86a00} .not_started{color:#8a93a3}
.notice{background:#fff8e1;border-left:4px solid #c79100;padding:8px 12px;margin:12px 0}
.continue{background:#eaf2ff;border-left:4px solid #2a5db0;padding:8px 12px;margin:12px 0}
.lang{float:right;font-size:14px;color:#5b6472} .lang button{margin-left:4px;cursor:pointer}
.lang button.current{font-weight:600;cursor:default}
a{color:#2a5db0}
"""


def _language_switch(base_url: str, lang: str) -> str:
    e = html.escape
    action = e(base_url.rstrip("/") + "/mma/language")
    buttons = "".join(
        f"<button type='submit' name='lang' value='{e(code)}'"
        + (" class='current' aria-pressed='true' disabled" if code == lang else " aria-pressed='false'")
        + f" lang='{e(code)}'>{e(LANGUAGE_NAMES.get(code, code))}</button>"
        for code in available_languages()
    )
    label = e(messages.t("i18n.switch_label", lang=lang))
    return (f"<form class='lang' method='post' action='{action}'><input type='hidden' name='_xsrf' value='{{xsrf}}'>"
            f"<span>{label}</span> {buttons}</form>")


def render_start_page(base_url: str = "/", notices: list[dict] | None = None, lang: str | None = None) -> str:
    """The start page as a complete HTML document, in ``lang`` (default: the learner's language)."""
    e = html.escape
    lang = lang or messages.language()

    def t(key: str, **params) -> str:
        return messages.t(key, lang=lang, **params)

    lab = base_url.rstrip("/") + "/lab/tree/"
    parts = [
        f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'>",
        f"<title>{e(t('portal.title'))}</title><style>{_CSS}</style></head><body>",
        _language_switch(base_url, lang),
        f"<h1>{e(t('portal.title'))}</h1><p class='sub'>{e(t('portal.subtitle'))}</p>",
    ]
    for n in notices or []:
        parts.append(
            f"<div class='notice'>{e(t('portal.notice_new_version', file=n['file'], new=n.get('new_version', '')))}"
            "</div>"
        )
    cont = continue_link(lang)
    if cont:
        parts.append(
            f"<div class='continue'>{e(t('portal.continue'))} "
            f"<a href='{e(lab + cont[0])}'>{e(cont[1])}</a></div>"
        )
    for course in catalog.courses(lang=lang):
        lessons = course_progress(course)
        total = sum(lp.exercises for lp in lessons)
        done = sum(lp.passed for lp in lessons)
        parts.append(f"<div class='course' id='{e(course.id)}'><h2>{e(course.title)}</h2>")
        parts.append(f"<p>{e(course.summary)}</p>")
        prereq = ", ".join(course.prerequisites) or t("portal.none")
        parts.append(
            f"<p class='meta'>{e(t('portal.time', minutes=course.minutes))} · "
            f"{e(t('portal.prerequisites', items=prereq))} · "
            f"{e(t('portal.course_progress', done=done, total=total))}</p>"
        )
        parts.append(f"<b>{e(t('portal.objectives'))}</b><ul>")
        parts.extend(f"<li>{e(obj)}</li>" for obj in course.objectives)
        parts.append("</ul><table><tr>")
        for head in ("lesson", "time", "exercises", "status"):
            parts.append(f"<th>{e(t('portal.column.' + head))}</th>")
        parts.append("</tr>")
        for lesson, lp in zip(course.lessons, lessons, strict=True):
            pct = int(100 * lp.passed / lp.exercises) if lp.exercises else 0
            parts.append(
                f"<tr class='lesson' data-lesson='{e(lp.number)}'>"
                f"<td><a href='{e(lab + lesson_href(course, lesson))}'>{e(lp.number)} {e(lp.title)}</a></td>"
                f"<td>{e(t('portal.minutes', minutes=lp.minutes))}</td>"
                f"<td><span class='bar'><span class='fill' style='width:{pct}%;display:block'></span></span> "
                f"{e(t('portal.passed', passed=lp.passed, total=lp.exercises))}</td>"
                f"<td class='{lp.status}'>{e(t('portal.status.' + lp.status))}</td></tr>"
            )
        if course.assignment_folder:
            folder = course.assignment_path.relative_to(course.folder.parent).as_posix() + "/"
            parts.append(
                f"<tr><td><a href='{e(lab + folder)}'>{e(course.assignment_title)}</a></td>"
                f"<td>{e(t('portal.minutes', minutes=course.assignment_minutes))}</td>"
                f"<td colspan='2'>{e(t('portal.graded'))}</td></tr>"
            )
        parts.append("</table></div>")
    parts.append(
        f"<form method='post' action='{e(base_url.rstrip('/') + '/mma/reset')}'>"
        "<input type='hidden' name='_xsrf' value='{xsrf}'>"
        f"<button type='submit' onclick=\"return confirm('{e(t('portal.reset_confirm'))}')\">"
        f"{e(t('portal.reset'))}</button></form>"
    )
    parts.append("</body></html>")
    return "".join(parts)


# ---------------------------------------------------------------------------- server extension
def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "helpers.portal"}]


def _load_jupyter_server_extension(serverapp) -> None:  # pragma: no cover - exercised by tests/test_portal.py
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    from helpers.workspace import notices

    root = Path(serverapp.root_dir)

    class StartPage(JupyterHandler):
        @web.authenticated
        def get(self):
            # the learner's saved choice (the switch below) wins over the server's MMA_LANG
            page = render_start_page(self.base_url, notices(root), messages.saved_language() or messages.language())
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page.replace("{xsrf}", html.escape(self.xsrf_token.decode("ascii"))))

    class Language(JupyterHandler):
        @web.authenticated
        def post(self):
            try:
                messages.save_language(self.get_body_argument("lang", ""))
            except ValueError as exc:
                raise web.HTTPError(400, str(exc)) from None
            self.redirect(url_path_join(self.base_url, "mma"))

    class Reset(JupyterHandler):
        @web.authenticated
        def post(self):
            progress.reset()
            self.redirect(url_path_join(self.base_url, "mma"))

    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "mma"), StartPage),
        (url_path_join(base, "mma/"), StartPage),
        (url_path_join(base, "mma/reset"), Reset),
        (url_path_join(base, "mma/language"), Language),
    ])
    serverapp.log.info("Mobile Measurement Academy start page at %smma", base)


def main() -> int:
    for course in catalog.courses(lang=messages.language()):
        print(course.title)
        for lp in course_progress(course):
            print(f"  {lp.number} {lp.title}: {lp.passed}/{lp.exercises} ({lp.status})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
