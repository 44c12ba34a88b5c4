"""The portal's start page: catalogue, objectives, time and progress; served at /mma by `make lab`."""

import os
import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from _lab_support import running_lab

from helpers import catalog, portal, progress
from helpers.exercises import all_exercises

ROOT = Path(__file__).resolve().parent.parent


def test_start_page_lists_courses_objectives_time_and_progress():
    course = catalog.course("01-attribution")
    page = portal.render_start_page()
    assert course.title in page
    for objective in course.objectives:
        assert objective.replace("'", "&#x27;") in page
    for lesson in course.lessons:
        assert lesson.title in page and f"/lab/tree/{course.id}/{lesson.file}" in page
    assert f"About {course.minutes} minutes" in page
    total = len(all_exercises(course.topic))
    assert f"0 of {total} exercises passed" in page
    assert "Not started" in page and "Continue where you left off" not in page


def test_progress_moves_on_the_start_page():
    course = catalog.course("01-attribution")
    first = [ex for ex in all_exercises(course.topic) if ex.lesson == course.lessons[0].number]
    first[0].check(first[0].expected_value())
    rows = {lp.number: lp for lp in portal.course_progress(course)}
    lp = rows[course.lessons[0].number]
    assert (lp.passed, lp.status) == (1, "started")
    for ex in first:
        ex.check(ex.expected_value())
    lp = {lp.number: lp for lp in portal.course_progress(course)}[course.lessons[0].number]
    assert lp.status == "finished" and lp.passed == len(first)
    page = portal.render_start_page()
    assert f"{len(first)}/{len(first)} passed" in page
    assert "Continue where you left off" in page and course.lessons[0].file in page


def test_wrong_answers_do_not_count_as_passed():
    course = catalog.course("01-attribution")
    ex = all_exercises(course.topic)[0]
    ex.check(ex.wrong_example())
    lp = portal.course_progress(course)[0]
    assert (lp.passed, lp.attempted, lp.status) == (0, 1, "started")


@pytest.fixture
def lab_server(tmp_path):
    token = "test-token"
    env = dict(os.environ, MMA_PROGRESS=str(tmp_path / "progress.sqlite3"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               MMA_SETTINGS=str(tmp_path / "settings.json"))
    with running_lab(tmp_path, env, token, tmp_path / "jupyterlab.log") as base:
        yield base, token, env


def test_lab_opens_at_the_start_page_and_reset_works(lab_server, monkeypatch):
    base, token, env = lab_server
    monkeypatch.setenv("MMA_PROGRESS", env["MMA_PROGRESS"])
    ex = all_exercises("attribution")[0]
    ex.check(ex.expected_value())
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    # the server's default page is the portal
    resp = opener.open(f"{base}/?token={token}")
    assert urllib.parse.urlparse(resp.geturl()).path == "/mma"
    page = resp.read().decode()
    assert catalog.course("01-attribution").title in page
    assert "1/" in page and "Started" in page
    # an anonymous visitor is sent to the login page
    anon = urllib.request.build_opener().open(f"{base}/mma")
    assert "/login" in anon.geturl()
    # reset progress through the page's form (with its XSRF token)
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page).group(1)
    data = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
    after = opener.open(f"{base}/mma/reset", data=data).read().decode()
    assert progress.events() == []
    assert "Started" not in after


def test_start_page_in_korean_links_the_korean_lessons():
    en = catalog.course("01-attribution")
    ko = catalog.course("01-attribution", lang="ko")
    page = portal.render_start_page(lang="ko")
    assert "<html lang='ko'>" in page and ko.title in page and en.title not in page
    for lesson in ko.lessons:
        assert lesson.title in page and f"/lab/tree/{ko.id}/ko/{lesson.file}" in page
    assert f"/lab/tree/{ko.id}/ko/assignment/" in page
    assert "value='en'" in page and "value='ko'" in page  # the language switch
    english = portal.render_start_page(lang="en")
    assert en.title in english and f"/lab/tree/{en.id}/{en.lessons[0].file}" in english


def test_language_switch_on_the_served_page(lab_server, monkeypatch, tmp_path):
    base, token, env = lab_server
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/mma?token={token}").read().decode()
    assert catalog.course("01-attribution").title in page
    xsrf = re.search(r"name='_xsrf' value='([^']+)'", page).group(1)
    data = urllib.parse.urlencode({"_xsrf": xsrf, "lang": "ko"}).encode()
    after = opener.open(f"{base}/mma/language", data=data).read().decode()
    assert catalog.course("01-attribution", lang="ko").title in after and "<html lang='ko'>" in after
    settings = Path(env["MMA_SETTINGS"])
    assert '"ko"' in settings.read_text()
    bad = urllib.parse.urlencode({"_xsrf": xsrf, "lang": "xx"}).encode()
    with pytest.raises(urllib.error.HTTPError) as err:
        opener.open(f"{base}/mma/language", data=bad)
    assert err.value.code == 400
    assert '"ko"' in settings.read_text()
