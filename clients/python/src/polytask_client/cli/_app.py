"""The commands of `polytask-cli` (typer), each a few calls of the library."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from polytask_client import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    RetryPolicy,
    TaskadeAPI,
    TaskadeError,
    ValidationError,
    __version__,
)
from polytask_client._config import resolve_base_url
from polytask_client.cli import _credentials as credentials
from polytask_client.cli import _output as output
from polytask_client.cli._rows import RowError, read_tasks, where

# Exit codes (docs/clients/cli.md): 2 is click's own for a usage error.
OK, FAILED, USAGE, AUTH, NOT_FOUND, UNREACHABLE, INTERRUPTED = 0, 1, 2, 3, 4, 5, 130

URL_ENV = ["POLYTASK_URL", "TASKADE_API_BASE_URL"]
KEY_ENV = ["POLYTASK_API_KEY", "TASKADE_API_KEY"]

app = typer.Typer(
    name="polytask-cli",
    help="Command-line client of a Polytask server's /v1 API.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals would print the API key
)
tasks_app = typer.Typer(help="List, show, create, update, complete and import tasks.", no_args_is_help=True)
projects_app = typer.Typer(help="List, show and create projects.", no_args_is_help=True)
workspaces_app = typer.Typer(help="List the workspaces the key can see.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
app.add_typer(projects_app, name="projects")
app.add_typer(workspaces_app, name="workspaces")


@dataclass
class Options:
    base_url: str | None
    api_key: str | None


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON (the API's resource objects) instead of a table.")]
Filters = Annotated[
    list[str] | None,
    typer.Option("--filter", "-f", metavar="KEY=VALUE", help="A query parameter of the list, passed through (repeat)."),
]
Limit = Annotated[int, typer.Option("--limit", "-n", min=0, help="Stop after this many items (0: all of them).")]
Sets = Annotated[
    list[str] | None,
    typer.Option(
        "--set", metavar="KEY=VALUE", help="Any other attribute; VALUE is read as JSON if it parses (repeat)."
    ),
]


def run() -> None:
    app(prog_name="polytask-cli")


def _version(value: bool) -> None:
    if value:
        print(f"polytask-cli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    base_url: Annotated[
        str | None, typer.Option("--base-url", envvar=URL_ENV, help="Server root or its /v1 URL (else the login's).")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar=KEY_ENV, help="API key (else the login's).", show_default=False)
    ] = None,
) -> None:
    ctx.obj = Options(base_url, api_key)


def fail(message: str, code: int = FAILED) -> typer.Exit:
    output.stderr.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def describe(error: APIError) -> str:
    text = f"{error.status} {error.code}: {error.message}"
    details = error.details
    if details.get("field"):
        text += f" ({details['field']})"
    return text


@contextmanager
def connected(ctx: typer.Context, *, base_url: str | None = None, api_key: str | None = None) -> Iterator[TaskadeAPI]:
    """A client for the options' (or environment's) URL and key, else the login's; errors of
    the API become messages and exit codes."""
    options: Options = ctx.obj
    stored = credentials.load()
    url = base_url or options.base_url or (stored.base_url if stored else None)
    key = api_key or options.api_key or (stored.api_key if stored else None)
    if not url or not key:
        raise fail("not logged in: run `polytask-cli login` (or set POLYTASK_URL and POLYTASK_API_KEY)", AUTH)
    url = resolve_base_url(url)
    try:
        with TaskadeAPI(api_key=key, base_url=url, retry=RetryPolicy(max_retries=2)) as api:
            yield api
    except AuthenticationError as exc:
        raise fail(f"{url} refused the API key ({describe(exc)}); log in again: `polytask-cli login`", AUTH) from None
    except NotFoundError as exc:
        raise fail(describe(exc), NOT_FOUND) from None
    except APIError as exc:
        raise fail(describe(exc)) from None
    except APIConnectionError as exc:
        cause = exc.__cause__
        raise fail(f"cannot reach {url}: {cause or exc}", UNREACHABLE) from None
    except TaskadeError as exc:
        raise fail(str(exc)) from None


def pairs(values: list[str] | None, option: str, *, parse: bool) -> dict[str, Any]:
    """`KEY=VALUE` options as a dict; with `parse`, a VALUE that is JSON is taken as JSON."""
    out: dict[str, Any] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{text!r} is not KEY=VALUE", param_hint=option)
        if parse:
            try:
                out[key] = json.loads(value)
            except ValueError:
                out[key] = value
        else:
            out[key] = value
    return out


def list_params(filters: list[str] | None, limit: int) -> dict[str, Any]:
    params = pairs(filters, "--filter", parse=False)
    if limit and "limit" not in params:
        params["limit"] = min(limit, 100)  # the page size: no more than needed
    return params


def show_list(kind: str, items: list[Any], as_json: bool) -> None:
    if as_json:
        output.emit_json([item.to_dict() for item in items])
    else:
        output.table(kind, items)


def show_one(item: Any, as_json: bool) -> None:
    if as_json:
        output.emit_json(item.to_dict())
    else:
        output.record(item)


# -- login ---------------------------------------------------------------------------------


@app.command()
def login(
    ctx: typer.Context,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Server root or its /v1 URL.")] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="API key.", show_default=False)] = None,
) -> None:
    """Check a base URL and API key against the server (GET /v1/me) and store them."""
    options: Options = ctx.obj
    url = base_url or options.base_url or typer.prompt("Base URL (the server root, e.g. http://127.0.0.1:8000)")
    key = api_key or options.api_key or typer.prompt("API key", hide_input=True)
    url = resolve_base_url(url)
    with connected(ctx, base_url=url, api_key=key) as api:
        me = api.users.me()
    path = credentials.save(credentials.Credentials(url, key))
    output.stdout.print(f"Logged in to {url} as {me.get('name') or me.id} ({me.id}); key stored in {path}")


@app.command()
def logout() -> None:
    """Forget the stored URL and key."""
    if credentials.delete():
        output.stdout.print(f"Logged out (removed {credentials.credentials_path()})")
    else:
        output.stdout.print("Not logged in")


@app.command()
def whoami(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The user the key belongs to, and the server."""
    with connected(ctx) as api:
        me = api.users.me()
        if as_json:
            output.emit_json(me.to_dict())
        else:
            output.stdout.print(f"{me.get('name')} <{me.get('email')}> ({me.id}) at {api.base_url}")


# -- workspaces and projects ---------------------------------------------------------------


@workspaces_app.command("list")
def workspaces_list(ctx: typer.Context, filters: Filters = None, limit: Limit = 50, as_json: JsonFlag = False) -> None:
    """The workspaces the key can see."""
    with connected(ctx) as api:
        items = api.workspaces.list(**list_params(filters, limit)).to_list(limit or None)
    show_list("workspace", items, as_json)


@projects_app.command("list")
def projects_list(
    ctx: typer.Context,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w", help="Only this workspace's.")] = None,
    filters: Filters = None,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """Projects (`--filter status=active`, `--filter sort=-created_at` ...)."""
    params = list_params(filters, limit)
    if workspace:
        params["workspace_id"] = workspace
    with connected(ctx) as api:
        items = api.projects.list(**params).to_list(limit or None)
    show_list("project", items, as_json)


@projects_app.command("show")
def projects_show(ctx: typer.Context, project: str, as_json: JsonFlag = False) -> None:
    """One project, e.g. `project_7`."""
    with connected(ctx) as api:
        item = api.projects.get(project)
    show_one(item, as_json)


@projects_app.command("create")
def projects_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The project's name.")],
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Its workspace (default: the only one the key sees).")
    ] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    sets: Sets = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a project."""
    body = pairs(sets, "--set", parse=True)
    if description is not None:
        body["description"] = description
    with connected(ctx) as api:
        if workspace is None:
            seen = api.workspaces.list(limit=2).to_list(2)
            if len(seen) != 1:
                raise fail("the key sees several workspaces (or none): name one with --workspace", USAGE)
            workspace = seen[0].id
        item = api.projects.create(workspace_id=workspace, name=name, **body)
    show_one(item, as_json)


# -- tasks ---------------------------------------------------------------------------------


@tasks_app.command("list")
def tasks_list(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option("--project", "-p", help="Only this project's.")] = None,
    filters: Filters = None,
    limit: Limit = 50,
    as_json: JsonFlag = False,
) -> None:
    """Tasks (`--filter status=pending`, `--filter sort=-due_date`, `--filter q=report` ...)."""
    params = list_params(filters, limit)
    if project:
        params["project_id"] = project
    with connected(ctx) as api:
        items = api.tasks.list(**params).to_list(limit or None)
    show_list("task", items, as_json)


@tasks_app.command("show")
def tasks_show(ctx: typer.Context, task: str, as_json: JsonFlag = False) -> None:
    """One task, e.g. `task_42`."""
    with connected(ctx) as api:
        item = api.tasks.get(task)
    show_one(item, as_json)


def task_fields(
    sets: list[str] | None,
    *,
    description: str | None,
    status: str | None,
    priority: str | None,
    due: str | None,
    assignee: str | None,
) -> dict[str, Any]:
    body = pairs(sets, "--set", parse=True)
    named = {"description": description, "status": status, "priority": priority, "due_date": due}
    named["assignee_id"] = assignee
    body.update({k: v for k, v in named.items() if v is not None})
    return body


Description = Annotated[str | None, typer.Option("--description")]
Status = Annotated[str | None, typer.Option("--status", help="pending, in_progress, completed ...")]
Priority = Annotated[str | None, typer.Option("--priority", help="low, medium, high, urgent")]
Due = Annotated[str | None, typer.Option("--due", help="Due date, ISO 8601 (2026-12-31).")]
Assignee = Annotated[str | None, typer.Option("--assignee", help="A user id (user_2).")]


@tasks_app.command("create")
def tasks_create(
    ctx: typer.Context,
    project: Annotated[str, typer.Option("--project", "-p", help="Its project (project_7).")],
    name: Annotated[str, typer.Option("--name", help="The task's name.")],
    description: Description = None,
    status: Status = None,
    priority: Priority = None,
    due: Due = None,
    assignee: Assignee = None,
    sets: Sets = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a task."""
    body = task_fields(sets, description=description, status=status, priority=priority, due=due, assignee=assignee)
    with connected(ctx) as api:
        item = api.tasks.create(project_id=project, name=name, **body)
    show_one(item, as_json)


@tasks_app.command("update")
def tasks_update(
    ctx: typer.Context,
    task: str,
    name: Annotated[str | None, typer.Option("--name")] = None,
    description: Description = None,
    status: Status = None,
    priority: Priority = None,
    due: Due = None,
    assignee: Assignee = None,
    sets: Sets = None,
    as_json: JsonFlag = False,
) -> None:
    """Change some attributes of a task."""
    body = task_fields(sets, description=description, status=status, priority=priority, due=due, assignee=assignee)
    if name is not None:
        body["name"] = name
    if not body:
        raise fail("nothing to change: give --name, --status, --set KEY=VALUE ...", USAGE)
    with connected(ctx) as api:
        item = api.tasks.update(task, **body)
    show_one(item, as_json)


@tasks_app.command("complete")
def tasks_complete(
    ctx: typer.Context,
    tasks: Annotated[list[str], typer.Argument(help="One or more task ids.")],
    as_json: JsonFlag = False,
) -> None:
    """Mark tasks completed."""
    with connected(ctx) as api:
        done = [api.tasks.complete(task) for task in tasks]
    show_list("task", done, as_json)


@tasks_app.command("import")
def tasks_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A .csv or .json file.")],
    project: Annotated[str, typer.Option("--project", "-p", help="The project the tasks go into.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, json, or auto (by the file's suffix).")] = "auto",
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Tasks per bulk request.")] = 500,
    skip: Annotated[int, typer.Option("--skip", min=0, help="Leave out the first N rows (resume an import).")] = 0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show the progress.")] = True,
    as_json: JsonFlag = False,
) -> None:
    """Create many tasks from a file, through the bulk endpoint, a chunk per request.

    Each request carries its own Idempotency-Key, so a retried chunk is created once."""
    if fmt not in ("auto", "csv", "json"):
        raise typer.BadParameter("csv, json or auto", param_hint="--format")
    kind = fmt if fmt != "auto" else ("json" if file.suffix.lower() == ".json" else "csv")
    try:
        rows = read_tasks(file, kind)
    except RowError as exc:
        raise fail(f"{file}: {exc}", USAGE) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{file}: {exc}", USAGE) from None
    total = len(rows)
    done, requests = skip, 0
    with connected(ctx) as api, Reporter(total, skip, enabled=progress) as report:
        while done < total:
            chunk: list[Mapping[str, Any]] = list(rows[done : done + chunk_size])
            try:
                api.bulk.project_tasks(project, chunk)
            except ValidationError as exc:
                for line in rejected_rows(exc, kind, done):
                    output.stderr.print(line, highlight=False)
                resume = f"; resume with --skip {done}" if done else ""
                raise fail(f"chunk from {where(kind, done)} refused, {done - skip} tasks imported{resume}") from None
            except APIError:
                # Any other refusal ends the command as usual (connected() words it); first say
                # where the import stands. A refused chunk created nothing (all or none).
                output.stderr.print(f"{done - skip} tasks imported; resume with --skip {done}", highlight=False)
                raise
            except APIConnectionError:
                # The chunk's answer never came: it may have been created. A new run sends new
                # Idempotency-Keys, so the user must look before resuming.
                output.stderr.print(
                    f"{done - skip} tasks imported for sure; the chunk from {where(kind, done)} "
                    f"({len(chunk)} rows) may have been created too: check the project, then resume "
                    f"with --skip {done} or --skip {done + len(chunk)}",
                    highlight=False,
                )
                raise
            done += len(chunk)
            requests += 1
            report.advance(done)
    summary = {"project_id": project, "created": done - skip, "requests": requests, "rows": total}
    if as_json:
        output.emit_json(summary)
    else:
        output.stdout.print(f"Imported {done - skip} tasks into {project} ({requests} requests)")


def rejected_rows(error: ValidationError, kind: str, offset: int) -> list[str]:
    """The 422's per-item errors, named by their row in the file."""
    items = error.details.get("errors")
    if not isinstance(items, list):
        return [describe(error)]
    lines = []
    for item in items[:20]:
        if isinstance(item, dict) and isinstance(item.get("index"), int):
            field = item.get("field") or ""
            lines.append(f"{where(kind, offset + item['index'])}: {field} {item.get('message') or ''}".strip())
    return lines or [describe(error)]


class Reporter:
    """The import's progress: a rich bar on a terminal; elsewhere (a pipe, a log, a test) a
    plain `imported N/TOTAL` line per chunk."""

    def __init__(self, total: int, start: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.bar: Progress | None = None
        if enabled and output.stderr.is_terminal:
            self.bar = Progress(
                TextColumn("importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=output.stderr,
            )
            self.task = self.bar.add_task("import", total=total, completed=start)

    def __enter__(self) -> Reporter:
        if self.bar is not None:
            self.bar.start()
        return self

    def advance(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done)
        elif self.enabled:
            print(f"imported {done}/{self.total}", file=sys.stderr, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- the change stream ---------------------------------------------------------------------


@app.command()
def watch(
    ctx: typer.Context,
    types: Annotated[str | None, typer.Option("--types", help="Event types, e.g. 'task.*,comment.created'.")] = None,
    project: Annotated[str | None, typer.Option("--project", "-p", help="Only this project's events.")] = None,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w", help="Only this workspace's.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Replay from after this event (event_41); else only new ones.")
    ] = None,
    filters: Filters = None,
    limit: Limit = 0,
    as_json: JsonFlag = False,
) -> None:
    """Follow the change stream live, one line per event, until Ctrl-C (or --limit)."""
    params = pairs(filters, "--filter", parse=False)
    params.update({k: v for k, v in (("types", types), ("project_id", project), ("workspace_id", workspace)) if v})
    seen = 0
    with connected(ctx) as api:
        try:
            output.stderr.print(f"Watching {api.base_url}/events/stream (Ctrl-C to stop)", highlight=False)
            with closing(api.events.stream(last_event_id=since, **params)) as stream:
                for change in stream:
                    line = (
                        json.dumps(change.data.to_dict(), ensure_ascii=False) if as_json else output.event_line(change)
                    )
                    print(line, flush=True)
                    seen += 1
                    if limit and seen >= limit:
                        break
        except KeyboardInterrupt:
            pass  # the way to stop watching: no traceback, exit 0
    output.stderr.print(f"{seen} event{'' if seen == 1 else 's'}")
