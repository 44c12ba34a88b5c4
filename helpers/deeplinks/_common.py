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

from helpers.messages import t

__all__ = ["DeepLinkConfigError", "json_path", "parse_json_path", "locate", "parse_json", "read_file_bytes",
           "build_from_bytes", "describe_type"]


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
        parts: Sequence[str | int] | None = None,
    ) -> None:
        self.problem = message
        self.location = location
        self.parts = tuple(parts) if parts is not None else None
        self.line = line
        self.column = column
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(t("errors.deeplinks.config.at_line", line=self.line, column=self.column))
        prefix = ": ".join(where)
        return f"{prefix}: {self.problem}" if prefix else self.problem

    def with_source(self, source: str | None) -> DeepLinkConfigError:
        """The same error, naming the file it came from."""
        return DeepLinkConfigError(
            self.problem, location=self.location, line=self.line, column=self.column, source=source,
            parts=self.parts,
        )

    def with_text(self, text: str) -> DeepLinkConfigError:
        """The same error with the line and column of its JSON path in ``text`` (when found)."""
        if self.line is not None or self.parts is None:
            return self
        found = locate(text, self.parts)
        if found is None:
            return self
        return DeepLinkConfigError(self.problem, location=self.location, line=found[0], column=found[1],
                                   source=self.source, parts=self.parts)


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


_PATH_TOKEN = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_json_path(path: str) -> tuple[str | int, ...] | None:
    """The inverse of :func:`json_path`: ``applinks.details[1]["/"]`` -> ``("applinks", "details", 1, "/")``.

    ``None`` when ``path`` is not in that form.
    """
    if path == "$":
        return ()
    parts: list[str | int] = []
    pos = 0
    while pos < len(path):
        m = _PATH_TOKEN.match(path, pos)
        if m is None:
            return None
        if m.group(1) is not None:
            parts.append(m.group(1))
        elif m.group(2) is not None:
            parts.append(int(m.group(2)))
        else:
            parts.append(json.loads(m.group(3)))
        pos = m.end()
    return tuple(parts)


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def locate(text: str, parts: Sequence[str | int]) -> tuple[int, int] | None:
    """``(line, column)`` (1-based) where the value at the JSON path ``parts`` starts in ``text``.

    For an object member the position is that of its key. ``None`` when the text is not valid JSON
    or has no such value. A repeated key is found at its last occurrence (the one JSON readers keep).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        pos = _WS.match(text, 0).end()
        mark = pos
        for part in parts:
            if pos >= len(text):
                return None
            opener = text[pos]
            pos = _WS.match(text, pos + 1).end()
            found = None
            if opener == "{" and isinstance(part, str):
                while text[pos] != "}":
                    key_start = pos
                    key, pos = json.decoder.scanstring(text, pos + 1)
                    pos = _WS.match(text, pos).end() + 1  # the colon
                    pos = _WS.match(text, pos).end()
                    if key == part:
                        found = (key_start, pos)
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _WS.match(text, pos).end()
                    if text[pos] == ",":
                        pos = _WS.match(text, pos + 1).end()
            elif opener == "[" and isinstance(part, int):
                index = 0
                while text[pos] != "]":
                    if index == part:
                        found = (pos, pos)
                        break
                    _, pos = _DECODER.raw_decode(text, pos)
                    pos = _WS.match(text, pos).end()
                    if text[pos] == ",":
                        pos = _WS.match(text, pos + 1).end()
                    index += 1
            if found is None:
                return None
            mark, pos = found
    except (ValueError, IndexError):
        return None
    line = text.count("\n", 0, mark) + 1
    column = mark - (text.rfind("\n", 0, mark) + 1) + 1
    return line, column


def describe_type(value: object) -> str:
    """How a JSON value is called in messages: ``a number (42)``, ``text ("x")``, ``a list``..."""
    if value is None:
        return t("errors.deeplinks.type.null")
    if isinstance(value, bool):
        return t("errors.deeplinks.type.bool", value=json.dumps(value))
    if isinstance(value, int | float):
        return t("errors.deeplinks.type.number", value=repr(value))
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return t("errors.deeplinks.type.text", value=json.dumps(shown, ensure_ascii=False))
    if isinstance(value, list):
        return t("errors.deeplinks.type.list")
    if isinstance(value, dict):
        return t("errors.deeplinks.type.object")
    return type(value).__name__


def parse_json(data: str | bytes | bytearray, what: str) -> object:
    """Parse JSON text; invalid text raises :class:`DeepLinkConfigError` with line and column.

    ``what`` names the file kind in messages (``t("errors.deeplinks.what.aasa")``: "the AASA file"). Bytes are decoded as UTF-8 (a
    byte-order mark is allowed and skipped).
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DeepLinkConfigError(t("errors.deeplinks.config.not_utf8", what=what, position=exc.start,
                                        byte=f"{bytes(data)[exc.start]:#04x}")) from None
    else:
        text = data[1:] if data.startswith("\ufeff") else data
    if not text.strip():
        raise DeepLinkConfigError(t("errors.deeplinks.config.empty", what=what))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeepLinkConfigError(
            t("errors.deeplinks.config.not_json", what=what, detail=exc.msg), line=exc.lineno, column=exc.colno
        ) from None


def read_file_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file; a missing or unreadable file raises :class:`DeepLinkConfigError`."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise DeepLinkConfigError(t("errors.deeplinks.config.no_file", path=p), source=str(p)) from None
    except IsADirectoryError:
        raise DeepLinkConfigError(t("errors.deeplinks.config.folder", path=p), source=str(p)) from None
    except OSError as exc:
        raise DeepLinkConfigError(t("errors.deeplinks.config.unreadable", path=p, reason=exc.strerror), source=str(p)) from None


def build_from_bytes(raw: bytes, what: str, factory, source: str | None = None):
    """Parse JSON ``raw`` and return ``factory(document, size)`` with its ``text`` kept.

    Errors name ``source`` (a file name) when given; an error at a JSON path also gets the line and
    column of that place in the text.
    """
    try:
        document = parse_json(raw, what)
    except DeepLinkConfigError as exc:
        raise (exc.with_source(source) if source else exc) from None
    text = raw.decode("utf-8-sig")
    try:
        built = factory(document, len(raw))
    except DeepLinkConfigError as exc:
        exc = exc.with_text(text)
        raise (exc.with_source(source) if source else exc) from None
    built.text = text
    return built


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
