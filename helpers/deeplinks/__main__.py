"""Command-line validator for deep-link files: ``python -m helpers.deeplinks``.

``check-aasa FILE [URL ...]``
    For each URL, which app an ``apple-app-site-association`` file opens (or "no app") and which rule
    decided; then the file's lint warnings. ``--domain HOST`` is the host the file is served from,
    ``--expect-app APPID`` / ``--expect-no-app`` say what every URL should do, ``--installed APPID``
    limits the apps on the device.
``check-assetlinks FILE --package NAME --fingerprint HEX [--url URL ...]``
    Whether an ``assetlinks.json`` verifies the app, which statement decided, and for each URL whether
    Android 15+ opens it in the app under the file's Dynamic App Links rules; then lint warnings.

``--json`` prints one JSON object instead of text. Exit codes (for scripts):

0  every URL did what was expected (by default: opened an app) and the app is verified;
1  some URL did not, or the app is not verified (with ``--strict``, also: the file has warnings);
2  the file is missing or malformed (the message names the place), or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from helpers.deeplinks._common import DeepLinkConfigError, build_from_bytes, locate
from helpers.deeplinks.aasa import AssociationFile, load_aasa
from helpers.deeplinks.assetlinks import (
    HANDLE_ALL_URLS,
    AssetLinksFile,
    load_assetlinks,
    normalize_fingerprint,
)
from helpers.deeplinks.lint import LintWarning, lint_aasa, lint_assetlinks
from helpers.messages import t

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error also honours ``--json`` (exit code 2 either way)."""

    json_mode = False

    def error(self, message: str):
        if _Parser.json_mode:
            print(json.dumps({"ok": False, "error": message}))
            raise SystemExit(EXIT_ERROR)
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m helpers.deeplinks",
        description=t("deeplinks.cli.description"),
        epilog=t("deeplinks.cli.epilog"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    aasa = sub.add_parser("check-aasa", help=t("deeplinks.cli.check_aasa_help"),
                          description=t("deeplinks.cli.check_aasa_help"), epilog=t("deeplinks.cli.epilog"),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    aasa.add_argument("file", metavar="FILE", help=t("deeplinks.cli.file_help"))
    aasa.add_argument("urls", metavar="URL", nargs="*", default=[], help=t("deeplinks.cli.urls_help"))
    aasa.add_argument("--domain", metavar="HOST", help=t("deeplinks.cli.domain_help"))
    expect = aasa.add_mutually_exclusive_group()
    expect.add_argument("--expect-app", metavar="APPID", help=t("deeplinks.cli.expect_app_help"))
    expect.add_argument("--expect-no-app", action="store_true", help=t("deeplinks.cli.expect_no_app_help"))
    aasa.add_argument("--installed", metavar="APPID", action="append", help=t("deeplinks.cli.installed_help"))
    aasa.add_argument("--json", action="store_true", help=t("deeplinks.cli.json_help"))
    aasa.add_argument("--strict", action="store_true", help=t("deeplinks.cli.strict_help"))

    links = sub.add_parser("check-assetlinks", help=t("deeplinks.cli.check_assetlinks_help"),
                           description=t("deeplinks.cli.check_assetlinks_help"), epilog=t("deeplinks.cli.epilog"),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    links.add_argument("file", metavar="FILE", help=t("deeplinks.cli.file_help"))
    links.add_argument("--package", metavar="NAME", required=True, help=t("deeplinks.cli.package_help"))
    links.add_argument("--fingerprint", metavar="HEX", required=True, help=t("deeplinks.cli.fingerprint_help"))
    links.add_argument("--url", metavar="URL", action="append", default=[], help=t("deeplinks.cli.url_help"))
    links.add_argument("--json", action="store_true", help=t("deeplinks.cli.json_help"))
    links.add_argument("--strict", action="store_true", help=t("deeplinks.cli.strict_help"))
    return parser


def _read(path: str, kind: str):
    """Load the file (``-``: standard input) as an :class:`AssociationFile` or :class:`AssetLinksFile`."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        if kind == "aasa":
            return build_from_bytes(raw, t("errors.deeplinks.what.aasa"), AssociationFile, "<stdin>")
        return build_from_bytes(raw, t("errors.deeplinks.what.assetlinks"), AssetLinksFile, "<stdin>")
    return load_aasa(path) if kind == "aasa" else load_assetlinks(path)


def _warning_lines(warnings: list[LintWarning]) -> list[str]:
    if not warnings:
        return [t("deeplinks.cli.no_warnings")]
    lines = [t("deeplinks.cli.warnings", count=len(warnings))]
    lines += [t("deeplinks.cli.warning_line", code=w.code, location=_where(w.location, w.line), message=w.message)
              for w in warnings]
    return lines


def _where(location: str, line: int | None) -> str:
    return location if line is None else t("deeplinks.cli.at_line", location=location, line=line)


def _warnings_json(warnings: list[LintWarning]) -> list[dict]:
    return [{"code": w.code, "location": w.location, "line": w.line, "message": w.message} for w in warnings]


def _with_line(reason: str, parsed, parts: tuple) -> str:
    if parsed.text is None or any(p is None for p in parts):
        return reason
    found = locate(parsed.text, parts)
    return reason if found is None else f"{reason} ({t('deeplinks.cli.line', line=found[0])})"


def _rule_line(parsed, prefix: tuple, d_index: int | None, rule_index: int | None, fmt: str | None) -> int | None:
    """The line of the deciding rule in the file's text (``None`` when unknown)."""
    if parsed.text is None or d_index is None or rule_index is None:
        return None
    found = locate(parsed.text, (*prefix, d_index, fmt, rule_index))
    return found[0] if found else None


def check_aasa(args: argparse.Namespace) -> int:
    parsed = _read(args.file, "aasa")
    warnings = lint_aasa(parsed)
    results = []
    all_ok = True
    for url in args.urls:
        d = parsed.explain(url, args.domain, installed_app_ids=args.installed)
        if args.expect_app:
            ok = args.expect_app in d.app_ids
        elif args.expect_no_app:
            ok = not d.app_ids
        else:
            ok = bool(d.app_ids)
        all_ok &= ok
        line = _rule_line(parsed, ("applinks", "details"), d.detail_index, d.rule_index, d.format)
        results.append((d, ok, line))
    if args.strict and warnings:
        all_ok = False
    if args.json:
        print(json.dumps({
            "file": args.file,
            "ok": all_ok,
            "urls": [{"url": d.url, "app_ids": d.app_ids, "matched": d.matched, "excluded": d.excluded,
                      "detail_index": d.detail_index, "rule_index": d.rule_index, "rule": d.rule,
                      "format": d.format, "rule_line": line, "reason": d.reason, "as_expected": ok}
                     for d, ok, line in results],
            "warnings": _warnings_json(warnings),
        }, ensure_ascii=False, indent=2))
    else:
        lines = []
        expectation = None
        if args.expect_app:
            expectation = t("deeplinks.cli.expected_app", app=args.expect_app)
        elif args.expect_no_app:
            expectation = t("deeplinks.cli.expected_no_app")
        for d, ok, line in results:
            outcome = t("deeplinks.cli.opens", apps=", ".join(d.app_ids)) if d.app_ids else t("deeplinks.cli.no_app")
            if expectation:
                outcome += f" ({t('deeplinks.cli.as_expected')})" if ok else \
                    f" ({t('deeplinks.cli.not_as_expected')}: {expectation})"
            reason = d.reason if line is None else f"{d.reason} ({t('deeplinks.cli.line', line=line)})"
            lines += [d.url, f"  {outcome}", f"  {reason}"]
        if lines:
            lines.append("")
        lines += _warning_lines(warnings)
        print("\n".join(lines))
    return EXIT_OK if all_ok else EXIT_FAILED


def check_assetlinks(args: argparse.Namespace) -> int:
    fingerprint = normalize_fingerprint(args.fingerprint)  # ValueError -> exit 2
    parsed = _read(args.file, "assetlinks")
    warnings = lint_assetlinks(parsed)
    decision = parsed.explain(args.package, fingerprint)
    url_results = [parsed.explain(args.package, fingerprint, url=u) for u in args.url]
    all_ok = decision.verified and all(r.url_allowed for r in url_results)
    if args.strict and warnings:
        all_ok = False
    if args.json:
        print(json.dumps({
            "file": args.file, "package": args.package, "fingerprint": fingerprint, "ok": all_ok,
            "verified": decision.verified, "statement_index": decision.statement_index,
            "reason": decision.reason,
            "urls": [{"url": u, "allowed": r.url_allowed, "rule_index": r.rule_index, "reason": r.url_reason}
                     for u, r in zip(args.url, url_results, strict=True)],
            "warnings": _warnings_json(warnings),
        }, ensure_ascii=False, indent=2))
    else:
        status = t("deeplinks.cli.verified") if decision.verified else t("deeplinks.cli.not_verified")
        lines = [f"{args.package}: {status}", f"  {_with_line(decision.reason, parsed, (decision.statement_index,))}"]
        for u, r in zip(args.url, url_results, strict=True):
            outcome = t("deeplinks.cli.url_opens_app") if r.url_allowed else t("deeplinks.cli.url_browser")
            rule_at = (r.statement_index, "relation_extensions", HANDLE_ALL_URLS, "dynamic_app_link_components",
                       r.rule_index)
            lines += [u, f"  {outcome}", f"  {_with_line(r.url_reason, parsed, rule_at)}"]
        lines.append("")
        lines += _warning_lines(warnings)
        print("\n".join(lines))
    return EXIT_OK if all_ok else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _Parser.json_mode = "--json" in argv
    parser = build_parser()
    # URLs may come after options too (check-aasa FILE --domain HOST URL URL): argparse stops
    # collecting positionals at the first option, so gather the rest here
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "check-aasa" or any(item.startswith("-") for item in extra):
            parser.parse_args(argv)  # the usual "unrecognized arguments" error and exit code
        args.urls = [*args.urls, *extra]
    try:
        if args.command == "check-aasa":
            return check_aasa(args)
        return check_assetlinks(args)
    except (DeepLinkConfigError, ValueError, TypeError) as exc:
        if args.json:
            payload = {"ok": False, "error": str(exc)}
            if isinstance(exc, DeepLinkConfigError):
                payload.update(location=exc.location, line=exc.line, column=exc.column)
            print(json.dumps(payload, ensure_ascii=False))
        else:
            print(t("deeplinks.cli.error", message=exc), file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
