"""Full-text search over tasks (name, description, comments) and projects (name, description).

The indexes are tables the 0003 migration creates and triggers keep current: FTS5 on
SQLite, tsvector + GIN on PostgreSQL. Both match whole words and word prefixes without
stemming, so the engines agree; results are ranked (bm25 / ts_rank, name weighted
highest) and combine with any filter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Float, Integer, Subquery, text
from sqlalchemy.orm import Session

from polytask.core.errors import ValidationFailed

MAX_TERMS = 20
_WORD = re.compile(r"\w+", re.UNICODE)

# name, description[, comments]: weights for SQLite's bm25 (PostgreSQL uses setweight A/B/C).
_SQLITE = {
    "task": "SELECT rowid AS id, -bm25(search_tasks, 10.0, 4.0, 1.0) AS score FROM search_tasks "
    "WHERE search_tasks MATCH :terms",
    "project": "SELECT rowid AS id, -bm25(search_projects, 10.0, 4.0) AS score FROM search_projects "
    "WHERE search_projects MATCH :terms",
}
_POSTGRES = {
    "task": "SELECT task_id AS id, ts_rank(document, to_tsquery('simple', :terms))::float8 AS score FROM search_tasks "
    "WHERE document @@ to_tsquery('simple', :terms)",
    "project": "SELECT project_id AS id, ts_rank(document, to_tsquery('simple', :terms))::float8 AS score "
    "FROM search_projects WHERE document @@ to_tsquery('simple', :terms)",
}


def search_terms(raw: str, param: str = "search") -> list[str]:
    """The words of a search, lower-cased; every word must match (as a word or its start)."""
    terms = [t.lower() for t in _WORD.findall(raw)]
    if not terms:
        raise ValidationFailed.field(param, "needs at least one word", raw)
    if len(terms) > MAX_TERMS:
        raise ValidationFailed.field(param, f"takes at most {MAX_TERMS} words", raw)
    return list(dict.fromkeys(terms))


def matches(kind: str, dialect: str, terms: list[str]) -> Subquery:
    """(id, score) of the `kind` rows matching all terms; higher scores rank first."""
    if dialect == "postgresql":
        sql, query = _POSTGRES[kind], " & ".join(f"{t}:*" for t in terms)
    else:
        sql, query = _SQLITE[kind], " AND ".join(f'"{t}"*' for t in terms)
    return text(sql).bindparams(terms=query).columns(id=Integer, score=Float).subquery(f"{kind}_search")


def search_source(kind: str) -> Callable[[Session, str], Subquery]:
    """The search of a list declaration (core/query/listing.py): the matches for a search text."""

    def matching(session: Session, raw: str) -> Subquery:
        return matches(kind, session.get_bind().dialect.name, search_terms(raw))

    return matching
