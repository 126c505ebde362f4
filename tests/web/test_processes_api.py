"""Process tracking through the API and the pages: templates listed and checked, a run of
the inspection of Lào Cai's civil-servant recruitment by the ministry inspectorate walked by
the units that hold its steps, refusals audited, late steps shown with their holder, each
viewer seeing only their runs; Vietnamese pages by default, English on request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from noivu_ioc.operations import processes as svc
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import (
    AuditEvent,
    Event,
    Notification,
    ProcessRun,
    ProcessTemplate,
    User,
    utcnow,
)
from tests.factories import PROCESS_INSPECTOR, login, process_runs

INSPECTION = "thanh-tra-tuyen-dung-cong-chuc"


@pytest.fixture
def runs(demo_store: OpStore) -> Iterator[list[int]]:
    """The shipped templates and an inspectorate officer in the shared demo store; the runs
    a test appends here are removed afterwards with their events and notifications."""
    with process_runs(demo_store) as made:
        yield made


def as_user(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def start(client: TestClient, runs: list[int], **body: Any) -> dict[str, Any]:
    body.setdefault("template", INSPECTION)
    body.setdefault("subject", "SNV.15")
    response = client.post("/api/processes", json=body)
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    runs.append(run["id"])
    return run


def complete(client: TestClient, run_id: int, position: int, note: str = "") -> Any:
    return client.post(f"/api/processes/{run_id}/steps/{position}/complete", json={"note": note})


def error(response: Any) -> str:
    message: str = response.json()["error"]["message"]
    return message


def test_templates_are_listed_and_a_new_one_is_checked(
    client: TestClient, demo_store: OpStore, runs: list[int]
) -> None:
    as_user(client, "phantich")
    listed = {t["slug"]: t for t in client.get("/api/process-templates").json()}
    first = listed[INSPECTION]["steps"][0]
    assert (first["key"], first["role"], first["holder"]) == ("decision", "leader", "inspector")
    assert first["role_label"] == "Lãnh đạo"

    slug = f"kiem-tra-{uuid.uuid4().hex[:6]}"
    definition = {
        "slug": slug,
        "title_vi": "Kiểm tra việc thực hiện kiến nghị",
        "title_en": "Check that recommendations are carried out",
        "steps": [
            {
                "key": "report",
                "title_vi": "Báo cáo",
                "title_en": "Report",
                "role": "provincial_officer",
                "holder": "subject",
                "days": 10,
            }
        ],
    }
    assert client.post("/api/process-templates", json=definition).status_code == 403
    as_user(client, "vanhanh")
    bad = {**definition, "steps": [{**definition["steps"][0], "role": "thanh_tra", "days": 0}]}
    refused = client.post("/api/process-templates", json=bad)
    assert refused.status_code == 422
    assert "step 1 (report): role 'thanh_tra' is not a role" in error(refused)
    assert "days 0 must be a whole number from 1 to 365" in error(refused)
    try:
        made = client.post("/api/process-templates", json=definition)
        assert made.status_code == 201, made.text
        assert made.json()["steps"][0]["role_label"] == "Cán bộ Sở Nội vụ"
        again = client.post("/api/process-templates", json=definition)
        assert again.status_code == 409 and "exists already" in error(again)
    finally:
        with demo_store.session() as session:
            session.execute(delete(ProcessTemplate).where(ProcessTemplate.slug == slug))


def test_an_inspection_of_lao_cai_by_the_ministry_inspectorate(
    client: TestClient, demo_store: OpStore, runs: list[int]
) -> None:
    marker = uuid.uuid4().hex[:6]
    as_user(client, "phantich")
    assert (
        client.post(
            "/api/processes", json={"template": INSPECTION, "subject": "SNV.15"}
        ).status_code
        == 403
    )
    as_user(client, "lanhdao")
    run = start(client, runs, title=f"Thanh tra Lào Cai {marker}")
    assert run["subject"] == {"code": "SNV.15", "name": "Sở Nội vụ tỉnh Lào Cai"}
    assert run["inspector"] == {"code": "BNV.TTr", "name": "Thanh tra Bộ"}
    first = run["steps"][0]
    assert first["state"] == "active" and first["unit"]["name"] == "Thanh tra Bộ"
    assert first["role_label"] == "Lãnh đạo" and first["can_complete"] is True
    assert [s["state"] for s in run["steps"][1:]] == ["pending"] * (len(run["steps"]) - 1)
    run_id = run["id"]

    with demo_store.session() as session:  # run ids come back after a cleanup
        audited_before = session.scalar(select(func.max(AuditEvent.id))) or 0
    as_user(client, "vanhanh")
    refused = complete(client, run_id, 1)
    assert refused.status_code == 403
    assert "held by BNV.TTr" in error(refused) and "your units are BNV.TTTT" in error(refused)
    with demo_store.session() as session:
        denied = session.scalars(
            select(AuditEvent).where(
                AuditEvent.id > audited_before,
                AuditEvent.action == "process.step_complete",
                AuditEvent.target == f"process {run_id} step 1",
            )
        ).all()
        assert [(a.username, a.outcome) for a in denied] == [("vanhanh", "denied")]

    as_user(client, "lanhdao")
    done = complete(client, run_id, 1, "Quyết định số 12/QĐ-TTr")
    assert done.status_code == 200, done.text
    decided, announce = done.json()["steps"][:2]
    assert decided["done_by"] == "lanhdao" and decided["note"] == "Quyết định số 12/QĐ-TTr"
    assert announce["state"] == "active" and announce["role_label"] == "Cán bộ vận hành"

    as_user(client, "vanhanh")
    assert "held by BNV.TTr" in error(complete(client, run_id, 2))
    as_user(client, PROCESS_INSPECTOR)
    assert complete(client, run_id, 2).status_code == 200

    as_user(client, "sonv.hanoi")
    assert client.get(f"/api/processes/{run_id}").status_code == 403
    assert run_id not in {r["id"] for r in client.get("/api/processes?state=all").json()}
    as_user(client, "sonv.laocai")
    mine = {r["id"]: r for r in client.get("/api/processes").json()}
    assert mine[run_id]["active"]["key"] == "records"
    assert mine[run_id]["active"]["can_complete"] is True
    out_of_order = complete(client, run_id, 8)
    assert out_of_order.status_code == 409
    assert "the active step is 3" in error(out_of_order)
    records = complete(client, run_id, 3, f"Đã gửi hồ sơ {marker}")
    assert records.status_code == 200
    shown = records.json()
    assert shown["steps_done"] == 3 and shown["active"]["key"] == "verify"
    assert shown["active"]["unit"]["code"] == "BNV.TTr" and shown["active"]["can_complete"] is False

    with demo_store.session() as session:
        kinds = session.scalars(
            select(Event.kind).where(Event.subject == f"process:{run_id}").order_by(Event.id)
        ).all()
    assert kinds == ["process.started"] + ["process.step_done"] * 3


def test_a_late_step_shows_how_late_and_who_holds_it(
    client: TestClient, demo_store: OpStore, runs: list[int]
) -> None:
    as_user(client, "lanhdao")
    run_id = start(client, runs, title=f"Thanh tra {uuid.uuid4().hex[:6]}")["id"]
    with demo_store.session() as session:
        run = session.get_one(ProcessRun, run_id)
        shift = timedelta(days=14, hours=1)
        run.started_at -= shift
        first = run.steps[0]
        assert first.started_at is not None and first.due_at is not None
        first.started_at -= shift
        first.due_at -= shift

    shown = client.get(f"/api/processes/{run_id}").json()
    assert shown["late"] is True
    assert (shown["active"]["late"], shown["active"]["days_late"]) == (True, 4)
    late_ids = {r["id"] for r in client.get("/api/processes?late=true").json()}
    assert run_id in late_ids
    assert run_id not in {r["id"] for r in client.get("/api/processes?state=done").json()}

    page = client.get("/processes?late=1")
    assert page.status_code == 200
    assert "Trễ 4 ngày" in page.text and "Thanh tra Bộ" in page.text
    detail = client.get(f"/processes/{run_id}?lang=en")
    assert "4 days late" in detail.text and "Ministry Inspectorate" in detail.text

    with demo_store.session() as session:
        assert svc.remind_late(session, utcnow()) >= 1
    with demo_store.session() as session:
        step_id = session.get_one(ProcessRun, run_id).steps[0].id
        event = session.scalars(
            select(Event).where(Event.subject == f"process:{run_id}/step:1")
        ).one()
        assert event.kind == "process.step_late" and event.admin_code == "15"
        reminded = session.scalars(
            select(Notification.kind)
            .join(User, User.id == Notification.user_id)
            .where(
                User.username == PROCESS_INSPECTOR, Notification.ref == f"process-step:{step_id}"
            )
            .order_by(Notification.id)
        ).all()
        assert reminded == ["process.step", "process.step_late"]


def test_the_pages_start_a_run_and_complete_its_steps(
    client: TestClient, demo_store: OpStore, runs: list[int]
) -> None:
    marker = uuid.uuid4().hex[:6]
    as_user(client, "lanhdao")
    page = client.get("/processes")
    assert page.status_code == 200
    assert "Theo dõi quy trình" in page.text and "Bắt đầu một quy trình" in page.text
    assert "Thanh tra công tác tuyển dụng, sử dụng công chức" in page.text
    english = client.get("/processes?lang=en")
    assert "Process tracking" in english.text and "Start a process" in english.text
    client.get("/processes?lang=vi")  # the language is remembered: back to Vietnamese

    wrong = client.post(
        "/processes", data={"template": INSPECTION, "subject": "SNV.99", "title": marker}
    )
    assert wrong.status_code == 422 and "&#39;SNV.99&#39; does not exist" in wrong.text
    started = client.post(
        "/processes",
        data={"template": INSPECTION, "subject": "SNV.15", "title": f"Thanh tra {marker}"},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    run_id = int(started.headers["location"].split("?")[0].rsplit("/", 1)[1])
    runs.append(run_id)

    timeline = client.get(f"/processes/{run_id}")
    assert f"Thanh tra {marker}" in timeline.text
    assert timeline.text.count('data-testid="step"') == 10
    assert 'data-testid="complete-form"' in timeline.text
    finished = client.post(
        f"/processes/{run_id}/steps/1/complete",
        data={"note": "Quyết định số 7"},
        follow_redirects=False,
    )
    assert finished.status_code == 303
    after = client.get(finished.headers["location"])
    assert "Đã hoàn thành bước 1." in after.text and "Quyết định số 7" in after.text
    assert "Chờ Thanh tra Bộ (Cán bộ vận hành) thực hiện." in after.text

    again = client.post(f"/processes/{run_id}/steps/1/complete", data={"note": ""})
    assert again.status_code == 409 and "is done already" in again.text
    as_user(client, "phantich")
    assert (
        client.post("/processes", data={"template": INSPECTION, "subject": "SNV.15"}).status_code
        == 403
    )
    viewer = client.get(f"/processes/{run_id}")
    assert viewer.status_code == 200 and 'data-testid="complete-form"' not in viewer.text
    assert "Bắt đầu một quy trình" not in client.get("/processes").text
