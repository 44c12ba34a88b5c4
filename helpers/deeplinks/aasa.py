"""Apple Universal Links: which app (if any) an ``apple-app-site-association`` file opens for a URL.

:func:`match_universal_link` answers with the app IDs; :func:`explain_universal_link` also says which
rule decided and why. Both follow Apple's documented rules (reference file section C1, from Apple's
``applinks`` documentation, WWDC19 session 717 and Apple's forum answers):

* ``applinks.details`` entries are walked in file order and, inside an entry, its rules in order:
  **the first match wins**. A later entry is consulted only when no rule of the earlier ones matched.
* An entry with ``components`` (iOS 13+) ignores its ``paths``; an entry without ``components`` uses
  the legacy ``paths`` list (iOS 9-12 format).
* Patterns: ``*`` matches any run of characters, including none and including ``/``; ``?`` matches
  exactly one character; ``?*`` therefore needs at least one. A pattern must match the **whole**
  component (``/help`` does not match ``/help/faq``).
* A component object's ``/`` (path), ``?`` (query) and ``#`` (fragment) patterns all default to
  ``*``; a URL matches the object when it matches every one of them.
* ``?`` may be a dictionary of query item name -> pattern: every listed item must match, unlisted
  items are ignored, a repeated item must match in every occurrence, and an absent item (or one
  without a value) is matched as the empty string.
* ``exclude: true`` on the first matching rule stops matching: the link opens in the browser.
  Legacy ``"NOT /path"`` strings are exclusions the same way.
* ``caseSensitive`` and ``percentEncoded`` default to ``true`` and can be set in
  ``applinks.defaults`` (every entry), in an entry's ``defaults`` and on each component object; the
  more specific level wins. Legacy ``paths`` are always case-sensitive.
* ``$(name)`` in a pattern stands for any one of the strings of ``applinks.substitutionVariables``
  ``name``, or of Apple's predefined variables ``$(alpha)`` ``$(upper)`` ``$(lower)`` ``$(alnum)``
  ``$(digit)`` ``$(xdigit)`` (one character each) ``$(region)`` and ``$(lang)`` (ISO codes, see
  :mod:`helpers.deeplinks._iso`). Variable values may hold ``*`` and ``?`` but not other variables.
* App IDs come from ``appIDs`` (a list) and the legacy ``appID`` (one string); when an entry has both,
  both are used (``appIDs`` first).

Choices where Apple's documentation is silent (flagged as interpretations in the reference):

* ``percentEncoded: true`` compares the URL component in its percent-encoded form (non-ASCII and
  spaces encoded, hex digits in upper case) with the pattern as written; ``false`` percent-decodes
  both the URL component and the literal parts of the pattern first.
* A string ``?`` pattern is matched against the whole raw query (without the leading ``?``); a query
  dictionary's item names are compared exactly (ignoring case when ``caseSensitive`` is false).
* An exclusion stops all matching, including later ``details`` entries (Apple: "stop pattern
  matching and prevent the universal link from opening"); so does a legacy ``NOT`` path.
* An unknown ``$(name)`` is kept as literal text (:func:`helpers.deeplinks.lint_aasa` warns).
* A URL without a path (``https://example.com``) is matched as ``/``, as browsers send it.
* Only ``http`` and ``https`` URLs can be universal links; a host is compared without case.
* A 2021 report says iOS 15 did not respect the order of ``details`` (2nd source, unconfirmed);
  this module follows Apple's documented order.

How patterns are matched (not a rule of Apple's; it only makes answers arrive in time): a run of
wildcards counts once (``**`` is ``*``, ``?*`` is "at least one character"); a pattern with at most one
``*`` run and unambiguous variables becomes a regular expression, which Python then matches in time
proportional to (text length) x (pattern length); any other pattern (``/*a*a*a*b``, several
variables whose values overlap, values holding wildcards) is matched by a small matcher that never
backtracks (``_Glob``), so a client's file or a long URL can never make matching hang.

>>> aasa = {"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
...     "components": [{"/": "/help/*", "exclude": True}, {"/": "/*"}]}]}}
>>> match_universal_link(aasa, "https://example.com/shop/42")
['ABCDE12345.com.example.app']
>>> match_universal_link(aasa, "https://example.com/help/faq")
[]
>>> explain_universal_link(aasa, "https://example.com/help/faq").reason
'details[0].components[0] {"/": "/help/*", "exclude": true} excludes /help/faq'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from helpers.deeplinks import _iso
from helpers.deeplinks._common import (
    DeepLinkConfigError,
    build_from_bytes,
    decoded_form,
    describe_type,
    encoded_form,
    json_path,
    read_file_bytes,
)
from helpers.messages import t

__all__ = [
    "AASA_SIZE_LIMIT",
    "AssociationFile",
    "UniversalLinkDecision",
    "PREDEFINED_VARIABLES",
    "parse_aasa",
    "load_aasa",
    "match_universal_link",
    "explain_universal_link",
    "pattern_to_regex",
]

#: Apple's size limit for the file: 128 KB (App Search Programming Guide, revision of 2016-04-01).
AASA_SIZE_LIMIT = 128 * 1024

_UPPER = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER = tuple("abcdefghijklmnopqrstuvwxyz")
_DIGIT = tuple("0123456789")

#: Apple's predefined substitution variables and the strings each one stands for.
PREDEFINED_VARIABLES: dict[str, tuple[str, ...]] = {
    "alpha": _UPPER + _LOWER,
    "upper": _UPPER,
    "lower": _LOWER,
    "alnum": _UPPER + _LOWER + _DIGIT,
    "digit": _DIGIT,
    "xdigit": _DIGIT + tuple("ABCDEFabcdef"),
    "region": _iso.REGIONS,
    "lang": _iso.LANGUAGES,
}

_VARIABLE = re.compile(r"\$\(([^$()]*)\)")
_COMPONENT_KEYS = ("/", "?", "#", "exclude", "comment", "caseSensitive", "percentEncoded")
_FLAG_KEYS = ("caseSensitive", "percentEncoded")


# --- the decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UniversalLinkDecision:
    """What iOS does with one URL, given an AASA file, and why.

    ``app_ids`` are the apps of the deciding ``details`` entry (empty when the link opens in the
    browser); ``matched`` is true when a rule let the app open the URL, ``excluded`` when an exclusion
    (``exclude: true`` or ``NOT``) decided; ``detail_index`` / ``rule_index`` locate the deciding rule
    in ``applinks.details[...]`` and its ``components`` (or ``paths``) list; ``rule`` is that
    component object or path string; ``format`` is ``"components"`` or ``"paths"``; ``reason`` says
    it in words.
    """

    url: str
    app_ids: list[str]
    matched: bool
    excluded: bool
    detail_index: int | None
    rule_index: int | None
    rule: dict | str | None
    format: str | None
    reason: str

    @property
    def opens_app(self) -> bool:
        """True when the link opens an app (``app_ids`` is not empty)."""
        return bool(self.app_ids)


# --- patterns ----------------------------------------------------------------------------------


def _literal(text: str, encoded: bool) -> str:
    if encoded:
        return re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group(0).upper(), text) if "%" in text else text
    return decoded_form(text)


def _wildcard_runs(text: str) -> list[tuple[bool, str | tuple[int, bool]]]:
    """``text`` cut into literal runs ``(False, text)`` and wildcard runs ``(True, (q, star))``.

    A run of ``*`` and ``?`` characters matches ``q`` characters (its ``?`` count) when it holds no
    ``*``, and at least ``q`` when it does: ``**`` is ``*``, ``?*`` and ``*?`` are "at least one".
    """
    out: list[tuple[bool, str | tuple[int, bool]]] = []
    for piece in re.split(r"([*?]+)", text):
        if not piece:
            continue
        if piece[0] in "*?":
            out.append((True, (piece.count("?"), "*" in piece)))
        else:
            out.append((False, piece))
    return out


def _wildcards_to_regex(text: str, encoded: bool) -> str:
    """Regex source for a pattern without variables: ``*`` -> ``.*``, ``?`` -> ``.``, rest literal.

    A run of wildcards becomes one quantifier (``**`` -> ``.*``, ``?*`` -> ``.{1,}``), never two
    ``.*`` in a row.
    """
    out = []
    for wild, piece in _wildcard_runs(text):
        if not wild:
            out.append(re.escape(_literal(piece, encoded)))
            continue
        q, star = piece
        if star:
            out.append(".*" if q == 0 else f".{{{q},}}")
        else:
            out.append("." if q == 1 else f".{{{q}}}")
    return "".join(out)


def _trie_regex(words: Sequence[str]) -> str:
    """One regex for a set of literal strings, factored by common prefixes (fast to try)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        leaves = sorted(ch for ch, sub in node.items() if ch and list(sub) == [""])
        inner = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch and list(sub) != [""]]
        parts = list(inner)
        if len(leaves) == 1:
            parts.append(re.escape(leaves[0]))
        elif leaves:
            parts.append("[" + "".join(re.escape(c) for c in leaves) + "]")
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 and (len(inner) == 0 or not end) else "(?:" + "|".join(parts) + ")"
        if end:
            body = body if body.startswith("(?:") else "(?:" + body + ")"
            return body + "?"
        return body

    return build(trie)


def _words(values: tuple[str, ...], encoded: bool, fold: bool) -> list[str]:
    """The literal strings of a variable's values; lower-cased and de-duplicated when ``fold`` (a
    case-insensitive pattern) and they are ASCII, so the regex has one branch per matching text."""
    words = [_literal(v, encoded) for v in values]
    if fold and all(w.isascii() for w in words):
        words = list(dict.fromkeys(w.lower() for w in words))
    return words


@functools.lru_cache(maxsize=256)
def _alternatives(values: tuple[str, ...], encoded: bool, fold: bool = False) -> str:
    """Regex for "any one of ``values``" (a substitution variable)."""
    if not values:
        return "(?!)"
    if not any(c in v for v in values for c in "*?"):
        words = _words(values, encoded, fold)
        if "" in words:
            return "(?:" + _trie_regex([w for w in words if w]) + ")?" if len(words) > 1 else ""
        return "(?:" + _trie_regex(words) + ")"
    seen = dict.fromkeys(_wildcards_to_regex(v, encoded) for v in values)
    return "(?:" + "|".join(seen) + ")"


@functools.lru_cache(maxsize=256)
def _guard(values: tuple[str, ...], encoded: bool, following: str, fold: bool = False) -> str:
    """A cheap look-ahead that rejects most texts before the alternatives of a variable are tried.

    For literal values of lengths ``m..n`` made of the characters ``C``, followed in the pattern by
    the literal character ``f``: ``(?=[C]{m,n}f)``. Purely a speed-up (it never changes a result).
    """
    if not values or any(c in v for v in values for c in "*?") or not following:
        return ""
    words = _words(values, encoded, fold)
    lengths = {len(w) for w in words}
    chars = sorted(set("".join(words)))
    if not chars or min(lengths) == 0 or len(chars) > 64:
        return ""
    cls = "[" + "".join(re.escape(c) for c in chars) + "]"
    low, high = min(lengths), max(lengths)
    count = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
    return f"(?={cls}{count}{re.escape(following)})"


def pattern_to_regex(
    pattern: str,
    variables: Mapping[str, Sequence[str]] | None = None,
    *,
    encoded: bool = True,
    case_sensitive: bool = True,
) -> str:
    """The regular expression (source, to be used with ``fullmatch``) for one AASA pattern.

    ``variables`` are the file's custom substitution variables; they take precedence over Apple's
    predefined ones of the same name. An unknown ``$(name)`` stays literal text. With
    ``case_sensitive=False`` the source is meant for ``re.IGNORECASE``.

    Python's regular expressions backtrack: a pattern with several ``*`` (``/*a*a*a*b``) can take
    exponential time on a long text. This module matches such patterns without regular
    expressions (see :func:`_regex_is_safe`); use this function's result only on trusted patterns.

    >>> import re
    >>> bool(re.fullmatch(pattern_to_regex("/item/?*"), "/item/"))
    False
    >>> bool(re.fullmatch(pattern_to_regex("/$(lang)/shop"), "/ko/shop"))
    True
    """
    variables = variables or {}
    out = []
    pos = 0
    for m in _VARIABLE.finditer(pattern):
        out.append(_wildcards_to_regex(pattern[pos : m.start()], encoded))
        name = m.group(1)
        values = variables.get(name, PREDEFINED_VARIABLES.get(name))
        if values is not None:
            values = tuple(values)
            following = pattern[m.end() : m.end() + 1]
            if following and following not in "*?$":
                out.append(_guard(values, encoded, _literal(following, encoded)[:1], not case_sensitive))
            out.append(_alternatives(values, encoded, not case_sensitive))
        else:
            out.append(re.escape(_literal(m.group(0), encoded)))
        pos = m.end()
    out.append(_wildcards_to_regex(pattern[pos:], encoded))
    return "".join(out)


def _compile(source: str, case_sensitive: bool) -> re.Pattern[str]:
    return re.compile(source, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def _prefix_free(words: Iterable[str]) -> bool:
    """True when no word is a proper prefix of another (at most one word matches at a position)."""
    ordered = sorted(set(words))
    return all(not b.startswith(a) for a, b in zip(ordered, ordered[1:], strict=False))


def _regex_is_safe(pattern: str, variables: Mapping[str, Sequence[str]] | None, encoded: bool,
                   case_sensitive: bool) -> bool:
    """True when Python's backtracking regex engine matches ``pattern`` in O(len(text) x len(pattern)).

    That holds when the pattern has at most one run of wildcards holding a ``*`` (the only place the
    engine can go back to), and every substitution variable's alternatives are literal strings of
    which at most one can match at a given place (prefix-free, after lower-casing when the pattern
    ignores case): then from each start the rest of the pattern can match in one way only. Anything
    else (``/*a*a*b``, ``$(x)$(x)`` with ``x`` = ``a``, ``aa``, values holding wildcards) is matched
    by :class:`_Glob`, which never backtracks.
    """
    unbounded = 0
    pos = 0
    for m in _VARIABLE.finditer(pattern) if variables is not None else ():
        unbounded += sum(1 for wild, piece in _wildcard_runs(pattern[pos : m.start()]) if wild and piece[1])
        values = variables.get(m.group(1), PREDEFINED_VARIABLES.get(m.group(1)))
        if values is not None:
            if any(c in v for v in values for c in "*?"):
                return False
            words = _words(tuple(values), encoded, not case_sensitive)
            if not case_sensitive and not all(w.isascii() for w in words):
                return False
            if not _prefix_free(words):
                return False
        pos = m.end()
    unbounded += sum(1 for wild, piece in _wildcard_runs(pattern[pos:]) if wild and piece[1])
    return unbounded <= 1


def _fold_char(ch: str) -> str:
    """One character with case removed, keeping the length (``ß`` stays ``ß``, ``ſ`` -> ``s``)."""
    up = ch.upper()
    if len(up) == 1:
        low = up.lower()
        if len(low) == 1:
            return low
    low = ch.lower()
    return low if len(low) == 1 else ch


def _fold(text: str) -> str:
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


# Tokens of a compiled glob: (_LIT, text) | (_ONE, count) | (_STAR, 0) | (_ALT, (tokens, ...)).
_LIT, _ONE, _STAR, _ALT = 0, 1, 2, 3


def _glob_tokens(text: str, encoded: bool, fold: bool) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    for wild, piece in _wildcard_runs(text):
        if not wild:
            lit = _literal(piece, encoded)
            lit = _fold(lit) if fold else lit
            if lit:
                out.append((_LIT, lit))
            continue
        q, star = piece
        if q:
            out.append((_ONE, q))
        if star and not (out and out[-1][0] == _STAR):
            out.append((_STAR, 0))
    return out


class _Glob:
    """An AASA pattern matched without backtracking (same answers as its regular expression).

    The set of text positions reachable after each pattern token is kept as the bits of an integer:
    a literal keeps the positions where it occurs (found with ``str.find``) and moves them past it,
    ``?`` moves every position one character on, ``*`` reaches every position from the first one
    on, and a substitution variable is the union over its alternatives. The work is proportional to
    (pattern tokens) x (text length), whatever the pattern: ``/*a*a*a*a*a*a*a*a*b`` on a long path
    costs a few microseconds instead of minutes.
    """

    __slots__ = ("tokens", "fold", "pattern")

    def __init__(self, pattern: str, variables: Mapping[str, Sequence[str]] | None, encoded: bool,
                 case_sensitive: bool) -> None:
        fold = not case_sensitive
        self.pattern = pattern
        self.fold = fold
        tokens: list[tuple[int, Any]] = []
        pos = 0
        for m in _VARIABLE.finditer(pattern) if variables is not None else ():
            tokens += _glob_tokens(pattern[pos : m.start()], encoded, fold)
            values = variables.get(m.group(1), PREDEFINED_VARIABLES.get(m.group(1)))
            if values is None:
                lit = _literal(m.group(0), encoded)
                tokens.append((_LIT, _fold(lit) if fold else lit))
            else:
                alts = dict.fromkeys(tuple(_glob_tokens(v, encoded, fold)) for v in values)
                tokens.append((_ALT, tuple(alts)))
            pos = m.end()
        tokens += _glob_tokens(pattern[pos:], encoded, fold)
        self.tokens = tuple(tokens)

    def fullmatch(self, text: str) -> bool:
        if self.fold:
            text = _fold(text)
        n = len(text)
        reached = _advance(self.tokens, text, 1, (1 << (n + 1)) - 1, {})
        return bool(reached >> n & 1)

    def __repr__(self) -> str:
        return f"_Glob({self.pattern!r})"


def _occurrences(text: str, lit: str, masks: dict[str, int]) -> int:
    """Bit ``p`` set for every ``p`` where ``text`` continues with ``lit`` (overlaps included)."""
    mask = masks.get(lit)
    if mask is None:
        mask = 0
        p = text.find(lit)
        while p != -1:
            mask |= 1 << p
            p = text.find(lit, p + 1)
        masks[lit] = mask
    return mask


def _advance(tokens: Sequence[tuple[int, Any]], text: str, reached: int, full: int, masks: dict[str, int]) -> int:
    for kind, arg in tokens:
        if not reached:
            return 0
        if kind == _LIT:
            reached = (reached & _occurrences(text, arg, masks)) << len(arg)
        elif kind == _ONE:
            reached = (reached << arg) & full
        elif kind == _STAR:
            lowest = reached & -reached
            reached = full & ~(lowest - 1)
        else:
            out = 0
            for alt in arg:
                out |= _advance(alt, text, reached, full, masks)
            reached = out
    return reached


def _matcher(pattern: str, variables: Mapping[str, Sequence[str]] | None, encoded: bool, case_sensitive: bool):
    """Something with ``fullmatch(text)`` for one pattern: a compiled regex when that is safe
    (:func:`_regex_is_safe`), else a :class:`_Glob`. ``variables=None``: ``$(...)`` is plain text
    (legacy ``paths``)."""
    if _regex_is_safe(pattern, variables, encoded, case_sensitive):
        if variables is None:
            source = _wildcards_to_regex(pattern, encoded)
        else:
            source = pattern_to_regex(pattern, variables, encoded=encoded, case_sensitive=case_sensitive)
        return _compile(source, case_sensitive)
    return _Glob(pattern, variables, encoded, case_sensitive)


# --- URL parts ---------------------------------------------------------------------------------


def _split_slow(text: str) -> tuple[str, str | None, str, str, str]:
    """``(scheme, host, path, query, fragment)`` of a URL, with :func:`urllib.parse.urlsplit`."""
    parts = urlsplit(text)
    try:
        host = parts.hostname
    except ValueError:
        host = None
    return parts.scheme.lower(), host, parts.path, parts.query, parts.fragment


def _split(text: str) -> tuple[str, str | None, str, str, str]:
    """:func:`_split_slow`'s answer, computed directly for plain ``http(s)://`` URLs (most of them).

    Anything unusual (non-ASCII, control characters, upper-case scheme, ``[`` or ``%`` in the host
    part) goes through ``urlsplit``.
    """
    if text.startswith("https://"):
        scheme, start = "https", 8
    elif text.startswith("http://"):
        scheme, start = "http", 7
    else:
        return _split_slow(text)
    if not (text.isascii() and text.isprintable()):
        return _split_slow(text)
    end = len(text)
    for mark in "/?#":
        pos = text.find(mark, start, end)
        if pos != -1:
            end = pos
    netloc = text[start:end]
    if "[" in netloc or "]" in netloc or "%" in netloc:
        return _split_slow(text)
    rest = text[end:]
    fragment = query = ""
    if "#" in rest:
        rest, fragment = rest.split("#", 1)
    if "?" in rest:
        rest, query = rest.split("?", 1)
    host = netloc.rpartition("@")[2].partition(":")[0].lower() or None
    return scheme, host, rest, query, fragment


class _Url:
    """One URL split once, with its components in encoded and decoded form on demand."""

    __slots__ = ("text", "host", "scheme", "path", "query", "fragment", "bare", "_cache")

    def __init__(self, url: str) -> None:
        if not isinstance(url, str):
            raise TypeError(t("errors.deeplinks.aasa.url_type", type=type(url).__name__))
        self.text = url
        text = url.strip()
        self.bare = text.startswith("/") and not text.startswith("//")
        if self.bare:
            _, _, path, self.query, self.fragment = _split("https://_" + text)
            self.scheme, self.host = "", None
        else:
            self.scheme, self.host, path, self.query, self.fragment = _split(text)
        self.path = path or "/"
        self._cache: dict[tuple[str, bool], Any] = {}

    def component(self, which: str, encoded: bool) -> str:
        key = (which, encoded)
        value = self._cache.get(key)
        if value is None:
            raw = getattr(self, which)
            value = encoded_form(raw) if encoded else decoded_form(raw)
            self._cache[key] = value
        return value

    def query_items(self, encoded: bool) -> list[tuple[str, str]]:
        key = ("items", encoded)
        items = self._cache.get(key)
        if items is None:
            items = []
            for piece in self.query.split("&"):
                if not piece:
                    continue
                name, _, value = piece.partition("=")
                if encoded:
                    items.append((encoded_form(name), encoded_form(value)))
                else:
                    items.append((decoded_form(name), decoded_form(value)))
            self._cache[key] = items
        return items

    def shown(self) -> str:
        """Path, query and fragment as written, for messages (``/help/faq?x=1``)."""
        out = self.path
        if self.query:
            out += "?" + self.query
        if self.fragment:
            out += "#" + self.fragment
        return out


# --- compiled rules ----------------------------------------------------------------------------


class _Rule:
    """One component object or one legacy path string, ready to test URLs."""

    __slots__ = ("index", "raw", "exclude", "encoded", "case_sensitive", "path_source", "path_re",
                 "query_re", "query_items", "fragment_re", "has_variables", "plain")

    def __init__(self, index: int, raw: dict | str, exclude: bool, encoded: bool, case_sensitive: bool,
                 path: str, variables: Mapping[str, Sequence[str]] | None) -> None:
        self.index = index
        self.raw = raw
        self.exclude = exclude
        self.encoded = encoded
        self.case_sensitive = case_sensitive
        self.path_re = _matcher(path, variables, encoded, case_sensitive)
        # The regex source when the path is safe to combine with other rules' (None: a _Glob).
        self.path_source = self.path_re.pattern if isinstance(self.path_re, re.Pattern) else None
        self.query_re: Any = None
        self.query_items: list[tuple[str, Any]] | None = None
        self.fragment_re: Any = None
        self.has_variables = False
        self.plain = True  # no query or fragment pattern (set by _component_rule)

    def rest_matches(self, url: _Url) -> bool:
        """Query and fragment (the path was tested already)."""
        if self.plain:
            return True
        if self.query_re is not None and not self.query_re.fullmatch(url.component("query", self.encoded)):
            return False
        if self.query_items is not None:
            items = url.query_items(self.encoded)
            for name, regex in self.query_items:
                if self.case_sensitive:
                    values = [v for n, v in items if n == name]
                else:
                    low = name.lower()
                    values = [v for n, v in items if n.lower() == low]
                if not values:
                    values = [""]
                if not all(regex.fullmatch(v) for v in values):
                    return False
        if self.fragment_re is not None and not self.fragment_re.fullmatch(
            url.component("fragment", self.encoded)
        ):
            return False
        return True

    def matches(self, url: _Url) -> bool:
        return bool(self.path_re.fullmatch(url.component("path", self.encoded))) and self.rest_matches(url)


def _first_segment(pattern: str, encoded: bool) -> str | None:
    """The literal first path segment every path matching ``pattern`` has, or ``None``.

    ``/product/*`` -> ``product``; ``/cart`` -> ``cart``; ``/product*``, ``*`` or ``/$(lang)/x`` ->
    ``None`` (the first segment is not fixed).
    """
    cut = len(pattern)
    for mark in ("*", "?", "$("):
        pos = pattern.find(mark)
        if pos != -1:
            cut = min(cut, pos)
    head = _literal(pattern[:cut], encoded)
    if not head.startswith("/"):
        return None
    slash = head.find("/", 1)
    if slash != -1:
        return head[1:slash]
    return head[1:] if cut == len(pattern) else None


class _Chunk:
    """Consecutive rules sharing ``percentEncoded``, matched together.

    Rules whose first path segment is fixed (``/product/...``) are filed under that segment; for a
    URL only its own segment's rules and the rules without a fixed segment are tried, in file order,
    through one combined regular expression per such set (built on first use and kept). The first
    alternative that matches the whole path is the first rule in file order whose path matches.
    """

    __slots__ = ("rules", "encoded", "sensitive", "insensitive", "generic", "_combined")

    def __init__(self, rules: list[_Rule]) -> None:
        self.rules = rules
        self.encoded = rules[0].encoded
        self.sensitive: dict[str, list[int]] = {}
        self.insensitive: dict[str, list[int]] = {}
        self.generic: list[int] = []
        for position, r in enumerate(rules):
            pattern = r.raw if isinstance(r.raw, str) else r.raw.get("/", "*")
            if isinstance(r.raw, str) and r.exclude:
                pattern = pattern[4:]
            seg = _first_segment(pattern, self.encoded)
            if seg is None or (not r.case_sensitive and not seg.isascii()):
                self.generic.append(position)
            elif r.case_sensitive:
                self.sensitive.setdefault(seg, []).append(position)
            else:
                self.insensitive.setdefault(seg.lower(), []).append(position)
        self._combined: dict[tuple, list[tuple[re.Pattern[str] | None, list[int]]]] = {}

    def _candidates(self, key: tuple[str | None, str | None]) -> list[tuple[re.Pattern[str] | None, list[int]]]:
        """The rules to try for a first-segment key, in file order, as groups: consecutive rules with
        a regex-safe path share one combined regex; a rule matched by a :class:`_Glob` is alone
        (regex ``None``), so no combined regex can backtrack catastrophically."""
        found = self._combined.get(key)
        if found is None:
            positions = sorted(self.generic + self.sensitive.get(key[0], []) + self.insensitive.get(key[1], [])) \
                if key != (None, None) else list(self.generic)
            found = []
            run: list[int] = []

            def close() -> None:
                if run:
                    parts = []
                    for p in run:
                        r = self.rules[p]
                        parts.append(f"({r.path_source})" if r.case_sensitive else f"((?i:{r.path_source}))")
                    found.append((re.compile("|".join(parts), re.DOTALL), list(run)))
                    run.clear()

            for p in positions:
                if self.rules[p].path_source is None:
                    close()
                    found.append((None, [p]))
                else:
                    run.append(p)
            close()
            self._combined[key] = found
        return found

    def first_match(self, url: _Url) -> _Rule | None:
        path = url.component("path", self.encoded)
        slash = path.find("/", 1)
        seg = path[1:slash] if slash != -1 else path[1:]
        key = (seg if seg in self.sensitive else None,
               seg.lower() if self.insensitive and seg.lower() in self.insensitive else None)
        groups = self._combined.get(key)
        if groups is None:
            groups = self._candidates(key)
        for combined, positions in groups:
            if combined is None:
                rule = self.rules[positions[0]]
                if rule.path_re.fullmatch(path) and rule.rest_matches(url):
                    return rule
                continue
            m = combined.fullmatch(path)
            if m is None:
                continue
            start = m.lastindex - 1
            rule = self.rules[positions[start]]
            if rule.plain or rule.rest_matches(url):
                return rule
            for p in positions[start + 1 :]:
                rule = self.rules[p]
                if rule.path_re.fullmatch(path) and rule.rest_matches(url):
                    return rule
        return None


@dataclass
class _Entry:
    index: int
    app_ids: list[str]
    format: str | None  # "components", "paths" or None (nothing to match)
    rules: list[_Rule]
    chunks: list[_Chunk]

    def first_match(self, url: _Url) -> _Rule | None:
        for chunk in self.chunks:
            rule = chunk.first_match(url)
            if rule is not None:
                return rule
        return None


def _chunks(rules: list[_Rule]) -> list[_Chunk]:
    out: list[_Chunk] = []
    run: list[_Rule] = []
    for r in rules:
        if run and r.encoded != run[0].encoded:
            out.append(_Chunk(run))
            run = []
        run.append(r)
    if run:
        out.append(_Chunk(run))
    return out


# --- validation and compilation -----------------------------------------------------------------


def _fail(parts: Sequence[str | int], key: str, value: object = None, **params: object) -> DeepLinkConfigError:
    """The error ``errors.deeplinks.aasa.<key>`` about the value at ``parts`` (``got``: what ``value`` is)."""
    where = json_path(parts)
    return DeepLinkConfigError(t(f"errors.deeplinks.aasa.{key}", where=where, got=describe_type(value), **params),
                               location=where, parts=parts)


def _require_bool(value: object, parts: Sequence[str | int]) -> bool:
    if not isinstance(value, bool):
        raise _fail(parts, "bool", value)
    return value


def _require_text(value: object, parts: Sequence[str | int], example: str) -> str:
    if not isinstance(value, str):
        raise _fail(parts, "text", value, example=example)
    return value


def _flags(obj: Mapping[str, Any], parts: Sequence[str | int], inherited: dict[str, bool]) -> dict[str, bool]:
    out = dict(inherited)
    for key in _FLAG_KEYS:
        if key in obj:
            out[key] = _require_bool(obj[key], [*parts, key])
    return out


def _defaults(obj: Mapping[str, Any], parts: Sequence[str | int], inherited: dict[str, bool]) -> dict[str, bool]:
    if "defaults" not in obj:
        return dict(inherited)
    value = obj["defaults"]
    if not isinstance(value, dict):
        raise _fail([*parts, "defaults"], "defaults", value)
    return _flags(value, [*parts, "defaults"], inherited)


def _variables(applinks: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    if "substitutionVariables" not in applinks:
        return {}
    value = applinks["substitutionVariables"]
    base = ["applinks", "substitutionVariables"]
    if not isinstance(value, dict):
        raise _fail(base, "variables", value)
    out = {}
    for name, strings in value.items():
        if any(ch in name for ch in "$()"):
            raise _fail([*base, name], "variable_name")
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise _fail([*base, name], "variable_values", strings)
        out[name] = tuple(strings)
    return out


def _app_ids(entry: Mapping[str, Any], parts: Sequence[str | int]) -> list[str]:
    ids: list[str] = []
    if "appIDs" in entry:
        value = entry["appIDs"]
        if isinstance(value, str):
            raise _fail([*parts, "appIDs"], "app_ids_text", value, fixed=json.dumps(value))
        if not isinstance(value, list):
            raise _fail([*parts, "appIDs"], "app_ids", value)
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise _fail([*parts, "appIDs", i], "app_ids_item", v)
            if v not in ids:
                ids.append(v)
    if "appID" in entry:
        value = entry["appID"]
        if not isinstance(value, str):
            raise _fail([*parts, "appID"], "app_id", value)
        if value not in ids:
            ids.append(value)
    return ids


def _component_rule(comp: object, parts: list[str | int], index: int, flags: dict[str, bool],
                    variables: Mapping[str, Sequence[str]]) -> _Rule:
    if not isinstance(comp, dict):
        raise _fail(parts, "component", comp)
    flags = _flags(comp, parts, flags)
    encoded, case_sensitive = flags["percentEncoded"], flags["caseSensitive"]
    exclude = _require_bool(comp["exclude"], [*parts, "exclude"]) if "exclude" in comp else False
    path = _require_text(comp["/"], [*parts, "/"], '"/help/*"') if "/" in comp else "*"
    rule = _Rule(index, comp, exclude, encoded, case_sensitive, path, variables)
    rule.has_variables = "$(" in path
    if "?" in comp:
        query = comp["?"]
        if isinstance(query, str):
            if query != "*":
                rule.query_re = _matcher(query, variables, encoded, case_sensitive)
        elif isinstance(query, dict):
            items = []
            for name, pattern in query.items():
                _require_text(pattern, [*parts, "?", name], '"?*"')
                key = encoded_form(name) if encoded else decoded_form(name)
                items.append((key, _matcher(pattern, variables, encoded, case_sensitive)))
            rule.query_items = items
        else:
            raise _fail([*parts, "?"], "query", query)
    if "#" in comp:
        fragment = _require_text(comp["#"], [*parts, "#"], '"section-*"')
        if fragment != "*":
            rule.fragment_re = _matcher(fragment, variables, encoded, case_sensitive)
    rule.plain = rule.query_re is None and rule.query_items is None and rule.fragment_re is None
    return rule


def _path_rule(raw: object, parts: list[str | int], index: int) -> _Rule:
    if not isinstance(raw, str):
        raise _fail(parts, "path_rule", raw)
    exclude = raw.startswith("NOT ")
    pattern = raw[4:] if exclude else raw
    # Legacy paths: path only, case-sensitive, no substitution variables.
    return _Rule(index, raw, exclude, True, True, pattern, None)


def _details_list(applinks: Mapping[str, Any]) -> list[tuple[list[str | int], dict, list[str] | None]]:
    """``(json path, entry, app IDs from a legacy dict key or None)`` for every details entry."""
    if "details" not in applinks:
        return []
    details = applinks["details"]
    if isinstance(details, list):
        out = []
        for i, entry in enumerate(details):
            parts: list[str | int] = ["applinks", "details", i]
            if not isinstance(entry, dict):
                raise _fail(parts, "details_entry", entry)
            out.append((parts, entry, None))
        return out
    if isinstance(details, dict):
        # iOS 9 pre-release form: {"TEAMID.bundle": {"paths": [...]}}
        out = []
        for app_id, entry in details.items():
            parts = ["applinks", "details", app_id]
            if not isinstance(entry, dict):
                raise _fail(parts, "details_dict_entry", entry)
            out.append((parts, entry, [app_id]))
        return out
    raise _fail(["applinks", "details"], "details", details)


class AssociationFile:
    """A parsed and checked ``apple-app-site-association`` file, ready to match many URLs quickly.

    Build it with :func:`parse_aasa` (or :func:`load_aasa`) once, then call :meth:`match` /
    :meth:`explain` for each URL; :func:`match_universal_link` accepts it in place of the JSON.
    """

    def __init__(self, document: object, size_bytes: int | None = None) -> None:
        self.document = document
        self.size_bytes = size_bytes
        self.text: str | None = None  # the JSON text, when the file was given as text
        if not isinstance(document, dict):
            raise DeepLinkConfigError(
                t("errors.deeplinks.aasa.root", got=describe_type(document)),
                location="$",
            )
        self.has_applinks = "applinks" in document
        applinks = document.get("applinks", {})
        if not isinstance(applinks, dict):
            raise _fail(["applinks"], "applinks", applinks)
        self.variables = _variables(applinks)
        root_flags = _defaults(applinks, ["applinks"], {"caseSensitive": True, "percentEncoded": True})
        self.entries: list[_Entry] = []
        for position, (parts, entry, dict_ids) in enumerate(_details_list(applinks)):
            ids = _app_ids(entry, parts) if dict_ids is None else dict_ids
            flags = _defaults(entry, parts, root_flags)
            rules: list[_Rule] = []
            fmt: str | None = None
            if "components" in entry:
                comps = entry["components"]
                if not isinstance(comps, list):
                    raise _fail([*parts, "components"], "components", comps)
                fmt = "components"
                rules = [
                    _component_rule(c, [*parts, "components", i], i, flags, self.variables)
                    for i, c in enumerate(comps)
                ]
            elif "paths" in entry:
                paths = entry["paths"]
                if isinstance(paths, str):
                    raise _fail([*parts, "paths"], "paths_text", paths, fixed=json.dumps(paths))
                if not isinstance(paths, list):
                    raise _fail([*parts, "paths"], "paths", paths)
                fmt = "paths"
                rules = [_path_rule(p, [*parts, "paths", i], i) for i, p in enumerate(paths)]
            if "paths" in entry and fmt == "components":
                # Still checked, so a broken legacy list is reported even though iOS 13+ ignores it.
                paths = entry["paths"]
                if not isinstance(paths, list):
                    raise _fail([*parts, "paths"], "paths", paths)
                for i, p in enumerate(paths):
                    _path_rule(p, [*parts, "paths", i], i)
            self.entries.append(_Entry(position, ids, fmt, rules, _chunks(rules)))

    # -- matching --

    def _decide(self, url: _Url, domain: str | None, installed: frozenset[str] | None):
        bare_path = url.bare  # a path such as "/help": matched on the file's own domain
        if not bare_path and url.scheme not in ("http", "https"):
            return ("scheme" if url.scheme else "not_url", None, None)
        if not bare_path and domain is not None and _host(url.host or "") != _host(domain):
            return ("domain", None, None)
        if not self.has_applinks:
            return ("no_applinks", None, None)
        for entry in self.entries:
            if not entry.app_ids or entry.format is None:
                continue
            if installed is not None and not installed.intersection(entry.app_ids):
                continue
            rule = entry.first_match(url)
            if rule is not None:
                return ("exclude" if rule.exclude else "match", entry, rule)
        return ("nomatch", None, None)

    def match(self, url: str, domain: str | None = None, *, installed_app_ids: Iterable[str] | None = None) -> list[str]:
        """The app IDs that open ``url`` (``[]``: it opens in the browser). See :func:`match_universal_link`."""
        installed = _installed(installed_app_ids)
        kind, entry, _ = self._decide(_Url(url), domain, installed)
        if kind != "match":
            return []
        return _visible_ids(entry.app_ids, installed)

    def explain(self, url: str, domain: str | None = None, *, installed_app_ids: Iterable[str] | None = None) -> UniversalLinkDecision:
        """The decision for ``url`` with the deciding rule and a reason. See :func:`explain_universal_link`."""
        installed = _installed(installed_app_ids)
        u = _Url(url)
        kind, entry, rule = self._decide(u, domain, installed)
        if kind in ("scheme", "not_url", "domain", "no_applinks", "nomatch"):
            params = {"url": url, "scheme": u.scheme or "?", "host": u.host or "?", "domain": domain,
                      "where": u.shown()}
            if kind == "nomatch" and installed is not None:
                kind = "nomatch_installed"
            return UniversalLinkDecision(url, [], False, False, None, None, None, None,
                                         t(f"deeplinks.aasa.{kind}", **params))
        where = f"{json_path(['details', entry.index])}.{entry.format}[{rule.index}]"
        shown_rule = rule.raw
        rule_text = json.dumps(shown_rule, ensure_ascii=False)
        if kind == "exclude":
            reason = t("deeplinks.aasa.excluded", where=where, rule=rule_text, path=u.shown())
            return UniversalLinkDecision(url, [], False, True, entry.index, rule.index, shown_rule,
                                         entry.format, reason)
        ids = _visible_ids(entry.app_ids, installed)
        reason = t("deeplinks.aasa.matched", where=where, rule=rule_text, path=u.shown(), apps=", ".join(ids))
        return UniversalLinkDecision(url, ids, True, False, entry.index, rule.index, shown_rule, entry.format, reason)


def _installed(ids: Iterable[str] | None) -> frozenset[str] | None:
    if ids is None:
        return None
    return frozenset([ids] if isinstance(ids, str) else ids)  # one app ID given as text is one app


def _visible_ids(ids: list[str], installed: frozenset[str] | None) -> list[str]:
    return list(ids) if installed is None else [i for i in ids if i in installed]


def _host(host: str) -> str:
    host = host.strip().lower()
    if "://" in host:
        host = urlsplit(host).hostname or host
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host


# --- public functions --------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _parse_text(text: str | bytes) -> AssociationFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return build_from_bytes(data, t("errors.deeplinks.what.aasa"), AssociationFile)


def parse_aasa(aasa: object) -> AssociationFile:
    """Check an AASA file and prepare it for matching.

    ``aasa`` is the parsed JSON (a dict), its text (``str`` or ``bytes``) or an
    :class:`AssociationFile` (returned as is); the same content is prepared only once. A file that is not valid JSON, or
    whose values have the wrong kind (``"exclude": "true"``, ``"appIDs": "ABC.com.x"``...), raises
    :class:`~helpers.deeplinks.DeepLinkConfigError` naming the place.
    """
    if isinstance(aasa, AssociationFile):
        return aasa
    if isinstance(aasa, str | bytes | bytearray):
        return _parse_text(bytes(aasa) if isinstance(aasa, bytearray) else aasa)
    if isinstance(aasa, dict):
        # The same dict content is prepared once (a notebook may call this for every URL).
        try:
            key = json.dumps(aasa, sort_keys=False, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return AssociationFile(aasa)
        return _parse_document(key)
    return AssociationFile(aasa)


@functools.lru_cache(maxsize=64)
def _parse_document(key: str) -> AssociationFile:
    return AssociationFile(json.loads(key))


def load_aasa(path) -> AssociationFile:
    """Read an ``apple-app-site-association`` file from disk (errors name the file, line and column)."""
    return build_from_bytes(read_file_bytes(path), t("errors.deeplinks.what.aasa"), AssociationFile, str(path))


def match_universal_link(aasa: object, url: str, domain: str | None = None, *,
                         installed_app_ids: Iterable[str] | None = None) -> list[str]:
    """The app IDs of the ``details`` entry whose rule first matches ``url`` on iOS.

    Returns ``[]`` when no rule matches, when an exclusion matches first, when the URL is not
    ``http``/``https``, or when ``domain`` (the host the file was served from) is given and is not
    the URL's host. ``aasa`` is the parsed JSON, its text, or :func:`parse_aasa`'s result (fastest
    for many URLs). ``url`` may also be a bare path (``"/help/faq"``) on the file's own domain.
    ``installed_app_ids``: only apps installed on the device take part (an entry whose apps
    are all missing is skipped, as iOS does).

    The decision is the same as :func:`explain_universal_link`'s (this function only skips writing
    the reason). The rules followed are listed in this module's documentation.

    >>> match_universal_link('{"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],'
    ...     ' "components": [{"/": "/item/?*"}]}]}}', "https://example.com/item/42")
    ['ABCDE12345.com.example.app']
    """
    return parse_aasa(aasa).match(url, domain, installed_app_ids=installed_app_ids)


def explain_universal_link(aasa: object, url: str, domain: str | None = None, *,
                           installed_app_ids: Iterable[str] | None = None) -> UniversalLinkDecision:
    """Like :func:`match_universal_link`, with the deciding rule and a reason in words.

    >>> d = explain_universal_link({"applinks": {"details": [{"appIDs": ["ABCDE12345.com.example.app"],
    ...     "components": [{"/": "/item/*"}]}]}}, "https://example.com/cart")
    >>> d.matched, d.app_ids, d.reason
    (False, [], 'no rule matches /cart: the link opens in the browser')
    """
    return parse_aasa(aasa).explain(url, domain, installed_app_ids=installed_app_ids)
