"""Files, discussions and documents through the real database (both engines): operations,
access, lists, events, and blobs that never outlive their rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from polytask.core.actor import Actor
from polytask.core.clock import utcnow
from polytask.core.db import Database
from polytask.core.errors import NotFound, PermissionDenied, ValidationFailed
from polytask.core.files import LocalStore, Received, receive_file
from polytask.core.pagination import PageRequest, SortKey
from polytask.domain.discussions import service as discussions
from polytask.domain.documents import service as documents
from polytask.domain.documents.service import DocumentMeta
from polytask.domain.files import service as files
from polytask.domain.flows.projects import create_project, delete_project
from polytask.domain.projects.schemas import ProjectCreate
from polytask.domain.tasks.schemas import TaskCreate
from polytask.domain.tasks.service import create_task, delete_task
from polytask.models import BlobDeletion, Event, StoredFile
from polytask.worker.reaper import reap_due
from tests.factories.people import Person, join, make_person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PAGE = PageRequest(limit=50, offset=0)


def actor_of(person: Person) -> Actor:
    return Actor(user_id=person.user_id, global_role="user")


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "files")


@pytest.fixture
def blob(store: LocalStore, tmp_path: Path) -> Iterator[object]:
    made: list[Received] = []

    def make(data: bytes = b"hello\n", name: str = "notes.txt") -> Received:
        source = tmp_path / f"src-{len(made)}"
        source.write_bytes(data)
        received = receive_file(source, tmp_dir=store.tmp_dir, filename=name)
        made.append(received)
        return received

    yield make
    for received in made:
        received.discard()


def _blobs(store: LocalStore) -> set[str]:
    found = {p.relative_to(store.root) for p in store.root.rglob("*") if p.is_file()}
    return {str(p) for p in found if p.parts[0] != "tmp"}


def _project(db: Database, person: Person, name: str = "P") -> int:
    with db.unit_of_work() as session:
        return create_project(
            session, actor_of(person), workspace_id=person.workspace_pk, data=ProjectCreate(name=name)
        ).id


def _task(db: Database, person: Person, project_id: int) -> int:
    with db.unit_of_work() as session:
        view = create_task(session, actor_of(person), project_id=project_id, data=TaskCreate(name="T"))
        return int(view.task.id)


def _events(db: Database, kind: str) -> list[Event]:
    with db.unit_of_work(readonly=True) as session:
        return list(session.scalars(select(Event).where(Event.type == kind).order_by(Event.id)))


def test_task_and_project_files_attach_list_open_and_delete(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    actor = actor_of(alice)
    project = _project(db, alice)
    task = _task(db, alice, project)
    with db.unit_of_work() as session:
        on_task = files.attach_file(
            session, actor, project_id=project, task_id=task, received=blob(PNG, "../../a.pdf"), store=store
        )
        on_project = files.attach_file(session, actor, project_id=project, received=blob(), store=store)
    assert (on_task.kind, on_task.name, on_task.content_type, on_task.size) == ("task", "a.pdf", "image/png", len(PNG))
    assert (on_project.kind, on_project.task_id, on_project.project_id) == ("project", None, project)
    assert len(_blobs(store)) == 2
    with db.unit_of_work(readonly=True) as session:
        everything = files.list_files(session, actor, project_id=project, page=PAGE)
        task_files = files.list_files(session, actor, project_id=project, kind="task", page=PAGE)
        of_task = files.list_files(session, actor, project_id=project, task_id=task, page=PAGE)
        view, chunks = files.open_file(session, actor, on_task.id, store=store)
        assert b"".join(chunks) == PNG
    assert [f.id for f in everything.items] == [on_project.id, on_task.id]  # newest first
    assert everything.total == 2
    assert [f.id for f in task_files.items] == [on_task.id]
    assert [f.id for f in of_task.items] == [on_task.id]
    assert view == on_task
    uploaded = _events(db, "file.uploaded")
    assert [(e.resource_id, e.project_id, e.snapshot["name"]) for e in uploaded] == [
        (on_task.id, project, "a.pdf"),
        (on_project.id, project, "notes.txt"),
    ]
    with db.unit_of_work() as session:
        files.delete_file(session, actor, file_id=on_task.id, project_id=project, task_id=task)
    assert [e.resource_id for e in _events(db, "file.deleted")] == [on_task.id]
    assert reap_due(db, store) == 1
    assert len(_blobs(store)) == 1
    with db.unit_of_work(readonly=True) as session, pytest.raises(NotFound):
        files.get_file(session, actor, on_task.id)


def test_paging_and_filters(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    actor = actor_of(alice)
    project = _project(db, alice)
    with db.unit_of_work() as session:
        ids = [
            files.attach_file(session, actor, project_id=project, received=blob(name=f"f{i}.txt"), store=store).id
            for i in range(5)
        ]
    seen: list[int] = []
    offset = 0
    with db.unit_of_work(readonly=True) as session:
        while True:
            page = files.list_files(
                session, actor, project_id=project, page=PageRequest(limit=2, offset=offset), sort=[SortKey("name")]
            )
            seen += [f.id for f in page.items]
            offset += 2
            if len(page.items) < 2:
                break
        assert page.total == 5
    assert seen == ids
    with db.unit_of_work(readonly=True) as session, pytest.raises(ValidationFailed):
        files.list_files(session, actor, project_id=project, kind="nope", page=PAGE)


def test_another_workspace_is_not_found(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice, mallory = make_person(db), make_person(db)
    project = _project(db, alice)
    with db.unit_of_work() as session:
        mine = files.attach_file(session, actor_of(alice), project_id=project, received=blob(), store=store)
        doc = documents.create_document(session, actor_of(alice), received=blob(), store=store)
    other = actor_of(mallory)
    with db.unit_of_work() as session:
        for call in (
            lambda: files.get_file(session, other, mine.id),
            lambda: files.open_file(session, other, mine.id, store=store),
            lambda: files.delete_file(session, other, file_id=mine.id),
            lambda: files.list_files(session, other, project_id=project, page=PAGE),
            lambda: files.attach_file(session, other, project_id=project, received=blob(), store=store),
            lambda: documents.get_document(session, other, doc.id),
            lambda: documents.delete_document(session, other, document_id=doc.id),
            lambda: discussions.create_discussion(session, other, project_id=project, title="x"),
        ):
            with pytest.raises(NotFound):
                call()
        assert documents.list_documents(session, other, page=PAGE).items == []
        # A project file is not a document, and a document is not a project's file.
        with pytest.raises(NotFound):
            documents.get_document(session, actor_of(alice), mine.id)
        with pytest.raises(NotFound):
            files.delete_file(session, actor_of(alice), file_id=doc.id)
    assert len(_blobs(store)) == 2


def test_viewers_cannot_attach(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice, viewer = make_person(db), make_person(db)
    join(db, alice, viewer, role="viewer")
    project = _project(db, alice)
    with db.unit_of_work() as session, pytest.raises(PermissionDenied):
        files.attach_file(session, actor_of(viewer), project_id=project, received=blob(), store=store)
    assert _blobs(store) == set()  # refused before the blob was written


def test_a_rolled_back_attach_leaves_no_blob(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    project = _project(db, alice)
    seen: list[int] = []

    def attach_then_fail() -> None:
        with db.unit_of_work() as session:
            files.attach_file(session, actor_of(alice), project_id=project, received=blob(), store=store)
            seen.append(len(_blobs(store)))
            raise RuntimeError("the request failed after the file was stored")

    with pytest.raises(RuntimeError):
        attach_then_fail()
    assert seen == [1]
    assert _blobs(store) == set()
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_deleting_a_project_or_task_deletes_their_blobs(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    actor = actor_of(alice)
    project, keep = _project(db, alice), _project(db, alice, "Keep")
    task, doomed_task = _task(db, alice, project), _task(db, alice, keep)
    with db.unit_of_work() as session:
        files.attach_file(session, actor, project_id=project, task_id=task, received=blob(), store=store)
        files.attach_file(session, actor, project_id=project, received=blob(), store=store)
        discussions.create_discussion(
            session, actor, project_id=project, title="D", received_files=[blob(), blob()], store=store
        )
        documents.create_document(session, actor, received=blob(), meta=DocumentMeta(project_id=project), store=store)
        kept = files.attach_file(session, actor, project_id=keep, received=blob(), store=store)
        files.attach_file(session, actor, project_id=keep, task_id=doomed_task, received=blob(), store=store)
    assert len(_blobs(store)) == 7
    with db.unit_of_work() as session:
        delete_project(session, actor, project_id=project)
    with db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(BlobDeletion)) == 5
    assert reap_due(db, store) == 5
    assert len(_blobs(store)) == 2
    with db.unit_of_work() as session:
        delete_task(session, actor, task_id=doomed_task)
    assert reap_due(db, store) == 1
    with db.unit_of_work(readonly=True) as session:
        assert [f.id for f in files.list_files(session, actor, project_id=keep, page=PAGE).items] == [kept.id]
        assert session.scalar(select(func.count()).select_from(BlobDeletion)) == 0
    assert len(_blobs(store)) == 1


def test_a_failed_blob_delete_is_retried_later(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    project = _project(db, alice)
    with db.unit_of_work() as session:
        made = files.attach_file(session, actor_of(alice), project_id=project, received=blob(), store=store)
    with db.unit_of_work() as session:
        files.delete_file(session, actor_of(alice), file_id=made.id)

    class Broken(LocalStore):
        def delete(self, key: str) -> None:
            raise OSError("store unreachable")

    assert reap_due(db, Broken(store.root)) == 0
    with db.unit_of_work(readonly=True) as session:
        row = session.scalars(select(BlobDeletion)).one()
        assert (row.attempts, row.last_error) == (1, "OSError: store unreachable")
    assert reap_due(db, store) == 0  # not due yet
    with db.unit_of_work() as session:
        session.execute(update(BlobDeletion).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert reap_due(db, store) == 1
    assert _blobs(store) == set()


def test_discussions_with_messages_and_files(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    actor = actor_of(alice)
    project = _project(db, alice)
    with db.unit_of_work() as session:
        first = discussions.create_discussion(
            session,
            actor,
            project_id=project,
            title="Launch",
            body="Plan",
            received_files=[blob(PNG, "a.png")],
            store=store,
        )
        second = discussions.create_discussion(session, actor, project_id=project, title="Budget")
        message = discussions.add_message(
            session,
            actor,
            discussion_id=first.id,
            project_id=project,
            body="See attached",
            received_files=[blob()],
            store=store,
        )
        with pytest.raises(ValidationFailed):
            discussions.create_discussion(session, actor, project_id=project, title="  ")
    assert [f.content_type for f in first.files] == ["image/png"]
    assert (message.body, len(message.files), message.files[0].message_id) == ("See attached", 1, message.id)
    with db.unit_of_work(readonly=True) as session:
        listed = discussions.list_discussions(session, actor, project_id=project, page=PAGE)
        found = discussions.list_discussions(session, actor, project_id=project, page=PAGE, search="launch")
        thread = discussions.list_messages(session, actor, discussion_id=first.id, page=PAGE)
        files_of_all = discussions.list_discussion_files(session, actor, project_id=project, page=PAGE)
        files_of_one = discussions.list_discussion_files(
            session, actor, project_id=project, discussion_id=second.id, page=PAGE
        )
    assert [d.id for d in listed.items] == [second.id, first.id]
    assert [f.name for f in listed.items[1].files] == ["a.png"]  # the opening files only
    assert [d.id for d in found.items] == [first.id]
    assert [(m.id, len(m.files)) for m in thread.items] == [(message.id, 1)]
    assert files_of_all.total == 2
    assert files_of_one.items == []
    assert [e.resource_id for e in _events(db, "discussion.created")] == [first.id, second.id]
    [added] = _events(db, "discussion.message_added")
    assert (added.resource_id, added.project_id, added.snapshot["file_ids"]) == (
        first.id,
        project,
        [message.files[0].id],
    )


def test_documents_metadata_filters_and_download(db: Database, store: LocalStore, blob) -> None:  # type: ignore[no-untyped-def]
    alice = make_person(db)
    actor = actor_of(alice)
    project = _project(db, alice)
    with db.unit_of_work() as session:
        contract = documents.create_document(
            session,
            actor,
            received=blob(b"%PDF-1.7\n", "contract.pdf"),
            meta=DocumentMeta(category="legal"),
            store=store,
        )
        photo = documents.create_document(
            session,
            actor,
            received=blob(PNG, "site.png"),
            meta=DocumentMeta(title="Site photo", project_id=project),
            store=store,
        )
        notes = documents.create_document(session, actor, received=blob(b"minutes", "minutes.txt"), store=store)
        with pytest.raises(ValidationFailed):
            documents.create_document(
                session, actor, received=blob(), meta=DocumentMeta(project_id=999_999), store=store
            )
    assert (contract.title, contract.category, contract.content_type) == ("contract.pdf", "legal", "application/pdf")

    def ids(**filters: object) -> list[int]:
        with db.unit_of_work(readonly=True) as session:
            return [d.id for d in documents.list_documents(session, actor, page=PAGE, **filters).items]  # type: ignore[arg-type]

    assert ids() == [notes.id, photo.id, contract.id]
    assert ids(search="PHOTO") == [photo.id]
    assert ids(search="minutes") == [notes.id]  # the file name
    assert ids(content_type="image/*") == [photo.id]
    assert ids(content_type="application/pdf") == [contract.id]
    assert ids(category="legal") == [contract.id]
    assert ids(project_id=project) == [photo.id]
    assert ids(date_from=utcnow() - timedelta(hours=1), date_to=utcnow() + timedelta(hours=1)) == [
        notes.id,
        photo.id,
        contract.id,
    ]
    assert ids(date_from=utcnow() + timedelta(hours=1)) == []
    with db.unit_of_work() as session:
        changed = documents.update_document(
            session,
            actor,
            document_id=notes.id,
            meta=DocumentMeta(title="Board minutes", category="board", project_id=project),
        )
        with pytest.raises(ValidationFailed):
            documents.update_document(session, actor, document_id=notes.id, meta=DocumentMeta(title=" "))
    assert (changed.title, changed.category, changed.project_id, changed.name) == (
        "Board minutes",
        "board",
        project,
        "minutes.txt",
    )
    [updated] = _events(db, "document.updated")
    assert set(updated.changes) == {"title", "category", "project_id"}
    with db.unit_of_work(readonly=True) as session:
        view, chunks = documents.open_document(session, actor, photo.id, store=store)
        assert b"".join(chunks) == PNG
        assert view.name == "site.png"
    with db.unit_of_work() as session:
        documents.delete_document(session, actor, document_id=contract.id)
    assert reap_due(db, store) == 1
    assert ids() == [notes.id, photo.id]
    assert [e.type for e in _events(db, "document.deleted")] == ["document.deleted"]
    assert len(_events(db, "document.created")) == 3
