"""Record-level reads under the access rules, on the demo data: rows limited to the scope
in the query, personal and sensitive fields masked without a data-sharing agreement, search
blind to masked fields, exports and refusals audited, a grant and its revocation taking
effect on the next request."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, utcnow
from noivu_ioc.warehouse import Warehouse
from tests.factories import login


def _as(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    return login(client, username)


def _person(warehouse: Warehouse, province: str) -> dict[str, object]:
    rows = warehouse.query(
        "SELECT person_id, full_name, citizen_id FROM person WHERE province_code = ? "
        "ORDER BY person_id LIMIT 1",
        [province],
    )
    return rows[0]


def _audited(store: OpStore, after: int, action: str) -> list[AuditEvent]:
    with store.session() as session:
        found = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > after, AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )
        for e in found:
            session.expunge(e)
        return found


def _last_audit(store: OpStore) -> int:
    with store.session() as session:
        return max(session.scalars(select(AuditEvent.id)).all() or [0])


def test_a_province_reads_its_own_people_with_the_fields_its_agreement_opens(
    client: TestClient, demo_warehouse: Warehouse, demo_store: OpStore
) -> None:
    before = _last_audit(demo_store)
    page = _as(client, "sonv.laocai").get("/api/records/person", params={"limit": 20}).json()
    in_province = demo_warehouse.scalar("SELECT count(*) FROM person WHERE province_code='15'")
    assert page["total"] == in_province > 0
    assert {r["province_code"] for r in page["rows"]} == {"15"}
    readable = {f["name"] for f in page["fields"] if f["readable"]}
    assert {"full_name", "sex", "birth_date", "grade"} <= readable  # agreement + internal
    assert {"citizen_id", "ethnicity", "religion", "party_member"} <= set(page["masked"])
    assert all(r["citizen_id"] is None and r["full_name"] for r in page["rows"])
    (read,) = _audited(demo_store, before, "records.list")
    assert read.username == "sonv.laocai"
    assert read.detail is not None and "full_name" in read.detail["fields"]  # type: ignore[operator]
    assert read.detail["agreements"] == ["sonv-ho-so-can-bo-tinh"]


def test_search_looks_only_in_the_fields_in_clear(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    laocai = _person(demo_warehouse, "15")
    _as(client, "sonv.laocai")
    by_name = client.get("/api/records/person", params={"q": laocai["full_name"]}).json()
    assert laocai["person_id"] in [r["person_id"] for r in by_name["rows"]]
    # The citizen number is masked for the department: searching it finds nobody, so a
    # search cannot confirm that a number belongs to someone.
    by_number = client.get("/api/records/person", params={"q": laocai["citizen_id"]}).json()
    assert by_number["total"] == 0
    # The inspectorate holds an agreement for it: the same search finds the person.
    _as(client, "thanhtra")
    found = client.get("/api/records/person", params={"q": laocai["citizen_id"]}).json()
    assert [r["citizen_id"] for r in found["rows"]] == [laocai["citizen_id"]]


def test_a_record_outside_the_scope_is_not_found_and_the_refusal_audited(
    client: TestClient, demo_warehouse: Warehouse, demo_store: OpStore
) -> None:
    hanoi = _person(demo_warehouse, "01")
    laocai = _person(demo_warehouse, "15")
    before = _last_audit(demo_store)
    _as(client, "sonv.laocai")
    mine = client.get(f"/api/records/person/{laocai['person_id']}")
    assert mine.status_code == 200 and mine.json()["record"]["full_name"] == laocai["full_name"]
    other = client.get(f"/api/records/person/{hanoi['person_id']}")
    missing = client.get("/api/records/person/CB9999999999")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["message"].replace(str(hanoi["person_id"]), "X") == (
        missing.json()["error"]["message"].replace("CB9999999999", "X")
    )  # the answer does not tell an existing record from a missing one
    refusals = _audited(demo_store, before, "records.read")
    reasons = [(e.outcome, (e.detail or {}).get("reason")) for e in refusals]
    assert ("denied", "out of scope") in reasons and ("denied", "no such record") in reasons
    assert client.get("/records/person/" + str(hanoi["person_id"])).status_code == 404


def test_a_national_leader_without_an_agreement_sees_no_personal_data(
    client: TestClient,
) -> None:
    page = _as(client, "lanhdao").get("/api/records/person", params={"limit": 5}).json()
    assert page["total"] > 0
    assert {"full_name", "birth_date", "citizen_id"} <= set(page["masked"])
    assert all(r["full_name"] is None for r in page["rows"])
    assert all(r["grade"] is not None or r["title"] is not None for r in page["rows"])


def test_a_grant_and_its_revocation_take_effect_on_the_next_request(
    client: TestClient, demo_store: OpStore
) -> None:
    name = f"thu-nghiem-{uuid.uuid4().hex[:8]}"
    _as(client, "quantri")
    made = client.post(
        "/api/sharing-agreements",
        json={
            "name": name,
            "dataset": "person",
            "fields": ["full_name"],
            "grantee_role": "leader",
            "purpose": "Lãnh đạo Bộ xem danh sách cán bộ được đề xuất bổ nhiệm",
            "valid_until": (utcnow() + timedelta(days=7)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "active"
    _as(client, "lanhdao")
    opened = client.get("/api/records/person", params={"limit": 3}).json()
    assert "full_name" not in opened["masked"] and all(r["full_name"] for r in opened["rows"])
    _as(client, "quantri")
    assert client.post(f"/api/sharing-agreements/{name}/revoke").status_code == 200
    again = client.post(f"/api/sharing-agreements/{name}/revoke")
    assert again.status_code == 409 and "revoked already by quantri" in again.text
    _as(client, "lanhdao")
    closed = client.get("/api/records/person", params={"limit": 3}).json()
    assert "full_name" in closed["masked"] and all(r["full_name"] is None for r in closed["rows"])


def test_bad_agreements_are_refused_with_the_fix(client: TestClient) -> None:
    _as(client, "quantri")
    base = {
        "name": "hop-le",
        "dataset": "person",
        "fields": ["full_name"],
        "grantee_role": "leader",
        "purpose": "Mục đích đủ dài để kiểm tra",
        "valid_until": (utcnow() + timedelta(days=7)).isoformat(),
    }
    cases = [
        ({"dataset": "nhan_su"}, "dataset 'nhan_su' is not in the catalog"),
        ({"fields": ["ho_ten"]}, "dataset person has no field 'ho_ten'"),
        ({"grantee_role": None}, "an agreement needs a grantee"),
        ({"grantee_role": "chief"}, "'chief' is not a role"),
        ({"grantee_unit": "SNV.99", "grantee_role": None}, "organisational unit 'SNV.99'"),
        ({"purpose": "xem"}, "purpose is too short"),
        ({"valid_until": "2020-01-01T00:00:00+00:00"}, "is not after valid_from"),
        ({"name": "Có Dấu"}, "name 'Có Dấu' is not valid"),
    ]
    for change, message in cases:
        answer = client.post("/api/sharing-agreements", json=base | change)
        assert answer.status_code == 422, (change, answer.text)
        assert message in answer.json()["error"]["message"], (change, answer.text)
    _as(client, "lanhdao")
    assert client.post("/api/sharing-agreements", json=base).status_code == 403


def test_an_export_holds_only_fields_in_clear_and_is_audited(
    client: TestClient, demo_warehouse: Warehouse, demo_store: OpStore
) -> None:
    before = _last_audit(demo_store)
    answer = _as(client, "sonv.laocai").get("/api/records/person/export.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert "full_name" in header and "citizen_id" not in header and "religion" not in header
    in_province = demo_warehouse.scalar("SELECT count(*) FROM person WHERE province_code='15'")
    assert len(body) == in_province
    (export,) = _audited(demo_store, before, "records.export")
    assert export.detail is not None and export.detail["rows"] == in_province


def test_the_audit_trail_is_searched_and_exported_by_administrators_only(
    client: TestClient, demo_store: OpStore
) -> None:
    _as(client, "sonv.laocai").get("/api/records/person", params={"limit": 1})
    _as(client, "lanhdao")
    refused = client.get("/api/audit")
    assert refused.status_code == 403
    _as(client, "quantri")
    page = client.get("/api/audit", params={"action": "records", "user": "sonv.laocai"}).json()
    assert page["total"] >= 1
    assert {e["action"] for e in page["entries"]} <= {
        "records.list",
        "records.read",
        "records.export",
    }
    denied = client.get("/api/audit", params={"outcome": "denied", "user": "lanhdao"}).json()
    assert any(e["target"] == "GET /api/audit" for e in denied["entries"])
    bad = client.get("/api/audit", params={"since": "2026-12-05", "until": "2026-12-01"})
    assert bad.status_code == 422 and "swap them" in bad.text
    exported = client.get("/api/audit/export.csv", params={"action": "records"})
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,at_utc,username,action")
    assert len(lines) >= 2
    page = client.get("/audit", params={"action": "audit"})
    assert page.status_code == 200 and "audit.search" in page.text


def test_a_cut_by_a_sensitive_field_needs_an_agreement_that_opens_it(
    client: TestClient,
) -> None:
    _as(client, "lanhdao")
    by_sex = client.get("/api/indicators/religion.dignitaries", params={"by": "sex"})
    assert by_sex.status_code == 200, by_sex.text
    for _ in range(2):  # the second time too: no cached answer slips past the check
        refused = client.get("/api/indicators/religion.dignitaries", params={"by": "religion"})
        assert refused.status_code == 403
        assert "religion is sensitive personal data of dignitary" in refused.text
    page = client.get("/indicators/religion.dignitaries", params={"by": "religion"})
    assert page.status_code == 403
    name = f"ton-giao-{uuid.uuid4().hex[:8]}"
    _as(client, "quantri")
    made = client.post(
        "/api/sharing-agreements",
        json={
            "name": name,
            "dataset": "dignitary",
            "fields": ["religion"],
            "grantee_role": "leader",
            "purpose": "Theo dõi cơ cấu chức sắc theo tôn giáo phục vụ quản lý nhà nước",
            "valid_until": (utcnow() + timedelta(days=7)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    try:
        _as(client, "lanhdao")
        opened = client.get("/api/indicators/religion.dignitaries", params={"by": "religion"})
        assert opened.status_code == 200, opened.text
    finally:
        _as(client, "quantri").post(f"/api/sharing-agreements/{name}/revoke")


def test_another_province_in_the_address_is_refused_and_audited(
    client: TestClient, demo_store: OpStore
) -> None:
    before = _last_audit(demo_store)
    _as(client, "sonv.laocai")
    assert client.get("/api/records/person", params={"province": "15"}).status_code == 200
    refused = client.get("/api/records/person", params={"province": "01"})
    assert refused.status_code == 403 and "province 01 is outside your scope" in refused.text
    page = client.get("/records/person", params={"province": "01"})
    assert page.status_code == 403
    entries = [
        (e.target, e.outcome)
        for e in _audited(demo_store, before, "request")
        if e.username == "sonv.laocai"
    ]
    assert entries == [("GET /api/records/person", "denied"), ("GET /records/person", "denied")]


def test_sql_and_script_in_text_are_only_text(
    client: TestClient, demo_warehouse: Warehouse
) -> None:
    rows_before = demo_warehouse.scalar("SELECT count(*) FROM person")
    _as(client, "sonv.laocai")
    for text in ("'; DROP TABLE person; --", "%' OR '1'='1", "\\", "_%_"):
        answer = client.get("/api/records/person", params={"q": text})
        assert answer.status_code == 200 and answer.json()["total"] == 0, text
    assert demo_warehouse.scalar("SELECT count(*) FROM person") == rows_before
    name = f"kich-ban-{uuid.uuid4().hex[:8]}"
    _as(client, "quantri")
    made = client.post(
        "/api/sharing-agreements",
        json={
            "name": name,
            "dataset": "person",
            "fields": ["sex"],
            "grantee_role": "leader",
            "purpose": "<script>alert('xss')</script> mục đích thử nghiệm",
            "valid_until": (utcnow() + timedelta(days=1)).isoformat(),
        },
    )
    assert made.status_code == 201
    page = client.get("/sharing").text
    assert "<script>alert('xss')</script>" not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page
    client.post(f"/api/sharing-agreements/{name}/revoke")
