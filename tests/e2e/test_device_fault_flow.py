"""A device fault, end to end through the real services: a sensor in a Lào Cai archive
repository publishes on Mosquitto; the `ioc serve` process (PostgreSQL, Redis, a local SMTP
server) turns the message into an event of the province, its operations loop opens an alert
on the rule an operator defined, notifies the province's officer in the app and by e-mail,
and the officer's live view shows each step: the alert, its acknowledgement, the incident
opened from it and the task given to a commune. A message from a device at a place that no
longer exists goes to quarantine with its reason."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.e2e.servers import (
    EVERY_S,
    IOC,
    REDIS_URL,
    Viewer,
    create_user,
    login,
    shared_database,
    start_server,
)
from tests.ingest.mqtt_broker import SHARED_URL, forget_session, publisher, require_shared_broker
from tests.smtp_server import Mailbox, serve_mail

OFFICER_MAIL = "sonv.laocai@laocai.gov.vn"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from serve_mail(Mailbox())


def _wait(what: str, check: Callable[[], object]) -> None:
    for _ in range(1200):  # a bound on waiting, not a speed check
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"waited two minutes for {what}")


def test_a_device_fault_reaches_the_province_as_an_alert_a_mail_and_an_incident(
    tmp_path: Path, mailbox: Mailbox
) -> None:
    require_shared_broker()
    prefix = f"ioc-e2e/{uuid.uuid4().hex[:8]}"
    client_id = f"ioc-e2e-{uuid.uuid4().hex[:8]}"
    with shared_database() as url:
        env = {
            "IOC_DATABASE_URL": url,
            "IOC_REDIS_URL": REDIS_URL,
            "IOC_ALERT_SECONDS": str(EVERY_S),
            "IOC_SECRET_KEY": Fernet.generate_key().decode(),
            "IOC_SMTP_HOST": "127.0.0.1",
            "IOC_SMTP_PORT": str(mailbox.port),
            "IOC_SMTP_STARTTLS": "false",
            "IOC_SMTP_FROM": "ioc@moha.gov.vn",
            "IOC_PUBLIC_URL": "https://ioc.moha.gov.vn",
        }
        create_user(env, tmp_path, "dulieu-e2e", "data_steward", "BNV")
        create_user(env, tmp_path, "vanhanh-e2e", "operator", "BNV")
        create_user(env, tmp_path, "sonv-lc", "provincial_officer", "SNV.15")
        contact = subprocess.run(
            [*IOC, "notify", "contact", "sonv-lc", "--email", OFFICER_MAIL],
            env={**os.environ, **env, "IOC_DATA_DIR": str(tmp_path / "setup")},
            capture_output=True,
            text=True,
        )
        assert contact.returncode == 0, contact.stderr
        server = start_server("ioc", env, tmp_path)
        try:
            steward = login(server.base, "dulieu-e2e")
            source = steward.post(
                "/api/sources",
                json={
                    "name": "cam-bien-kho-lao-cai",
                    "label": "Cảm biến kho lưu trữ Lào Cai",
                    "kind": "mqtt",
                    "config": {
                        "url": SHARED_URL,
                        "topics": [f"{prefix}/kho/+/moi-truong"],
                        "client_id": client_id,
                        "device_from": "topic:3",
                        "kind_from": "const:moi-truong",
                        "place_from": "field:ma_xa",
                        "status_field": "trang_thai",
                        "severity_map": {"binh_thuong": "info", "hong": "major"},
                    },
                },
            )
            assert source.status_code == 201, source.text
            operator = login(server.base, "vanhanh-e2e")
            rule = operator.post(
                "/api/alert-rules",
                json={
                    "name": "thiet-bi-kho-hong",
                    "title_vi": "Thiết bị kho lưu trữ hỏng",
                    "title_en": "Archive device broken",
                    "kind": "event",
                    "severity": "major",
                    "config": {"kinds": ["device"], "min_severity": "major"},
                    "escalate_after_minutes": 60,
                },
            )
            assert rule.status_code == 201, rule.text

            officer = login(server.base, "sonv-lc")
            viewer = Viewer(server.base, officer.cookies["ioc_session"])
            # The server listens from its scheduler's next round (its renewal marks the
            # source fresh once subscribed); then the sensor speaks.
            _wait(
                "the MQTT listener",
                lambda: steward.get("/api/sources/cam-bien-kho-lao-cai").json()["last_success_at"],
            )
            with publisher() as device:
                for code, status in (("02683", "hong"), ("02683", "binh_thuong"), ("03", "hong")):
                    device.publish(
                        f"{prefix}/kho/KLT-BX-01/moi-truong",
                        json.dumps({"ma_xa": code, "trang_thai": status, "do_am": 91}),
                        qos=1,
                    )

            seen = viewer.wait_for(lambda m: m["kind"] == "alert.opened")
            assert all(m["admin_code"] in ("15", "02683") for m in seen), seen
            device_events = [m for m in seen if m["kind"] == "device"]
            assert device_events and device_events[0]["admin_code"] == "02683"
            assert device_events[0]["subject"] == "KLT-BX-01"
            alerts = officer.get("/api/alerts").json()
            alert = next(a for a in alerts if a["rule"] == "thiet-bi-kho-hong")
            assert alert["severity"] == "major" and alert["state"] == "active"

            # Told in the app and by e-mail, in Vietnamese.
            _wait(
                "the notification",
                lambda: officer.get("/api/notifications/unread-count").json()["unread"],
            )
            _wait("the e-mail", lambda: mailbox.received)
            recipients, mail = mailbox.received[0]
            assert recipients == [OFFICER_MAIL]
            assert "Thiết bị kho lưu trữ hỏng" in str(mail["Subject"])

            # The officer takes it in hand, opens an incident and gives the commune a task.
            taken = officer.post(f"/api/alerts/{alert['id']}/acknowledge")
            assert taken.status_code == 200, taken.text
            viewer.wait_for(lambda m: m["kind"] == "alert.acknowledged")
            incident = officer.post("/api/incidents", json={"alert_id": alert["id"]})
            assert incident.status_code == 201, incident.text
            task = officer.post(
                f"/api/incidents/{incident.json()['id']}/tasks",
                json={
                    "unit": "UBX.02683",
                    "title": "Kiểm tra thiết bị đo độ ẩm kho lưu trữ xã",
                    "due_at": "2026-12-31T10:00:00+07:00",
                },
            )
            assert task.status_code == 201, task.text
            viewer.wait_for(lambda m: m["kind"].startswith("task."))

            # The message from a place merged away in 2025 waits in quarantine, with why.
            quarantined = steward.get(
                "/api/quarantine", params={"source": "cam-bien-kho-lao-cai"}
            ).json()
            (entry,) = quarantined["entries"]
            assert "place `03` (`place_from=field:ma_xa`)" in entry["reasons"][0]
            viewer.close()
            for client in (steward, operator, officer):
                client.close()
        finally:
            server.stop()
            forget_session(client_id)
