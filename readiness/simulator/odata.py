"""The OData query forms Graph accepts on the collections the simulator serves.

Unsupported forms answer 400 as Graph does, never silently ignored. ``parse_filter`` returns a
predicate and whether the expression is an *advanced query* (needs ``ConsistencyLevel: eventual``
and ``$count=true`` on directory objects).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

Predicate = Callable[[dict], bool]


class QueryError(Exception):
    def __init__(self, message: str, code: str = "Request_UnsupportedQuery") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class ParsedFilter:
    predicate: Predicate
    advanced: bool
    properties: set[str]
    null_properties: set[str] = field(default_factory=set)
    starts_properties: set[str] = field(default_factory=set)  # properties used with startsWith


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)|(?P<colon>:)|"
    r"(?P<word>[A-Za-z0-9_./@#\-+:$]+?(?=[\s(),:]|$)|[A-Za-z0-9_./@#\-+$]+))"
)


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(f"Invalid filter clause: syntax error at position {pos} in '{text}'.", "BadRequest")
        kind = m.lastgroup or "word"
        out.append((kind, m.group(kind).strip()))
        pos = m.end()
    return out


class DateTimeLiteral(str):
    """An unquoted DateTimeOffset literal (``le 2019-06-01T00:00:00Z``): compared as an instant."""


def _instant(value: Any) -> Any:
    from datetime import datetime, timezone

    if not isinstance(value, str):
        return None
    try:
        got = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return got if got.tzinfo else got.replace(tzinfo=timezone.utc)


def _literal(tok: tuple[str, str]) -> Any:
    kind, val = tok
    if kind == "str":
        return val[1:-1].replace("''", "'")
    if kind == "dt":
        return DateTimeLiteral(val)
    low = val.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low == "null":
        return None
    if re.fullmatch(r"-?\d+", val):
        return int(val)
    return val  # unquoted GUIDs and datetimes


def _get(item: dict, path: str) -> Any:
    cur: Any = item
    for part in path.split("/"):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(right, DateTimeLiteral):
        left, right = _instant(left), _instant(right)
    left, right = _norm(left), _norm(right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError:
        return False


class _Parser:
    def __init__(self, text: str, allowed: set[str] | None) -> None:
        self.toks = _tokenize(text)
        self.i = 0
        self.advanced = False
        self.props: set[str] = set()
        self.null_props: set[str] = set()  # properties compared with null
        self.starts_props: set[str] = set()  # properties used with startsWith
        self.allowed = allowed
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (kind and tok[0] != kind) or (value and tok[1].lower() != value):
            raise QueryError(f"Invalid filter clause: expected {value or kind} in '{self.text}'.", "BadRequest")
        self.i += 1
        return tok

    def prop(self, name: str) -> str:
        root = name.split("/")[0]
        if self.allowed is not None and root not in self.allowed:
            raise QueryError(f"Unsupported or invalid query filter clause specified for property '{root}'.")
        self.props.add(root)
        return name

    def parse(self) -> Predicate:
        pred = self.expr()
        if self.peek() is not None:
            raise QueryError(f"Invalid filter clause: unexpected '{self.peek()[1]}' in '{self.text}'.", "BadRequest")
        return pred

    def expr(self) -> Predicate:
        left = self.conj()
        while (t := self.peek()) and t[0] == "word" and t[1].lower() == "or":
            self.i += 1
            right = self.conj()
            left = (lambda a, b: lambda it: a(it) or b(it))(left, right)
        return left

    def conj(self) -> Predicate:
        left = self.term()
        while (t := self.peek()) and t[0] == "word" and t[1].lower() == "and":
            self.i += 1
            right = self.term()
            left = (lambda a, b: lambda it: a(it) and b(it))(left, right)
        return left

    def term(self) -> Predicate:
        tok = self.peek()
        if tok is None:
            raise QueryError(f"Invalid filter clause: incomplete expression '{self.text}'.", "BadRequest")
        if tok[0] == "lp":
            self.i += 1
            inner = self.expr()
            self.take("rp")
            return inner
        word = tok[1]
        if word.lower() == "not":
            self.i += 1
            self.advanced = True
            inner = self.term()
            return lambda it: not inner(it)
        if word.lower() in ("startswith", "endswith"):
            self.i += 1
            if word.lower() == "endswith":
                self.advanced = True
            self.take("lp")
            path = self.prop(self.take("word")[1])
            self.take("comma")
            needle = str(_literal(self.take("str"))).lower()
            self.take("rp")
            if word.lower() == "startswith":
                self.starts_props.add(path.split("/")[0])
                return lambda it: str(_get(it, path) or "").lower().startswith(needle)
            return lambda it: str(_get(it, path) or "").lower().endswith(needle)
        self.i += 1
        lam = re.fullmatch(r"(.+)/any", word, re.IGNORECASE)
        if lam:
            return self.lambda_any(lam.group(1))
        counted = re.fullmatch(r"(.+)/\$count", word, re.IGNORECASE)
        if counted:  # assignedLicenses/$count eq 0: an advanced query (aad-advanced-queries, "Use of $count in $filter")
            return self.collection_count(counted.group(1))
        path = self.prop(word)
        op = self.take("word")[1].lower()
        if op == "in":  # 'in' works wherever 'eq' does (aad-advanced-queries)
            self.take("lp")
            values = [_norm(_literal(self.take()))]
            while (t := self.peek()) and t[0] == "comma":
                self.i += 1
                values.append(_norm(_literal(self.take())))
            self.take("rp")
            if None in values:
                self.null_props.add(path.split("/")[0])
            return lambda it: _norm(_get(it, path)) in values
        if op not in ("eq", "ne", "gt", "ge", "lt", "le"):
            raise QueryError(f"Invalid filter clause: unknown operator '{op}'.", "BadRequest")
        if op == "ne":
            self.advanced = True
        value = _literal(self.take())
        if value is None:
            self.null_props.add(path.split("/")[0])
        return lambda it: _compare(op, _get(it, path), value)

    def collection_count(self, coll: str) -> Predicate:
        coll = self.prop(coll)
        self.advanced = True
        op = self.take("word")[1].lower()
        value = _literal(self.take())
        if op not in ("eq", "ne", "gt", "ge", "lt", "le") or not isinstance(value, int) or isinstance(value, bool):
            raise QueryError(f"Invalid filter clause: '{coll}/$count' compares with a whole number in '{self.text}'.", "BadRequest")
        return lambda it: _compare(op, len(_get(it, coll) or []), value)

    def lambda_any(self, coll: str) -> Predicate:
        coll = self.prop(coll)
        self.take("lp")
        if (t := self.peek()) and t[0] == "rp":  # assignedLicenses/any()
            self.i += 1
            return lambda it: bool(_get(it, coll))
        var = self.take("word")[1]
        self.take("colon")
        target = self.take("word")[1]
        sub = target[len(var) + 1:] if target.startswith(var + "/") else ("" if target == var else None)
        if sub is None:
            raise QueryError(f"Invalid filter clause: lambda variable '{var}' not used in '{self.text}'.", "BadRequest")
        op = self.take("word")[1].lower()
        if op != "eq":
            raise QueryError("Invalid filter clause: only 'eq' is supported inside any().")
        value = _norm(_literal(self.take()))
        self.take("rp")

        def pred(it: dict) -> bool:
            for element in _get(it, coll) or []:
                got = _get(element, sub) if sub else element
                if _norm(got) == value:
                    return True
            return False

        return pred


def parse_filter(text: str, allowed: set[str] | None = None) -> ParsedFilter:
    parser = _Parser(text, allowed)
    pred = parser.parse()
    return ParsedFilter(pred, parser.advanced, parser.props, parser.null_props, parser.starts_props)


def parse_orderby(text: str, default: set[str], advanced: set[str]) -> tuple[list[tuple[str, bool]], bool]:
    """``$orderby=prop [asc|desc], ...`` -> [(prop, descending)], and whether it needs advanced query parameters."""
    keys, needs_advanced = [], False
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise QueryError(f"Invalid $orderby expression '{text}'.", "BadRequest")
        prop = words[0]
        if prop in advanced:
            needs_advanced = True
        elif prop not in default:
            raise QueryError(f"Sorting by the property '{prop}' is not supported.", "Request_UnsupportedQuery")
        keys.append((prop, len(words) == 2 and words[1].lower() == "desc"))
    return keys, needs_advanced


def sort_rows(rows: list[dict], keys: list[tuple[str, bool]]) -> list[dict]:
    for prop, desc in reversed(keys):  # stable sorts, last key first; nulls last
        present = [r for r in rows if _get(r, prop) is not None]
        missing = [r for r in rows if _get(r, prop) is None]
        present.sort(key=lambda r: _norm(_get(r, prop)), reverse=desc)
        rows = present + missing
    return rows


def parse_search(text: str) -> Predicate:
    """``$search="prop:words" [AND|OR "prop:words"]``: tokenized prefix match, as directory search does."""
    clauses = re.findall(r'"([^"]*)"|\b(AND|OR)\b', text)
    if not clauses or not text.strip().startswith('"'):
        raise QueryError("Syntax error: the $search value must be quoted, e.g. $search=\"displayName:wa\".", "BadRequest")
    preds: list[Predicate] = []
    ops: list[str] = []
    for quoted, op in clauses:
        if op:
            ops.append(op)
            continue
        prop, sep, term = quoted.partition(":")
        if not sep or not prop or not term:
            raise QueryError(f"Invalid $search clause '{quoted}': use \"property:value\".", "BadRequest")
        needle = term.lower()
        preds.append(lambda it, p=prop, n=needle: any(w.startswith(n) or str(_get(it, p) or "").lower().startswith(n)
                                                      for w in re.split(r"[\s._@\-]+", str(_get(it, p) or "").lower())))
    result = preds[0]
    for op, nxt in zip(ops, preds[1:]):
        result = (lambda a, b: lambda it: a(it) and b(it))(result, nxt) if op == "AND" else \
            (lambda a, b: lambda it: a(it) or b(it))(result, nxt)
    return result


def project(item: dict, select: list[str] | None) -> dict:
    if not select:
        return {k: v for k, v in item.items() if not k.startswith("_")}  # internal keys never leave
    out = {k: v for k, v in item.items() if k.startswith("@odata.type")}
    if "id" in item:  # Graph returns the key property even when $select leaves it out
        out["id"] = item["id"]
    for key in select:
        out[key] = item.get(key)
    return out


def parse_select(text: str | None, known: set[str] | None) -> list[str] | None:
    if text is None:
        return None
    fields = [f.strip() for f in text.split(",") if f.strip()]
    if not fields:
        raise QueryError("Invalid $select: empty list.", "BadRequest")
    if known is not None:
        for f in fields:
            if f not in known:
                raise QueryError(f"Could not find a property named '{f}' on type 'microsoft.graph.entity'.",
                                 "BadRequest")
    return fields


def parse_top(text: str | None, default: int, maximum: int) -> int:
    if text is None:
        return default
    try:
        top = int(text)
    except ValueError:
        raise QueryError(f"Invalid page size specified: '{text}'.", "BadRequest") from None
    if top < 1 or top > maximum:
        raise QueryError(f"Invalid page size specified: '{top}'. Must be between 1 and {maximum} inclusive.",
                         "Request_BadRequest")
    return top
