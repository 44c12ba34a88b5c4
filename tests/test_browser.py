"""The portal and a lesson in a real browser: Playwright drives Debian's Chromium against JupyterLab.

What a learner does, end to end: open the start page (the catalogue), open lesson 01.2 from it,
run all cells, drag the lookback slider and watch the chart and its summary change, answer an
exercise and read the check's feedback, then see the progress on the start page.

The test starts its own JupyterLab (with the portal extension, like ``make lab``) on a workspace
built in a temporary folder, with its own progress store (``MMA_PROGRESS``) and fresh JupyterLab
settings. Screenshots of every step, and the server's log, are saved in ``test-artifacts/browser/``.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``): Playwright's own browser download
does not work offline, so never run ``playwright install``. ``make test`` installs the package
when it runs as root (``.ci/system-deps``); elsewhere run ``sudo apt-get install chromium``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from _lab_support import running_lab

from helpers import catalog, progress, workspace
from helpers.exercises.attribution.lesson_1_2 import q1
from helpers.messages import t

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
COURSE = "01-attribution"
LESSON = "01.2"
TOKEN = "browser-test-token"
# Chromium flags that work headless in a closed network (no background calls to Google's hosts)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
LAB_START_S = 90
RUN_ALL_S = 180  # the whole lesson; about 15 s on an idle machine
WAIT_MS = 60_000  # for any one element to appear or change


def _chromium() -> str:
    for candidate in (os.environ.get("MMA_CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "Chromium is not installed, and the browser tests need it (Playwright drives Debian's chromium; "
        "its own browser download does not work offline). Install it with `sudo apt-get install chromium` "
        "(`make test` does this itself when it runs as root, via .ci/system-deps), or point MMA_CHROMIUM at "
        "a Chromium binary.",
        pytrace=False,
    )


def _lesson() -> catalog.Lesson:
    return next(lesson for lesson in catalog.course(COURSE).lessons if lesson.number == LESSON)


def _strip_tags(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*"):
        if old.is_file():
            old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def lab(tmp_path_factory, artifacts):
    """JupyterLab with the portal on a freshly built workspace: (base URL, progress store path)."""
    tmp = tmp_path_factory.mktemp("browser-lab")
    ws = tmp / "workspace"
    workspace.build(ws, release_dir=tmp / "no-release")  # lessons only; no graded assignments needed
    settings = tmp / "lab-settings"
    # every cell in the DOM (no virtual scrolling), and no news or update pop-ups over the page
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    store = tmp / "progress.sqlite3"
    env = dict(
        os.environ, MMA_PROGRESS=str(store), MMA_SETTINGS=str(tmp / "settings.json"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"),
    )
    for name in ("MPLBACKEND", "MMA_STRICT_CHECKS", "MMA_LANG"):  # the kernel must behave as under `make lab`
        env.pop(name, None)
    with running_lab(ws, env, TOKEN, artifacts / "jupyterlab.log", LAB_START_S) as base:
        yield base, store


@pytest.fixture(scope="module")
def browser():
    path = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing: `.venv/bin/pip install -e '.[test]'` "
                    "(never `playwright install`: the tests use Debian's chromium)", pytrace=False)
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.fail(f"Chromium at {path} did not start under Playwright: {exc}", pytrace=False)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def page(browser, lab):
    base, _store = lab
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    expect.set_options(timeout=WAIT_MS)  # assertions wait as long as actions (a busy CI machine is slow)
    pg = context.new_page()
    # the token logs the browser in (a cookie); the server's default page is the portal
    pg.goto(f"{base}/?token={TOKEN}")
    yield pg
    context.close()


class Steps:
    """Screenshots named after the steps; a failing step leaves a FAILED-… screenshot."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.n = page, folder, 0

    def shot(self, name: str, element=None) -> None:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        (element or self.page).screenshot(path=str(path), **({} if element else {"full_page": True}))

    def failed(self, name: str) -> None:
        try:
            self.page.screenshot(path=str(self.folder / f"FAILED-{name}.png"), full_page=True)
        except Exception:  # the page may be gone; the assertion message says what went wrong
            pass


@pytest.fixture(scope="module")
def steps(page, artifacts):
    return Steps(page, artifacts)


# ------------------------------------------------------------------ JupyterLab helpers
_NOTEBOOK_STATE = """() => {
  // the notebook on screen (another one may be open in a hidden tab)
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null) || document;
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = cells.map(c => (c.querySelector('.jp-InputPrompt')?.textContent || '').trim());
  const errors = [...panel.querySelectorAll(
      '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.innerText).filter(s => /Error|Traceback/.test(s));
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const dialog = document.querySelector('.jp-Dialog');
  return {prompts, errors, status: indicator ? indicator.getAttribute('data-status') : null,
          dialog: dialog ? dialog.innerText : null};
}"""


def _wait_for_run_all(page) -> dict:
    """Wait until no cell is running or queued and the kernel is idle; returns the final state."""
    deadline = time.monotonic() + RUN_ALL_S
    state: dict = {}
    while time.monotonic() < deadline:
        state = page.evaluate(_NOTEBOOK_STATE)
        if state["dialog"]:
            pytest.fail(f"JupyterLab opened a dialog while running the lesson: {state['dialog']!r}", pytrace=False)
        busy = any(p.startswith("[*]") for p in state["prompts"])
        done = all(re.fullmatch(r"\[\d+\]:", p) for p in state["prompts"])
        if state["status"] == "idle" and not busy and (done or state["errors"]):
            return state
        page.wait_for_timeout(500)
    pytest.fail(f"the lesson did not finish running within {RUN_ALL_S} s; cell prompts: {state.get('prompts')}, "
                f"kernel status: {state.get('status')}", pytrace=False)


def _run_menu(page, command: str, menu: str = "Run") -> None:
    """Open the menu by its label and click the item of a JupyterLab command (same in every language)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(f".lm-Menu-item:visible[data-command='{command}']").click()


def _lab_text(text: str, lang: str) -> str:
    """JupyterLab's own label in ``lang``, from the installed language pack (the UI follows the learner)."""
    if lang == "en":
        return text
    import jupyterlab_language_pack_ko_KR as pack

    data = json.loads((Path(pack.__file__).parent / "locale" / "ko_KR" / "LC_MESSAGES" / "jupyterlab.json")
                      .read_text(encoding="utf-8"))
    return data[text][0]


def _image_digest(page, img) -> str:
    """SHA-256 of the bytes behind an <img> (a blob: or data: URL), read inside the page."""
    data = page.evaluate(
        "async (img) => { const r = await fetch(img.src); const b = new Uint8Array(await r.arrayBuffer());"
        " let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }",
        img.element_handle(),
    )
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "the widget's chart is not a PNG image"
    return hashlib.sha256(raw).hexdigest()


def _code_cell(page, marker: str):
    cell = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=marker))
    assert cell.count() == 1, f"expected one code cell containing {marker!r}, found {cell.count()}"
    return cell


def _replace_and_run(page, cell, code: str) -> None:
    editor = cell.locator(".jp-InputArea-editor .cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")


def _lesson_row(page):
    return page.locator(f".course[id='{COURSE}'] tr.lesson[data-lesson='{LESSON}']")


# ------------------------------------------------------------------ the tests
def test_start_page_shows_the_catalogue(page, lab, steps):
    from playwright.sync_api import expect

    base, _store = lab
    try:
        page.goto(f"{base}/")  # what `make lab` opens: the server's default page is the portal
        expect(page).to_have_url(re.compile(r"^http://[^/]+/mma\??$"))
        expect(page).to_have_title(t("portal.title"))
        courses = catalog.courses()
        expect(page.locator(".course h2")).to_have_text([c.title for c in courses])
        course = catalog.course(COURSE)
        box = page.locator(f".course[id='{COURSE}']")
        expect(box.locator("p.meta")).to_contain_text(t("portal.time", minutes=course.minutes))
        expect(box.locator("li")).to_have_text(course.objectives)
        lesson = _lesson()
        expect(_lesson_row(page).locator("a")).to_have_attribute(
            "href", f"/lab/tree/{COURSE}/{lesson.file}")
        expect(_lesson_row(page).locator("td").last).to_have_text(t("portal.status.not_started"))
        expect(page.locator(".continue")).to_have_count(0)
        steps.shot("start-page")
    except BaseException:
        steps.failed("start-page")
        raise


def test_a_lesson_end_to_end_then_progress_on_the_start_page(page, lab, steps, monkeypatch):
    """Open 01.2 from the portal, run it, move the slider, answer q1, see the progress."""
    from playwright.sync_api import expect

    from helpers.data import load
    from helpers.exercises import all_exercises
    from helpers.widgets import ORGANIC, credit_by_window

    base, store = lab
    lesson = _lesson()
    step = "open-lesson"
    try:
        # 1. open the lesson from the start page
        page.goto(f"{base}/mma")
        _lesson_row(page).locator("a").click()
        page.wait_for_url(re.compile(re.escape(f"/lab/tree/{COURSE}/{lesson.file}")))
        notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
        expect(notebook.locator(".jp-Cell").first).to_contain_text(lesson.title[:20])
        # the kernel must be connected and idle before Run All, or JupyterLab asks which kernel to start
        expect(page.locator(f".jp-StatusBar-TextItem[title='Change kernel for {lesson.file}']")).to_have_text(
            re.compile(r"\| Idle$"))
        steps.shot(step)

        # 2. run all cells and wait until the kernel is idle with every cell run
        step = "run-all"
        _run_menu(page, "runmenu:run-all")
        state = _wait_for_run_all(page)
        assert not state["errors"], "the lesson raised an error in the browser:\n" + "\n---\n".join(state["errors"])
        assert state["prompts"] and all(re.fullmatch(r"\[\d+\]:", p) for p in state["prompts"]), \
            f"not every code cell ran: {state['prompts']}"
        expect(notebook.locator(".jp-RenderedImage img").first).to_be_visible()  # matplotlib plots
        steps.shot(step)

        # 3. drag the click-lookback slider; the chart and its summary must follow
        step = "slider"
        widget = notebook.locator(".jp-OutputArea-output .widget-vbox").filter(
            has_text=t("widgets.lookback.title"))
        expect(widget).to_have_count(1)
        slider = widget.locator(".widget-slider").filter(has_text=t("widgets.lookback.click_days"))
        handle, readout = slider.locator(".noUi-handle"), slider.locator(".widget-readout")
        image, summary = widget.locator("img.widget-image"), widget.locator(".widget-html-content").last
        expect(readout).to_have_text("7")
        expect(image).to_have_attribute("src", re.compile(r"^(blob|data):"))
        widget.scroll_into_view_if_needed()
        before_src, before_png = image.get_attribute("src"), _image_digest(page, image)
        before_summary = summary.inner_text()
        steps.shot(f"{step}-before", widget)
        track = slider.locator(".noUi-base").bounding_box()
        knob = handle.bounding_box()
        assert track and knob, "the slider is not on screen"
        y = knob["y"] + knob["height"] / 2
        page.mouse.move(knob["x"] + knob["width"] / 2, y)
        page.mouse.down()
        page.mouse.move(track["x"] + 0.1 * track["width"], y, steps=12)
        page.mouse.up()
        expect(readout).not_to_have_text("7")
        days = int(readout.inner_text())
        assert 1 <= days < 7, f"dragging the handle left should shorten the click lookback, it reads {days}"
        expect(handle).to_have_attribute("aria-valuenow", re.compile(rf"^{days}(\.0)?$"))
        expect(image).not_to_have_attribute("src", before_src)
        expect(summary).not_to_have_text(before_summary)
        after_png = _image_digest(page, image)
        assert after_png != before_png, "the chart's picture did not change after the slider moved"
        # the summary is the kernel's attribution at the new window, not just any change
        touches, installs = load("attribution/touches"), load("attribution/installs")
        credit, baseline = credit_by_window(touches, installs, click_days=days), credit_by_window(touches, installs)
        expected = _strip_tags(t(
            "widgets.lookback.summary", organic=f"{int(credit[ORGANIC]):,}",
            paid=f"{int(credit.drop(ORGANIC).sum()):,}", diff=f"{int(credit[ORGANIC] - baseline[ORGANIC]):+,}"))
        expect(summary).to_have_text(expected)
        steps.shot(f"{step}-after", widget)

        # 4. answer q1 in its cell, first wrongly, then with the solution: the feedback shows below
        step = "check"
        cell = _code_cell(page, "q1.check()")
        feedback = cell.locator(".jp-OutputArea-output .mma-check")
        expect(feedback).to_have_class(re.compile(r"\bmma-not_attempted\b"))  # from Run All: still ____
        wrong = 0
        _replace_and_run(page, cell, f"{q1.variable} = {wrong}\nq1.check()")
        expect(feedback).to_have_class(re.compile(r"\bmma-wrong\b"))
        expect(feedback).to_contain_text(t("exercise.title.wrong"))
        expect(feedback).to_contain_text(q1.evaluate(wrong).message.replace("`", ""))  # code spans drawn as <code>
        steps.shot(f"{step}-wrong", cell)
        _replace_and_run(page, cell, f"{q1.solution_code}\nq1.check()")
        expect(feedback).to_have_class(re.compile(r"\bmma-correct\b"))
        expect(feedback).to_contain_text(t("exercise.title.correct"))
        expect(feedback).to_contain_text(q1.evaluate(q1.expected_value()).message.replace("`", ""))
        steps.shot(f"{step}-correct", cell)

        # 5. the start page shows the lesson as started, with one exercise passed
        step = "progress"
        page.goto(f"{base}/mma")
        row = _lesson_row(page)
        exercises = len([ex for ex in all_exercises("attribution") if ex.lesson == LESSON])
        expect(row).to_contain_text(t("portal.passed", passed=1, total=exercises))
        expect(row.locator("td").last).to_have_text(t("portal.status.started"))
        expect(page.locator(".continue a")).to_have_attribute("href", f"/lab/tree/{COURSE}/{lesson.file}")
        steps.shot(step)
        # and the store behind it holds what the browser did
        monkeypatch.setenv("MMA_PROGRESS", str(store))
        checks = [(e.exercise, e.outcome) for e in progress.events(COURSE) if e.action == "check"]
        assert (q1.id, "wrong") in checks and (q1.id, "correct") in checks, checks
    except BaseException:
        steps.failed(step)
        raise


def test_korean_switch_then_a_korean_lesson_answers_in_korean(page, lab, steps):
    """Switch the start page to Korean, open the Korean 01.2, answer q1 wrongly: feedback in Korean."""
    from playwright.sync_api import expect

    base, _store = lab
    ko_course = catalog.course(COURSE, lang="ko")
    lesson = next(x for x in ko_course.lessons if x.number == LESSON)
    step = "switch-ko"
    try:
        page.goto(f"{base}/mma")
        page.locator("form.lang button[value='ko']").click()
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        expect(page.locator(".course h2")).to_have_text([c.title for c in catalog.courses(lang="ko")])
        row = page.locator(f".course[id='{COURSE}'] tr.lesson[data-lesson='{LESSON}']")
        expect(row.locator("a")).to_have_attribute("href", f"/lab/tree/{COURSE}/ko/{lesson.file}")
        statuses = [t(f"portal.status.{s}", lang="ko") for s in ("not_started", "started", "finished")]
        expect(row.locator("td").last).to_have_text(re.compile("^(" + "|".join(map(re.escape, statuses)) + ")$"))
        steps.shot(step)

        step = "korean-lesson"
        row.locator("a").click()
        page.wait_for_url(re.compile(re.escape(f"/lab/tree/{COURSE}/ko/{lesson.file}")))
        notebook = page.locator(".jp-NotebookPanel:visible .jp-Notebook")
        expect(notebook.locator(".jp-Cell").first).to_contain_text(lesson.title[:12])
        # JupyterLab's own menus followed the switch (the Korean language pack)
        status = _lab_text("Change kernel for %1", "ko").replace("%1", lesson.file)
        expect(page.locator(f".jp-StatusBar-TextItem[title='{status}']")).to_have_text(
            re.compile(re.escape("| " + _lab_text("Idle", "ko")) + "$"))
        _run_menu(page, "runmenu:run-all", menu=_lab_text("Run", "ko"))
        state = _wait_for_run_all(page)
        assert not state["errors"], "the Korean lesson raised an error:\n" + "\n---\n".join(state["errors"])
        cell = _code_cell(page, "q1.check()")
        feedback = cell.locator(".jp-OutputArea-output .mma-check")
        # the kernel knows it runs a notebook from a ko/ folder: the feedback is Korean
        wrong = 0
        _replace_and_run(page, cell, f"{q1.variable} = {wrong}\nq1.check()")
        expect(feedback).to_have_class(re.compile(r"\bmma-wrong\b"))
        expect(feedback).to_contain_text(t("exercise.title.wrong", lang="ko"))
        steps.shot(step, cell)
        # Hangul is drawn with a real font (not empty boxes): the text is wider than a run of one glyph
        width = feedback.evaluate("e => e.getBoundingClientRect().width")
        assert width > 100
        page.goto(f"{base}/mma")
        page.locator("form.lang button[value='en']").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    except BaseException:
        steps.failed(step)
        raise
