"""Schemathesis against the IOC's own OpenAPI: every operation, with data generated from its
schema (valid and invalid), as a user holding every role but the administrator's and, for
the administrators' operations, as an administrator. No answer may be a server error, every
answer must conform to the schema (status and body), and invalid input must be refused with
a 4xx. Then the stateful phase, where the schema's links chain operations.

The IOC under test has stores of its own (a fresh SQLite store and a generated warehouse),
so that what the fuzzer creates, changes or deletes touches no other test.

Left out on purpose: the operations that end or change the fuzzer's own login (logging
out, revoking sessions, changing the password, the second factor), which have tests of
their own in tests/web/test_accounts*.py, and the push endpoints, which take a source's API
key instead of a session (tests/ingest/test_push*.py).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from noivu_ioc.access.users import create_user, start_session
from noivu_ioc.demo import DEMO_PASSWORD, prepare_store
from noivu_ioc.generate import generate_into
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import utcnow
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from noivu_ioc.web.security import CsrfKeys

EXAMPLES = int(os.environ.get("IOC_FUZZ_EXAMPLES", "12"))
LEFT_OUT = re.compile(r"^/api/(session|account|push)(/|$)")
ADMIN_ONLY = re.compile(r"^/api/(audit|sharing-agreements|users|scenes)(/|$)")


class Fuzzed:
    def __init__(self, base_url: str, cookies: dict[str, str], csrf: dict[str, str]) -> None:
        self.base_url = base_url
        self.cookies = cookies
        self.csrf = csrf


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn in a thread: the fuzzer talks HTTP to a real server."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):  # start-up poll, not a time limit on the test
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


# The schema as the application describes it; building the app opens no store.
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(scheduler=False)).openapi()).exclude(
    path_regex=LEFT_OUT.pattern
)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    directory = tmp_path_factory.mktemp("fuzz")
    store = OpStore(f"sqlite:///{directory / 'ioc.sqlite3'}")
    prepare_store(store)
    warehouse = Warehouse(directory / "warehouse.duckdb")
    generate_into(warehouse, "demo", 11)
    config = Settings(data_dir=directory, scheduler=False)
    app = create_app(config, store, warehouse)
    keys = CsrfKeys(config)
    with _served(app) as base_url, store.session() as session:
        every = create_user(
            session,
            username="kiem-thu-api",
            full_name="Kiểm thử API",
            password=DEMO_PASSWORD,
            roles=["leader", "operator", "analyst", "data_steward"],
            units=["BNV"],
        )
        admin = create_user(
            session,
            username="kiem-thu-qt",
            full_name="Kiểm thử quản trị",
            password=DEMO_PASSWORD,
            roles=["administrator"],
            units=["BNV.TTTT"],
        )
        admin.totp_confirmed_at = utcnow()  # its factor was given when the session opened
        session.flush()
        tokens = {
            "user": start_session(session, every, 12, "schemathesis", "fuzz", second_factor=False),
            "admin": start_session(session, admin, 12, "schemathesis", "fuzz", second_factor=False),
        }
        session.commit()
        yield Fuzzed(
            base_url,
            {who: f"ioc_session={token}" for who, token in tokens.items()},
            {who: keys.token("session", token) for who, token in tokens.items()},
        )
    store.dispose()
    warehouse.close()


EXCLUDED_CHECKS = [
    # The API authenticates with a session cookie that the schema does not declare as a
    # security scheme; refusals without it are covered by tests/web/test_routes_need_auth.py.
    checks.ignored_auth,
    # Data valid for the schema may still be refused by the rules (an unknown indicator, a
    # unit outside the scope): a 4xx with the reason is the right answer there.
    checks.positive_data_acceptance,
]


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_holds_to_its_schema(case: Any, fuzzed: Fuzzed) -> None:
    who = "admin" if ADMIN_ONLY.match(case.path) else "user"
    case.call_and_validate(
        base_url=fuzzed.base_url,
        headers={"Cookie": fuzzed.cookies[who], "X-CSRF-Token": fuzzed.csrf[who]},
        excluded_checks=EXCLUDED_CHECKS,
    )


def test_linked_operations_hold_to_their_schema(fuzzed: Fuzzed) -> None:
    """The stateful phase: sequences that feed one operation's answer into the next (a rule
    created, then changed, then deleted; an incident opened, then given a task), along the
    links Schemathesis infers from the schema."""

    class Workflow(SCHEMA.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            who = "admin" if ADMIN_ONLY.match(case.path) else "user"
            return {
                "base_url": fuzzed.base_url,
                "headers": {"Cookie": fuzzed.cookies[who], "X-CSRF-Token": fuzzed.csrf[who]},
            }

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(
                response, excluded_checks=EXCLUDED_CHECKS, transport_kwargs=kwargs
            )

    Workflow.run(
        settings=settings(
            max_examples=max(EXAMPLES // 2, 3),
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
    )


def test_the_fuzzer_covers_the_api() -> None:
    """A guard on the exclusions above: they leave almost every operation to the fuzzer."""
    included = sum(1 for _ in SCHEMA.get_all_operations())
    assert included >= 100, included
