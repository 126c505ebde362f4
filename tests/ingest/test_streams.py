"""MQTT sources end to end on the real Mosquitto broker: the server's listener turns sensor
messages of the archive repositories into events and malformed ones into quarantine, its
listening session is a run of the source, and a corrected message replays into an event."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from noivu_ioc.ingest import quarantine
from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.streams import StreamHub
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.store.models import Event, Source, SyncRun
from noivu_ioc.warehouse import quarantine as wq
from tests.ingest.factories import ingest_context, principal
from tests.ingest.mqtt_broker import (
    SHARED_URL,
    forget_session,
    publisher,
    require_shared_broker,
    wait_until,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[IngestContext]:
    require_shared_broker()
    context = ingest_context(tmp_path, f"sqlite:///{tmp_path / 'ioc.sqlite3'}")
    yield context
    context.warehouse.close()
    context.store.dispose()


def _events(ctx: IngestContext, source_id: int) -> list[Event]:
    with ctx.store.session() as session:
        found = session.scalars(
            select(Event)
            .where(Event.source_id == source_id, Event.kind == "device")
            .order_by(Event.id)
        ).all()
        for e in found:
            session.expunge(e)
        return list(found)


def test_sensor_messages_become_events_and_bad_ones_quarantine(ctx: IngestContext) -> None:
    prefix = f"ioc-test/{uuid.uuid4().hex[:8]}"
    client_id = f"ioc-kho-{uuid.uuid4().hex[:8]}"
    with ctx.store.session() as session:
        source_id = svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name="cam-bien-kho-luu-tru",
                label="Cảm biến môi trường kho lưu trữ",
                kind="mqtt",
                config={
                    "url": SHARED_URL,
                    "topics": [f"{prefix}/kho/+/moi-truong"],
                    "client_id": client_id,
                    "device_from": "topic:3",
                    "kind_from": "const:moi_truong",
                    "status_field": "trang_thai",
                    "severity_map": {
                        "binh_thuong": "info",
                        "vuot_nguong": "warning",
                        "hong": "major",
                    },
                    "time_field": "thoi_gian",
                },
            ),
        ).source.id
    hub = StreamHub(ctx)
    try:
        hub.keep([source_id])
        wait_until(
            lambda: (s := hub.state(source_id)) is not None and s.phase == "listening",
            "the listener to connect",
        )
        with publisher() as device:
            device.publish(
                f"{prefix}/kho/KLT-01/moi-truong",
                json.dumps(
                    {
                        "nhiet_do": 22.5,
                        "do_am": 55,
                        "trang_thai": "binh_thuong",
                        "thoi_gian": "2026-12-04T08:00:00+07:00",
                    }
                ),
            )
            device.publish(
                f"{prefix}/kho/KLT-02/moi-truong",
                json.dumps(
                    {
                        "nhiet_do": 31.0,
                        "do_am": 82,
                        "trang_thai": "vuot_nguong",
                        "thoi_gian": "2026-12-04T08:00:05+07:00",
                    }
                ),
            )
            device.publish(f"{prefix}/kho/KLT-03/moi-truong", b'{"nhiet_do": 24,')
        wait_until(lambda: len(_events(ctx, source_id)) == 2, "two events")
        wait_until(
            lambda: wq.list_entries(ctx.warehouse, source_ids=[source_id])[1] == 1,
            "one quarantined message",
        )
    finally:
        hub.stop_all()
        forget_session(client_id)

    events = _events(ctx, source_id)
    assert [(e.subject, e.severity) for e in events] == [("KLT-01", "info"), ("KLT-02", "warning")]
    assert events[1].payload is not None
    assert events[1].payload["values"]["do_am"] == 82
    assert events[1].observed_at is not None
    (entry,), _ = wq.list_entries(ctx.warehouse, source_ids=[source_id])
    assert entry.entity == "mqtt_message" and entry.raw_kind == "message"
    assert "is not JSON" in entry.reasons[0]
    with ctx.store.session() as session:
        run = session.scalars(select(SyncRun).where(SyncRun.source_id == source_id)).one()
        assert (run.trigger, run.state) == ("stream", "succeeded")
        assert (run.rows_read, run.rows_loaded, run.rows_quarantined) == (3, 2, 1)
        source = session.get(Source, source_id)
        assert source is not None and source.lease_owner is None

    # The steward corrects the truncated message and replays it: it becomes an event.
    wq.edit(
        ctx.warehouse, entry.id, {"payload": '{"nhiet_do": 24, "trang_thai": "hong"}'}, "dulieu"
    )
    with ctx.store.session() as session:
        replay = quarantine.replay(ctx, session, principal(ctx), "cam-bien-kho-luu-tru")
    assert (replay.rows_read, replay.rows_loaded, replay.rows_quarantined) == (1, 1, 0)
    assert [e.severity for e in _events(ctx, source_id)] == ["info", "warning", "major"]
    assert wq.get(ctx.warehouse, entry.id).status == "replayed"


def test_a_bad_mqtt_setting_is_refused_with_its_name(ctx: IngestContext) -> None:
    from noivu_ioc.errors import InvalidInputError

    with ctx.store.session() as session, pytest.raises(InvalidInputError, match="topics"):
        svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name="sai",
                label="Sai",
                kind="mqtt",
                config={"url": SHARED_URL, "topics": [], "device_from": "topic:1"},
            ),
        )
