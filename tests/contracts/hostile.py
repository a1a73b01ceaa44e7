"""The hostile-input corpus: what a hostile or broken client sends, as bodies and query strings.

Each case says whether it must be refused by every write route (`always`), or only by routes
that read a body (a route that takes none, such as most DELETEs, may ignore a body it cannot
read). docs/security.md ("Input limits") lists the limits these cases cross.
"""

from __future__ import annotations

from dataclasses import dataclass, field

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    content_type: str | None = JSON
    query: str = ""
    always: bool = True  # refused even by a route that reads no body
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({422}))
    field: str | None = None  # the field the error must name, where one is named


def _deep(levels: int) -> bytes:
    return b'{"name": ' + b"[" * levels + b"]" * levels + b"}"


TEN_MB = 10 * 1000 * 1000

CORPUS: tuple[Case, ...] = (
    Case("lone surrogate", b'{"name": "a\\ud800b", "title": "x"}', field="name"),
    Case("lone low surrogate in a nested value", b'{"custom_fields": {"k": ["\\udfff"]}}', field="custom_fields.k[0]"),
    Case("lone surrogate in a key", b'{"\\ud83d": "x"}'),
    Case("NUL", b'{"name": "a\\u0000b", "title": "x"}', field="name"),
    Case("escape character", b'{"name": "\\u001b[31mred", "title": "x"}', field="name"),
    Case("backspace", b'{"description": "a\\bb"}', field="description"),
    Case("NUL in a key", b'{"custom_fields": {"a\\u0000": 1}}'),
    Case("1,000-deep nesting", _deep(1000)),
    Case("100,000-deep nesting", _deep(100_000)),
    Case("10 MB body", b'{"name": "' + b"x" * TEN_MB + b'"}', statuses=frozenset({413})),
    Case("100k-character string", b'{"name": "' + b"y" * 100_001 + b'"}', field="name"),
    Case("100k-character key", b'{"' + b"k" * 100_000 + b'": 1}'),
    Case("array past the limit", b'{"labels": [' + b",".join([b'"a"'] * 10_001) + b"]}", field="labels"),
    Case("duplicate keys", b'{"name": "one", "name": "two"}', field="name"),
    Case("duplicate nested keys", b'{"custom_fields": {"a": 1, "a": 2}}', field="custom_fields.a"),
    Case("number beyond a double", b'{"name": "x", "estimate": 1e400}', field="estimate"),
    Case("NaN", b'{"name": "x", "estimate": NaN}', field="estimate"),
    Case("integer beyond 64 bits", b'{"name": "x", "custom_fields": {"n": 99999999999999999999}}'),
    Case("NUL in a form field", b"name=a%00b&title=x&email=a%00b", content_type=FORM, field="name"),
    Case("control character in a form key", b"na%01me=x", content_type=FORM),
    Case("NUL in the query string", b"", content_type=None, query="name=a%00b", field="name"),
    Case("escape character in a query value", b"", content_type=None, query="q=%1b", field="q"),
    # Reach the surface's own parser: refused by routes that read a body.
    Case("invalid UTF-8", b'{"name": "\xff\xfe\xc0"}', always=False, statuses=frozenset({400, 422})),
    Case("malformed JSON", b'{"name": "x",', always=False, statuses=frozenset({400, 422})),
    Case(
        "wrong content type",
        b"<task><name>x</name></task>",
        content_type="application/xml",
        always=False,
        statuses=frozenset({400, 415, 422}),
    ),
    Case(
        "JSON sent as text/plain",
        b'{"name": "x"}',
        content_type="text/plain",
        always=False,
        statuses=frozenset({400, 415, 422}),
    ),
)
