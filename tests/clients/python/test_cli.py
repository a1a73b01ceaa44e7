"""polytask-cli end to end: the installed entry point run as a subprocess against the live
test server, with its own HOME and XDG config directory."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from polytask.core.db import Database
from polytask_client import TaskadeAPI
from tests.clients.python.conftest import Proxy
from tests.factories.people import Person, join, make_person

CLI = str(Path(sys.executable).with_name("polytask-cli"))


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    env: dict[str, str]
    config: Path
    cwd: Path | None = None

    def __call__(self, *args: str, input: str | None = None, ok: bool = True) -> Result:
        # A session of its own: no controlling terminal, so the hidden key prompt reads stdin.
        done = subprocess.run(
            [CLI, *args],
            env=self.env,
            cwd=self.cwd,
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            start_new_session=True,
        )
        result = Result(done.returncode, done.stdout, done.stderr)
        if ok:
            assert result.code == 0, result
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POLYTASK_", "TASKADE_", "FORCE_COLOR"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"), COLUMNS="200")
    env["TTY_COMPATIBLE"] = "0"  # rich: not a terminal, whatever the test runner's environment says
    return Cli(env, tmp_path / "config" / "polytask" / "credentials")


@pytest.fixture
def logged_in(cli: Cli, base_url: str, alice: Person) -> Cli:
    cli("login", "--base-url", base_url, "--api-key", alice.key)
    return cli


def test_login_checks_the_key_and_stores_it_for_its_owner_only(cli: Cli, base_url: str, alice: Person) -> None:
    refused = cli("login", "--base-url", base_url, "--api-key", "not-a-key", ok=False)
    assert refused.code == 3
    assert "log in again" in refused.err
    assert not cli.config.exists()

    # Asked for, as a person at a terminal would type them.
    result = cli("login", input=f"{base_url}\n{alice.key}\n")
    assert alice.id in result.out
    assert stat.S_IMODE(cli.config.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config.parent.stat().st_mode) == 0o700
    assert json.loads(cli.config.read_text()) == {"base_url": f"{base_url}/v1", "api_key": alice.key}

    me = cli("whoami", "--json").json()
    assert me["id"] == alice.id
    assert alice.email in cli("whoami").out

    assert "Logged out" in cli("logout").out
    assert not cli.config.exists()
    gone = cli("whoami", ok=False)
    assert gone.code == 3
    assert "not logged in" in gone.err


def test_the_environment_serves_instead_of_a_login(cli: Cli, base_url: str, alice: Person) -> None:
    cli.env.update(POLYTASK_URL=base_url, POLYTASK_API_KEY=alice.key)
    assert cli("whoami", "--json").json()["id"] == alice.id
    assert not cli.config.exists()


def test_projects_and_tasks_from_create_to_complete(logged_in: Cli, alice: Person, base_url: str) -> None:
    cli = logged_in
    project = cli("projects", "create", "--name", "Launch", "--json").json()  # the only workspace by default
    assert project["id"].startswith("project_")
    assert project["attributes"]["workspace_id"] == alice.workspace
    shown = cli("projects", "show", project["id"])
    assert "Launch" in shown.out
    listed = cli("projects", "list", "--workspace", alice.workspace)
    assert project["id"] in listed.out
    assert "Launch" in listed.out

    first = cli("tasks", "create", "-p", project["id"], "--name", "Write the post", "--priority", "high", "--json")
    task = first.json()
    assert task["id"].startswith("task_")
    assert task["attributes"]["priority"] == "high"
    second = cli("tasks", "create", "-p", project["id"], "--name", "Review", "--set", "progress=10", "--json").json()
    assert second["attributes"]["progress"] == 10

    table = cli("tasks", "list", "-p", project["id"]).out
    assert "Write the post" in table
    assert "Review" in table
    assert task["id"] in table
    as_json = cli("tasks", "list", "-p", project["id"], "--json").json()
    assert sorted(t["attributes"]["name"] for t in as_json) == ["Review", "Write the post"]

    updated = cli("tasks", "update", task["id"], "--due", "2026-12-31", "--name", "Write the launch post", "--json")
    assert updated.json()["attributes"]["name"] == "Write the launch post"
    assert updated.json()["attributes"]["due_date"].startswith("2026-12-31")

    completed = cli("tasks", "complete", task["id"], "--json").json()
    assert [t["attributes"]["status"] for t in completed] == ["completed"]
    pending = cli("tasks", "list", "-p", project["id"], "--filter", "status=pending", "--json").json()
    assert [t["id"] for t in pending] == [second["id"]]
    assert "completed" in cli("tasks", "show", task["id"]).out

    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        assert api.tasks.get(task["id"]).status == "completed"


def test_errors_name_the_problem_and_exit_with_its_code(logged_in: Cli, alice: Person) -> None:
    missing = logged_in("tasks", "show", "task_999999", ok=False)
    assert missing.code == 4
    assert "RESOURCE_NOT_FOUND" in missing.err
    refused = logged_in("tasks", "create", "-p", "project_999999", "--name", "", ok=False)
    assert refused.code in (1, 4)
    usage = logged_in("tasks", "list", "--filter", "no-equals-sign", ok=False)
    assert usage.code == 2

    # A closed port: the message names the URL.
    unreachable = logged_in("--base-url", "http://127.0.0.1:9", "whoami", ok=False)
    assert unreachable.code == 5
    assert "cannot reach http://127.0.0.1:9/v1" in unreachable.err


def test_import_of_a_thousand_rows_in_chunks_with_progress(
    logged_in: Cli, alice: Person, base_url: str, tmp_path: Path
) -> None:
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Imported")
        path = tmp_path / "tasks.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["name", "priority", "progress", "labels"])
            for n in range(1000):
                writer.writerow([f"Row {n}", ("low", "high")[n % 2], n % 101, "imported;csv" if n % 3 == 0 else ""])

        result = logged_in("tasks", "import", str(path), "-p", project.id, "--chunk-size", "300")

        assert f"Imported 1000 tasks into {project.id} (4 requests)" in result.out
        lines = result.err.splitlines()
        assert [line for line in lines if line.startswith("imported")] == [
            "imported 300/1000",
            "imported 600/1000",
            "imported 900/1000",
            "imported 1000/1000",
        ]
        assert api.tasks.list(project_id=project.id, limit=1, total="true").first_page().meta.total == 1000
        [row] = api.tasks.list(project_id=project.id, filter='name = "Row 999"').to_list()
        assert (row.priority, row.progress) == ("high", 999 % 101)
        [row] = api.tasks.list(project_id=project.id, filter='name = "Row 3"').to_list()
        assert sorted(row.labels) == ["csv", "imported"]


def write_rows(path: Path, count: int) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["name"])
        writer.writerows([f"Row {n}"] for n in range(count))
    return path


def test_import_shows_a_progress_bar_on_a_terminal(
    logged_in: Cli, alice: Person, base_url: str, tmp_path: Path
) -> None:
    logged_in.env.update(TTY_COMPATIBLE="1", TERM="xterm")
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Barred")
        path = write_rows(tmp_path / "tasks.csv", 40)
        result = logged_in("tasks", "import", str(path), "-p", project.id, "--chunk-size", "15")
        assert "40/40" in result.err  # the bar's last drawing
        assert "imported 40/40" not in result.err
        assert api.tasks.list(project_id=project.id, limit=1, total="true").first_page().meta.total == 40


def test_an_import_chunk_retried_after_a_lost_answer_is_created_once(
    cli: Cli, proxy: Proxy, alice: Person, base_url: str, tmp_path: Path
) -> None:
    cli.env.update(POLYTASK_URL=proxy.url, POLYTASK_API_KEY=alice.key)
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Retried")
        path = write_rows(tmp_path / "tasks.csv", 30)
        # The first chunk runs but its answer is lost; the second is refused once with 429.
        proxy.plan = ["lost", "pass", "429", "pass"]

        result = cli("tasks", "import", str(path), "-p", project.id, "--chunk-size", "20")

        assert "Imported 30 tasks" in result.out
        keys = [s.headers["idempotency-key"] for s in proxy.seen if s.method == "POST"]
        assert len(keys) == 4
        assert keys[0] == keys[1] != keys[2] == keys[3]
        assert api.tasks.list(project_id=project.id, limit=1, total="true").first_page().meta.total == 30


def test_an_import_cut_off_from_the_server_says_where_it_stands(
    cli: Cli, proxy: Proxy, alice: Person, base_url: str, tmp_path: Path
) -> None:
    cli.env.update(POLYTASK_URL=proxy.url, POLYTASK_API_KEY=alice.key)
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Cut off")
        path = write_rows(tmp_path / "tasks.csv", 20)
        proxy.plan = ["pass", "drop", "drop", "drop"]  # the second chunk never gets through

        result = cli("tasks", "import", str(path), "-p", project.id, "--chunk-size", "10", ok=False)

        assert result.code == 5
        assert f"cannot reach {proxy.url}/v1" in result.err
        assert "10 tasks imported for sure" in result.err
        assert "resume with --skip 10 or --skip 20" in result.err
        assert api.tasks.list(project_id=project.id, limit=1, total="true").first_page().meta.total == 10


def test_import_names_the_rows_the_server_refused(logged_in: Cli, alice: Person, base_url: str, tmp_path: Path) -> None:
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Half imported")
        path = tmp_path / "tasks.json"
        items = [{"name": f"Item {n}"} for n in range(5)]
        items[3]["priority"] = "someday"
        path.write_text(json.dumps({"tasks": items}))

        result = logged_in("tasks", "import", str(path), "-p", project.id, "--chunk-size", "2", ok=False)

        assert result.code == 1
        assert "item 3" in result.err
        assert "resume with --skip 2" in result.err
        assert api.tasks.list(project_id=project.id, limit=1, total="true").first_page().meta.total == 2


def test_watch_prints_events_and_stops_after_its_limit(logged_in: Cli, alice: Person, base_url: str) -> None:
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Watched")
        [created] = api.events.list(project_id=project.id).to_list()
        tasks = [api.tasks.create(project_id=project.id, name=f"Change {n}") for n in range(2)]

    since = ("--since", created.id, "--project", project.id, "--types", "task.created")
    lines = logged_in("watch", *since, "--limit", "2").out.splitlines()
    assert [line.split()[1:4] for line in lines] == [["task.created", t.id, "Change"] for t in tasks]
    assert all(line.startswith("event_") for line in lines)

    raw = [json.loads(line) for line in logged_in("watch", *since, "--limit", "2", "--json").out.splitlines()]
    assert [e["attributes"]["resource_id"] for e in raw] == [t.id for t in tasks]


def test_watch_stops_cleanly_on_ctrl_c(logged_in: Cli) -> None:
    process = subprocess.Popen(
        [CLI, "watch"], env=logged_in.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline().startswith("Watching")  # running past its imports
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert out == ""
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err
    assert "0 events" in err


def test_version(cli: Cli) -> None:
    assert cli("--version").out == "polytask-cli 0.1.0\n"


def test_shell_completion_completes_commands(cli: Cli) -> None:
    env = {**cli.env, "_POLYTASK_CLI_COMPLETE": "complete_bash", "COMP_WORDS": "polytask-cli ta", "COMP_CWORD": "1"}
    done = subprocess.run([CLI], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "tasks" in done.stdout.split()
    env["COMP_WORDS"], env["COMP_CWORD"] = "polytask-cli tasks i", "2"
    done = subprocess.run([CLI], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.split() == ["import"]
    # The script `--install-completion` would install: for the shell the command runs in (it
    # takes no shell name; typer finds the shell among its parent processes), here bash.
    shown = subprocess.run(
        ["bash", "-c", f"{CLI} --show-completion"], env=cli.env, capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert "_POLYTASK_CLI_COMPLETE=complete_bash" in shown.stdout


DOC = Path(__file__).resolve().parents[3] / "docs" / "clients" / "cli.md"
EXAMPLE = re.compile(r"<!-- cli-example -->\n```sh\n(.*?)```", re.S)


def test_the_documented_command_lines_run(cli: Cli, db: Database, alice: Person, base_url: str, tmp_path: Path) -> None:
    """Every `polytask-cli` line of docs/clients/cli.md's marked blocks, with the doc's ids,
    URL and key replaced by the test's own."""
    bob = make_person(db)
    join(db, alice, bob)
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        project = api.projects.create(workspace_id=alice.workspace, name="Documented")
        first_event = api.events.list(project_id=project.id).to_list()[0]
        task, other = (api.tasks.create(project_id=project.id, name=n) for n in ("Doc task", "Other"))
    names = {
        "http://127.0.0.1:8000": base_url,
        "$KEY": alice.key,
        "project_7": project.id,
        "task_42": task.id,
        "task_43": other.id,
        "user_2": bob.id,
        "workspace_1": alice.workspace,
        "event_41": first_event.id,
    }
    swap = re.compile("|".join(re.escape(k) + r"\b" for k in names))
    write_rows(tmp_path / "tasks.csv", 3)
    (tmp_path / "tasks.json").write_text(json.dumps([{"name": "From JSON", "priority": "low"}]))
    cli.cwd = tmp_path

    blocks = EXAMPLE.findall(DOC.read_text())
    assert len(blocks) == 4
    ran = []
    for block in blocks:
        for line in block.splitlines():
            words = [swap.sub(lambda m: names[m.group(0)], w) for w in shlex.split(line, comments=True)]
            if not words or (words[:2] == ["polytask-cli", "watch"] and "--limit" not in words):
                continue
            assert words[0] == "polytask-cli", line
            # `login` without options asks; `logout` is last in its block, so log in again after it.
            cli(*words[1:], input=f"{base_url}\n{alice.key}\n")
            if words[1:] == ["logout"]:
                cli("login", "--base-url", base_url, "--api-key", alice.key)
            ran.append(words[1])
    assert ran.count("tasks") >= 8
    assert "watch" in ran
    with TaskadeAPI(api_key=alice.key, base_url=base_url) as api:
        done = api.tasks.get(task.id)
        assert (done.status, done.assignee_id) == ("completed", bob.id)
