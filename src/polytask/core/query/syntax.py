"""Query parameters and `filter=` expressions to a filter tree.

Bracket forms (all equivalent where they overlap):

    status=open                      due_date[gte]=2024-01-01      due_date[$gte]=2024-01-01
    labels[in]=a,b                   labels[$in][]=a&labels[$in][]=b
    assignee=a&assignee=b            assignee[]=a&assignee[]=b     assignee[0]=a (qs indices)
    custom_fields.priority=High      custom_fields[priority]=High  (qs nested objects)

Expressions (`filter=`):

    (custom_fields.priority = High || priority = urgent) && due_date <= now+7d
        && assignee in (me, user_4) && name like 'launch%' && labels not in (spam)

`&&`/`and`, `||`/`or`, parentheses; comparisons `= == != > >= < <= in, not in, like`;
values bare or quoted with ' or "; `= null` / `!= null` test for absence / presence.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from polytask.core.errors import ValidationFailed
from polytask.core.query.tree import OPERATORS, Condition, Group, Node

MAX_EXPRESSION_LENGTH = 4000
MAX_CONDITIONS = 100
MAX_DEPTH = 16

_KEY = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)(?P<brackets>(?:\[[^\[\]]*\])*)$")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_MERGEABLE = {"in", "nin", "between", "contains"}


def _split_key(key: str) -> tuple[str, str, bool]:
    """`labels[$in][]` -> ("labels", "in", is_array)."""
    match = _KEY.match(key)
    if match is None:
        raise ValidationFailed.field(key, "is not a valid filter parameter name")
    name = match.group("name")
    op: str | None = None
    array = False
    for part in _BRACKET.findall(match.group("brackets")):
        token = part.strip().lstrip("$").lower()
        if token == "" or token.isdigit():
            array = True
        elif token in OPERATORS:
            if op is not None:
                raise ValidationFailed.field(key, "names more than one operator")
            op = token
        elif name == "custom_fields" and op is None and "." not in token and not array:
            name = f"custom_fields.{part.strip()}"
        else:
            raise ValidationFailed(
                f"Unknown operator '{part}' in '{key}'",
                {"field": key, "issue": f"unknown operator '{part}'", "allowed": list(OPERATORS)},
            )
    if op is None:
        op = "in" if array else "eq"
    elif array and op in ("eq", "ne"):
        op = "in" if op == "eq" else "nin"
    return name, op, array


def parse_params(items: Iterable[tuple[str, str]], reserved: Collection[str] = ()) -> list[Condition]:
    """Every query parameter whose name is not in `reserved` as a condition (ANDed by the caller).

    Repeated equality (`assignee=a&assignee=b`) and arrays (`assignee[]=a`) mean any of
    them; repeated list operators (`x[between][]=a&x[between][]=b`) collect their values.
    """
    groups: dict[tuple[str, str], tuple[list[str], str, bool]] = {}
    singles: list[Condition] = []
    for key, value in items:
        if key.split("[", 1)[0] in reserved:
            continue
        name, op, array = _split_key(key)
        if op == "eq" or op in _MERGEABLE or array:
            group = "in" if op == "eq" else op
            values, param, plain = groups.get((name, group), ([], key, True))
            values.append(value)
            groups[(name, group)] = (values, param, plain and op == "eq" and not array)
        else:
            singles.append(Condition(name, op, (value,), key))
    result: list[Condition] = []
    for (name, op), (values, param, plain) in groups.items():
        # A single plain `name=value` stays equality (`status=open,done` is split later, by type).
        result.append(Condition(name, "eq" if plain and len(values) == 1 else op, tuple(values), param))
    result.extend(singles)
    if len(result) > MAX_CONDITIONS:
        raise ValidationFailed("Too many filter conditions", {"field": "filter", "issue": f"at most {MAX_CONDITIONS}"})
    return result


# --- expressions ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<and>&&)
  | (?P<or>\|\|)
  | (?P<cmp>==|!=|>=|<=|=|>|<)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<word>[^\s()',"=!<>&|]+)
    """,
    re.VERBOSE,
)
_CMP = {"=": "eq", "==": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_KEYWORDS = {"and", "or", "in", "not", "like", "null"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    at: int


def _tokenize(text: str, param: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _syntax(param, f"unexpected character {text[pos]!r}", pos)
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "string":
            tokens.append(_Token("string", re.sub(r"\\(.)", r"\1", raw[1:-1]), pos))
        elif kind == "word" and raw.lower() in _KEYWORDS:
            tokens.append(_Token(raw.lower(), raw, pos))
        elif kind != "space":
            tokens.append(_Token(kind, raw, pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _syntax(param: str, issue: str, at: int) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid filter expression: {issue} at position {at}",
        {"field": param, "issue": issue, "position": at},
    )


class _Parser:
    def __init__(self, text: str, param: str) -> None:
        self.param = param
        self.tokens = _tokenize(text, param)
        self.pos = 0
        self.count = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self, *kinds: str) -> _Token:
        token = self.tokens[self.pos]
        if token.kind not in kinds:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise _syntax(self.param, f"expected {' or '.join(kinds)}, found {found}", token.at)
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.disjunction(0)
        self.take("end")
        return node

    def disjunction(self, depth: int) -> Node:
        items = [self.conjunction(depth)]
        while self.peek().kind in ("or",):
            self.pos += 1
            items.append(self.conjunction(depth))
        return items[0] if len(items) == 1 else Group("or", tuple(items))

    def conjunction(self, depth: int) -> Node:
        items = [self.atom(depth)]
        while self.peek().kind == "and":
            self.pos += 1
            items.append(self.atom(depth))
        return items[0] if len(items) == 1 else Group("and", tuple(items))

    def atom(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise _syntax(self.param, f"nested deeper than {MAX_DEPTH} levels", self.peek().at)
        if self.peek().kind == "lparen":
            self.pos += 1
            node = self.disjunction(depth + 1)
            self.take("rparen")
            return node
        return self.comparison()

    def value(self) -> tuple[str, bool]:
        """A value, and whether it was the bare word null."""
        token = self.take("word", "string", "null")
        return token.text, token.kind == "null"

    def values(self) -> tuple[str, ...]:
        self.take("lparen")
        out = [self.value()[0]]
        while self.peek().kind == "comma":
            self.pos += 1
            out.append(self.value()[0])
        self.take("rparen")
        return tuple(out)

    def comparison(self) -> Condition:
        field = self.take("word").text
        self.count += 1
        if self.count > MAX_CONDITIONS:
            raise _syntax(self.param, f"more than {MAX_CONDITIONS} conditions", self.peek().at)
        token = self.peek()
        if token.kind == "cmp":
            self.pos += 1
            op = _CMP[token.text]
            value, is_null = self.value()
            if is_null:
                if op not in ("eq", "ne"):
                    raise _syntax(self.param, "null can only be compared with = or !=", token.at)
                return Condition(field, "exists", ("false" if op == "eq" else "true",), self.param, split=False)
            return Condition(field, op, (value,), self.param, split=False)
        if token.kind == "in":
            self.pos += 1
            return Condition(field, "in", self.values(), self.param, split=False)
        if token.kind == "not":
            self.pos += 1
            self.take("in")
            return Condition(field, "nin", self.values(), self.param, split=False)
        if token.kind == "like":
            self.pos += 1
            return Condition(field, "like", (self.value()[0],), self.param, split=False)
        found = "the end" if token.kind == "end" else repr(token.text)
        raise _syntax(self.param, f"expected a comparison after '{field}', found {found}", token.at)


def parse_expression(text: str, param: str = "filter") -> Node:
    """Parse a `filter=` expression into a tree (422 naming `param` when it is malformed)."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ValidationFailed.field(param, f"is longer than {MAX_EXPRESSION_LENGTH} characters")
    if not text.strip():
        raise ValidationFailed.field(param, "must not be empty")
    return _Parser(text, param).parse()
