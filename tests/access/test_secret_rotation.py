"""Rotating the key that encrypts stored secrets (``ioc secrets rotate-key``): source
credentials and second factors are sealed again under the new key and still work, a running
server's box follows the rotation, a rotation cut short is finished by the next one, a secret
that no key opens stops it with nothing changed, the IOC_SECRET_KEY route needs the old key in
IOC_SECRET_KEY_PREVIOUS, and CSRF tokens of pages opened before the rotation still pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from typer.testing import CliRunner

from noivu_ioc.access import secret_rotation, totp, users
from noivu_ioc.access.secret_rotation import rotate_secret_key
from noivu_ioc.cli import app
from noivu_ioc.errors import ConfigurationError
from noivu_ioc.ingest import sources as svc
from noivu_ioc.ingest.sync import IngestContext
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, Source, User
from noivu_ioc.store.secrets import KEY_FILE, SecretBox, secret_box
from noivu_ioc.web.security import SESSION_COOKIE, CsrfKeys
from tests.ingest.factories import ingest_context, principal

ISSUER = "IOC Bộ Nội vụ"
ADMIN = "quantri"


@pytest.fixture
def ctx(tmp_path: Path, store_url: str) -> Iterator[IngestContext]:
    """Stores whose secrets are sealed by the data directory's key file (the tests' own
    IOC_SECRET_KEY set aside)."""
    context = ingest_context(tmp_path, store_url, secret_key=None)
    yield context
    context.warehouse.close()
    context.store.dispose()


SOURCE = "thi-dua-api"
TOKEN = "Bearer 6f1d-thi-dua"


def rest_source(ctx: IngestContext) -> str:
    """A REST source whose token is kept sealed; the token."""
    with ctx.store.session() as session:
        svc.create_source(
            ctx,
            session,
            principal(ctx),
            svc.SourceIn(
                name=SOURCE,
                label="Phần mềm thi đua (API)",
                kind="rest",
                config={"base_url": "https://thidua.moha.gov.vn/api/"},
                secrets={"headers": {"Authorization": TOKEN}},
            ),
        )
    return TOKEN


def token_of(box: SecretBox, sealed: str | None) -> str:
    return str(box.open(sealed)["headers"]["Authorization"])


def enrol(store: OpStore, box: SecretBox, username: str = ADMIN) -> str:
    """Give ``username`` a confirmed second factor sealed by ``box``; its secret."""
    with store.session() as s:
        user = users.get_user(s, username)
        user.totp_secret = user.totp_confirmed_at = None
        secret = totp.begin(s, user, box, ISSUER).secret
        totp.confirm(s, user, box, pyotp.TOTP(secret).now())
    return secret


def stored(store: OpStore) -> tuple[str | None, str | None]:
    """The sealed credentials of the source and the sealed factor of the administrator."""
    with store.session() as s:
        source = s.scalar(select(Source.secret).where(Source.name == SOURCE))
        factor = s.scalar(select(User.totp_secret).where(User.username == ADMIN))
    return source, factor


def second_factor_works(store: OpStore, box: SecretBox, secret: str) -> bool:
    with store.session() as s:
        user = users.get_user(s, ADMIN)
        user.totp_last_step = None  # the test's own earlier use of this step
        return totp.verify(s, user, box, pyotp.TOTP(secret).now())


def test_key_file_rotation_seals_everything_again(ctx: IngestContext) -> None:
    settings = ctx.settings
    api_key = rest_source(ctx)
    running = ctx.box  # a server's box, made before the rotation
    secret = enrol(ctx.store, running)
    old_key = (settings.data_dir / KEY_FILE).read_bytes()
    before = stored(ctx.store)

    done = rotate_secret_key(ctx.store, settings)

    assert (done.sources, done.factors, done.resumed) == (1, 1, False)
    new_key = (settings.data_dir / KEY_FILE).read_bytes()
    assert new_key != old_key
    assert done.retired_file is not None and done.retired_file.read_bytes().strip() == old_key
    assert done.retired_file.stat().st_mode & 0o777 == 0o600
    assert not (settings.data_dir / f"{KEY_FILE}.next").exists()
    after = stored(ctx.store)
    assert after[0] != before[0] and after[1] != before[1]
    # Sealed under the new key alone: it opens them without the old one.
    only_new = SecretBox(new_key.strip())
    assert token_of(only_new, after[0]) == api_key
    assert second_factor_works(ctx.store, only_new, secret)
    # The running server's box read the new key by itself, and seals with it.
    assert token_of(running, after[0]) == api_key
    assert only_new.open(running.seal({"x": 1})) == {"x": 1}
    # A copy of the store from before the rotation still opens (the kept key).
    assert token_of(secret_box(settings), before[0]) == api_key
    with ctx.store.session() as s:
        entry = s.scalar(select(AuditEvent).where(AuditEvent.action == "secrets.key.rotate"))
        assert entry is not None and entry.outcome == "ok"
        assert entry.detail == {"sources": 1, "second_factors": 1}


def test_an_interrupted_rotation_is_finished_by_the_next(
    ctx: IngestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ctx.settings
    api_key = rest_source(ctx)
    old_key = (settings.data_dir / KEY_FILE).read_bytes()

    def cut(*_args: object) -> None:
        raise OSError("the machine stopped")  # after the commit, before the new key's rename

    monkeypatch.setattr(secret_rotation.os, "replace", cut)
    with pytest.raises(OSError):
        rotate_secret_key(ctx.store, settings)
    monkeypatch.undo()

    pending = settings.data_dir / f"{KEY_FILE}.next"
    assert pending.exists() and (settings.data_dir / KEY_FILE).read_bytes() == old_key
    # Sealed under the pending key, which every box already opens with.
    assert token_of(secret_box(settings), stored(ctx.store)[0]) == api_key

    done = rotate_secret_key(ctx.store, settings)
    assert done.resumed and done.sources == 1
    assert not pending.exists()
    only_new = SecretBox((settings.data_dir / KEY_FILE).read_bytes().strip())
    assert token_of(only_new, stored(ctx.store)[0]) == api_key


def test_a_secret_no_key_opens_stops_the_rotation(ctx: IngestContext) -> None:
    rest_source(ctx)
    stranger = SecretBox(Fernet.generate_key())
    enrol(ctx.store, stranger)  # sealed under a key the installation never had
    before = stored(ctx.store)
    key = (ctx.settings.data_dir / KEY_FILE).read_bytes()

    with pytest.raises(ConfigurationError) as refused:
        rotate_secret_key(ctx.store, ctx.settings)

    assert "the second factor of user quantri cannot be opened" in refused.value.message
    assert "ioc users totp-reset NAME" in refused.value.message
    assert stored(ctx.store) == before
    assert (ctx.settings.data_dir / KEY_FILE).read_bytes() == key
    with ctx.store.session() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "secrets.key.rotate")) is None


def test_the_setting_key_needs_the_old_one_kept(ctx: IngestContext, tmp_path: Path) -> None:
    old = Fernet.generate_key().decode()
    first = Settings(data_dir=tmp_path / "a", secret_key=old)
    secret = enrol(ctx.store, secret_box(first))

    with pytest.raises(ConfigurationError) as refused:
        rotate_secret_key(ctx.store, first)
    assert "set it as IOC_SECRET_KEY and the current one as IOC_SECRET_KEY_PREVIOUS" in (
        refused.value.message
    )

    new = Fernet.generate_key().decode()
    moved = Settings(data_dir=tmp_path / "a", secret_key=new, secret_key_previous=old)
    assert second_factor_works(ctx.store, secret_box(moved), secret)  # before the rotation
    done = rotate_secret_key(ctx.store, moved)
    assert (done.factors, done.retired_file) == (1, None)
    later = Settings(data_dir=tmp_path / "a", secret_key=new)  # the old key dropped
    assert second_factor_works(ctx.store, secret_box(later), secret)
    assert not (tmp_path / "a" / KEY_FILE).exists()


def test_a_bad_previous_key_is_named(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key=Fernet.generate_key().decode(),
        secret_key_previous="not-a-key",
    )
    with pytest.raises(ConfigurationError, match="key 1 of IOC_SECRET_KEY_PREVIOUS is not a valid"):
        secret_box(settings).seal({"x": 1})


def test_pages_opened_before_a_rotation_keep_their_csrf_token(
    ctx: IngestContext,
) -> None:
    rest_source(ctx)
    keys = CsrfKeys(ctx.settings)
    cookies = {SESSION_COOKIE: "a-session-cookie"}
    before = keys.token("session", "a-session-cookie")

    rotate_secret_key(ctx.store, ctx.settings)

    after = keys.token("session", "a-session-cookie")
    assert after != before
    assert {before, after} <= set(keys.expected(cookies, login_form=False))
    fresh = CsrfKeys(ctx.settings)  # another server, started after the rotation
    assert fresh.token("session", "a-session-cookie") == after
    assert before in fresh.expected(cookies, login_form=False)


def test_the_command(ctx: IngestContext) -> None:
    rest_source(ctx)
    env = {
        "IOC_DATABASE_URL": ctx.store.url,
        "IOC_DATA_DIR": str(ctx.settings.data_dir),
        "IOC_SECRET_KEY": "",  # the key file
    }
    result = CliRunner().invoke(app, ["secrets", "rotate-key"], env=env)
    assert result.exit_code == 0, result.output
    assert "sealed 1 source credentials and 0 second factors under the new key" in result.output
    assert "the old key is kept at" in result.output

    refused = CliRunner().invoke(
        app,
        ["secrets", "rotate-key"],
        env={**env, "IOC_SECRET_KEY": Fernet.generate_key().decode()},
    )
    assert refused.exit_code == 2
    assert "IOC_SECRET_KEY_PREVIOUS" in refused.output
