"""Shared pieces of :mod:`helpers.deeplinks`: the error class, JSON loading and URL components.

Nothing here is specific to Apple or Google; :mod:`.aasa` and :mod:`.assetlinks` build on it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, unquote

__all__ = ["DeepLinkConfigError", "json_path", "parse_json", "read_json_file", "describe_type"]


class DeepLinkConfigError(ValueError):
    """An ``apple-app-site-association`` or ``assetlinks.json`` file that cannot be used as it is.

    The message names what is wrong and where: a JSON path such as
    ``applinks.details[1].components[0]["/"]`` for a value of the wrong kind, or the line and column
    for text that is not JSON at all. The same facts are kept as attributes for programs:
    ``location`` (the JSON path, or ``None``), ``line`` and ``column`` (1-based, or ``None``) and
    ``source`` (a file name, or ``None``).
    """

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        self.problem = message
        self.location = location
        self.line = line
        self.column = column
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}, column {self.column}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem

    def with_source(self, source: str) -> DeepLinkConfigError:
        """The same error, naming the file it came from."""
        return DeepLinkConfigError(
            self.problem, location=self.location, line=self.line, column=self.column, source=source
        )


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def json_path(parts: Sequence[str | int]) -> str:
    """``["applinks", "details", 1, "/"]`` -> ``applinks.details[1]["/"]`` (``$`` for the root)."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "$"


def describe_type(value: object) -> str:
    """How a JSON value is called in messages: ``a number (42)``, ``text ("x")``, ``a list``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a true/false value ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text ({json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_json(data: str | bytes | bytearray, what: str) -> object:
    """Parse JSON text; invalid text raises :class:`DeepLinkConfigError` with line and column.

    ``what`` names the file kind in messages (``"the AASA file"``). Bytes are decoded as UTF-8 (a
    byte-order mark is allowed and skipped).
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DeepLinkConfigError(
                f"{what} is not UTF-8 text (byte {exc.start} is {bytes(data)[exc.start]:#04x}); "
                "save it as UTF-8 JSON"
            ) from None
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    if not text.strip():
        raise DeepLinkConfigError(f"{what} is empty; expected a JSON document")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeepLinkConfigError(
            f"{what} is not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None


def read_json_file(path: str | os.PathLike[str], what: str) -> tuple[object, int]:
    """Read and parse a JSON file; returns ``(document, size in bytes)``.

    A missing or unreadable file raises :class:`DeepLinkConfigError` too (a CLI reports all of
    these the same way).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DeepLinkConfigError(f"no file at {p}", source=str(p)) from None
    except IsADirectoryError:
        raise DeepLinkConfigError(f"{p} is a folder, not a file", source=str(p)) from None
    except OSError as exc:
        raise DeepLinkConfigError(f"cannot read {p}: {exc.strerror}", source=str(p)) from None
    try:
        return parse_json(raw, what), len(raw)
    except DeepLinkConfigError as exc:
        raise exc.with_source(str(p)) from None


# --- URL components ---------------------------------------------------------------------------

# Characters left as they are when a URL component is put in its percent-encoded form: RFC 3986
# unreserved and sub-delims, ":" "@" "/" "?" and "%" (already-encoded triplets stay as they are).
_SAFE_ENCODED = "!$&'()*+,;=:@/?~-._%"
_TRIPLET = re.compile(r"%[0-9a-fA-F]{2}")


def encoded_form(text: str) -> str:
    """``text`` as it travels in a URL: non-ASCII and unsafe characters percent-encoded (UTF-8),
    existing ``%xx`` triplets kept but written in upper case (``%c3%a9`` -> ``%C3%A9``)."""
    if text.isascii() and " " not in text and '"' not in text and "%" not in text:
        return text
    out = quote(text, safe=_SAFE_ENCODED, errors="surrogatepass")
    return _TRIPLET.sub(lambda m: m.group(0).upper(), out)


def decoded_form(text: str) -> str:
    """``text`` with every ``%xx`` triplet decoded (UTF-8; undecodable bytes become U+FFFD)."""
    return unquote(text, errors="replace") if "%" in text else text
