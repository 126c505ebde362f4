"""The plans API and pages: plan managers prepare plans (checked, 422 naming the fault), a
coordinator activates one in one call and gets the command view's address, a province acts
for itself only (403, audited), each viewer sees the run through their scope, and the pages
speak Vietnamese by default and English on request."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent
from tests.factories import login

PROVINCES = 34


def _plan(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "slug": f"api-{uuid.uuid4().hex[:10]}",
        "title_vi": "Ứng phó bão khẩn cấp",
        "title_en": "Emergency storm response",
        "hazard": "storm_flood",
        "severity": "major",
        "description": "Phương án thử nghiệm qua API.",
        "tasks": [
            {"unit": "BNV.VP", "title_vi": "Lập trực ban", "title_en": "Start duty", "hours": 1},
            {
                "unit": "SNV.*",
                "title_vi": "Báo cáo thiệt hại trụ sở",
                "title_en": "Report damage to offices",
                "hours": 6,
            },
        ],
    }
    raw.update(changes)
    return raw


def _create(client: TestClient, **changes: Any) -> str:
    login(client, "vanhanh")
    response = client.post("/api/plans", json=_plan(**changes))
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def _activate(client: TestClient, username: str, slug: str, **body: Any) -> Any:
    login(client, username)
    return client.post(f"/api/plans/{slug}/activate", json={"drill": False, **body})


def test_a_plan_manager_prepares_and_changes_a_plan(client: TestClient) -> None:
    slug = _create(client)
    plan = client.get(f"/api/plans/{slug}").json()
    assert plan["created_by"] == "vanhanh" and len(plan["tasks"]) == 2 and not plan["needs_area"]
    assert slug in {p["slug"] for p in client.get("/api/plans").json()}

    body = _plan()
    body.pop("slug")
    body["tasks"].append({"unit": "UBX.*", "title_vi": "Xã", "title_en": "Communes", "hours": 3})
    changed = client.put(f"/api/plans/{slug}", json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["needs_area"] and len(changed.json()["tasks"]) == 3

    assert client.post("/api/plans", json=_plan(slug=slug)).status_code == 409
    assert client.get("/api/plans/khong-co").status_code == 404


def test_a_plan_naming_an_unknown_unit_is_refused_with_its_name(client: TestClient) -> None:
    login(client, "vanhanh")
    bad = _plan()
    bad["tasks"][1]["unit"] = "SNV.77"
    response = client.post("/api/plans", json=bad)
    assert response.status_code == 422
    assert (
        "task 2: organisational unit 'SNV.77' does not exist" in response.json()["error"]["message"]
    )

    bad["tasks"][1] = {"unit": "SNV.*", "title_vi": "X", "title_en": "X", "hours": 0}
    response = client.post("/api/plans", json=bad)
    assert response.status_code == 422 and "hours 0 is out of range" in response.text


def test_only_plan_managers_prepare_plans(client: TestClient) -> None:
    login(client, "lanhdao")  # a leader activates plans but does not write them
    assert client.post("/api/plans", json=_plan()).status_code == 403


def test_one_call_activates_a_plan_nationwide(client: TestClient) -> None:
    slug = _create(client)
    response = _activate(client, "vanhanh", slug, drill=True, note="Diễn tập quý III")
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["drill"] and run["state"] == "active" and run["area"] is None
    assert run["url"] == f"/plans/runs/{run['id']}"
    assert run["totals"]["total"] == PROVINCES + 1 and run["totals"]["not_started"] == PROVINCES + 1
    assert run["incident_id"] is not None and run["elapsed_seconds"] >= 0
    unit_codes = [u["unit"] for u in run["units"]]
    assert unit_codes[0] == "BNV.VP" and sum(c.startswith("SNV.") for c in unit_codes) == PROVINCES

    page = client.get(run["url"])
    assert page.status_code == 200
    assert "DIỄN TẬP / DRILL" in page.text and "Màn hình chỉ huy" in page.text
    english = client.get(run["url"] + "?lang=en")
    assert "DRILL / DIỄN TẬP" in english.text and "Command view" in english.text

    listed = client.get("/api/plan-runs", params={"state": "active"}).json()
    assert run["id"] in {r["id"] for r in listed}
    listing = client.get("/plans?lang=vi").text
    assert "Phương án đang kích hoạt" in listing and run["url"] in listing

    closed = client.post(f"/api/plan-runs/{run['id']}/close", json={"evaluation": "Đạt yêu cầu"})
    assert closed.status_code == 200, closed.text
    assert (
        closed.json()["state"] == "closed" and closed.json()["totals"]["cancelled"] == PROVINCES + 1
    )
    assert run["id"] not in {r["id"] for r in client.get("/api/plan-runs").json()}
    assert run["id"] in {r["id"] for r in client.get("/api/plan-runs?state=all").json()}


def test_a_province_activates_for_its_own_province_only(
    client: TestClient, demo_store: OpStore
) -> None:
    slug = _create(client)
    mine = _activate(client, "sonv.laocai", slug, area="15")
    assert mine.status_code == 201, mine.text
    assert [u["unit"] for u in mine.json()["units"]] == ["SNV.15"]
    assert mine.json()["left_out"] == [{"unit": "BNV.VP", "reason": "outside_scope"}]

    other = _activate(client, "sonv.laocai", slug, area="01")
    assert other.status_code == 403
    assert "province 01 is outside your scope" in other.json()["error"]["message"]
    nationwide = _activate(client, "sonv.laocai", slug)
    assert nationwide.status_code == 403

    with demo_store.session() as session:
        refused = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "plan.activate",
                AuditEvent.outcome == "denied",
                AuditEvent.target == f"plan:{slug}",
            )
        ).all()
        assert len(refused) == 2 and {a.username for a in refused} == {"sonv.laocai"}


def test_a_province_sees_only_its_own_tasks_of_a_nationwide_run(
    client: TestClient, demo_store: OpStore
) -> None:
    slug = _create(client)
    run = _activate(client, "lanhdao", slug).json()

    login(client, "sonv.laocai")
    seen = client.get(f"/api/plan-runs/{run['id']}").json()
    assert [u["unit"] for u in seen["units"]] == ["SNV.15"] and seen["partial"]
    assert seen["totals"]["total"] == 1
    assert "Bạn chỉ thấy nhiệm vụ" in client.get(run["url"]).text
    assert (
        client.post(f"/api/plan-runs/{run['id']}/close", json={"evaluation": "x"}).status_code
        == 403
    )

    area_run = _activate(client, "vanhanh", slug, area="15").json()
    login(client, "sonv.hanoi")
    refused = client.get(f"/api/plan-runs/{area_run['id']}")
    assert refused.status_code == 403 and "holds no task of your units" in refused.text
    assert client.get(area_run["url"]).status_code == 403
    assert client.get("/api/plan-runs/999999").status_code == 404
    with demo_store.session() as session:
        denied = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "plan_run.read",
                AuditEvent.target == f"plan_run:{area_run['id']}",
            )
        ).all()
        assert {(a.username, a.outcome) for a in denied} == {("sonv.hanoi", "denied")}


def test_the_plan_pages_speak_both_languages(client: TestClient) -> None:
    slug = _create(client, title_en="Storm response for the English page")
    page = client.get("/plans?lang=vi")
    assert page.status_code == 200 and "Phương án ứng phó" in page.text
    assert f'data-slug="{slug}"' in page.text and "Kích hoạt" in page.text
    plan = client.get(f"/plans/{slug}")
    assert "Sở Nội vụ các tỉnh, thành phố" in plan.text and "Văn phòng Bộ" in plan.text
    english = client.get(f"/plans/{slug}?lang=en")
    assert "Storm response for the English page" in english.text
    assert "Department of Home Affairs (for one province: that province" in english.text

    login(client, "phantich")  # an analyst may read plans, not activate them
    assert 'data-testid="activate"' not in client.get("/plans").text
    assert _activate(client, "phantich", slug).status_code == 403
