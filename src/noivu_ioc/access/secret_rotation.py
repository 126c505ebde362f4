"""Rotating the key that encrypts stored secrets (``ioc secrets rotate-key``).

What the key seals: the credentials of sources (``source.secret``) and the users' second-factor
secrets (``app_user.totp_secret``). A rotation opens each with any key the installation knows
and seals it again under the new key, in one transaction that also writes its audit entry;
nothing changes when one of them cannot be opened (its name and the fix are given).

With the key file (``secret.key`` in the data directory), the command makes the new key
itself: it is written as ``secret.key.next`` before the transaction, every server's box
already opens with it, and after the commit the old key is kept as
``secret.key.retired-<UTC time>`` and the new one renamed over ``secret.key``. A rotation
cut short leaves ``secret.key.next`` behind; running the command again finishes it with that
same key. With ``IOC_SECRET_KEY`` the command cannot change the setting: the operator sets
the new key there and the old one in ``IOC_SECRET_KEY_PREVIOUS`` on every server, then runs
it to seal everything under the new key, after which the old one can be dropped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from noivu_ioc.access.users import audit
from noivu_ioc.errors import ConfigurationError
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Source, User
from noivu_ioc.store.secrets import (
    NEW_KEY_HINT,
    RETIRED_SUFFIX,
    Keys,
    SecretBox,
    key_path,
    next_path,
    secret_box,
    write_key_file,
)

log = logging.getLogger(__name__)

ACTION = "secrets.key.rotate"


@dataclass(slots=True)
class SecretRotation:
    sources: int = 0  # credentials sealed again
    factors: int = 0  # second-factor secrets sealed again
    retired_file: Path | None = None  # where the old key file was kept (key-file mode)
    resumed: bool = False  # an interrupted rotation was finished with its key
    unreadable: list[str] = field(default_factory=list)


def _refuse_settings_key() -> ConfigurationError:
    return ConfigurationError(
        "the key comes from IOC_SECRET_KEY, which `ioc secrets rotate-key` cannot change: "
        f"make a new key ({NEW_KEY_HINT}), set it as IOC_SECRET_KEY and the current one as "
        "IOC_SECRET_KEY_PREVIOUS on every server, restart them, then run `ioc secrets "
        "rotate-key` again to seal every stored secret under the new key"
    )


def _reseal_all(store: OpStore, box: SecretBox, *, by: str) -> SecretRotation:
    """Seal every stored secret again under ``box``'s current key, in one transaction."""
    done = SecretRotation()
    with store.session() as session:
        sources = session.scalars(
            select(Source).where(Source.secret.is_not(None)).order_by(Source.id)
        ).all()
        users = session.scalars(
            select(User).where(User.totp_secret.is_not(None)).order_by(User.id)
        ).all()
        # (row, column, sealed value, what it is for a message)
        sealed: list[tuple[Source | User, str, str | None, str]] = [
            (r, "secret", r.secret, f"the credentials of source {r.name}") for r in sources
        ]
        sealed += [
            (r, "totp_secret", r.totp_secret, f"the second factor of user {r.username}")
            for r in users
        ]
        fresh = []
        for row, column, token, what in sealed:
            assert token is not None
            try:
                fresh.append((row, column, box.reseal(token)))
            except InvalidToken:
                done.unreadable.append(what)
        if done.unreadable:
            raise ConfigurationError(
                "nothing was changed: "
                + "; ".join(done.unreadable)
                + " cannot be opened with any key this server knows. Give the key that sealed "
                "them in IOC_SECRET_KEY_PREVIOUS (or restore its file), or enter those "
                "credentials again (`ioc sources` or the source's page) and reset those second "
                "factors (`ioc users totp-reset NAME`), then rotate again"
            )
        for row, column, token in fresh:
            setattr(row, column, token)
        done.sources, done.factors = len(sources), len(users)
        audit(
            session,
            ACTION,
            "ok",
            username=by,
            target="key:secret",
            detail={"sources": done.sources, "second_factors": done.factors},
        )
    return done


def rotate_secret_key(store: OpStore, settings: Settings, *, by: str = "cli") -> SecretRotation:
    """Seal every stored secret under a new key (see the module's description)."""
    if settings.secret_key:
        known = secret_box(settings).keys()
        if not known.earlier:
            raise _refuse_settings_key()
        return _reseal_all(store, secret_box(settings), by=by)

    path, pending = key_path(settings), next_path(settings)
    if not path.exists():
        raise ConfigurationError(
            f"there is no key file at {path}: nothing has been encrypted with it yet, so there "
            "is nothing to rotate"
        )
    current = secret_box(settings).keys()  # the installation's keys, checked
    resumed = not write_key_file(pending, Fernet.generate_key())
    new = pending.read_bytes().strip()
    box = SecretBox(Keys(new, current.all))
    box.keys()  # an unusable leftover .next is named before anything changes
    done = _reseal_all(store, box, by=by)
    done.resumed = resumed

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}{RETIRED_SUFFIX}{stamp}")
    if not write_key_file(aside, path.read_bytes().strip()):
        raise ConfigurationError(f"{aside} exists already; run the rotation again")
    done.retired_file = aside
    os.replace(pending, path)
    log.info(
        "secrets: sealed %s source credentials and %s second factors under a new key; the old "
        "key is kept at %s",
        done.sources,
        done.factors,
        aside,
    )
    return done
