"""What the end-to-end tests share: `ioc serve` processes started as a deployment starts
them (environment variables, a data folder each), on a fresh PostgreSQL database and the
shared Redis; users made with `ioc users create`; sessions over HTTP; and viewers of
`/api/live` on plain sockets, each message noted with the time it arrived."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import orjson
import pytest
import redis

from tests.conftest import IN_CI, _drop_pg_database, _new_pg_database
from tests.factories import login_http

IOC = [sys.executable, "-m", "noivu_ioc.cli"]
REDIS_URL = os.environ.get("IOC_TEST_REDIS", "redis://127.0.0.1:6379/0")
EVERY_S = 0.3  # IOC_ALERT_SECONDS: the operations loop's tick
PASSWORD = "dong-song-lam-xanh-e2e"  # meets the password policy


@dataclass
class Server:
    name: str
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()  # a graceful stop: the lease is given up
        self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(name: str, env: dict[str, str], tmp: Path) -> Server:
    cwd = tmp / name
    cwd.mkdir()
    port = free_port()
    log = cwd / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*IOC, "serve", "--port", str(port)],
            env={**os.environ, **env, "IOC_DATA_DIR": str(cwd / "data")},
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):  # start-up poll; the test itself has no time limit
        if process.poll() is not None:
            pytest.fail(f"ioc serve ({name}) exited early:\n{log.read_text()}")
        try:
            if httpx.get(base + "/healthz").status_code == 200:
                return Server(name, base, process, log)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"ioc serve ({name}) never answered:\n{log.read_text()}")


@contextmanager
def shared_database() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI must test against Redis; start the server)")
        pytest.skip(message)
    name, url = _new_pg_database()  # fails in CI, skips elsewhere, without PostgreSQL
    try:
        yield url
    finally:
        _drop_pg_database(name)


def create_user(env: dict[str, str], tmp: Path, username: str, role: str, unit: str) -> None:
    done = subprocess.run(
        [*IOC, "users", "create", username, "--role", role, "--unit", unit, "--password", PASSWORD],
        env={**os.environ, **env, "IOC_DATA_DIR": str(tmp / "setup")},
        cwd=tmp,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def login(base: str, username: str) -> httpx.Client:
    """A client logged in over HTTP, second factor included for administrators (enrolled at
    the first login); it keeps the session's cookie and sends its CSRF token."""
    client = httpx.Client(base_url=base)
    login_http(client, username, PASSWORD, where=base)
    return client


class Viewer:
    """A browser's ``/api/live`` over a plain socket, read in a thread: each message with
    the time it arrived."""

    def __init__(self, base: str, cookie: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        head = f"GET /api/live HTTP/1.1\r\nHost: {host}\r\nCookie: ioc_session={cookie}\r\n"
        self.sock.sendall(head.encode() + b"\r\n")
        self.messages: queue.Queue[tuple[float, str]] = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        buffer = b""
        while chunk := self.sock.recv(65536):
            at = time.monotonic()
            buffer += chunk
            *done, buffer = buffer.split(b"\n\n")
            for message in done:  # chunk sizes of the chunked body sit between messages
                text = message.decode().rpartition("\r\n")[2]
                self.messages.put((at, text))

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """The events received until one that ``wanted`` accepts, that one last."""
        seen: list[dict[str, Any]] = []
        while True:
            _, text = self.messages.get(timeout=120)  # a bound on waiting, not a speed check
            if "\ndata: " in text and "event: alert" in text:
                seen.append(orjson.loads(text.split("\ndata: ", 1)[1]))
                if wanted(seen[-1]):
                    return seen

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join()
        self.sock.close()
