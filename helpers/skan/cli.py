"""``python -m helpers.skan verify FILE...``: check SKAdNetwork postback signatures in files or logs.

Every postback is reported as valid, invalid or malformed, with its location and the reason (see
``python -m helpers.skan verify --help``). Exit status: 0 all valid, 1 some invalid, 2 some
malformed or unreadable. Text comes from ``helpers/locale/templates/skan_cli.pot (and its translations)``.

JSON lines are read one line at a time and each key is loaded once, so big logs stream through.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO

from helpers.messages import t
from helpers.skan.aak import parse_aak_postback, verify_aak_postback
from helpers.skan.postbacks import (
    APPLE_KEY_FOR_VERSION,
    PostbackError,
    _verify_parsed,
    apple_public_key,
    load_public_key,
    parse_postback,
    test_signing_key,
)
from helpers.skan.reader import Item, iter_stream

__all__ = ["main", "check_item"]

EXIT_VALID, EXIT_INVALID, EXIT_MALFORMED = 0, 1, 2


def _apple_label(version: str) -> str:
    return t("skan_cli.key_apple", curve=APPLE_KEY_FOR_VERSION[version])


def _json_kind(value) -> str:
    kinds = t("skan_cli.json_kinds").split("|")
    if isinstance(value, list):
        return kinds[0]
    if isinstance(value, str):
        return kinds[1]
    if isinstance(value, bool):
        return kinds[3]
    if isinstance(value, (int, float)):
        return kinds[2]
    return kinds[4]


def check_item(item: Item, key=None, key_label: str | None = None) -> dict:
    """The verdict on one read item: ``{"status": "valid"|"invalid"|"malformed", "reason", "field",
    "version", "ad_network_id", "transaction_id"}``. ``key``: a loaded public key (``None``: Apple's
    key for the postback's version)."""
    out = {"location": item.location, "source": item.source, "line": item.line, "index": item.index,
           "status": "malformed", "reason": None, "field": None, "version": None, "ad_network_id": None,
           "transaction_id": None}
    if item.error is not None:
        out["reason"] = item.error
        return out
    if not isinstance(item.value, dict):
        out["reason"] = t("skan_cli.not_object", kind=_json_kind(item.value))
        return out
    raw = item.value
    if "jws-string" in raw:
        return _check_aak(raw, out, key, key_label)
    for k in ("version", "ad-network-id", "transaction-id"):
        if isinstance(raw.get(k), str):
            out[k.replace("-", "_")] = raw[k]
    try:
        pb = parse_postback(raw)
        version = pb.get("version", "1.0")
        out["version"] = version
        use = apple_public_key(version) if key is None else key
        ok = _verify_parsed(pb, use)
    except PostbackError as exc:
        out["reason"], out["field"] = str(exc), exc.field
        return out
    if ok:
        out["status"] = "valid"
        return out
    out["status"] = "invalid"
    reason = t("skan_cli.mismatch", key=key_label or _apple_label(version))
    if key is None and _verify_parsed(pb, test_signing_key().public_key()):
        reason = t("skan_cli.mismatch_test_key", reason=reason)
    out["reason"] = reason
    return out


def _check_aak(raw: dict, out: dict, key, key_label: str | None) -> dict:
    out["version"] = "AAK"
    try:
        parsed = parse_aak_postback(raw)
        out["ad_network_id"] = parsed["payload"]["ad-network-identifier"]
        out["transaction_id"] = parsed["payload"]["postback-identifier"]
        ok = verify_aak_postback(parsed["envelope"], key)
    except PostbackError as exc:
        out["reason"], out["field"] = str(exc), exc.field
        return out
    out["status"] = "valid" if ok else "invalid"
    if not ok:
        out["reason"] = t("skan_cli.mismatch", key=key_label or t("skan_cli.key_aak", kid=parsed["header"]["kid"]))
    return out


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers.skan", description=t("skan_cli.description"))
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help=t("skan_cli.verify_help"), description=t("skan_cli.verify_description"),
                            epilog=t("skan_cli.verify_epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    verify.add_argument("files", nargs="+", metavar="FILE", help=t("skan_cli.files_help"))
    keys = verify.add_mutually_exclusive_group()
    keys.add_argument("--key", metavar="PEM_OR_BASE64_FILE", help=t("skan_cli.key_help"))
    keys.add_argument("--test-key", action="store_true", help=t("skan_cli.test_key_help"))
    verify.add_argument("--json", action="store_true", help=t("skan_cli.json_help"))
    verify.add_argument("-q", "--quiet", action="store_true", help=t("skan_cli.quiet_help"))
    return parser


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


class _Report:
    def __init__(self, out: IO[str], as_json: bool, quiet: bool) -> None:
        self.out, self.as_json, self.quiet = out, as_json, quiet
        self.counts = {"valid": 0, "invalid": 0, "malformed": 0}
        self.files = self.unreadable = 0
        self.width = max(len(t(f"skan_cli.{s}")) for s in ("valid", "invalid", "malformed", "unreadable"))

    def postback(self, verdict: dict) -> None:
        status = verdict["status"]
        self.counts[status] += 1
        if self.quiet and status == "valid":
            return
        if self.as_json:
            self.out.write(json.dumps(verdict, ensure_ascii=False) + "\n")
            return
        label = t(f"skan_cli.{status}").ljust(self.width)
        if status == "valid":
            version = verdict["version"]
            kind = t("skan_cli.kind_aak") if version == "AAK" else t("skan_cli.kind_skan", version=version)
            self.out.write(t("skan_cli.line_ok", location=verdict["location"], status=label, kind=kind,
                             ad_network_id=verdict["ad_network_id"],
                             transaction_id=verdict["transaction_id"]) + "\n")
        else:
            self.out.write(t("skan_cli.line_bad", location=verdict["location"], status=label,
                             reason=verdict["reason"]) + "\n")

    def failed_file(self, location: str, reason: str) -> None:
        self.unreadable += 1
        if self.as_json:
            self.out.write(json.dumps({"location": location, "source": location, "status": "unreadable",
                                       "reason": reason}, ensure_ascii=False) + "\n")
        else:
            self.out.write(t("skan_cli.line_bad", location=location, status=t("skan_cli.unreadable").ljust(self.width),
                             reason=reason) + "\n")

    def exit_code(self) -> int:
        if self.counts["malformed"] or self.unreadable:
            return EXIT_MALFORMED
        return EXIT_INVALID if self.counts["invalid"] else EXIT_VALID

    def summary(self) -> None:
        numbers = {"postbacks": sum(self.counts.values()), "files": self.files, **self.counts,
                   "unreadable": self.unreadable}
        if self.as_json:
            self.out.write(json.dumps({"summary": {**numbers, "exit_code": self.exit_code()}}) + "\n")
        else:
            self.out.write(t("skan_cli.summary", **numbers) + "\n")


def _verify_command(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[str]) -> int:
    key, key_label = None, None
    if args.key:
        try:
            with open(args.key, "rb") as fh:
                key = load_public_key(fh.read())
        except (OSError, ValueError) as exc:
            err.write(t("skan_cli.bad_key", path=args.key, problem=_describe(exc)) + "\n")
            return EXIT_MALFORMED
        key_label = t("skan_cli.key_file", path=args.key)
    elif args.test_key:
        key, key_label = test_signing_key().public_key(), t("skan_cli.key_test")
    report = _Report(out, args.json, args.quiet)
    for path in args.files:
        report.files += 1
        name = t("skan_cli.stdin_name") if path == "-" else path
        last_line = 0
        try:
            stream = stdin if path == "-" else open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            report.failed_file(name, t("skan_cli.unreadable_reason", problem=_describe(exc)))
            continue
        try:
            for item in iter_stream(stream, name):
                last_line = item.line
                report.postback(check_item(item, key, key_label))
        except OSError as exc:
            report.failed_file(name, t("skan_cli.unreadable_after", line=last_line, problem=_describe(exc))
                               if last_line else t("skan_cli.unreadable_reason", problem=_describe(exc)))
        finally:
            if stream is not stdin:
                stream.close()
    report.summary()
    return report.exit_code()


def main(argv: Sequence[str] | None = None, *, out: IO[str] | None = None, err: IO[str] | None = None,
         stdin: IO[str] | None = None) -> int:
    """Run the command line; returns the exit status (``python -m helpers.skan`` exits with it)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    if stdin is None:
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: decoded line by line as UTF-8
    args = _parser().parse_args(argv)
    try:
        return _verify_command(args, out, err, stdin)
    except BrokenPipeError:  # the reader went away (e.g. piped into `head`): stop quietly
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_MALFORMED
