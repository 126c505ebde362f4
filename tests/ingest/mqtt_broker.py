"""Brokers for the MQTT tests: the shared Mosquitto on 127.0.0.1:1883 (anonymous), and a
private Mosquitto started per test on a free port with a password file and, optionally, an
access list; plus a publisher that plays the devices."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from tests.conftest import IN_CI

SHARED_HOST = os.environ.get("IOC_TEST_MQTT_HOST", "127.0.0.1")
SHARED_PORT = int(os.environ.get("IOC_TEST_MQTT_PORT", "1883"))
SHARED_URL = f"mqtt://{SHARED_HOST}:{SHARED_PORT}"
_START_S = 15.0


def unavailable(message: str) -> None:
    """Fail in CI, where every server must be up; skip elsewhere."""
    if IN_CI:
        pytest.fail(message + " (CI must run the MQTT tests; start the broker)")
    pytest.skip(message)


def require_shared_broker() -> None:
    try:
        with socket.create_connection((SHARED_HOST, SHARED_PORT), timeout=3):
            pass
    except OSError as exc:
        unavailable(f"the MQTT broker is not reachable at {SHARED_URL}: {exc}")


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PrivateBroker:
    port: int
    log: Path

    def url(self, user: str, password: str) -> str:
        return f"mqtt://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.port}"


@contextmanager
def private_broker(
    directory: Path, users: dict[str, str], acl: str | None = None
) -> Iterator[PrivateBroker]:
    """A Mosquitto of its own on a free port: no anonymous access, ``users`` in a password
    file made by mosquitto_passwd, ``acl`` (Mosquitto's acl_file syntax) when given.
    Killed when the block ends."""
    for binary in ("mosquitto", "mosquitto_passwd"):
        if shutil.which(binary) is None:
            unavailable(f"`{binary}` is not installed, the private broker cannot start")

    passwords = directory / "passwd"
    passwords.touch(mode=0o600)
    for user, password in users.items():
        subprocess.run(
            ["mosquitto_passwd", "-b", str(passwords), user, password],
            check=True,
            capture_output=True,
        )
    port = free_port()
    lines = [
        f"listener {port} 127.0.0.1",
        "allow_anonymous false",
        f"password_file {passwords}",
        "persistence false",
        "log_dest stderr",
        "log_type error",
        "log_type warning",
    ]
    if acl is not None:
        acl_file = directory / "acl"
        acl_file.write_text(acl, encoding="utf-8")
        acl_file.chmod(0o600)
        lines.append(f"acl_file {acl_file}")
    if os.geteuid() == 0:
        # Run as root, Mosquitto drops to the `mosquitto` user, which cannot read tmp_path.
        lines.append("user root")
    config = directory / "mosquitto.conf"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    log = directory / "mosquitto.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["mosquitto", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_listening(port, process, log)
        yield PrivateBroker(port, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"mosquitto exited with {process.returncode}: {log.read_text(errors='replace')}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on port {port} within {_START_S:g} s")


class Publisher:
    """A device: a plain paho client that publishes and waits for the broker's PUBACK."""

    def __init__(
        self,
        host: str = SHARED_HOST,
        port: int = SHARED_PORT,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self._client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        if auth is not None:
            self._client.username_pw_set(*auth)
        self._client.connect(host, port)
        self._client.loop_start()

    def publish(
        self, topic: str, payload: bytes | str, *, qos: int = 1, retain: bool = False
    ) -> None:
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=10)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS or not info.is_published():
            raise RuntimeError(f"publishing to {topic} failed: {info.rc}")

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@contextmanager
def publisher(
    host: str = SHARED_HOST, port: int = SHARED_PORT, auth: tuple[str, str] | None = None
) -> Iterator[Publisher]:
    device = Publisher(host, port, auth)
    try:
        yield device
    finally:
        device.close()


def forget_session(
    client_id: str,
    host: str = SHARED_HOST,
    port: int = SHARED_PORT,
    auth: tuple[str, str] | None = None,
) -> None:
    """Remove the broker's persistent session of ``client_id``: connect with a clean start
    and a session that expires on disconnect."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    if auth is not None:
        client.username_pw_set(*auth)
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = 0
    client.connect(host, port, clean_start=True, properties=properties)
    client.loop_start()
    deadline = time.monotonic() + 10
    while not client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    client.disconnect()
    client.loop_stop()


def wait_until(condition: Callable[[], object], what: str, timeout_s: float = 20.0) -> None:
    """Poll ``condition`` (a callable) until it is true; fail saying ``what`` did not happen.
    The deadline is generous: it only keeps a broken test from hanging."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"within {timeout_s:g} s: {what}")
        time.sleep(0.02)
