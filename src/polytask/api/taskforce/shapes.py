"""Domain read models in Taskforce's shapes (names with underscores; XML hyphenates them)."""

from __future__ import annotations

from typing import Any

from polytask.api.taskforce.render import date_text, time_text
from polytask.domain.lists.schemas import ListCard, TaskCard, TaskCounts

SERVICE_NAME = "Polytask"


def counts_shape(counts: TaskCounts) -> dict[str, int]:
    return {
        "total": counts.total,
        "active": counts.active,
        "complete": counts.complete,
        "delayed": counts.delayed,
        "overdue": counts.overdue,
        "unseen": counts.unseen,
    }


def task_shape(card: TaskCard) -> dict[str, Any]:
    task = card.task
    return {
        "id": task.id,
        "user_id": task.created_by_id,
        "owner": card.owner,
        "name": task.name,
        "details": task.description,
        "seen": card.seen,
        "due_at": date_text(task.due_date),
        "completed_at": date_text(task.completed_at),
        "delayed_until": date_text(task.start_date),
        "created": time_text(task.created_at),
        "modified": time_text(task.updated_at),
        "lists": [{"id": list_id} for list_id in card.list_ids],
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "emails": [
            {"sender": link.sender, "subject": link.subject, "gmail_thread_id": link.gmail_thread_id}
            for link in card.emails
        ],
    }


def list_shape(card: ListCard) -> dict[str, Any]:
    task_list = card.task_list
    return {
        "id": task_list.id,
        "name": task_list.name,
        "description": task_list.description,
        "flagship": task_list.flagship,
        "added_by": task_list.owner_id,
        "created": time_text(task_list.created_at),
        "modified": time_text(task_list.updated_at),
        "collaborators": [{"email": email} for email in card.collaborator_emails],
        "task_counts": counts_shape(card.counts),
    }
