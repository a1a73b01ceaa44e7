"""The query engine shared by every list endpoint of every surface.

Query parameters (bracket forms and `filter=` expressions) are parsed into a filter tree
(`tree`), checked and typed against a per-resource registry of fields (`fields`), and
compiled to SQL for SQLite and PostgreSQL (`sql`). Nothing here knows about HTTP.
"""

from polytask.core.query.syntax import parse_expression, parse_params
from polytask.core.query.tree import OPERATORS, Condition, Group, Node, conjunction

__all__ = ["OPERATORS", "Condition", "Group", "Node", "conjunction", "parse_expression", "parse_params"]
