"""Import jobs: asked for over HTTP (checked, then queued, or only reported for a dry run), run
by the worker a project at a time (worker/importer.py), read back with their progress.

A job's projects are committed one transaction each: the project with everything in it and
the job's record that it is done (`created[index] = project id`) commit together, so a job
picked up again after its worker died (its lease ran out) skips the projects already there
and never makes one twice. A project that fails is rolled back and recorded as failed
(`created[index] = None`, its error in `errors`); the others go on. When every project is
done or failed the job ends `succeeded` or `failed` with an `import.succeeded` /
`import.failed` event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.db import after_commit, require_thread
from polytask.core.errors import DomainError, ValidationFailed
from polytask.core.pagination import PageRequest, PageResult, SortKey
from polytask.core.query import Node
from polytask.core.query.fields import Choice, Field, Moment, Ref, Registry, Text
from polytask.core.query.listing import ListSpec, run_list
from polytask.domain.events.payloads import ImportSnapshot
from polytask.domain.events.service import record_event
from polytask.domain.transfer.access import IMPORTS
from polytask.domain.transfer.document import ExportDocument, PersonDoc, ProjectDoc
from polytask.domain.transfer.importer import import_project, member_ref
from polytask.domain.transfer.parsers import parse_file
from polytask.domain.transfer.validate import Report, check_document
from polytask.domain.workspaces.access import membership_for, require_flag, require_write
from polytask.models import ImportJob, Membership, User

IMPORT_FIELDS = tuple(ImportSnapshot.model_fields)
STATUSES = ("queued", "running", "succeeded", "failed")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5

IMPORT_FIELDS_REGISTRY = Registry.of(
    "import",
    [
        Field("id", Ref("import"), expr=ImportJob.id),
        Field("status", Choice(STATUSES), expr=ImportJob.status),
        Field("format", Choice(("polytask", "csv", "trello", "todoist")), expr=ImportJob.format),
        Field("filename", Text(), expr=ImportJob.filename),
        Field("created_by", Ref("user"), expr=ImportJob.created_by_id),
        Field("created_at", Moment(), expr=ImportJob.created_at),
        Field("finished_at", Moment(), expr=ImportJob.finished_at),
    ],
)
# Newest first: the import just asked for is the one a client looks for.
IMPORT_LIST: ListSpec[ImportJob] = ListSpec(
    "import", IMPORT_FIELDS_REGISTRY, ImportJob.id, default_sort=(SortKey("created_at", descending=True),)
)

_listeners: set[Callable[[], None]] = set()
_lock = threading.Lock()


def subscribe(wake: Callable[[], None]) -> None:
    """Call `wake()` (from any thread) after each commit in this process that queued an import."""
    with _lock:
        _listeners.add(wake)


def unsubscribe(wake: Callable[[], None]) -> None:
    with _lock:
        _listeners.discard(wake)


def _wake_importers() -> None:
    with _lock:
        listeners = list(_listeners)
    for wake in listeners:
        wake()


@dataclass(frozen=True, slots=True)
class ImportRequest:
    format: str
    path: Path
    filename: str
    mapping: dict[str, str]
    options: dict[str, Any]
    dry_run: bool


@dataclass(frozen=True, slots=True)
class DryRun:
    """A dry run's answer: what the import would do; nothing was written."""

    workspace_id: int
    format: str
    report: Report


def _resolver(session: Session, workspace_id: int) -> Callable[[PersonDoc], str | None]:
    cache: dict[str, int | None] = {}

    def find(ref: str) -> int | None:
        if ref not in cache:
            low = ref.strip().lower()
            cond = or_(func.lower(User.email) == low, func.lower(User.username) == low)
            if low.startswith("user_") and low[5:].isdigit():
                cond = or_(cond, User.id == int(low[5:]))
            cache[ref] = session.scalar(
                select(User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(cond, Membership.workspace_id == workspace_id, User.is_active.is_(True))
                .limit(1)
            )
        return cache[ref]

    def resolve(person: PersonDoc) -> str | None:
        for ref in person.refs():
            found = find(ref)
            if found is not None:
                return member_ref(found)
        return None

    return resolve


def may_import(session: Session, actor: Actor, workspace_id: int) -> None:
    """NotFound unless the actor is a member of the workspace; PermissionDenied unless they may
    create projects in it (checked before an upload is read, and again by create_import)."""
    membership = membership_for(session, actor, workspace_id)
    require_write(membership)
    require_flag(membership, "create_projects")


def create_import(session: Session, actor: Actor, *, workspace_id: int, request: ImportRequest) -> ImportJob | DryRun:
    """Check the file and queue an import job (or, for a dry run, only report). Needs a member
    who may create projects; a file with errors is a 422 listing them (nothing is queued)."""
    may_import(session, actor, workspace_id)
    require_thread()  # reading and checking a file of up to the upload limit: never on the event loop
    options = dict(request.options)
    if request.format in ("csv", "todoist") and "project_name" not in options:
        options["project_name"] = Path(request.filename).stem or "Imported"
    parsed = parse_file(request.format, request.path, mapping=request.mapping, options=options)
    document, report = check_document(parsed.document, _resolver(session, workspace_id))
    report.warnings[:0] = parsed.warnings
    if request.dry_run:
        return DryRun(workspace_id, request.format, report)
    if document is None:
        first = report.errors[0]
        raise ValidationFailed(
            f"The file cannot be imported: '{first['field']}' {first['issue']} "
            f"({len(report.errors)} error(s); nothing was queued; dry_run=true lists them all)",
            {**first, "errors": report.errors[:100]},
        )
    job = ImportJob(
        workspace_id=workspace_id,
        created_by_id=actor.user_id,
        credential_kind=actor.credential_kind,
        credential_id=actor.credential_id,
        format=request.format,
        filename=request.filename[:255],
        status="queued",
        plan=document.model_dump(mode="json"),
        total=report.tasks + report.subtasks,
        done=0,
        created={},
        errors=[],
        warnings=report.warnings[:1000],
        attempts=0,
    )
    session.add(job)
    session.flush()
    after_commit(session, _wake_importers)
    return job


def get_import_for(session: Session, actor: Actor, import_id: int) -> ImportJob:
    """The import job if the actor is a member of its workspace, else NotFound."""
    return IMPORTS.get_for(session, actor, import_id)[0]


def list_imports(
    session: Session,
    actor: Actor,
    *,
    workspace_id: int,
    page: PageRequest,
    sort: list[SortKey] | None = None,
    tree: Node | None = None,
) -> PageResult[ImportJob]:
    """A workspace's import jobs (any member), newest first unless sorted."""
    membership_for(session, actor, workspace_id)
    base = select(ImportJob).where(IMPORTS.visible(actor), ImportJob.workspace_id == workspace_id)
    return run_list(session, IMPORT_LIST, actor=actor, base=base, page=page, sort=sort or [], tree=tree)


def created_project_ids(job: ImportJob) -> list[int]:
    return [pid for _index, pid in sorted(job.created.items(), key=lambda kv: int(kv[0])) if isinstance(pid, int)]


# --- the worker's side ---------------------------------------------------------------------


def claim_import(session: Session, *, worker: str) -> int | None:
    """Lease one queued job, or a running one whose worker's lease ran out; its id or None."""
    now = utcnow()
    query = (
        select(ImportJob.id)
        .where(
            or_(
                ImportJob.status == "queued",
                and_(
                    ImportJob.status == "running", or_(ImportJob.claimed_until.is_(None), ImportJob.claimed_until < now)
                ),
            )
        )
        .order_by(ImportJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = session.scalar(query)
    if job_id is None:
        return None
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(
            status="running",
            claimed_by=worker[:64],
            claimed_until=now + LEASE,
            attempts=ImportJob.attempts + 1,
            started_at=func.coalesce(ImportJob.started_at, now),
        )
    )
    return int(job_id)


@dataclass(frozen=True, slots=True)
class Pending:
    """What is left of a claimed job: the actor it runs as and its projects not yet done."""

    job_id: int
    workspace_id: int
    actor: Actor | None
    projects: list[tuple[int, ProjectDoc]]
    attempts: int


def pending_projects(session: Session, job_id: int) -> Pending:
    job = session.get(ImportJob, job_id)
    assert job is not None
    user = session.get(User, job.created_by_id) if job.created_by_id is not None else None
    actor = (
        Actor(
            user_id=user.id,
            global_role=user.role,
            credential_kind=job.credential_kind,
            credential_id=job.credential_id,
            workspace_id=job.workspace_id,
        )
        if user is not None and user.is_active
        else None
    )
    document = ExportDocument.model_validate(job.plan)
    todo = [(i, p) for i, p in enumerate(document.projects) if str(i) not in job.created]
    return Pending(job.id, job.workspace_id, actor, todo, job.attempts)


def run_project(session: Session, pending: Pending, index: int, doc: ProjectDoc, *, worker: str) -> None:
    """Create one project of the job and record it done, in the caller's one transaction."""
    assert pending.actor is not None
    project_id, count = import_project(session, pending.actor, workspace_id=pending.workspace_id, doc=doc)
    _record(session, pending.job_id, index, project_id, count, worker=worker)


def _record(session: Session, job_id: int, index: int, project_id: int | None, count: int, *, worker: str) -> None:
    job = session.get(ImportJob, job_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    assert job is not None
    job.created = {**job.created, str(index): project_id}
    job.done = job.done + count
    job.claimed_until = utcnow() + LEASE
    job.claimed_by = worker[:64]


def project_failed(
    session: Session, pending: Pending, index: int, doc: ProjectDoc, error: Exception, *, worker: str
) -> None:
    """Record that a project of the job was rolled back, and why."""
    job = session.get(ImportJob, pending.job_id)
    assert job is not None
    item: dict[str, Any] = {"project": index, "name": doc.name, "issue": str(error)[:1000]}
    if isinstance(error, DomainError):
        item.update({"code": error.code, **{k: v for k, v in error.details.items() if k in ("field", "issue")}})
    else:
        item["code"] = "INTERNAL_ERROR"
    job.errors = [*job.errors, item]
    _record(session, pending.job_id, index, None, 0, worker=worker)


def finish_import(session: Session, job_id: int, *, reason: str | None = None) -> ImportJob:
    """End the job: `succeeded` when every project was created, else `failed`; its event."""
    job = session.get(ImportJob, job_id)
    assert job is not None
    if reason is not None:
        job.errors = [*job.errors, {"issue": reason, "code": "IMPORT_ABANDONED"}]
    failed = bool(job.errors) or any(v is None for v in job.created.values())
    job.status = "failed" if failed else "succeeded"
    job.finished_at = utcnow()
    # The parsed file is needed only to create the projects not yet done: a finished job lets
    # it go (an import of up to the upload limit would otherwise stay in the row for good).
    job.plan = {}
    job.claimed_by = None
    job.claimed_until = None
    user = session.get(User, job.created_by_id) if job.created_by_id is not None else None
    actor = Actor(user_id=user.id, global_role=user.role, credential_kind="system") if user is not None else None
    record_event(
        session,
        actor,
        type="import.failed" if failed else "import.succeeded",
        resource_type="import",
        resource_id=job.id,
        workspace_id=job.workspace_id,
        snapshot={
            "format": job.format,
            "filename": job.filename,
            "status": job.status,
            "total": job.total,
            "done": job.done,
            "project_ids": created_project_ids(job),
            "error_count": len(job.errors),
            "workspace_id": job.workspace_id,
        },
    )
    return job
