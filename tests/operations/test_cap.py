"""CAP 1.2 in and out, on SQLite and on PostgreSQL: a storm warning from the national
forecasting centre becomes one event per province it names and, through an event rule, one
alert per province; its Update worsens those alerts and its Cancel resolves them; refused
messages say where and why and are kept as ``cap.rejected`` events; an IOC alert published
as CAP validates against the schema, with an Alert → Update → Cancel chain."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import func, select

from noivu_ioc.errors import ConflictError, IOCError
from noivu_ioc.indicators.engine import DuckDBEngine, Evaluator
from noivu_ioc.indicators.registry import Registry
from noivu_ioc.operations import cap
from noivu_ioc.operations.alerts import acknowledge, create_rule, resolve
from noivu_ioc.operations.evaluate import evaluate_rules
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Alert, AlertRule, CapMessage, Event
from noivu_ioc.warehouse import Warehouse

DATA = Path(__file__).parent.parent / "data" / "cap"
STORM = (DATA / "storm-warning.xml").read_bytes()
NCHMF = "canhbao@nchmf.gov.vn"
THREAD = f"cap:{NCHMF}:VN-NCHMF-2026-BAO05-0917-01"
SENDER = "ioc@moha.gov.vn"
BASE = "https://ioc.moha.gov.vn"
CAP_RULE = {
    "name": "canh-bao-thien-tai",
    "title_vi": "Cảnh báo thiên tai",
    "title_en": "Natural hazard warning",
    "kind": "event",
    "config": {"kinds": ["cap.alert"], "min_severity": "warning"},
}


def _receive(store: OpStore, data: bytes) -> cap.Received:
    with store.session() as session:
        return cap.receive(session, data, "vanhanh")


def _evaluate(store: OpStore, tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "w.duckdb")
    try:
        result = evaluate_rules(store, Evaluator(DuckDBEngine(warehouse)), Registry([]))
        assert result.failed == []
    finally:
        warehouse.close()


def _alerts(store: OpStore) -> dict[str, tuple[str, str, int, str | None]]:
    with store.session() as session:
        return {
            a.subject: (a.state, a.severity, a.occurrences, a.admin_code)
            for a in session.scalars(select(Alert))
        }


def test_the_schema_ships_in_the_package_and_takes_every_sample() -> None:
    shipped = resources.files("noivu_ioc.operations").joinpath("schemas/cap-1.2.xsd")
    assert shipped.is_file()
    samples = sorted(DATA.glob("*.xml"))
    assert len(samples) >= 4
    for sample in samples:
        assert cap.schema().validate(etree.parse(str(sample))), sample.name


def test_a_storm_warning_becomes_one_event_per_province(store: OpStore) -> None:
    received = _receive(store, STORM)

    assert not received.repeat
    message = received.message
    assert (message.direction, message.sender, message.msg_type, message.status) == (
        "in",
        NCHMF,
        "Alert",
        "Actual",
    )
    assert message.xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "bão số 5" in message.xml
    assert [(e.kind, e.admin_code, e.severity, e.subject) for e in received.events] == [
        ("cap.alert", "22", "major", f"{THREAD}:22"),
        ("cap.alert", "31", "major", f"{THREAD}:31"),
    ]
    assert message.event_id == received.events[0].id
    first = received.events[0]
    assert first.message.startswith("Tin bão khẩn cấp: bão số 5 hướng vào Quảng Ninh")
    assert first.message.endswith("— Thành phố Quảng Ninh")
    payload = first.payload
    assert payload is not None
    assert payload["cap_message_id"] == message.id
    assert (payload["event"], payload["cap_severity"], payload["urgency"]) == (
        "Bão nhiệt đới",
        "Severe",
        "Expected",
    )
    assert payload["categories"] == ["Met"]
    assert payload["admin_codes"] == ["22", "31"]
    assert payload["language"] == "vi-VN"  # the Vietnamese info block is the one read


def test_a_repeat_is_answered_with_the_stored_message_and_a_change_is_a_conflict(
    store: OpStore,
) -> None:
    first = _receive(store, STORM)
    # The same message re-serialised (another indentation) is still the same message.
    again = _receive(store, STORM.replace(b"\n    <", b"\n  <"))
    assert again.repeat and again.message.id == first.message.id and again.events == []

    changed = STORM.replace(b"<severity>Severe</severity>", b"<severity>Extreme</severity>", 1)
    with pytest.raises(ConflictError) as refused:
        _receive(store, changed)
    assert f"message {first.message.id}" in refused.value.message
    assert "Update with a new identifier" in refused.value.message
    with store.session() as session:
        assert session.scalar(select(func.count(CapMessage.id))) == 1


def test_update_and_cancel_follow_the_thread_to_the_same_alerts(
    store: OpStore, tmp_path: Path
) -> None:
    with store.session() as session:
        create_rule(session, CAP_RULE, Registry([]), "vanhanh")

    _receive(store, STORM)
    _evaluate(store, tmp_path)
    assert _alerts(store) == {
        f"{THREAD}:22": ("active", "major", 1, "22"),
        f"{THREAD}:31": ("active", "major", 1, "31"),
    }

    update = _receive(store, (DATA / "storm-update.xml").read_bytes())
    assert update.events[0].payload is not None
    assert update.events[0].payload["linked"] == [update.message.id - 1]
    _evaluate(store, tmp_path)
    assert _alerts(store) == {
        f"{THREAD}:22": ("active", "critical", 2, "22"),
        f"{THREAD}:31": ("active", "critical", 2, "31"),
    }

    cancel = _receive(store, (DATA / "storm-cancel.xml").read_bytes())
    assert {(e.kind, e.severity) for e in cancel.events} == {("cap.cancelled", "info")}
    assert {s for s, _, _, _ in _alerts(store).values()} == {"resolved"}
    with store.session() as session:
        by = set(session.scalars(select(Alert.resolved_by)))
        assert by == {f"cap:{NCHMF}"}


def test_exercise_and_test_messages_are_marked(store: OpStore) -> None:
    exercise = STORM.replace(b"<status>Actual</status>", b"<status>Exercise</status>")
    drill = _receive(store, exercise.replace(b"0917-01<", b"0917-D1<"))
    assert {(e.severity, e.message[:11]) for e in drill.events} == {("major", "[DIỄN TẬP] ")}
    assert drill.message.status == "Exercise"

    test = STORM.replace(b"<status>Actual</status>", b"<status>Test</status>")
    tried = _receive(store, test.replace(b"0917-01<", b"0917-T1<"))
    assert {e.severity for e in tried.events} == {"info"}
    assert all(e.payload and e.payload["status"] == "Test" for e in tried.events)
    assert tried.events[0].message.startswith("[THỬ NGHIỆM] ")


def test_a_commune_geocode_places_the_event_and_unknown_codes_leave_it_national(
    store: OpStore,
) -> None:
    landslide = (DATA / "landslide-laocai.xml").read_bytes()
    placed = _receive(store, landslide)
    assert [(e.admin_code, e.severity) for e in placed.events] == [("02683", "critical")]

    elsewhere = landslide.replace(b"<value>02683</value>", b"<value>99999</value>").replace(
        b"LQ-0412", b"LQ-0413"
    )
    national = _receive(store, elsewhere)
    assert [e.admin_code for e in national.events] == [None]
    assert national.events[0].payload is not None
    assert national.events[0].payload["unknown_geocodes"] == ["99999"]


def test_a_message_in_another_encoding_is_stored_as_text_that_reads_back(
    store: OpStore,
) -> None:
    landslide = (DATA / "landslide-laocai.xml").read_text(encoding="utf-8")
    utf16 = landslide.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    received = _receive(store, utf16)
    assert "Bát Xát" in received.message.xml
    assert cap.parse_message(received.message.xml.encode()).identifier == (
        "VN-KTTV-LC-2026-LQ-0412"
    )
    assert _receive(store, utf16).repeat


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE alert [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>&secret;</note></alert>
"""

REFUSED = {
    "malformed": (
        STORM.replace(b"</headline>", b"</headlin>", 1),
        "line 29: not well-formed XML: Opening and ending tag mismatch",
    ),
    "wrong namespace": (
        STORM.replace(b"cap:1.2", b"cap:1.1"),
        "namespace urn:oasis:names:tc:emergency:cap:1.1 (an older CAP version)",
    ),
    "missing element": (
        STORM.replace(b"<event>Tropical storm</event>", b""),
        "line 59: <responseType> is not expected here; expected <category> or <event>",
    ),
    "bad enumeration": (
        STORM.replace(b"<urgency>Expected</urgency>", b"<urgency>Soon</urgency>", 1),
        "line 17: <urgency> 'Soon' is not one of Immediate, Expected, Future, Past, Unknown",
    ),
    "zulu time": (
        STORM.replace(b"+07:00</sent>", b"Z</sent>"),
        "line 5: <sent> '2026-09-17T10:00:00Z' must be a CAP date-time",
    ),
    "open polygon": (
        STORM.replace(b"20.80,106.80 21.60,106.80<", b"20.80,106.80 21.50,106.80<"),
        "line 40: <polygon> must end on its first point",
    ),
    "private without addresses": (
        STORM.replace(b"<scope>Public</scope>", b"<scope>Private</scope>"),
        "scope Private needs <addresses>",
    ),
    "bad reference": (
        (DATA / "storm-update.xml").read_bytes().replace(b",2026-09-17T10:00:00+07:00<", b"<"),
        "<references> entry 'canhbao@nchmf.gov.vn,VN-NCHMF-2026-BAO05-0917-01' must be",
    ),
    "entity expansion": (BILLION_LAUGHS, "a DOCTYPE (and with it any entity declaration)"),
    "external entity": (EXTERNAL_ENTITY, "a DOCTYPE (and with it any entity declaration)"),
    "utf-16 doctype": (
        EXTERNAL_ENTITY.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
        .decode()
        .encode("utf-16"),
        "a DOCTYPE (and with it any entity declaration)",
    ),
    "empty": (b"  \n", "the body is empty"),
    "oversized": (
        STORM + b"<!--" + b"x" * cap.MAX_BYTES + b"-->",
        "more than the limit of 524,288",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_message_says_where_and_why_and_is_kept(store: OpStore, case: str) -> None:
    data, expected = REFUSED[case]
    with pytest.raises(IOCError) as refused, store.session() as session:
        cap.receive(session, data, "vanhanh")
    assert expected in refused.value.message
    assert "root:" not in refused.value.message  # /etc/passwd was never read

    with store.session() as session:
        kept = cap.reject(
            session, data, refused.value.message, "vanhanh", getattr(refused.value, "line", None)
        )
    with store.session() as session:
        event = session.get(Event, kept.id)
        assert event is not None
        assert (event.kind, event.severity, event.message) == (
            "cap.rejected",
            "warning",
            refused.value.message,
        )
        assert event.payload is not None
        assert event.payload["size"] == len(data)
        assert event.payload["truncated"] == (len(data) > cap.KEPT_BYTES)
        assert session.scalar(select(func.count(CapMessage.id))) == 0
        assert session.scalar(select(func.count(Event.id)).where(Event.kind == "cap.alert")) == 0


def _rule_and_alert(store: OpStore, admin_code: str = "15") -> int:
    with store.session() as session:
        rule = create_rule(session, CAP_RULE, Registry([]), "vanhanh")
        alert = Alert(
            rule_id=rule.id,
            subject=f"cap:test:{admin_code}",
            admin_code=admin_code,
            severity="major",
            state="active",
            message="Mưa lớn, nguy cơ sạt lở đất tại Lào Cai",
            occurrences=1,
            level=1,
        )
        session.add(alert)
        session.flush()
        return alert.id


def _publish(store: OpStore, alert_id: int) -> CapMessage:
    with store.session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return cap.publish(session, alert, sender=SENDER, base_url=BASE)


def test_an_alert_published_as_cap_validates_and_chains_alert_update_cancel(
    store: OpStore,
) -> None:
    alert_id = _rule_and_alert(store)

    opened = _publish(store, alert_id)
    parsed = cap.parse_message(opened.xml.encode())  # the schema and the rules, as for input
    assert (parsed.identifier, parsed.sender, parsed.msg_type, parsed.status) == (
        f"urn:moha:ioc:alert:{alert_id}:1",
        SENDER,
        "Alert",
        "Actual",
    )
    assert parsed.scope == "Restricted" and "không phát tới công chúng" in opened.xml
    assert parsed.sent_text.endswith("+07:00") and parsed.references == ()
    assert [i.language for i in parsed.infos] == ["vi-VN", "en-US"]
    vi = parsed.infos[0]
    assert (vi.severity, vi.urgency, vi.certainty, vi.event) == (
        "Severe",
        "Immediate",
        "Observed",
        "Cảnh báo thiên tai",
    )
    assert vi.areas[0].description == "Tỉnh Lào Cai"
    assert vi.areas[0].geocodes == (("VN-ADMIN", "15"),)
    assert parsed.infos[1].event == "Natural hazard warning"
    assert _publish(store, alert_id).id == opened.id  # nothing changed: the same message

    with store.session() as session:
        acknowledge(session, alert_id, "sonv.laocai")
    updated = _publish(store, alert_id)
    update = cap.parse_message(updated.xml.encode())
    assert (update.identifier, update.msg_type) == (f"urn:moha:ioc:alert:{alert_id}:2", "Update")
    assert [str(r) for r in update.references] == [
        f"{SENDER},urn:moha:ioc:alert:{alert_id}:1,{parsed.sent_text}"
    ]
    assert update.note is not None and "sonv.laocai" in update.note

    with store.session() as session:
        resolve(session, alert_id, "sonv.laocai")
    cancelled = _publish(store, alert_id)
    cancel = cap.parse_message(cancelled.xml.encode())
    assert (cancel.identifier, cancel.msg_type) == (f"urn:moha:ioc:alert:{alert_id}:3", "Cancel")
    assert [r.identifier for r in cancel.references] == [f"urn:moha:ioc:alert:{alert_id}:2"]
    assert cancel.infos[0].urgency == "Past"
    assert cancel.infos[0].response_types == ("AllClear",)
    assert _publish(store, alert_id).id == cancelled.id

    with store.session() as session:
        published = session.scalars(
            select(Event.payload).where(Event.kind == "cap.published").order_by(Event.id)
        )
        assert [p["msg_type"] for p in published if p] == ["Alert", "Update", "Cancel"]


def test_publish_pending_sends_each_change_once(store: OpStore) -> None:
    alert_id = _rule_and_alert(store, "01")
    assert cap.publish_due(store, sender=SENDER, base_url=BASE) == 1
    with store.session() as session:
        assert cap.publish_pending(session, sender=SENDER, base_url=BASE) == []
        resolve(session, alert_id, "vanhanh")
    with store.session() as session:
        last = cap.publish_pending(session, sender=SENDER, base_url=BASE)
        assert [m.msg_type for m in last] == ["Cancel"]
        assert cap.publish_pending(session, sender=SENDER, base_url=BASE) == []


def test_an_alert_raised_from_cap_carries_its_origin_out(store: OpStore, tmp_path: Path) -> None:
    with store.session() as session:
        create_rule(session, CAP_RULE, Registry([]), "vanhanh")
    _receive(store, (DATA / "landslide-laocai.xml").read_bytes())
    _evaluate(store, tmp_path)
    with store.session() as session:
        alert = session.scalar(select(Alert))
        assert alert is not None and alert.admin_code == "02683"
        rule = session.get(AlertRule, alert.rule_id)
        assert rule is not None
        xml = cap.publish(session, alert, sender=SENDER, base_url=BASE).xml
    out = cap.parse_message(xml.encode())
    info = out.infos[0]
    assert (info.categories, info.urgency, info.certainty, info.severity) == (
        ("Geo", "Met"),
        "Immediate",
        "Likely",
        "Extreme",
    )
    assert info.areas[0].description == "Xã Bát Xát, Tỉnh Lào Cai"
    assert "IOC-ORIGIN" in xml and "VN-KTTV-LC-2026-LQ-0412" in xml
