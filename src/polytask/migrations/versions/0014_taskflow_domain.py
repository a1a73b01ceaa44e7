"""TaskFlow's domain: departments, budgets and cost rates, time entries, expenses, risks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 02:10:00

Departments belong to a workspace (name unique in it); a member's department is per workspace
(memberships.department_id, cleared when the department goes). Money is exact: integer minor
units beside an ISO 4217 code (projects.budget_minor + currency, memberships.cost_rate_minor,
expenses.amount_minor + currency). Time entries count whole minutes. Risks carry their
lifecycle. Tasks gain completion_notes. Existing rows: no budget, currency USD, no rate.
Both engines; downgrade drops all of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _timestamps() -> list[sa.Column[object]]:
    return [sa.Column("created_at", TS, nullable=False), sa.Column("updated_at", TS, nullable=False)]


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete="SET NULL")


def _scope_fks(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f(f"fk_{table}_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("head_user_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_departments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        _user_fk("departments", "head_user_id"),
        _user_fk("departments", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_departments_workspace_id_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cost_rate_minor", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_memberships_department_id"), ["department_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_memberships_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completion_notes", sa.Text(), nullable=True))

    op.create_table(
        "time_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        *_scope_fks("time_entries"),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_time_entries_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_time_entries_user_id_users"), ondelete="CASCADE"
        ),
        _user_fk("time_entries", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_time_entries_project_spent_on", "time_entries", ["project_id", "spent_on"])
    op.create_index("ix_time_entries_user_spent_on", "time_entries", ["user_id", "spent_on"])
    op.create_index("ix_time_entries_workspace_spent_on", "time_entries", ["workspace_id", "spent_on"])
    op.create_index("ix_time_entries_task_id", "time_entries", ["task_id"])

    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        *_scope_fks("expenses"),
        _user_fk("expenses", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expenses")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_expenses_project_spent_on", "expenses", ["project_id", "spent_on"])
    op.create_index("ix_expenses_workspace_spent_on", "expenses", ["workspace_id", "spent_on"])

    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("probability", sa.String(length=20), nullable=False),
        sa.Column("impact", sa.String(length=100), nullable=False),
        sa.Column("mitigation_plan", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actual_impact", sa.String(length=100), nullable=True),
        sa.Column("resolution_notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        *_scope_fks("risks"),
        _user_fk("risks", "owner_id"),
        _user_fk("risks", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_risks_project_status", "risks", ["project_id", "status", "id"])
    op.create_index("ix_risks_workspace_id", "risks", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("risks")
    op.drop_table("expenses")
    op.drop_table("time_entries")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("completion_notes")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("currency")
        batch_op.drop_column("budget_minor")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_memberships_department_id_departments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_memberships_department_id"))
        batch_op.drop_column("cost_rate_minor")
        batch_op.drop_column("department_id")
    op.drop_table("departments")
