"""The situation picture through the API: indicators and their drill-down within scope, the
cached fast path giving the route's own bytes and never more than the route allows, the wall's
scenes, analysts' indicators, and live events scoped to each viewer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.access.scope import Scope
from noivu_ioc.ingest import events
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, Event
from noivu_ioc.units import admin
from noivu_ioc.web.fastpath import CachedAnswers
from noivu_ioc.web.live import LiveHub
from tests.factories import login

WOMEN = "personnel.women_share"
SCENE = "/api/scenes/tong-quan/data"


def _fastpath(client: TestClient) -> CachedAnswers:
    layer = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, CachedAnswers):
        layer = layer.app
    return layer


def test_the_library_and_a_drill_down_from_the_nation(client: TestClient) -> None:
    login(client, "lanhdao")
    library = client.get("/api/indicators").json()
    assert len(library) >= 46
    assert {i["domain"] for i in library} >= {"personnel", "religion", "youth", "emulation"}

    nation = client.get(f"/api/indicators/{WOMEN}").json()
    assert nation["place"]["key"] == "nation"
    assert [c["label"] for c in nation["breadcrumb"]] == ["Toàn quốc"]
    assert nation["cut"]["by"] == "province"
    provinces = {r["key"] for r in nation["cut"]["rows"] if r["key"]}
    assert provinces <= {p.code for p in admin.provinces()} and len(provinces) >= 30
    assert 0 < nation["reading"]["value"] < 100

    hanoi = client.get(f"/api/indicators/{WOMEN}", params={"place": "province:01"}).json()
    assert [c["label"] for c in hanoi["breadcrumb"]] == ["Toàn quốc", "Thành phố Hà Nội"]
    assert hanoi["cut"]["by"] == "commune"
    communes = [r for r in hanoi["cut"]["rows"] if r["key"] is not None]
    assert communes and all(admin.unit(r["key"]).province_code == "01" for r in communes)
    # Staff of the province's own agencies belong to no commune: one row, named as such.
    unplaced = [r["label"] for r in hanoi["cut"]["rows"] if r["key"] is None]
    assert unplaced == ["Cấp tỉnh, không thuộc xã"]
    row = next(r for r in nation["cut"]["rows"] if r["key"] == "01")
    assert row["value"] == pytest.approx(hanoi["reading"]["value"])
    assert row["place"] == "province:01"


def test_a_provincial_officers_nation_is_their_province(
    client: TestClient, demo_store: OpStore
) -> None:
    login(client, "lanhdao")
    leaders_hanoi = client.get(f"/api/indicators/{WOMEN}", params={"place": "province:01"})
    client.cookies.clear()
    login(client, "sonv.hanoi")
    mine = client.get(f"/api/indicators/{WOMEN}").json()
    assert mine["place"]["key"] == "province:01"
    assert [c["label"] for c in mine["breadcrumb"]] == ["Thành phố Hà Nội"]
    assert mine["reading"]["value"] == leaders_hanoi.json()["reading"]["value"]
    cards = client.get("/api/indicators/cards").json()
    assert cards["place"] == "province:01"

    refused = client.get(f"/api/indicators/{WOMEN}", params={"place": "province:15"})
    assert refused.status_code == 403
    assert "outside your scope" in refused.json()["error"]["message"]
    with demo_store.session() as session:
        last = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "scope").order_by(AuditEvent.id.desc())
        ).first()
    assert last is not None
    assert (last.username, last.outcome, last.target) == (
        "sonv.hanoi",
        "denied",
        "place province:15",
    )


def test_the_fast_path_serves_the_routes_bytes_and_no_more(client: TestClient) -> None:
    fast = _fastpath(client)
    login(client, "lanhdao")
    first = client.get(SCENE, params={"place": "province:15"})
    hits = fast.hits
    again = client.get(SCENE, params={"place": "province:15"})
    assert again.status_code == 200 and again.content == first.content
    assert fast.hits == hits + 1
    assert again.headers["x-request-id"] and again.headers["x-content-type-options"] == "nosniff"
    # A parameter the route does not know: the route answers (the same bytes), not the cache.
    other = client.get(SCENE, params={"place": "province:15", "foo": "1"})
    assert other.content == first.content and fast.hits == hits + 1

    # Lào Cai's answer is cached, but a Hà Nội officer is refused it, by the route.
    client.cookies.clear()
    login(client, "sonv.hanoi")
    refused = client.get(SCENE, params={"place": "province:15"})
    assert refused.status_code == 403
    assert fast.hits == hits + 1
    mine = client.get(SCENE)
    assert mine.status_code == 200
    assert orjson.loads(mine.content)["place"] == "province:01"

    # Logging out ends the session for the cache too.
    assert client.delete("/api/session").status_code == 204
    assert client.get(SCENE).status_code == 401


def test_bad_questions_are_named(client: TestClient) -> None:
    login(client, "lanhdao")
    missing = client.get("/api/indicators/personnel.no_such_thing")
    assert missing.status_code == 404
    assert "'personnel.no_such_thing' does not exist" in missing.json()["error"]["message"]
    bad_place = client.get(f"/api/indicators/{WOMEN}", params={"place": "province:99"})
    assert bad_place.status_code == 404
    assert "'99' is not a unit" in bad_place.json()["error"]["message"]
    old = client.get(f"/api/indicators/{WOMEN}", params={"place": "region:north"})
    assert old.status_code == 422
    empty = client.get("/api/indicators/emulation.awards", params={"period": 1990}).json()
    assert empty["reading"]["value"] is None
    assert empty["reading"]["reason"] == "Không có số liệu năm 1990 trong phạm vi của bạn"
    assert empty["reading"]["reason_code"] == "no_data_period"
    wrong_cut = client.get(f"/api/indicators/{WOMEN}", params={"by": "religion"}).json()
    assert wrong_cut["reading"]["value"] is not None
    assert wrong_cut["cut"]["reason"].startswith(
        "Chỉ tiêu không phân tổ được theo religion; có thể phân tổ theo: province, commune"
    )
    # In English on request (the choice is remembered in a cookie from here on).
    english = client.get("/api/indicators/emulation.awards", params={"period": 1990, "lang": "en"})
    assert english.json()["reading"]["reason"] == "no data for 1990 in your scope"


def test_an_administrator_configures_the_walls_scenes(client: TestClient) -> None:
    slug = f"thu-{uuid.uuid4().hex[:6]}"
    scene = {
        "slug": slug,
        "title_vi": "Cảnh thử",
        "title_en": "Test scene",
        "dwell_seconds": 20,
        "panels": [
            {"kind": "kpi", "x": 0, "y": 0, "w": 12, "h": 2, "indicators": [WOMEN]},
            {"kind": "map", "x": 0, "y": 2, "w": 6, "h": 6, "indicators": [WOMEN]},
            {"kind": "ticker", "x": 6, "y": 7, "w": 6, "h": 1},
        ],
    }
    login(client, "lanhdao")
    assert client.post("/api/scenes", json=scene).status_code == 403
    client.cookies.clear()
    login(client, "quantri")
    overlapping = {
        **scene,
        "panels": [*scene["panels"], {"kind": "ticker", "x": 5, "y": 7, "w": 2, "h": 1}],
    }
    refused = client.post("/api/scenes", json=overlapping)
    assert refused.status_code == 422
    assert "panel 4 overlaps panel 2 at column 5, row 7" in refused.json()["error"]["message"]
    unknown = {**scene, "panels": [{**scene["panels"][0], "indicators": ["x.y"]}]}
    assert "'x.y' does not exist" in client.post("/api/scenes", json=unknown).text

    created = client.post("/api/scenes", json=scene)
    assert created.status_code == 201, created.text
    try:
        assert slug in [s["slug"] for s in client.get("/api/scenes").json()]
        data = client.get(f"/api/scenes/{slug}/data").json()
        kinds = [p["kind"] for p in data["panels"]]
        assert kinds == ["kpi", "map", "ticker"]
        assert data["panels"][0]["cards"][0]["value"] is not None
        assert len(data["panels"][1]["rows"]) >= 30
        changed = client.put(f"/api/scenes/{slug}", json={**scene, "dwell_seconds": 90})
        assert changed.json()["dwell_seconds"] == 90
        assert client.get(f"/api/scenes/{slug}/data").json()["dwell_seconds"] == 90
    finally:
        assert client.delete(f"/api/scenes/{slug}").status_code == 204
    assert client.get(f"/api/scenes/{slug}/data").status_code == 404


def test_an_analyst_defines_an_indicator_without_python(client: TestClient) -> None:
    ident = f"personnel.test_{uuid.uuid4().hex[:6]}"
    toml = f'''
id = "{ident}"
name_vi = "Tỷ lệ nữ trong đội ngũ (thử)"
name_en = "Women among staff (test)"
domain = "personnel"
unit = "percent"
formula = "100 * women / staff"
[measures.women]
entity = "person"
where = "sex = '2'"
[measures.staff]
entity = "person"
'''
    login(client, "lanhdao")
    assert client.post("/api/indicators", json={"toml": toml}).status_code == 403
    client.cookies.clear()
    login(client, "phantich")
    typo = client.post("/api/indicators/check", json={"toml": toml.replace("sex =", "gender =")})
    assert typo.status_code == 422
    assert "refers to 'gender', which is not a field of person" in typo.text
    # Religion is sensitive data that the analyst's agreement (sex, birth date, ethnicity)
    # does not open: a definition filtering on it is refused, checked or saved.
    religion = toml.replace("sex = '2'", "religion <> '00'")
    for refused in (
        client.post("/api/indicators/check", json={"toml": religion}),
        client.post("/api/indicators", json={"toml": religion}),
    ):
        assert refused.status_code == 403
        assert f"indicator {ident} reads religion of person" in refused.text
        assert "data-sharing agreement" in refused.text
    checked = client.post("/api/indicators/check", json={"toml": toml}).json()
    assert 0 < checked["reading"]["value"] < 100
    saved = client.post("/api/indicators", json={"toml": toml})
    assert saved.status_code == 201, saved.text
    try:
        assert ident in [i["id"] for i in client.get("/api/indicators").json()]
        detail = client.get(f"/api/indicators/{ident}").json()
        assert detail["reading"]["value"] == pytest.approx(checked["reading"]["value"])
        assert detail["indicator"]["origin"] == "phantich"
        again = client.post("/api/indicators", json={"toml": toml})
        assert again.status_code == 409
    finally:
        assert client.delete(f"/api/indicators/{ident}").status_code == 204
    assert client.get(f"/api/indicators/{ident}").status_code == 404
    shipped = client.delete(f"/api/indicators/{WOMEN}")
    assert shipped.status_code == 404 and "shipped ones cannot be deleted" in shipped.text


@pytest.fixture
def hub(demo_store: OpStore) -> Iterator[LiveHub]:
    yield LiveHub(demo_store, None, interval_s=0.05, heartbeat_s=0.5)


def test_live_events_reach_only_the_viewers_whose_scope_covers_them(
    hub: LiveHub, demo_store: OpStore
) -> None:
    marker = uuid.uuid4().hex[:8]
    hanoi_commune = admin.communes_of("01")[0].code
    places = {"01": "Hà Nội", "15": "Lào Cai", hanoi_commune: "xã Hà Nội", None: "toàn quốc"}

    async def watch(scope: Scope, want: int) -> list[str]:
        seen: list[str] = []
        quiet = 0  # heartbeats with nothing new: a bound on waiting for what never comes
        stream = hub.stream(scope, None)
        async for chunk in stream:
            text = chunk.decode()
            if marker in text:
                seen.append(text.split('"message":"')[1].split('"')[0])
            quiet = quiet + 1 if "keep-alive" in text else 0
            if (len(seen) == want and quiet >= 1) or quiet > 40:
                break
        await stream.aclose()
        return seen

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        viewers = [
            asyncio.create_task(watch(Scope.everything(), 4)),
            asyncio.create_task(watch(Scope(provinces=frozenset({"01"})), 2)),
            asyncio.create_task(watch(Scope(provinces=frozenset({"15"})), 1)),
        ]
        await asyncio.sleep(0.2)  # let the streams subscribe; not a limit on the test
        with demo_store.session() as session:
            for code, name in places.items():
                events.record(
                    session,
                    kind="device",
                    severity="warning",
                    subject=marker,
                    message=f"{marker} {name}",
                    admin_code=code,
                )
        national, hanoi, laocai = await asyncio.gather(*viewers)
        await hub.stop()
        return national, hanoi, laocai

    try:
        # On a thread of its own: Playwright's sync API may hold an event loop on this one.
        with ThreadPoolExecutor(1) as pool:
            national, hanoi, laocai = pool.submit(asyncio.run, scenario()).result()
    finally:
        with demo_store.session() as session:
            for event in session.scalars(select(Event).where(Event.subject == marker)):
                session.delete(event)
    assert sorted(national) == sorted(f"{marker} {n}" for n in places.values())
    assert sorted(hanoi) == sorted([f"{marker} Hà Nội", f"{marker} xã Hà Nội"])
    assert laocai == [f"{marker} Lào Cai"]


def test_one_failing_panel_does_not_blank_the_scene(client: TestClient) -> None:
    """An indicator the engine cannot compute (a sum over text) and one with an empty
    denominator sit beside a sound one: the scene still answers, each tile with its value
    or its reason."""
    broken = f"personnel.broken_{uuid.uuid4().hex[:6]}"
    empty = f"personnel.empty_{uuid.uuid4().hex[:6]}"
    definitions = [
        {
            "id": broken,
            "name_vi": "Hỏng",
            "name_en": "Broken",
            "domain": "personnel",
            "unit": "number",
            "entity": "person",
            "value": "sum(status)",
        },
        {
            "id": empty,
            "name_vi": "Rỗng",
            "name_en": "Empty",
            "domain": "personnel",
            "unit": "percent",
            "formula": "100 * a / b",
            "measures": {
                "a": {"entity": "person"},
                "b": {
                    "entity": "person",
                    "where": "status = 'DANG_CONG_TAC' AND status <> 'DANG_CONG_TAC'",
                },
            },
        },
    ]
    slug = f"hong-{uuid.uuid4().hex[:6]}"
    login(client, "quantri")
    for definition in definitions:
        assert client.post("/api/indicators", json=definition).status_code == 201
    try:
        scene = {
            "slug": slug,
            "title_vi": "Cảnh có ô lỗi",
            "title_en": "A scene with a bad tile",
            "panels": [
                {
                    "kind": "kpi",
                    "x": 0,
                    "y": 0,
                    "w": 12,
                    "h": 2,
                    "indicators": [WOMEN, broken, empty],
                },
                {"kind": "ranking", "x": 0, "y": 2, "w": 6, "h": 6, "indicators": [broken]},
            ],
        }
        assert client.post("/api/scenes", json=scene).status_code == 201
        data = client.get(f"/api/scenes/{slug}/data")
        assert data.status_code == 200
        good, bad, none = data.json()["panels"][0]["cards"]
        assert good["value"] is not None and good["reason"] is None
        assert bad["value"] is None
        assert bad["reason"].startswith("Không tính được chỉ tiêu: BinderException")
        assert (none["value"], none["reason"]) == (None, "Không có số liệu trong phạm vi của bạn")
        ranking = data.json()["panels"][1]
        assert ranking["card"]["value"] is None and ranking["reason"] is not None
    finally:
        client.delete(f"/api/scenes/{slug}")
        for definition in definitions:
            client.delete(f"/api/indicators/{definition['id']}")


def test_an_organisational_unit_is_a_place_too(client: TestClient, demo_store: OpStore) -> None:
    login(client, "lanhdao")
    hanoi = client.get(f"/api/indicators/{WOMEN}", params={"place": "province:01", "by": "agency"})
    body = hanoi.json()
    assert "agency" in body["indicator"]["cuts"]
    first = body["cut"]["rows"][0]
    assert first["place"] == f"agency:{first['key']}" and first["label"] != first["key"]
    agency = client.get(f"/api/indicators/{WOMEN}", params={"place": first["place"]}).json()
    assert [c["label"] for c in agency["breadcrumb"]] == [
        "Toàn quốc",
        "Thành phố Hà Nội",
        first["label"],
    ]
    assert agency["reading"]["value"] == pytest.approx(first["value"])
    unknown = client.get(f"/api/indicators/{WOMEN}", params={"place": "agency:NO-SUCH"})
    assert unknown.status_code == 404

    client.cookies.clear()
    login(client, "sonv.laocai")
    refused = client.get(f"/api/indicators/{WOMEN}", params={"place": first["place"]})
    assert refused.status_code == 403
    assert f"({first['key']}) is outside your scope" in refused.json()["error"]["message"]
