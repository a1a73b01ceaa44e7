"""The JavaScript client's exports and imports (a multipart upload) against the live server."""

from __future__ import annotations

import json

from polytask.core.db import Database
from polytask.worker.importer import run_next_import
from tests.clients.js.conftest import Node
from tests.factories.people import make_person


def test_export_and_import_through_the_js_client(node_sdk: Node, base_url: str, db: Database) -> None:
    alice = make_person(db)
    env = {"TASKADE_API_KEY": alice.key, "TASKADE_API_BASE_URL": f"{base_url}/v1"}
    script = f"""
import {{ TaskadeAPI }} from '@taskade/sdk';
const api = new TaskadeAPI();
const ws = {json.dumps(alice.workspace)};
const csv = 'name,labels\\nFirst,a\\nSecond,\\n';
const dry = await api.imports.create(ws, {{ file: csv, filename: 'list.csv', format: 'csv', dryRun: true }});
const named = {{ project_name: 'From JS' }};
const job = await api.imports.create(ws, {{ file: csv, filename: 'list.csv', format: 'csv', options: named }});
console.log(JSON.stringify({{ dry: dry.meta.counts, valid: dry.meta.valid, id: job.id, status: job.status }}));
"""
    first = node_sdk.result(script, env=env)
    assert first["dry"]["tasks"] == 2
    assert first["valid"] is True
    assert first["status"] == "queued"
    assert run_next_import(db) is not None
    script = f"""
import {{ TaskadeAPI }} from '@taskade/sdk';
const api = new TaskadeAPI();
const job = await api.imports.get({json.dumps(first["id"])});
const doc = await api.exports.project(job.project_ids[0]);
const csv = await api.exports.project(job.project_ids[0], {{ format: 'csv' }});
const rows = csv.trim().split('\\r\\n').length;
console.log(JSON.stringify({{ status: job.status, name: doc.projects[0].name, rows }}));
"""
    assert node_sdk.result(script, env=env) == {"status": "succeeded", "name": "From JS", "rows": 3}
