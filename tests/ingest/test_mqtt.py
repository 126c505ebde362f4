"""The MQTT listener: messages from the archive repositories' sensors become events on the
real Mosquitto, malformed ones rejections with their reason; QoS 1 sessions keep what arrives
while the listener is away; a failing sink loses nothing; credentials stay out of messages."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from noivu_ioc.ingest.readers.base import SourceError
from noivu_ioc.ingest.readers.mqtt import (
    DeviceEvent,
    MqttConfig,
    MqttListener,
    RejectedMessage,
    check_broker,
    parse_message,
)
from tests.ingest.mqtt_broker import (
    SHARED_URL,
    PrivateBroker,
    forget_session,
    free_port,
    private_broker,
    publisher,
    require_shared_broker,
    wait_until,
)

RECEIVED = datetime(2026, 12, 4, 8, 15, 2, 123456, tzinfo=UTC)
TOPIC = "ioc/kho-luu-tru/KLT-01/moi-truong"
POSITION = f"topic {TOPIC}, received 2026-12-04T08:15:02.123Z"
SEVERITIES = {
    "Báo động": "critical",
    "Mất cảm biến": "major",
    "Cảnh báo": "warning",
    "Bình thường": "info",
}
KHO_USER, KHO_PASSWORD = "iot_kho_luu_tru", "Kh0-Lưu-Trữ@2026"


def archive_config(root: str = "ioc", **overrides: Any) -> MqttConfig:
    """The archive repositories' environment sensors: ROOT/kho-luu-tru/<device>/<kind>."""
    settings: dict[str, Any] = {
        "url": SHARED_URL,
        "topics": [f"{root}/kho-luu-tru/#"],
        "client_id": f"ioc-test-{uuid.uuid4().hex[:12]}",
        "device_from": "topic:2",
        "kind_from": "topic:3",
        "status_field": "trang_thai",
        "severity_map": SEVERITIES,
        "time_field": "thoi_diem",
    }
    settings.update(overrides)
    return MqttConfig(**settings)


def sensor_reading(
    device: str = "KLT-01",
    status: str = "Cảnh báo",
    *,
    number: int = 1,
    at: str | float = "2026-12-04T15:15:00+07:00",
) -> dict[str, Any]:
    return {
        "ma_thiet_bi": device,
        "kho": "Kho Lưu trữ Trung ương — Hà Nội",
        "ma_tinh": "01",
        "so_thu_tu": number,
        "thoi_diem": at,
        "trang_thai": status,
        "moi_truong": {"nhiet_do": 27.8, "do_am": 68.5},
        "ghi_chu": "Độ ẩm vượt ngưỡng 65% tại giá số 4",
    }


def payload(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


# -- messages to events ------------------------------------------------------------------------


def test_sensor_reading_becomes_an_event() -> None:
    event = parse_message(archive_config(), TOPIC, payload(sensor_reading()), RECEIVED)

    assert event == DeviceEvent(
        device_id="KLT-01",
        kind="moi-truong",
        status="Cảnh báo",
        severity="warning",
        observed_at=datetime(2026, 12, 4, 8, 15, tzinfo=UTC),
        received_at=RECEIVED,
        topic=TOPIC,
        values={
            "ma_thiet_bi": "KLT-01",
            "kho": "Kho Lưu trữ Trung ương — Hà Nội",
            "ma_tinh": "01",
            "so_thu_tu": 1,
            "thoi_diem": "2026-12-04T15:15:00+07:00",
            "trang_thai": "Cảnh báo",
            "moi_truong.nhiet_do": 27.8,
            "moi_truong.do_am": 68.5,
            "ghi_chu": "Độ ẩm vượt ngưỡng 65% tại giá số 4",
        },
        position=POSITION,
    )


@pytest.mark.parametrize(
    ("stamp", "observed"),
    [
        (1796372100, datetime(2026, 12, 4, 8, 15, tzinfo=UTC)),
        (1796372100.25, datetime(2026, 12, 4, 8, 15, 0, 250000, tzinfo=UTC)),
        ("1796372100", datetime(2026, 12, 4, 8, 15, tzinfo=UTC)),
        ("2026-12-04T08:15:00Z", datetime(2026, 12, 4, 8, 15, tzinfo=UTC)),
        # No offset: the source's timezone, Asia/Ho_Chi_Minh (UTC+7).
        ("2026-12-04 15:15:00", datetime(2026, 12, 4, 8, 15, tzinfo=UTC)),
    ],
)
def test_device_time_in_epoch_seconds_or_iso_8601(stamp: Any, observed: datetime) -> None:
    event = parse_message(archive_config(), TOPIC, payload(sensor_reading(at=stamp)), RECEIVED)

    assert isinstance(event, DeviceEvent)
    assert event.observed_at == observed
    assert event.observed_at.tzinfo == UTC


def test_reading_without_its_own_time_keeps_the_receive_time() -> None:
    reading = sensor_reading()
    del reading["thoi_diem"]

    event = parse_message(archive_config(), TOPIC, payload(reading), RECEIVED)

    assert isinstance(event, DeviceEvent)
    assert event.observed_at == RECEIVED


def test_status_severity_matches_without_case_and_defaults_to_info() -> None:
    config = archive_config()
    alarm = parse_message(config, TOPIC, payload(sensor_reading(status="BÁO ĐỘNG")), RECEIVED)
    unknown = parse_message(config, TOPIC, payload(sensor_reading(status="Bảo trì")), RECEIVED)

    assert isinstance(alarm, DeviceEvent)
    assert isinstance(unknown, DeviceEvent)
    assert (alarm.status, alarm.severity) == ("BÁO ĐỘNG", "critical")
    assert (unknown.status, unknown.severity) == ("Bảo trì", "info")


def test_device_from_a_field_and_a_constant_kind() -> None:
    config = archive_config(
        topics=["ioc/trung-tam-hcc/+/kiosk"],
        device_from="field:thiet_bi.ma",
        kind_from="const:kiosk-xep-hang",
        status_field="trang_thai",
        severity_map={"Ngoại tuyến": "major"},
        time_field=None,
    )
    message = {
        "thiet_bi": {"ma": "KIOSK-HN-07", "ten": "Ki-ốt lấy số thứ tự, quầy 7"},
        "trang_thai": "Ngoại tuyến",
        "so_nguoi_cho": 23,
    }

    event = parse_message(config, "ioc/trung-tam-hcc/01/kiosk", payload(message), RECEIVED)

    assert isinstance(event, DeviceEvent)
    assert (event.device_id, event.kind, event.severity) == (
        "KIOSK-HN-07",
        "kiosk-xep-hang",
        "major",
    )
    assert event.values["thiet_bi.ten"] == "Ki-ốt lấy số thứ tự, quầy 7"
    assert event.observed_at == RECEIVED


def test_text_payload_is_the_value() -> None:
    config = archive_config(
        topics=["ioc/phong-dieu-hanh/+/trang-thai"],
        payload="text",
        kind_from="const:man-hinh-ghep",
        status_field="value",
        severity_map={"loi": "critical"},
        time_field=None,
    )

    event = parse_message(config, "ioc/phong-dieu-hanh/VW-01/trang-thai", b"LOI", RECEIVED)

    assert isinstance(event, DeviceEvent)
    assert (event.device_id, event.status, event.severity) == ("VW-01", "LOI", "critical")
    assert event.values == {"value": "LOI"}


@pytest.mark.parametrize(
    ("topic", "raw", "reason", "raw_text"),
    [
        (
            TOPIC,
            b'{"temp": 31.5',
            'payload `{"temp": 31.5` is not JSON (unexpected end at char 13); '
            "devices on this source must send JSON objects",
            '{"temp": 31.5',
        ),
        (
            TOPIC,
            b'{"nhiet_do" 31.5}',
            "payload `{\"nhiet_do\" 31.5}` is not JSON (expecting ':' delimiter at char 12); "
            "devices on this source must send JSON objects",
            '{"nhiet_do" 31.5}',
        ),
        (
            TOPIC,
            b'[{"nhiet_do": 27.8}, {"nhiet_do": 27.9}]',
            'payload `[{"nhiet_do": 27.8}, {"nhiet_do": 27.9}]` is a JSON array, not an '
            "object; devices on this source must send JSON objects",
            '[{"nhiet_do": 27.8}, {"nhiet_do": 27.9}]',
        ),
        (
            "ioc/kho",
            payload(sensor_reading()),
            "no device id: topic `ioc/kho` has no level 2 (`device_from=topic:2`)",
            payload(sensor_reading()).decode(),
        ),
        (
            "ioc/kho-luu-tru//moi-truong",
            b"{}",
            "no device id: level 2 of topic `ioc/kho-luu-tru//moi-truong` is empty "
            "(`device_from=topic:2`)",
            "{}",
        ),
        (
            TOPIC,
            payload(sensor_reading(at="hôm qua")),
            "time_field `thoi_diem` = `hôm qua` is not ISO 8601 or epoch seconds",
            payload(sensor_reading(at="hôm qua")).decode(),
        ),
        (
            TOPIC,
            payload(sensor_reading(at=1796372100123)),
            "time_field `thoi_diem` = `1796372100123` is not ISO 8601 or epoch seconds "
            "(it looks like epoch milliseconds; send seconds)",
            payload(sensor_reading(at=1796372100123)).decode(),
        ),
        (
            TOPIC,
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "payload is binary, not text (16 bytes, kept as hex, starting "
            "`89504e470d0a1a0a0000000d49484452`); devices on this source must send JSON "
            "objects",
            "89504e470d0a1a0a0000000d49484452",
        ),
        (
            TOPIC,
            # "Độ ẩm 68,5" with one byte of "Đ" lost on the way.
            "Độ ẩm 68,5".encode().replace(b"\x90", b"", 1),
            "payload `\ufffdộ ẩm 68,5` is not UTF-8 (bad bytes shown as \ufffd); devices on "
            "this source must send JSON objects",
            "\ufffdộ ẩm 68,5",
        ),
        (
            TOPIC,
            b"",
            "payload is empty; devices on this source must send JSON objects (an empty "
            "message usually clears a retained message)",
            "",
        ),
        (
            TOPIC,
            b'{"nhiet_do": NaN}',
            'payload `{"nhiet_do": NaN}` is not JSON (NaN is not a JSON number); devices on '
            "this source must send JSON objects",
            '{"nhiet_do": NaN}',
        ),
    ],
    ids=[
        "cut-short",
        "missing-colon",
        "json-array",
        "no-device-level",
        "empty-device-level",
        "bad-timestamp",
        "epoch-milliseconds",
        "binary",
        "not-utf8",
        "empty",
        "nan",
    ],
)
def test_malformed_messages_are_rejected_with_their_reason(
    topic: str, raw: bytes, reason: str, raw_text: str
) -> None:
    rejected = parse_message(archive_config(), topic, raw, RECEIVED)

    assert rejected == RejectedMessage(
        topic=topic,
        received_at=RECEIVED,
        raw_text=raw_text,
        reason=reason,
        position=f"topic {topic}, received 2026-12-04T08:15:02.123Z",
    )


def test_device_field_missing_or_not_an_id() -> None:
    config = archive_config(device_from="field:ma_thiet_bi")
    missing = dict(sensor_reading())
    del missing["ma_thiet_bi"]
    listed = sensor_reading(device=["KLT-01"])  # type: ignore[arg-type]

    first = parse_message(config, TOPIC, payload(missing), RECEIVED)
    second = parse_message(config, TOPIC, payload(listed), RECEIVED)

    assert isinstance(first, RejectedMessage)
    assert first.reason == (
        "no device id: the payload has no field `ma_thiet_bi` "
        "(`device_from=field:ma_thiet_bi`); its fields are: kho, ma_tinh, so_thu_tu, "
        "thoi_diem, trang_thai, moi_truong.nhiet_do, moi_truong.do_am, ghi_chu"
    )
    assert isinstance(second, RejectedMessage)
    assert second.reason == (
        'no device id: field `ma_thiet_bi` holds a list `["KLT-01"]`, expected text or a '
        "whole number (`device_from=field:ma_thiet_bi`)"
    )


def test_the_place_of_a_device_from_a_field_or_a_constant() -> None:
    from_field = parse_message(
        archive_config(place_from="field:ma_tinh"), TOPIC, payload(sensor_reading()), RECEIVED
    )
    from_constant = parse_message(
        archive_config(place_from="const:00004"), TOPIC, payload(sensor_reading()), RECEIVED
    )
    national = parse_message(archive_config(), TOPIC, payload(sensor_reading()), RECEIVED)

    assert isinstance(from_field, DeviceEvent) and from_field.admin_code == "01"
    assert isinstance(from_constant, DeviceEvent) and from_constant.admin_code == "00004"
    assert isinstance(national, DeviceEvent) and national.admin_code is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("1", "administrative unit code '1' is not valid: expected 2 digits for a province"),
        ("03", "administrative unit code '03' is not a unit after"),  # Hà Giang, merged
    ],
)
def test_a_device_at_an_unknown_place_is_rejected_with_the_code(code: str, problem: str) -> None:
    reading = sensor_reading()
    reading["ma_tinh"] = code

    rejected = parse_message(
        archive_config(place_from="field:ma_tinh"), TOPIC, payload(reading), RECEIVED
    )

    assert isinstance(rejected, RejectedMessage)
    assert rejected.reason.startswith(f"place `{code}` (`place_from=field:ma_tinh`): {problem}")
    assert rejected.reason.endswith("the device must send the code of the unit where it stands")


def test_a_constant_place_is_checked_with_the_config() -> None:
    with pytest.raises(ValidationError) as caught:
        archive_config(place_from="const:99")
    assert "place_from `const:99`: administrative unit code '99' is not a unit" in str(
        caught.value
    )


def test_position_is_the_topic_and_the_receive_time_in_utc() -> None:
    hanoi_time = datetime.fromisoformat("2026-12-04T15:15:02+07:00")

    event = parse_message(archive_config(), TOPIC, payload(sensor_reading()), hanoi_time)

    assert isinstance(event, DeviceEvent)
    assert event.received_at == datetime(2026, 12, 4, 8, 15, 2, tzinfo=UTC)
    assert event.received_at.tzinfo == UTC
    assert event.position == f"topic {TOPIC}, received 2026-12-04T08:15:02.000Z"


def test_received_at_without_timezone_is_utc() -> None:
    naive = datetime(2026, 12, 4, 8, 15, 2, 123456)

    parsed = parse_message(archive_config(), TOPIC, b"{}", naive)

    assert parsed.received_at == RECEIVED
    assert parsed.position == POSITION


# -- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"url": "http://iot:Bi-Mat-123@10.10.1.5:1883"},
            "`http://10.10.1.5:1883` is not a broker address (expected "
            "mqtt://user:password@host:1883 or mqtts://user:password@host:8883)",
        ),
        (
            {"url": "mqtt://iot:Bi-Mat-123@10.10.1.5:99999"},
            "`mqtt://10.10.1.5:99999` has a port that is not a number from 1 to 65535",
        ),
        (
            {"url": "mqtt://iot:Bi-Mat-123@10.10.1.5:1883/ioc/kho"},
            "`mqtt://10.10.1.5:1883/ioc/kho` has a path or query",
        ),
        ({"topics": []}, "no topic filter: list at least one"),
        (
            {"topics": ["ioc/#/moi-truong"]},
            "topic filter `ioc/#/moi-truong`: `#` must be the last level, on its own",
        ),
        (
            {"topics": ["ioc/kho-luu-tru/KLT+/moi-truong"]},
            "`+` must fill a whole level",
        ),
        ({"topics": ["ioc/#", "ioc/#"]}, "topic filter `ioc/#` is listed twice"),
        ({"qos": 2}, "qos `2` is not supported (expected 1"),
        ({"payload": "xml"}, "payload `xml` is not supported (expected json or text)"),
        ({"client_id": "kho lưu trữ"}, "client_id `kho lưu trữ` is not usable"),
        (
            {"device_from": "cap:2"},
            "device_from `cap:2` is not understood (expected topic:N for topic level N "
            "counted from 0, field:NAME for a payload field)",
        ),
        (
            {"device_from": "const:KLT-01"},
            "device_from `const:KLT-01` is not understood",
        ),
        (
            {"topics": ["ioc/kho-luu-tru/+"], "kind_from": "topic:3"},
            "kind_from `topic:3`: topic filter `ioc/kho-luu-tru/+` has levels 0 to 2 only "
            "(the first level, `ioc`, is 0)",
        ),
        (
            {"severity_map": {"Báo động": "khẩn cấp"}},
            "status `Báo động` maps to `khẩn cấp`, which is not a severity (expected one of "
            "critical, major, minor, warning, info)",
        ),
        (
            {"severity_map": {"Báo động": "critical", "BÁO ĐỘNG": "minor"}},
            "severity_map gives status `BÁO ĐỘNG` two severities",
        ),
        ({"status_field": None}, "severity_map needs status_field"),
        (
            {"payload": "text"},
            "with payload=text the only field is `value`",
        ),
        ({"timezone": "Hanoi"}, "timezone `Hanoi` is not an IANA time zone"),
        ({"keepalive_s": 0}, "0 is not allowed (expected 5 to 65535 seconds)"),
        ({"connect_timeout_s": 0}, "0.0 is not allowed (expected above 0"),
        ({"session_expiry_s": 0}, "the broker must keep the session"),
        ({"ma_tinh": "01"}, "Extra inputs are not permitted"),
    ],
)
def test_config_errors_name_the_value_and_the_fix(overrides: dict[str, Any], message: str) -> None:
    settings: dict[str, Any] = {"url": "mqtt://iot:Bi-Mat-123@10.10.1.5:1883", **overrides}
    with pytest.raises(ValidationError) as caught:
        archive_config(**settings)

    assert message in str(caught.value)
    assert "Bi-Mat-123" not in str(caught.value)


def test_config_repr_hides_the_url() -> None:
    config = archive_config(url="mqtt://iot:Bi-Mat-123@10.10.1.5:1883")

    assert "Bi-Mat-123" not in repr(config)
    assert config.url == "mqtt://iot:Bi-Mat-123@10.10.1.5:1883"


# -- on the broker -----------------------------------------------------------------------------


class Store:
    """The caller's databases: keeps what the sink is given; can refuse the first calls."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[DeviceEvent] = []
        self.rejected: list[RejectedMessage] = []
        self.batches: list[int] = []
        self.calls = 0
        self._failures = failures
        self._lock = threading.Lock()

    def __call__(self, events: list[DeviceEvent], rejected: list[RejectedMessage]) -> None:
        with self._lock:
            self.calls += 1
            if self._failures:
                self._failures -= 1
                raise RuntimeError("the operational store is read-only during maintenance")
            self.events.extend(events)
            self.rejected.extend(rejected)
            self.batches.append(len(events) + len(rejected))

    def numbers(self) -> list[int]:
        with self._lock:
            return sorted(event.values["so_thu_tu"] for event in self.events)

    def count(self) -> int:
        with self._lock:
            return len(self.events) + len(self.rejected)


@pytest.fixture
def root() -> Iterator[str]:
    """A topic root of its own, so that tests on the shared broker do not see each other."""
    require_shared_broker()
    yield f"ioc-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def config(root: str) -> Iterator[MqttConfig]:
    config = archive_config(root)
    yield config
    forget_session(config.client_id)


@contextmanager
def listening(listener: MqttListener) -> Iterator[MqttListener]:
    listener.start()
    try:
        wait_until(lambda: listener.state.phase == "listening", "the listener subscribed")
        yield listener
    finally:
        listener.stop()


def threads_of(client_id: str) -> list[str]:
    return [thread.name for thread in threading.enumerate() if client_id in thread.name]


def test_archive_sensors_arrive_as_events_and_rejections(config: MqttConfig, root: str) -> None:
    store = Store()
    before = set(threading.enumerate())
    listener = MqttListener(config, store, flush_interval_s=0.1)
    malformed = {
        f"{root}/kho-luu-tru/KLT-04/moi-truong": b'{"nhiet_do": 31.5',
        f"{root}/kho-luu-tru/KLT-05/moi-truong": b"[27.8, 68.5]",
        f"{root}/kho-luu-tru": payload(sensor_reading("KLT-06")),
        f"{root}/kho-luu-tru/KLT-07/moi-truong": payload(sensor_reading(at="hôm qua")),
        f"{root}/kho-luu-tru/KLT-08/moi-truong": b"\x00\xff\x13\x37\xde\xad\xbe\xef",
    }

    started = datetime.now(UTC)
    with listening(listener), publisher() as device:
        assert len(threads_of(config.client_id)) == 2
        device.publish(f"{root}/kho-luu-tru/KLT-01/moi-truong", payload(sensor_reading()))
        device.publish(
            f"{root}/kho-luu-tru/KLT-02/moi-truong",
            payload(sensor_reading("KLT-02", "Báo động", number=2, at=1796372100)),
        )
        device.publish(
            f"{root}/kho-luu-tru/KLT-03/cua-kho",
            payload(sensor_reading("KLT-03", "Bình thường", number=3)),
        )
        for topic, raw in malformed.items():
            device.publish(topic, raw)
        wait_until(lambda: store.count() == 8, "3 events and 5 rejections reached the sink")
    finished = datetime.now(UTC)
    # The counters move just after the sink returns; stop() has joined the flushing thread.
    counters = listener.counters

    events = {event.device_id: event for event in store.events}
    assert sorted(events) == ["KLT-01", "KLT-02", "KLT-03"]
    assert (events["KLT-01"].kind, events["KLT-01"].severity) == ("moi-truong", "warning")
    assert (events["KLT-02"].status, events["KLT-02"].severity) == ("Báo động", "critical")
    assert (events["KLT-03"].kind, events["KLT-03"].severity) == ("cua-kho", "info")
    assert events["KLT-02"].observed_at == datetime(2026, 12, 4, 8, 15, tzinfo=UTC)
    assert events["KLT-01"].values["moi_truong.do_am"] == 68.5
    for event in store.events:
        assert event.received_at.tzinfo == UTC
        assert started <= event.received_at <= finished
        assert event.position.startswith(f"topic {event.topic}, received ")

    reasons = {message.topic: (message.reason, message.raw_text) for message in store.rejected}
    assert reasons == {
        f"{root}/kho-luu-tru/KLT-04/moi-truong": (
            'payload `{"nhiet_do": 31.5` is not JSON (unexpected end at char 17); devices on '
            "this source must send JSON objects",
            '{"nhiet_do": 31.5',
        ),
        f"{root}/kho-luu-tru/KLT-05/moi-truong": (
            "payload `[27.8, 68.5]` is a JSON array, not an object; devices on this source "
            "must send JSON objects",
            "[27.8, 68.5]",
        ),
        f"{root}/kho-luu-tru": (
            f"no device id: topic `{root}/kho-luu-tru` has no level 2 (`device_from=topic:2`)",
            payload(sensor_reading("KLT-06")).decode(),
        ),
        f"{root}/kho-luu-tru/KLT-07/moi-truong": (
            "time_field `thoi_diem` = `hôm qua` is not ISO 8601 or epoch seconds",
            payload(sensor_reading(at="hôm qua")).decode(),
        ),
        f"{root}/kho-luu-tru/KLT-08/moi-truong": (
            "payload is binary, not text (8 bytes, kept as hex, starting `00ff1337deadbeef`); "
            "devices on this source must send JSON objects",
            "00ff1337deadbeef",
        ),
    }
    assert (counters.received, counters.events, counters.rejected) == (8, 3, 5)
    assert counters.last_message_at is not None
    assert listener.state.phase == "stopped"
    assert set(threading.enumerate()) - before == set()
    assert threads_of(config.client_id) == []


def test_messages_sent_while_stopped_arrive_after_restart(config: MqttConfig, root: str) -> None:
    retained_topic = f"{root}/kho-luu-tru/KLT-09/trang-thai"
    first, second = Store(), Store()
    try:
        with publisher() as device:
            # The device's last known state, kept by the broker for new subscribers.
            device.publish(retained_topic, payload(sensor_reading("KLT-09", number=0)), retain=True)
            with listening(MqttListener(config, first, flush_interval_s=0.1)):
                wait_until(lambda: first.count() == 1, "the retained state arrived")

            for number in range(1, 11):
                device.publish(
                    f"{root}/kho-luu-tru/KLT-01/moi-truong",
                    payload(sensor_reading(number=number)),
                )

        listener = MqttListener(config, second, flush_interval_s=0.1)
        with listening(listener):
            wait_until(lambda: second.count() >= 10, "the 10 queued readings arrived")
        counters = listener.counters
    finally:
        with publisher() as device:
            device.publish(retained_topic, b"", retain=True)

    assert first.numbers() == [0]
    # All ten, once each; the retained state does not come again on the kept session.
    assert second.numbers() == list(range(1, 11))
    assert second.rejected == []
    assert (counters.received, counters.events, counters.unacknowledged) == (10, 10, 0)


def test_failing_sink_gets_every_message_again(config: MqttConfig, root: str) -> None:
    store = Store(failures=1)
    before = set(threading.enumerate())
    listener = MqttListener(config, store, flush_interval_s=0.2, max_batch=8)

    with listening(listener), publisher() as device:
        for number in range(1, 21):
            device.publish(
                f"{root}/kho-luu-tru/KLT-01/moi-truong", payload(sensor_reading(number=number))
            )
        wait_until(lambda: len(store.numbers()) >= 20, "all 20 readings were stored")
        wait_until(lambda: listener.state.phase == "listening", "the listener came back")

    counters = listener.counters
    # Nothing lost, nothing twice: the failed batch was never stored and came again.
    assert store.numbers() == list(range(1, 21))
    assert store.calls >= 2
    assert counters.events == 20
    assert counters.unacknowledged >= 1
    assert counters.received == (
        counters.events + counters.rejected + counters.unacknowledged + counters.lost
    )
    assert set(threading.enumerate()) - before == set()


def test_failing_sink_shows_in_the_state(config: MqttConfig, root: str) -> None:
    store = Store(failures=1_000)
    listener = MqttListener(config, store, flush_interval_s=0.05)

    with listening(listener), publisher() as device:
        device.publish(f"{root}/kho-luu-tru/KLT-01/moi-truong", payload(sensor_reading()))
        wait_until(lambda: listener.state.phase == "retrying", "the sink failure showed")
        state = listener.state

    assert state.error == (
        "the sink failed: RuntimeError: the operational store is read-only during maintenance"
    )
    assert store.events == []
    counters = listener.counters
    assert counters.received >= 1
    assert counters.events == 0
    assert counters.received == counters.unacknowledged
    # The reading is still on the broker's session: a healthy sink gets it.
    healthy = Store()
    with listening(MqttListener(config, healthy, flush_interval_s=0.05)):
        wait_until(lambda: healthy.count() == 1, "the unacknowledged reading came again")
    assert healthy.numbers() == [1]


def test_a_burst_arrives_in_batches_of_at_most_max_batch(config: MqttConfig, root: str) -> None:
    store = Store()
    listener = MqttListener(config, store, flush_interval_s=0.2, max_batch=250)

    with listening(listener), publisher() as device:
        for number in range(1, 1201):
            device.publish(
                f"{root}/kho-luu-tru/KLT-{number % 40:02d}/moi-truong",
                payload(sensor_reading(number=number)),
            )
        wait_until(lambda: store.count() == 1200, "1,200 readings were stored", timeout_s=60)

    assert store.numbers() == list(range(1, 1201))
    assert max(store.batches) <= 250
    assert listener.counters.received == 1200


def test_stop_hands_over_what_was_received(config: MqttConfig, root: str) -> None:
    store = Store()
    # A flush interval far beyond the test: only stop() can hand the readings over.
    listener = MqttListener(config, store, flush_interval_s=3600, max_batch=500)

    with listening(listener), publisher() as device:
        for number in range(1, 6):
            device.publish(
                f"{root}/kho-luu-tru/KLT-01/moi-truong", payload(sensor_reading(number=number))
            )
        wait_until(lambda: listener.counters.received == 5, "5 readings were received")
        assert store.count() == 0

    assert store.numbers() == [1, 2, 3, 4, 5]
    # They were acknowledged before the disconnect: a new listener gets nothing again.
    again = Store()
    with listening(MqttListener(config, again, flush_interval_s=0.05)) as second:
        with publisher() as device:
            device.publish(
                f"{root}/kho-luu-tru/KLT-01/moi-truong", payload(sensor_reading(number=6))
            )
        wait_until(lambda: again.count() >= 1, "the next reading arrived")
        received = second.counters.received
    assert again.numbers() == [6]
    assert received == 1


def test_qos_0_source_listens_without_acknowledgements(root: str) -> None:
    config = archive_config(root, qos=0)
    store = Store()
    try:
        with (
            listening(MqttListener(config, store, flush_interval_s=0.05)) as listener,
            publisher() as device,
        ):
            for number in (1, 2, 3):
                device.publish(
                    f"{root}/kho-luu-tru/KLT-01/moi-truong",
                    payload(sensor_reading(number=number)),
                    qos=0,
                )
            wait_until(lambda: store.count() == 3, "the 3 readings arrived")
    finally:
        forget_session(config.client_id)

    assert store.numbers() == [1, 2, 3]
    assert listener.counters.unacknowledged == 0


def test_check_broker_on_the_shared_broker(config: MqttConfig) -> None:
    check_broker(config)


def test_unreachable_port_is_transient(root: str) -> None:
    config = archive_config(root, url=f"mqtt://127.0.0.1:{free_port()}", connect_timeout_s=3)
    before = set(threading.enumerate())

    with pytest.raises(SourceError) as caught:
        check_broker(config)
    listener = MqttListener(config, Store())
    listener.start()
    try:
        wait_until(lambda: listener.state.phase == "retrying", "the listener kept trying")
        state = listener.state
    finally:
        listener.stop()

    assert caught.value.transient is True
    assert caught.value.message == (
        f"{config.url} refused the connection: check that the broker is running and "
        "listens on that port; will retry"
    )
    assert state.error == caught.value.message
    assert listener.state.phase == "stopped"
    assert set(threading.enumerate()) - before == set()


def test_topic_filter_the_broker_refuses_is_terminal(root: str) -> None:
    # Valid MQTT, but Mosquitto takes at most 200 topic levels and drops the connection.
    deep = "/".join([root, *(["tang"] * 300), "#"])
    config = archive_config(root, topics=[deep])
    before = set(threading.enumerate())

    with pytest.raises(SourceError) as caught:
        check_broker(config)
    listener = MqttListener(config, Store())
    listener.start()
    try:
        wait_until(lambda: listener.state.phase == "failed", "the listener gave up")
        wait_until(lambda: threads_of(config.client_id) == [], "its threads ended")
        state = listener.state
    finally:
        listener.stop()
        forget_session(config.client_id)

    assert caught.value.transient is False
    assert caught.value.message.startswith(
        f"{SHARED_URL} closed the connection on the subscription (Malformed packet): it does "
        "not accept one of the topic filters"
    )
    assert caught.value.message.endswith("fix `topics`")
    assert state.error == caught.value.message
    assert set(threading.enumerate()) - before == set()


# -- a broker with passwords -------------------------------------------------------------------


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[PrivateBroker]:
    with private_broker(tmp_path, {KHO_USER: KHO_PASSWORD}) as broker:
        yield broker


def test_wrong_password_is_terminal_and_stays_secret(secured: PrivateBroker, root: str) -> None:
    wrong = "Sai-Mat-Khau-2026"
    config = archive_config(root, url=secured.url(KHO_USER, wrong))
    before = set(threading.enumerate())

    with pytest.raises(SourceError) as caught:
        check_broker(config)
    listener = MqttListener(config, Store())
    listener.start()
    try:
        wait_until(lambda: listener.state.phase == "failed", "the listener gave up")
        wait_until(lambda: threads_of(config.client_id) == [], "its threads ended")
        state = listener.state
    finally:
        listener.stop()

    expected = (
        f"mqtt://127.0.0.1:{secured.port} refused user `{KHO_USER}` (Not authorized): "
        "check the user name and password in the source's URL, or ask the broker's "
        "administrator to let this user connect"
    )
    assert caught.value.transient is False
    assert caught.value.message == expected
    assert state.error == expected
    for text in (str(caught.value), state.error, repr(config)):
        assert wrong not in text
        assert "Sai-Mat" not in text
    assert set(threading.enumerate()) - before == set()


def test_no_credentials_on_a_secured_broker(secured: PrivateBroker, root: str) -> None:
    config = archive_config(root, url=f"mqtt://127.0.0.1:{secured.port}")

    with pytest.raises(SourceError) as caught:
        check_broker(config)

    assert caught.value.transient is False
    assert caught.value.message == (
        f"mqtt://127.0.0.1:{secured.port} refused a connection without credentials (Not "
        "authorized): write the user name and password in the URL, "
        "mqtt://user:password@host:port"
    )


def test_right_password_listens(secured: PrivateBroker, root: str) -> None:
    config = archive_config(root, url=secured.url(KHO_USER, KHO_PASSWORD))
    store = Store()

    check_broker(config)
    with (
        listening(MqttListener(config, store, flush_interval_s=0.05)),
        publisher(port=secured.port, auth=(KHO_USER, KHO_PASSWORD)) as device,
    ):
        device.publish(
            f"{root}/kho-luu-tru/KLT-01/moi-truong",
            payload(sensor_reading("KLT-01", "Mất cảm biến")),
        )
        wait_until(lambda: store.count() == 1, "the reading arrived")

    assert [(e.device_id, e.severity) for e in store.events] == [("KLT-01", "major")]
