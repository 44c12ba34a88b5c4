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


def _lines(lines, source: str, first_line: int) -> Iterator[Item]:
    for lineno, raw in enumerate(lines, start=first_line):
        s = raw.strip()
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


def iter_stream(stream: IO[str], source: str) -> Iterator[Item]:
    """The JSON values in a text stream (an open file, ``sys.stdin``), with their locations."""
    lineno = 0
    for raw in stream:
        lineno += 1
        s = raw.strip()
        if not s:
            continue
        if s.startswith("["):
            yield from _documents(raw + stream.read(), source, lineno - 1)
            return
        try:
            value = json.loads(s)
        except json.JSONDecodeError:
            # not one value per line: a pretty-printed object, or JSON lines with a broken first line
            rest = stream.read()
            following = next((x for x in rest.splitlines() if x.strip()), "")
            if s.startswith("{") and following and _parses_alone(following.strip()):
                yield from _lines([raw, *rest.splitlines()], source, lineno)
            else:
                yield from _documents(raw + rest, source, lineno - 1)
            return
        yield Item(source, lineno, None, value, None)
        yield from _lines(stream, source, lineno + 1)
        return


def iter_text(text: str, source: str = "<text>") -> Iterator[Item]:
    """The JSON values in a text (a JSON object, array, or JSON lines), with their locations."""
    import io

    return iter_stream(io.StringIO(text), source)
