"""index.d.ts compiles under `tsc --strict`, and code written from docs/clients/javascript.md
type-checks against it (a wrong call does not)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.clients.js.conftest import Node

USAGE = """
import { TaskadeAPI, TaskadeError, Task, Event, verifyWebhook, ResourceList } from '@taskade/sdk';

const api = new TaskadeAPI({ apiKey: 'key', baseURL: 'http://127.0.0.1:8000/v1' });
const fromKey = new TaskadeAPI('key');

export async function usage(): Promise<void> {
  const task: Task = await api.tasks.create({ project_id: 'project_1', name: 'New Task' });
  const name: string = task.name;
  const page: ResourceList<Task> = await api.tasks.listForProject('project_1', { limit: 100 });
  const total: number | undefined = page.meta.total;
  for await (const t of api.tasks.list({ project_id: 'project_1', due_date: { $gte: '2024-01-01' } })) {
    console.log(t.id, name, total);
  }
  await api.tasks.update(task.id, { status: 'completed' }, { ifMatch: task });
  await api.tasks.delete(task.id);
  const results = await api.batch.run({ operations: [{ method: 'GET', path: '/me' }] });
  const status: number = results[0].status;
  for await (const event of api.events.stream({ types: 'task.*' }, { lastEventId: 'event_1' })) {
    const e: Event = event;
    console.log(e.type, e.data, status);
    break;
  }
  try {
    await fromKey.get('/projects');
  } catch (error) {
    if (error instanceof TaskadeError && error.status === 429) console.log(error.retryAfter);
  }
  const payload = verifyWebhook('secret', '{}', { 'x-polytask-signature': 'sha256=00' });
  console.log(payload);
}
"""

WRONG = """
import { TaskadeAPI } from '@taskade/sdk';
const api = new TaskadeAPI({ apiKey: 'key' });
api.tasks.getInProject('project_1');
"""

OPTIONS = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext"]


def compile_ts(tsc: Path, node_project: Node, name: str, source: str) -> subprocess.CompletedProcess[str]:
    (node_project.project / name).write_text(source)
    return subprocess.run(
        [str(tsc), *OPTIONS, "--lib", "es2022,dom", name],
        cwd=node_project.project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_typings_compile_and_describe_the_documented_usage(tsc: Path, node_project: Node) -> None:
    done = compile_ts(tsc, node_project, "usage.ts", USAGE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_call_missing_a_path_parameter_does_not_type_check(tsc: Path, node_project: Node) -> None:
    done = compile_ts(tsc, node_project, "wrong.ts", WRONG)
    assert done.returncode != 0
    assert "error TS2554: Expected 2-4 arguments, but got 1" in done.stdout
