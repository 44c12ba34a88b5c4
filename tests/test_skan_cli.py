"""``python -m helpers.skan verify``: per-postback verdicts, locations, summary, exit codes, keys, streaming."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from helpers import skan
from helpers.messages import t
from helpers.skan.cli import main
from helpers.skan.reader import iter_stream

ROOT = Path(__file__).resolve().parents[1]
DATA = json.loads((ROOT / "tests" / "data" / "skan" / "apple_examples.json").read_text(encoding="utf-8"))
APPLE = [e["postback"] for e in DATA["examples"]]
V4 = APPLE[0]


def run(*argv, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["verify", *map(str, argv)], out=out, err=err,
                stdin=io.StringIO(stdin) if stdin is not None else io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


def jsonl(path: Path, docs) -> Path:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in docs), encoding="utf-8")
    return path


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_all_apple_examples_valid_exit_0(tmp_path):
    f = jsonl(tmp_path / "apple.jsonl", APPLE)
    code, out, _ = run(f)
    lines = out.splitlines()
    assert code == 0
    assert len(lines) == len(APPLE) + 1
    for i, line in enumerate(lines[:-1], start=1):
        assert line.startswith(f"{f}:{i}  {t('skan_cli.valid')}")
    assert lines[-1] == t("skan_cli.summary", postbacks=len(APPLE), files=1, valid=len(APPLE), invalid=0,
                          malformed=0, unreadable=0)


def test_invalid_gives_exit_1_with_reason(tmp_path):
    f = jsonl(tmp_path / "p.jsonl", [V4, dict(V4, **{"did-win": False}), APPLE[6]])
    code, out, _ = run("--json", f)
    recs = records(out)
    assert code == 1
    assert [r["status"] for r in recs[:-1]] == ["valid", "invalid", "valid"]
    assert "Apple's P-256 key" in recs[1]["reason"] and recs[1]["location"] == f"{f}:2"
    assert recs[-1] == {"summary": {"postbacks": 3, "files": 1, "valid": 2, "invalid": 1, "malformed": 0,
                                    "unreadable": 0, "exit_code": 1}}


def test_malformed_gives_exit_2_naming_field_and_line(tmp_path):
    f = jsonl(tmp_path / "p.jsonl", [V4, dict(V4, **{"did-win": False}), dict(V4, **{"source-identifier": "5"}),
                                     "{broken", "[1, 2]", "", json.dumps(dict(V4, version="9.9"))])
    code, out, _ = run("--json", f)
    recs = records(out)
    assert code == 2
    got = [(r["location"], r["status"], r["field"]) for r in recs[:-1]]
    assert got == [(f"{f}:1", "valid", None), (f"{f}:2", "invalid", None),
                   (f"{f}:3", "malformed", "source-identifier"), (f"{f}:4", "malformed", None),
                   (f"{f}:5", "malformed", None), (f"{f}:7", "malformed", "version")]
    assert "2 to 4 digits" in recs[2]["reason"]
    assert "not valid JSON" in recs[3]["reason"]
    assert "JSON object" in recs[4]["reason"] and "array" in recs[4]["reason"]
    text_code, text, _ = run(f)
    assert text_code == 2
    assert f"{f}:3  {t('skan_cli.malformed')}" in text and "source-identifier: must be" in text


def test_json_array_single_object_and_concatenated_objects(tmp_path):
    arr = tmp_path / "array.json"
    arr.write_text("\n" + json.dumps([V4, dict(V4, **{"app-id": 1}), APPLE[2]], indent=2), encoding="utf-8")
    one = tmp_path / "one.json"
    one.write_text(json.dumps(APPLE[4], indent=4), encoding="utf-8")
    cat = tmp_path / "cat.json"
    cat.write_text(json.dumps(APPLE[1], indent=1) + "\n" + json.dumps(APPLE[3], indent=1), encoding="utf-8")
    code, out, _ = run("--json", arr, one, cat)
    recs = records(out)
    assert code == 1
    assert [(r["location"], r["status"]) for r in recs[:-1]] == [
        (f"{arr}:2[0]", "valid"), (f"{arr}:2[1]", "invalid"), (f"{arr}:2[2]", "valid"),
        (f"{one}:1", "valid"), (f"{cat}:1", "valid"), (f"{cat}:{len(json.dumps(APPLE[1], indent=1).splitlines()) + 1}",
                                                        "valid")]
    assert recs[-1]["summary"]["files"] == 3


def test_broken_documents_and_broken_first_line(tmp_path):
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n  "version": "4.0",\n  "app-id": \n}\n', encoding="utf-8")
    code, out, _ = run("--json", pretty)
    recs = records(out)
    assert code == 2 and len(recs) == 2 and recs[0]["location"] == f"{pretty}:4"
    arr = tmp_path / "array.json"
    arr.write_bytes(b"[\n" + json.dumps(V4).encode() + b",\n\"\xff\"\n]\n")
    recs = records(run("--json", arr)[1])
    assert any(r["location"] == f"{arr}:3" and "UTF-8" in r["reason"] for r in recs[:-1])
    assert all(r["status"] == "malformed" for r in recs[:-1])
    lines = jsonl(tmp_path / "lines.jsonl", ['{"version": "4.0", ', V4, APPLE[1]])
    recs = records(run("--json", lines)[1])
    assert [(r["location"], r["status"]) for r in recs[:-1]] == [
        (f"{lines}:1", "malformed"), (f"{lines}:2", "valid"), (f"{lines}:3", "valid")]


def test_unreadable_files_exit_2(tmp_path):
    good = jsonl(tmp_path / "good.jsonl", [V4])
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(json.dumps(V4).encode() + b"\n{\"a\xff\xfe\xfa\n" + json.dumps(V4).encode() + b"\n")
    code, out, _ = run(good, tmp_path / "missing.jsonl", binary)
    assert code == 2
    assert f"{tmp_path / 'missing.jsonl'}  {t('skan_cli.unreadable')}" in out
    assert "No such file" in out
    # one corrupt line is malformed; the lines after it are still checked
    assert f"{binary}:2  {t('skan_cli.malformed')}" in out and "UTF-8" in out and "column 4" in out
    assert f"{binary}:3  {t('skan_cli.valid')}" in out
    assert out.splitlines()[-1].endswith("unreadable files: 1.")


def test_bom_blank_lines_and_crlf(tmp_path):
    f = tmp_path / "bom.jsonl"
    f.write_bytes(b"\xef\xbb\xbf" + json.dumps(V4).encode() + b"\r\n\r\n" + json.dumps(APPLE[5]).encode() + b"\r\n")
    code, out, _ = run("--json", f)
    assert code == 0
    assert [r["location"] for r in records(out)[:-1]] == [f"{f}:1", f"{f}:3"]


def test_stdin(tmp_path):
    code, out, _ = run("--json", "-", stdin="\n".join(json.dumps(d) for d in APPLE[:3]))
    recs = records(out)
    assert code == 0
    assert recs[0]["location"] == f"{t('skan_cli.stdin_name')}:1" and len(recs) == 4


def test_quiet_prints_only_problems(tmp_path):
    f = jsonl(tmp_path / "p.jsonl", APPLE + [dict(V4, **{"transaction-id": "x"})])
    code, out, _ = run("-q", f)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2
    assert lines[0].startswith(f"{f}:{len(APPLE) + 1}  {t('skan_cli.invalid')}")


def test_custom_keys_for_simulated_postbacks(tmp_path):
    signed = [skan.sign_postback({k: v for k, v in d.items() if k != "attribution-signature"}) for d in APPLE]
    f = jsonl(tmp_path / "sim.jsonl", signed)
    code, out, _ = run("--json", f)
    recs = records(out)
    assert code == 1 and all(r["status"] == "invalid" for r in recs[:-1])
    assert all("MMA TEST KEY" in r["reason"] for r in recs[:-1])  # the hint
    assert run(f, "--test-key")[0] == 0
    public = skan.test_signing_key().public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for name, content in (("k.pem", pem), ("k.b64", base64.b64encode(der) + b"\n"), ("k.der", der)):
        (tmp_path / name).write_bytes(content)
        code, out, _ = run("--key", tmp_path / name, f, jsonl(tmp_path / "apple.jsonl", APPLE[:1]))
        assert code == 1, name
        assert out.count("  " + t("skan_cli.valid") + " ") == len(signed)
        assert t("skan_cli.key_file", path=tmp_path / name) in out  # Apple's postback fails under this key


def test_bad_key_file_exit_2(tmp_path):
    f = jsonl(tmp_path / "p.jsonl", [V4])
    (tmp_path / "bad.pem").write_text("not a key", encoding="utf-8")
    code, out, err = run("--key", tmp_path / "bad.pem", f)
    assert code == 2 and out == "" and "--key" in err and "public_key" in err
    code, _, err = run("--key", tmp_path / "nope.pem", f)
    assert code == 2 and "No such file" in err


def test_jsonl_is_streamed_not_read_whole():
    consumed = []

    class Lines:
        def __iter__(self):
            for i in range(1_000_000):
                consumed.append(i)
                yield json.dumps(V4) + "\n"

        def read(self):
            raise AssertionError("a JSON-lines stream must not be read whole")

    items = iter_stream(Lines(), "log")
    for _ in range(3):
        item = next(items)
        assert item.value == V4
    assert len(consumed) == 3


def test_module_entry_point_and_help(tmp_path):
    f = jsonl(tmp_path / "p.jsonl", [V4, dict(V4, **{"did-win": False})])
    proc = subprocess.run([sys.executable, "-m", "helpers.skan", "verify", str(f)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1].startswith("2 postbacks checked")
    help_text = subprocess.run([sys.executable, "-m", "helpers.skan", "verify", "--help"], capture_output=True,
                               text=True, cwd=ROOT, check=True).stdout
    for words in ("exit status", "0  every postback is valid", "1  some postbacks are invalid",
                  "2  some postbacks are malformed", "--key", "--json", "--test-key"):
        assert words in help_text
    usage = subprocess.run([sys.executable, "-m", "helpers.skan"], capture_output=True, text=True, cwd=ROOT,
                           check=False)
    assert usage.returncode == 2 and "verify" in usage.stderr


@pytest.mark.parametrize("empty", ["", "\n\n", "[]"])
def test_empty_input_is_valid(tmp_path, empty):
    f = tmp_path / "empty.json"
    f.write_text(empty, encoding="utf-8")
    code, out, _ = run(f)
    assert code == 0 and out.startswith("0 postbacks checked")


def test_adattributionkit_postbacks_in_the_same_log(tmp_path):
    aak = json.loads((ROOT / "tests" / "data" / "skan" / "aak_example.json").read_text(encoding="utf-8"))["postback"]
    h, p, s = aak["jws-string"].split(".")
    other_kid = base64.urlsafe_b64encode(b'{"kid":"apple-cas-identifier/0","alg":"ES256"}').rstrip(b"=").decode()
    f = jsonl(tmp_path / "mixed.jsonl", [V4, aak, dict(aak, **{"jws-string": f"{other_kid}.{p}.{s}"}),
                                         dict(aak, **{"jws-string": f"{h}.{p}"})])
    code, out, _ = run("--json", f)
    recs = records(out)
    assert code == 2
    assert [(r["status"], r["version"]) for r in recs[:-1]] == [
        ("valid", "4.0"), ("valid", "AAK"), ("invalid", "AAK"), ("malformed", "AAK")]
    assert recs[1]["transaction_id"] == "85546EB7-FD39-44BC-8990-C98A4AC36A49"
    assert "apple-cas-identifier/0" in recs[2]["reason"] and "3 parts" in recs[3]["reason"]


def test_example_log_shown_in_the_readme():
    log = ROOT / "tests" / "data" / "skan" / "example_log.jsonl"
    code, out, _ = run("--json", log)
    recs = records(out)
    assert code == 2
    assert [r["status"] for r in recs[:-1]] == ["valid"] * 7 + ["invalid", "malformed"]
    # line 7 is Apple's example with conversion-value changed: not signed, so still valid
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[6])["conversion-value"] != V4["conversion-value"]
    assert recs[8]["field"] == "source-identifier"
