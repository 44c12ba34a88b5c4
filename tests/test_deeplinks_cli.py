"""``python -m helpers.deeplinks``: the real module in a subprocess, its output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "deeplinks"
AASA = str(DATA / "client-aasa.json")
ASSETLINKS = str(DATA / "assetlinks.json")
SHOP = "ABCDE12345.com.example.shop"
FP = "14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers.deeplinks", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=120)


def out(p: subprocess.CompletedProcess) -> str:
    return p.stdout.decode()


def test_help_documents_the_exit_codes():
    p = run("--help")
    assert p.returncode == 0
    text = out(p)
    assert "check-aasa" in text and "check-assetlinks" in text
    for code in ("0  every URL", "1  some URL", "2  the file is malformed"):
        assert code in text
    assert "exit codes" in out(run("check-aasa", "--help"))


def test_check_aasa_every_url_opens_the_app():
    p = run("check-aasa", AASA, "https://example.com/product/42", "https://example.com/ko/shoes/", "--domain", "example.com")
    assert p.returncode == 0, p.stderr
    lines = out(p).splitlines()
    assert lines[0] == "https://example.com/product/42"
    assert lines[1] == f"  opens {SHOP}, {SHOP}.beta"
    assert lines[2].startswith('  details[0].components[2] {"/": "/product/?*"') and lines[2].endswith("(line 15)")
    assert "details[0].components[3]" in lines[5]
    assert "paths-ignored at applinks.details[0].paths (line 22): " in out(p)


def test_check_aasa_a_url_that_stays_on_the_web_exits_1_and_says_why():
    p = run("check-aasa", AASA, "https://example.com/product/42", "https://example.com/help/faq")
    assert p.returncode == 1
    text = out(p)
    assert "https://example.com/help/faq\n  no app\n  details[0].components[0]" in text
    assert "excludes /help/faq" in text


def test_check_aasa_expectations():
    assert run("check-aasa", AASA, "https://example.com/help/faq", "--expect-no-app").returncode == 0
    assert run("check-aasa", AASA, "https://example.com/product/1", "--expect-no-app").returncode == 1
    ok = run("check-aasa", AASA, "https://example.com/old/x", "--expect-app", "FGHIJ67890.com.example.legacy")
    assert ok.returncode == 0 and "(as expected)" in out(ok)
    wrong = run("check-aasa", AASA, "https://example.com/product/1", "--expect-app", "FGHIJ67890.com.example.legacy")
    assert wrong.returncode == 1 and "NOT as expected: expected FGHIJ67890.com.example.legacy" in out(wrong)


def test_check_aasa_domain_and_installed_apps():
    p = run("check-aasa", AASA, "https://www.example.com/product/1", "--domain", "example.com")
    assert p.returncode == 1 and "served from example.com" in out(p)
    inst = run("check-aasa", AASA, "https://example.com/product/1", "--installed", "FGHIJ67890.com.example.legacy")
    assert inst.returncode == 1 and "installed" in out(inst)


def test_check_aasa_without_urls_only_lints_and_strict_fails_on_warnings():
    p = run("check-aasa", AASA)
    assert p.returncode == 0 and out(p).startswith("warnings (1):")
    assert run("check-aasa", AASA, "--strict").returncode == 1
    clean = json.dumps({"applinks": {"details": [{"appIDs": [SHOP], "components": [{"/": "/*"}]}]}}).encode()
    p = run("check-aasa", "-", "https://example.com/x", "--strict", stdin=clean)
    assert p.returncode == 0 and "no warnings" in out(p)


def test_check_aasa_json_output():
    p = run("check-aasa", AASA, "https://example.com/help/faq", "https://example.com/product/9", "--json")
    assert p.returncode == 1
    data = json.loads(out(p))
    assert data["ok"] is False
    first, second = data["urls"]
    assert first["app_ids"] == [] and first["excluded"] and first["rule"]["/"] == "/help/*"
    assert first["as_expected"] is False and second["as_expected"] is True
    assert second["format"] == "components" and second["rule_index"] == 2
    assert data["warnings"] == [{"code": "paths-ignored", "location": "applinks.details[0].paths", "line": 22,
                                 "message": data["warnings"][0]["message"]}]
    assert first["rule_line"] == 13 and second["rule_line"] == 15


def test_malformed_files_exit_2_with_the_location(tmp_path):
    p = run("check-aasa", str(DATA / "broken-json-aasa.json"), "https://example.com/")
    assert p.returncode == 2 and p.stdout == b""
    assert "broken-json-aasa.json: line 5, column 9: the AASA file is not valid JSON" in p.stderr.decode()
    p = run("check-aasa", str(DATA / "broken-structure-aasa.json"), "https://example.com/")
    assert p.returncode == 2
    assert ("broken-structure-aasa.json: line 5, column 87: applinks.details[1].components[0].exclude must be true "
            "or false") in p.stderr.decode()
    p = run("check-aasa", str(DATA / "broken-structure-aasa.json"), "--json")
    assert p.returncode == 2
    assert json.loads(out(p))["location"] == "applinks.details[1].components[0].exclude"
    assert json.loads(out(p))["line"] == 5
    p = run("check-aasa", str(tmp_path / "nope.json"))
    assert p.returncode == 2 and "no file at" in p.stderr.decode()
    p = run("check-assetlinks", "-", "--package", "com.example.shop", "--fingerprint", FP, stdin=b"[{]")
    assert p.returncode == 2 and "<stdin>: line 1, column 3" in p.stderr.decode()


def test_bad_arguments_exit_2():
    assert run("check-everything", AASA).returncode == 2
    assert run("check-aasa").returncode == 2
    assert run("check-assetlinks", ASSETLINKS, "--package", "com.example.shop").returncode == 2
    assert run("check-aasa", AASA, "--expect-app", SHOP, "--expect-no-app").returncode == 2
    p = run("check-assetlinks", ASSETLINKS, "--package", "com.example.shop", "--fingerprint", "14:6D:E9")
    assert p.returncode == 2 and "32 pairs" in p.stderr.decode()
    p = run("check-aasa", "--json")
    assert p.returncode == 2 and json.loads(out(p))["ok"] is False


def test_check_assetlinks_verified():
    p = run("check-assetlinks", ASSETLINKS, "--package", "com.example.shop", "--fingerprint", FP.replace(":", "").lower())
    assert p.returncode == 0, p.stderr
    lines = out(p).splitlines()
    assert lines[0] == "com.example.shop: verified"
    assert lines[1].startswith("  statement [0] grants com.example.shop")
    assert "no warnings" in out(p)


@pytest.mark.parametrize(("package", "fingerprint", "words"), [
    ("com.example.shop.lite", FP, "do not list the fingerprint"),
    ("com.example.Shop", FP, "is the package name spelled right"),
])
def test_check_assetlinks_not_verified_exits_1(package, fingerprint, words):
    p = run("check-assetlinks", ASSETLINKS, "--package", package, "--fingerprint", fingerprint)
    assert p.returncode == 1
    assert out(p).startswith(f"{package}: not verified") and words in out(p)


def test_check_assetlinks_dynamic_rules_for_urls():
    ok = run("check-assetlinks", ASSETLINKS, "--package", "com.example.shop", "--fingerprint", FP,
             "--url", "https://example.com/product/1", "--url", "https://example.com/cart#checkout")
    assert ok.returncode == 0 and out(ok).count("\n  opens the app\n") == 2
    blocked = run("check-assetlinks", ASSETLINKS, "--package", "com.example.shop", "--fingerprint", FP,
                  "--url", "https://example.com/legal/terms", "--json")
    assert blocked.returncode == 1
    data = json.loads(out(blocked))
    assert data["verified"] is True and data["fingerprint"] == FP
    assert data["urls"] == [{"url": "https://example.com/legal/terms", "allowed": False, "rule_index": 0,
                             "reason": data["urls"][0]["reason"]}]
    assert "excludes /legal/terms" in data["urls"][0]["reason"]


def test_urls_may_follow_the_options():
    before = run("check-aasa", AASA, "https://example.com/product/42", "--domain", "example.com")
    after = run("check-aasa", AASA, "--domain", "example.com", "https://example.com/product/42")
    assert after.returncode == before.returncode and out(after) == out(before)
    bad = run("check-aasa", AASA, "--domain", "example.com", "https://example.com/x", "--nope")
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr.decode()
