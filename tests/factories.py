"""Named helpers that tests share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import pyotp
from fastapi.testclient import TestClient
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import create_user
from noivu_ioc.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS
from noivu_ioc.operations import processes
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Event, Notification, ProcessRun, User

DEMO_ADMINS = {u.username for u in DEMO_USERS if u.role.value == "administrator"}

# Second factors that the helpers enrolled, by (store or server, username): an administrator
# made by a test enrols at the first login, and later logins need the same secret.
ENROLLED: dict[tuple[str, str], str] = {}

# The store behind each browser test's server (tests/browser/conftest.py fills it).
SERVER_STORES: dict[str, OpStore] = {}

# An officer of the ministry inspectorate (BNV.TTr), who holds steps of the inspections.
PROCESS_INSPECTOR = "thanhtra.processes"


class HttpClient(Protocol):
    """What the helpers need of a client: TestClient and httpx2.Client both fit."""

    headers: Any

    def post(self, url: str, **kwargs: Any) -> Any: ...


def totp_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def forget_used_code(store: OpStore | None, username: str) -> None:
    """Let the current code be used again. A code is accepted once (the replay refusal is
    tested in tests/web/test_accounts_totp.py), while the suite's shared demo store sees
    several administrator logins within one 30-second step."""
    if store is None:
        return
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is not None:
            user.totp_last_step = None


def _secret_of(where: str, username: str) -> str:
    found = ENROLLED.get((where, username))
    if found is None and username in DEMO_ADMINS:
        return DEMO_TOTP_SECRET
    assert found is not None, f"no known second factor for {username} at {where}"
    return found


def second_factor(
    client: HttpClient, username: str, due: str, where: str, store: OpStore | None = None
) -> Any:
    """Finish a login that answered 202: give the code, or enrol first (remembering the
    secret for the next login). Returns the final answer."""
    if due == "enrol":
        enrolment = client.post("/api/account/totp/enrolment")
        assert enrolment.status_code == 200, enrolment.text
        secret = enrolment.json()["secret"]
        ENROLLED[(where, username)] = secret
        return client.post("/api/account/totp/confirm", json={"code": totp_code(secret)})
    forget_used_code(store, username)
    return client.post("/api/session/totp", json={"code": totp_code(_secret_of(where, username))})


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> TestClient:
    """Log ``client`` in through the JSON API, second factor included for the accounts that
    have one (every administrator); its cookie jar keeps the session and its headers the
    session's CSRF token (needed with form and file bodies)."""
    store: OpStore = client.app.state.store  # type: ignore[attr-defined]
    login_http(client, username, password, where=store.url, store=store)
    return client


def login_http(
    client: HttpClient,
    username: str,
    password: str,
    *,
    where: str,
    store: OpStore | None = None,
) -> Any:
    response = client.post("/api/session", json={"username": username, "password": password})
    if response.status_code == 202:
        response = second_factor(client, username, response.json()["second_factor"], where, store)
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.headers["x-csrf-token"]
    return response


def login_form(
    client: TestClient, username: str, password: str = DEMO_PASSWORD, next_path: str = "/"
) -> Any:
    """Log in through the login page as a browser does: the page first (its pre-session
    CSRF cookie and token), then the form."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert token, page.text
    return client.post(
        "/login",
        data={
            "csrf_token": token[1],
            "username": username,
            "password": password,
            "next": next_path,
        },
        follow_redirects=False,
    )


def watch_csp(page: Page) -> list[str]:
    """What the browser refuses on this page under the Content-Security-Policy, as it says
    it in the console (an inline style or script, a resource from elsewhere)."""
    blocked: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            blocked.append(message.text)

    page.on("console", seen)
    return blocked


def log_in_page(page: Page, server: str, username: str, path: str = "/") -> None:
    """Log in through the real login page of a browser test's server, giving the second
    factor (or enrolling one, reading the secret off the page) when it is asked for."""
    from urllib.parse import quote

    page.goto(server + "/login?next=" + quote(path, safe=""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/account/totp" in page.url:
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        ENROLLED[(server, username)] = secret
        page.fill("input[name=code]", totp_code(secret))
        page.click("button[type=submit]")
    elif "/login/totp" in page.url:
        forget_used_code(SERVER_STORES.get(server), username)
        store = SERVER_STORES.get(server)
        where = store.url if store is not None else server
        page.fill("input[name=code]", totp_code(_secret_of(where, username)))
        page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/(login|account/totp)"))


@contextmanager
def process_runs(store: OpStore) -> Iterator[list[int]]:
    """The shipped process templates and the inspectorate officer in the shared demo store;
    the runs a test appends to the list are removed afterwards with their events and
    notifications, so that the other tests on that store do not see them."""
    with store.session() as session:
        processes.seed_templates(session)
        if session.scalar(select(User.id).where(User.username == PROCESS_INSPECTOR)) is None:
            create_user(
                session,
                username=PROCESS_INSPECTOR,
                full_name="Thanh tra viên",
                password=DEMO_PASSWORD,
                roles=["operator"],
                units=["BNV.TTr"],
            )
    made: list[int] = []
    yield made
    with store.session() as session:
        for run_id in made:
            _remove_run(session, run_id)


def _remove_run(session: Session, run_id: int) -> None:
    run = session.get_one(ProcessRun, run_id)
    refs = [f"process-step:{s.id}" for s in run.steps]
    session.execute(delete(Notification).where(Notification.ref.in_(refs)))
    subjects = [f"process:{run_id}"] + [f"process:{run_id}/step:{s.position}" for s in run.steps]
    session.execute(delete(Event).where(Event.subject.in_(subjects)))
    session.delete(run)
