"""A real server on a free port and a real Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.factories import SERVER_STORES


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, demo_store: OpStore, demo_warehouse: Warehouse) -> Iterator[str]:
    """The IOC served by uvicorn in a thread, on the shared demo stores."""
    port = _free_port()
    app = create_app(Settings(data_dir=tmp_path), demo_store, demo_warehouse)
    # Live streams (the wall's ticker) stay open until the browser closes them; a failed test
    # may leave its page open, so shutting down does not wait for them for long.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # start-up poll, not a time limit on the test
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    base = f"http://127.0.0.1:{port}"
    SERVER_STORES[base] = demo_store  # for the login helper's second factor
    yield base
    SERVER_STORES.pop(base, None)
    server.should_exit = True
    thread.join()


