"""GET /api/users/{id}/stats and the /api/reports routes (JSON, streamed CSV, PDF) over data made
through /v1 (tests/factories/shop.py: every figure below is worked out there by hand)."""

from __future__ import annotations

import csv
import io

import httpx
import pypdfium2
import pytest
from pypdf import PdfReader

from polytask.api.taskflow import report_files
from polytask.core.db import Database
from tests.factories.people import make_person
from tests.factories.shop import Shop, build

MAY_JUNE = {"start_date": "2026-05-01", "end_date": "2026-06-30"}
JUNE = {"start_date": "2026-06-01", "end_date": "2026-06-30"}
REPORTS = (
    "/api/reports/projects",
    "/api/reports/users/productivity",
    "/api/reports/departments/workload",
    "/api/reports/budget-analysis",
)
# The PDF chart's series colours (api/taskflow/report_pdf.py SERIES_COLOURS): budget, spent.
BLUE, ORANGE = (0x1F, 0x5F, 0xBF), (0xE0, 0x7B, 0x00)


@pytest.fixture
def shop(client: httpx.Client, db: Database) -> Shop:
    return build(client, db, owner_role="manager")


# --- user stats ----------------------------------------------------------------------------------


def test_user_stats_in_the_docs_shape(client: httpx.Client, shop: Shop) -> None:
    r = client.get(f"/api/users/{shop.bob.user_id}/stats", headers=shop.alice.headers)
    assert r.status_code == 200, r.text
    # Bob: t1 (done), t2, t4 in P1; 90 + 30 minutes logged, 90 of them on his done task.
    assert r.json()["data"] == {
        "user_stats": {
            "total_projects": 1,
            "active_projects": 1,
            "total_tasks": 3,
            "completed_tasks": 1,
            "pending_tasks": 2,
            "total_hours_worked": 2.0,
            "this_month_hours": 0.0,  # everything was logged in May and June 2026
            "completion_rate": 33.3,
            "avg_task_time": 1.5,
        }
    }
    assert '"total_hours_worked":2.00,' in r.text
    june = client.get(f"/api/users/{shop.bob.user_id}/stats", params=JUNE, headers=shop.alice.headers)
    assert june.json()["data"]["user_stats"]["total_hours_worked"] == 0.5


def test_a_user_sees_their_own_stats_only(client: httpx.Client, shop: Shop) -> None:
    # Bob (role user) works in his own workspace: his figures there, and none of Alice's.
    own = client.get(f"/api/users/{shop.bob.user_id}/stats", headers=shop.bob.headers)
    assert own.status_code == 200, own.text
    other = client.get(f"/api/users/{shop.alice.user_id}/stats", headers=shop.bob.headers)
    assert other.status_code == 403, other.text
    assert other.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "manager",
                                    "current_role": "user"}  # fmt: skip


def test_stats_of_someone_outside_the_workspace_is_a_404(client: httpx.Client, db: Database, shop: Shop) -> None:
    stranger = make_person(db)
    for user_id in (stranger.user_id, 10**6, 2**70):
        r = client.get(f"/api/users/{user_id}/stats", headers=shop.alice.headers)
        assert r.status_code == 404, (user_id, r.text)
        assert r.json()["data"]["error_code"] == "NOT_FOUND"


# --- bad input, credentials, roles -------------------------------------------------------------


BAD_DATES = [
    ({"start_date": "2026-13-01"}, "start_date"),
    ({"start_date": "1700000000"}, "start_date"),
    ({"end_date": "June"}, "end_date"),
    ({"start_date": "2026-06-30", "end_date": "2026-06-01"}, "end_date"),
]
PERIOD_ROUTES = [*REPORTS, "/api/users/{bob}/stats", "/api/departments/{qa}/stats"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [(url, params, field) for url in PERIOD_ROUTES for params, field in BAD_DATES]
    + [(url, {"format": "xml"}, "format") for url in REPORTS],
)
def test_a_bad_parameter_is_a_422_naming_it(
    client: httpx.Client, shop: Shop, url: str, params: dict[str, str], field: str
) -> None:
    url = url.format(bob=shop.bob.user_id, qa=shop.departments["QA"])
    r = client.get(url, params=params, headers=shop.alice.headers)
    assert r.status_code == 422, r.text
    assert list(r.json()["data"]["errors"]) == [field]


def test_a_malformed_currency_is_a_422_naming_it(client: httpx.Client, shop: Shop) -> None:
    for fmt in ("json", "csv", "pdf"):
        r = client.get("/api/reports/budget-analysis", params={"currency": "usd", "format": fmt},
                       headers=shop.alice.headers)  # fmt: skip
        assert r.status_code == 422, r.text
        assert list(r.json()["data"]["errors"]) == ["currency"]


@pytest.mark.parametrize("url", [*REPORTS, "/api/users/1/stats"])
def test_without_credentials_is_a_401(client: httpx.Client, url: str) -> None:
    for fmt in ("json", "csv"):
        r = client.get(url, params={"format": fmt} if "reports" in url else None)
        assert r.status_code == 401, r.text
        assert r.json()["data"]["error_code"] == "AUTH_REQUIRED"


@pytest.mark.parametrize("url", REPORTS)
def test_a_user_gets_a_403_naming_the_roles(client: httpx.Client, shop: Shop, url: str) -> None:
    for fmt in ("json", "csv", "pdf"):
        r = client.get(url, params={"format": fmt}, headers=shop.bob.headers)
        assert r.status_code == 403, r.text
        assert r.json()["data"] == {"error_code": "PERMISSION_DENIED", "required_role": "manager",
                                    "current_role": "user"}  # fmt: skip


# --- JSON --------------------------------------------------------------------------------------


def test_budget_analysis_in_the_docs_shape(client: httpx.Client, shop: Shop) -> None:
    r = client.get("/api/reports/budget-analysis", params=MAY_JUNE, headers=shop.alice.headers)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    # USD projects with a budget: P1 (1000.00, spent 1060.00) and P2 (500.00, spent 160.00); two months.
    assert data == {
        "period": {"start_date": "2026-05-01", "end_date": "2026-06-30"},
        "currency": "USD",
        "budget_analysis": {
            "total_allocated": 1500.0,
            "total_spent": 1220.0,
            "remaining_budget": 280.0,
            "utilization_rate": 81.33,
            "projects_over_budget": 1,
            "projects_under_budget": 1,
            "average_budget_variance": -31.0,
            "monthly_burn_rate": 610.0,
        },
        "project_breakdown": [
            {"project_id": shop.projects["P1"], "project_name": "P1", "allocated_budget": 1000.0,
             "spent_budget": 1060.0, "remaining_budget": -60.0, "variance_percentage": 6.0},
            {"project_id": shop.projects["P2"], "project_name": "P2", "allocated_budget": 500.0,
             "spent_budget": 160.0, "remaining_budget": 340.0, "variance_percentage": -68.0},
        ],
    }  # fmt: skip
    assert '"total_allocated":1500.00,"total_spent":1220.00,"remaining_budget":280.00,' in r.text
    assert '"monthly_burn_rate":610.00}' in r.text
    eur = client.get("/api/reports/budget-analysis", params={**MAY_JUNE, "currency": "EUR"},
                     headers=shop.alice.headers)  # fmt: skip
    assert [p["project_name"] for p in eur.json()["data"]["project_breakdown"]] == ["P4"]


def test_projects_productivity_and_workload(client: httpx.Client, shop: Shop) -> None:
    h = shop.alice.headers
    projects = client.get("/api/reports/projects", params=JUNE, headers=h).json()["data"]
    assert projects["period"] == {"start_date": "2026-06-01", "end_date": "2026-06-30"}
    rows = {p["name"]: p for p in projects["projects"]}
    assert list(rows) == ["P1", "P2", "P3", "P4"]
    # June leaves out Bob's May 10 hour and a half (75.00).
    assert rows["P1"] == {
        "project_id": shop.projects["P1"], "name": "P1", "status": "active", "currency": "USD", "budget": 1000.0,
        "spent_budget": 985.0, "remaining_budget": 15.0, "hours_logged": 3.5, "tasks_count": 4,
        "completed_tasks": 2, "progress": 50, "open_risks": 1,
    }  # fmt: skip
    assert (rows["P3"]["status"], rows["P3"]["budget"], rows["P3"]["remaining_budget"]) == ("on_hold", None, None)

    people = client.get("/api/reports/users/productivity", headers=h).json()["data"]["users"]
    assert [(p["name"], p["department"], p["assigned_tasks"], p["completed_tasks"], p["completion_rate"],
             p["hours_worked"]) for p in people] == [
        ("Alice", None, 0, 0, 0.0, 1.0),
        ("Bob", "Engineering", 3, 1, 33.3, 2.0),
        ("Carol", "QA", 3, 1, 33.3, 2.75),
    ]  # fmt: skip

    workload = client.get("/api/reports/departments/workload", params=JUNE, headers=h)
    assert [(d["name"], d["members_count"], d["open_tasks"], d["estimated_open_hours"], d["hours_worked"])
            for d in workload.json()["data"]["departments"]] == [
        ("Engineering", 1, 2, 6.0, 0.5),
        ("QA", 1, 2, 5.0, 2.75),
    ]  # fmt: skip
    assert '"estimated_open_hours":6.00,"hours_worked":0.50}' in workload.text


def test_a_stranger_sees_only_their_own_empty_workspace(client: httpx.Client, db: Database, shop: Shop) -> None:
    stranger = make_person(db, role="manager")
    for url in REPORTS:
        r = client.get(url, headers=stranger.headers)
        assert r.status_code == 200, r.text
        for name in ("P1", "Engineering", "Bob"):
            assert name not in r.text, (url, name)
    r = client.get(f"/api/departments/{shop.departments['QA']}/stats", headers=stranger.headers)
    assert r.status_code == 404, r.text


# --- CSV ---------------------------------------------------------------------------------------


def _csv(r: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(r.text)))


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream a row per chunk, so that every CSV below is read in several units of work."""
    monkeypatch.setattr(report_files, "CHUNK", 1)


@pytest.mark.usefixtures("tiny_chunks")
def test_budget_analysis_as_csv(client: httpx.Client, shop: Shop) -> None:
    r = client.get("/api/reports/budget-analysis", params={**MAY_JUNE, "format": "csv"}, headers=shop.alice.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="budget-analysis_2026-05-01_2026-06-30.csv"'
    assert r.headers["cache-control"] == "no-store"
    assert _csv(r) == [
        ["project_id", "project_name", "allocated_budget", "spent_budget", "remaining_budget", "variance_percentage"],
        [str(shop.projects["P1"]), "P1", "1000.00", "1060.00", "-60.00", "6.0"],
        [str(shop.projects["P2"]), "P2", "500.00", "160.00", "340.00", "-68.0"],
    ]


@pytest.mark.usefixtures("tiny_chunks")
def test_every_report_streams_all_its_rows_as_csv(client: httpx.Client, shop: Shop) -> None:
    expected = {
        "/api/reports/projects": ["P1", "P2", "P3", "P4"],
        "/api/reports/users/productivity": ["Alice", "Bob", "Carol"],
        "/api/reports/departments/workload": ["Engineering", "QA"],
    }
    for url, names in expected.items():
        r = client.get(url, params={**JUNE, "format": "csv"}, headers=shop.alice.headers)
        assert r.status_code == 200, r.text
        rows = _csv(r)
        name = rows[0].index("name")
        assert [row[name] for row in rows[1:]] == names, url
    projects = _csv(client.get("/api/reports/projects", params={**JUNE, "format": "csv"}, headers=shop.alice.headers))
    p1 = dict(zip(projects[0], projects[1], strict=True))
    assert (p1["budget"], p1["spent_budget"], p1["hours_logged"], p1["progress"]) == ("1000.00", "985.00", "3.50", "50")


def test_csv_cells_never_start_a_formula(client: httpx.Client, shop: Shop) -> None:
    made = client.post("/v1/projects", json={"name": "=HYPERLINK(\"x\")", "workspace_id": shop.alice.workspace},
                       headers=shop.alice.headers)  # fmt: skip
    assert made.status_code == 201, made.text
    r = client.get("/api/reports/projects", params={"format": "csv"}, headers=shop.alice.headers)
    assert '\'=HYPERLINK("x")' in [row[1] for row in _csv(r)]


# --- PDF ---------------------------------------------------------------------------------------


def _pdf(client: httpx.Client, shop: Shop, url: str, params: dict[str, str]) -> bytes:
    r = client.get(url, params={**params, "format": "pdf"}, headers=shop.alice.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert r.content.startswith(b"%PDF-")
    return r.content


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _pixels_near(pdf: bytes, colour: tuple[int, int, int]) -> int:
    """How many pixels of page 1 (rendered at 2x) are this colour, give or take anti-aliasing."""
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=2).to_pil().convert("RGB")
    document.close()
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 20) or []
        if all(abs(a - b) <= 8 for a, b in zip(pixel, colour, strict=True))
    )


def test_budget_analysis_as_pdf(client: httpx.Client, shop: Shop) -> None:
    pdf = _pdf(client, shop, "/api/reports/budget-analysis", MAY_JUNE)
    text = _text(pdf)
    expected = ("Budget analysis", "Period: 2026-05-01 to 2026-06-30", "Generated at:", "Budget vs spent per project",
                "P1", "1060.00", "-60.00", "P2", "160.00", "81.33", "610.00")  # fmt: skip
    for figure in expected:
        assert figure in text, figure
    # The bars: budget 1000 + 500, spent 1060 + 160, so the spent bars cover about 1220/1500 of
    # the budget bars' area (the two legend swatches, one of each, pull the ratio towards 1).
    blue, orange = _pixels_near(pdf, BLUE), _pixels_near(pdf, ORANGE)
    assert blue > 5000, blue
    assert 0.75 < orange / blue < 0.9, (blue, orange)


def test_the_other_reports_as_pdf(client: httpx.Client, shop: Shop) -> None:
    projects = _text(_pdf(client, shop, "/api/reports/projects", JUNE))
    assert all(s in projects for s in ("Projects report", "Budget vs spent per project", "P1", "985.00", "on_hold"))
    workload = _pdf(client, shop, "/api/reports/departments/workload", JUNE)
    text = _text(workload)
    assert all(s in text for s in ("Department workload report", "Hours per department", "Engineering", "2.75"))
    assert _pixels_near(workload, BLUE) > 1000
    people = _text(_pdf(client, shop, "/api/reports/users/productivity", {}))
    assert all(s in people for s in ("User productivity report", "Carol", "33.3", "the beginning to today"))


def test_an_empty_report_is_still_a_document(client: httpx.Client, db: Database) -> None:
    boss = make_person(db, role="manager")
    r = client.get("/api/reports/budget-analysis", params={"format": "pdf"}, headers=boss.headers)
    assert r.status_code == 200, r.text
    assert "Nothing to chart for this period." in _text(r.content)
    assert _pixels_near(r.content, BLUE) == 0
