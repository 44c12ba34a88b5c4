"""Reading postbacks from files: one JSON object, a JSON array, concatenated objects, or JSON lines.

Real postback logs are usually JSON lines (one postback per line); those are read one line at a
time, so a log of millions of postbacks never sits in memory. A file whose first line is not a whole
JSON value (a pretty-printed object, an array) is read as JSON documents instead.

Each postback comes back as an :class:`Item` with its location: ``file:LINE`` for a line or an
object, ``file:LINE[INDEX]`` for the item of an array that starts at ``LINE`` (``INDEX`` counts from 0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, NamedTuple

from helpers.messages import t

__all__ = ["Item", "iter_stream", "iter_text"]

_WS = re.compile(r"\s*")
_BROKEN = object()


class Item(NamedTuple):
    """One JSON value read from a source: the parsed ``value``, or an ``error`` text saying why the
    text there is not JSON. ``line`` counts from 1; ``index`` is the position in a JSON array."""

    source: str
    line: int
    index: int | None
    value: object
    error: str | None

    @property
    def location(self) -> str:
        where = f"{self.source}:{self.line}"
        return where if self.index is None else f"{where}[{self.index}]"


def _json_error(exc: json.JSONDecodeError, line: int) -> str:
    return t("skan_cli.not_json", problem=exc.msg, line=line, column=exc.colno)


def _documents(text: str, source: str, line_offset: int) -> Iterator[Item]:
    """Concatenated JSON values in ``text`` (a single object or array is the usual case)."""
    decoder = json.JSONDecoder()
    pos, last, line, n = 0, 0, line_offset + 1, len(text)
    while True:
        pos = _WS.match(text, pos).end()
        if pos >= n:
            return
        line += text.count("\n", last, pos)
        last = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Item(source, line_offset + exc.lineno, None, None, _json_error(exc, line_offset + exc.lineno))
            return
        if isinstance(value, list):
            for i, v in enumerate(value):
                yield Item(source, line, i, v, None)
        else:
            yield Item(source, line, None, value, None)
        pos = end


def _as_text(raw, line: int) -> tuple[str | None, str | None]:
    """A line (or the rest of a file) as text; bytes are decoded as UTF-8 (a leading BOM is dropped)."""
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff") if line == 1 else raw, None
    if line == 1:
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        where = line + raw.count(b"\n", 0, exc.start)
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, t("skan_cli.not_utf8", problem=exc.reason, line=where, column=column)


def _lines(lines, source: str, first_line: int) -> Iterator[Item]:
    for lineno, raw in enumerate(lines, start=first_line):
        text, error = _as_text(raw, lineno)
        if error is not None:
            yield Item(source, lineno, None, None, error)
            continue
        s = text.strip()
        if not s:
            continue
        try:
            value = json.loads(s)
        except json.JSONDecodeError as exc:
            yield Item(source, lineno, None, None, _json_error(exc, lineno))
        else:
            yield Item(source, lineno, None, value, None)


def _parses_alone(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def iter_stream(stream: IO[str] | IO[bytes], source: str) -> Iterator[Item]:
    """The JSON values in a stream (an open file, ``sys.stdin``, text or bytes), with their locations.

    Bytes are decoded as UTF-8 line by line, so one corrupt line is reported (as an item with an
    ``error``) and the lines after it are still read. JSON lines are read one line at a time.
    """
    lineno = 0
    for raw in stream:
        lineno += 1
        text, error = _as_text(raw, lineno)
        if error is not None:
            yield Item(source, lineno, None, None, error)
            yield from _lines(stream, source, lineno + 1)
            return
        s = text.strip()
        if not s:
            continue
        try:
            value = json.loads(s)
        except json.JSONDecodeError:
            value = _BROKEN
        if s.startswith("[") or value is _BROKEN:
            rest_raw = stream.read()
            rest, error = _as_text(rest_raw, lineno + 1)
            if error is not None:  # not UTF-8 somewhere: report line by line
                yield from _lines([raw, *rest_raw.splitlines()], source, lineno)
                return
            following = next((x for x in rest.splitlines() if x.strip()), "")
            if not s.startswith("[") and s.startswith("{") and following and _parses_alone(following.strip()):
                # JSON lines whose first line is broken
                yield from _lines([text, *rest.splitlines()], source, lineno)
            else:
                # one document over several lines: a pretty-printed object, an array, concatenated objects
                yield from _documents(text + rest, source, lineno - 1)
            return
        yield Item(source, lineno, None, value, None)
        yield from _lines(stream, source, lineno + 1)
        return


def iter_text(text: str, source: str = "<text>") -> Iterator[Item]:
    """The JSON values in a text (a JSON object, array, or JSON lines), with their locations."""
    import io

    return iter_stream(io.StringIO(text), source)
