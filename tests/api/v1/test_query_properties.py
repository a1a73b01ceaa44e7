"""Property tests: random filter trees, sent over HTTP, select exactly the tasks a plain
Python filter selects from the same rows (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polytask.core.db import Database
from tests.factories.people import Person, make_person
from tests.factories.work import make_project, make_task

STATUSES = ["pending", "in_progress", "completed"]
PRIORITIES = [None, "low", "medium", "high", "urgent"]
RANK = {"low": 0, "medium": 1, "high": 2, "urgent": 3}
LABELS = ["red", "green", "blue"]
NAMES = ["Alpha plan", "beta Review", "Gamma", "alpha fix", "Delta launch"]
BASE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DATES = [BASE + timedelta(days=d, hours=h) for d in (-3, 0, 2, 9) for h in (0, 5)]
HOURS = [None, 0, 2.5, 8, 16, 100]


@dataclass
class Row:
    id: str
    name: str
    status: str
    priority: str | None
    progress: int
    due: datetime | None
    labels: set[str]
    hours: float | None


@pytest.fixture
def dataset(client: httpx.Client, db: Database) -> tuple[Person, str, list[Row]]:
    rng = random.Random(7)
    owner = make_person(db)
    project = make_project(client, owner, name="Properties")
    r = client.post(
        f"/v1/projects/{project}/custom-fields", json={"name": "Hours", "type": "number"}, headers=owner.headers
    )
    assert r.status_code == 201, r.text
    rows = []
    for i in range(30):
        due = rng.choice([None, *DATES])
        hours = rng.choice(HOURS)
        body: dict[str, Any] = {
            "name": f"{rng.choice(NAMES)} {i}",
            "status": rng.choice(STATUSES),
            "priority": rng.choice(PRIORITIES),
            "progress": rng.choice([0, 10, 50, 100]),
            "labels": rng.sample(LABELS, rng.randint(0, 3)),
            "custom_fields": {} if hours is None else {"hours": hours},
        }
        if due is not None:
            body["due_date"] = due.strftime("%Y-%m-%dT%H:%M:%SZ")
        task = make_task(client, owner, project, **body)
        rows.append(
            Row(
                task["id"],
                body["name"],
                body["status"],
                body["priority"],
                body["progress"],
                due,
                set(body["labels"]),
                hours,
            )
        )
    return owner, project, rows


# --- conditions: (expression text, bracket params, python predicate) ----------------------------

Cond = tuple[str, list[tuple[str, str]], Any]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None:
        return op == "ne"
    return {
        "eq": left == right,
        "ne": left != right,
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[op]


SYMBOL = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
ORDER_OPS = list(SYMBOL)


@st.composite
def status_cond(draw: st.DrawFn) -> Cond:
    values = draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2, unique=True))
    negate = draw(st.booleans())
    op = "nin" if negate else "in"
    text = f"status {'not in' if negate else 'in'} ({', '.join(values)})"
    return text, [(f"status[{op}]", ",".join(values))], lambda r: (r.status in values) != negate


@st.composite
def priority_cond(draw: st.DrawFn) -> Cond:
    op = draw(st.sampled_from(ORDER_OPS))
    value = draw(st.sampled_from(list(RANK)))
    return (
        f"priority {SYMBOL[op]} {value}",
        [(f"priority[{op}]", value)],
        lambda r: _compare(op, RANK.get(r.priority) if r.priority else None, RANK[value]),
    )


@st.composite
def progress_cond(draw: st.DrawFn) -> Cond:
    op = draw(st.sampled_from(ORDER_OPS))
    value = draw(st.sampled_from([0, 10, 50, 75, 100]))
    return (
        f"progress {SYMBOL[op]} {value}",
        [(f"progress[${op}]", str(value))],
        lambda r: _compare(op, r.progress, value),
    )


@st.composite
def due_cond(draw: st.DrawFn) -> Cond:
    if draw(st.booleans()):
        present = draw(st.booleans())
        return (
            f"due_date {'!=' if present else '='} null",
            [("due_date[exists]", "true" if present else "false")],
            lambda r: (r.due is not None) == present,
        )
    op = draw(st.sampled_from(ORDER_OPS))
    moment = draw(st.sampled_from(DATES))
    return (
        f"due_date {SYMBOL[op]} {_iso(moment)}",
        [(f"due_date[{op}]", _iso(moment))],
        lambda r: _compare(op, r.due, moment),
    )


@st.composite
def labels_cond(draw: st.DrawFn) -> Cond:
    op = draw(st.sampled_from(["eq", "ne", "in", "nin", "contains"]))
    values = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=1 if op in ("eq", "ne") else 3, unique=True))
    predicates = {
        "eq": lambda r: values[0] in r.labels,
        "ne": lambda r: values[0] not in r.labels,
        "in": lambda r: bool(r.labels & set(values)),
        "nin": lambda r: not (r.labels & set(values)),
        "contains": lambda r: set(values) <= r.labels,
    }
    text = {
        "eq": f"labels = {values[0]}",
        "ne": f"labels != {values[0]}",
        "in": f"labels in ({', '.join(values)})",
        "nin": f"labels not in ({', '.join(values)})",
    }.get(op)
    bracket = [(f"labels[{op}]", ",".join(values))]
    if text is None:  # `contains` has no expression operator: spell it as ANDed equalities
        text = "(" + " && ".join(f"labels = {v}" for v in values) + ")"
    return text, bracket, predicates[op]


@st.composite
def hours_cond(draw: st.DrawFn) -> Cond:
    op = draw(st.sampled_from(ORDER_OPS))
    value = draw(st.sampled_from([0, 2.5, 8, 10, 100]))
    return (
        f"custom_fields.hours {SYMBOL[op]} {value}",
        [(f"custom_fields.hours[{op}]", str(value))],
        lambda r: _compare(op, r.hours, value),
    )


@st.composite
def name_cond(draw: st.DrawFn) -> Cond:
    op = draw(st.sampled_from(["contains", "icontains", "startswith", "like"]))
    word = draw(st.sampled_from(["alpha", "Alpha", "a", "Review", "launch", "zzz"]))
    predicates = {
        "contains": lambda r: word in r.name,
        "icontains": lambda r: word.lower() in r.name.lower(),
        "startswith": lambda r: r.name.startswith(word),
        "like": lambda r: word.lower() in r.name.lower(),
    }
    text = f"name like '{word}'" if op in ("like", "icontains") else None
    return text or "", [(f"name[{op}]", word)], predicates[op]


CONDITIONS = st.one_of(
    status_cond(), priority_cond(), progress_cond(), due_cond(), labels_cond(), hours_cond(), name_cond()
)


@dataclass
class Tree:
    text: str
    predicate: Any


def _leaf(cond: Cond) -> Tree | None:
    text, _bracket, predicate = cond
    return Tree(text, predicate) if text else None


@st.composite
def trees(draw: st.DrawFn, depth: int = 0) -> Tree:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        leaf = None
        while leaf is None:
            leaf = _leaf(draw(CONDITIONS))
        return leaf
    kind = draw(st.sampled_from(["&&", "||"]))
    children = [draw(trees(depth + 1)) for _ in range(draw(st.integers(2, 3)))]
    text = f" {kind} ".join(f"({c.text})" for c in children)
    preds = [c.predicate for c in children]
    if kind == "&&":
        return Tree(text, lambda r, preds=preds: all(p(r) for p in preds))
    return Tree(text, lambda r, preds=preds: any(p(r) for p in preds))


def _fetch(client: httpx.Client, owner: Person, params: list[tuple[str, str]]) -> list[str]:
    r = client.get("/v1/tasks", params=[*params, ("limit", "100")], headers=owner.headers)
    assert r.status_code == 200, (params, r.text)
    return [t["id"] for t in r.json()["data"]]


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)


@PROPERTY_SETTINGS
@given(tree=trees())
def test_expressions_match_a_python_filter(
    client: httpx.Client, dataset: tuple[Person, str, list[Row]], tree: Tree
) -> None:
    owner, _project, rows = dataset
    expected = [r.id for r in rows if tree.predicate(r)]
    assert _fetch(client, owner, [("filter", tree.text)]) == expected, tree.text


@PROPERTY_SETTINGS
@given(conds=st.lists(CONDITIONS, min_size=1, max_size=4))
def test_bracket_filters_match_a_python_filter(
    client: httpx.Client, dataset: tuple[Person, str, list[Row]], conds: list[Cond]
) -> None:
    owner, _project, rows = dataset
    params = [p for _text, bracket, _pred in conds for p in bracket]
    # Two conditions on the same parameter name would merge; keep the test about AND.
    names = [k for k, _ in params]
    if len(set(names)) != len(names):
        return
    expected = [r.id for r in rows if all(pred(r) for _t, _b, pred in conds)]
    assert _fetch(client, owner, params) == expected, params
