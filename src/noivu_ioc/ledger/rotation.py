"""Rotating the log's signing key (``ioc ledger rotate-key``).

The key file's current key is kept aside (``ledger.key`` becomes
``ledger.key.retired-<first 16 hex digits of its key id>``, owner-only) and a new key takes
its place. The rotation is audited, and that audit row is sealed into the log at once, so the
log grows and a head over it can be signed with the new key in the same transaction: the
latest head is the new key's as soon as the rotation is done, and the log itself records
which key replaced which.

Nothing is changed unless everything can be: the new key is written and read back next to
the old one before the transaction, the old key is copied aside and the new one renamed over
it only once the head is signed, and a failure before that rename leaves the old key in
place with no file added. A key given in ``IOC_LEDGER_KEY`` is not rotated here (this
command cannot change a setting): the message says what to set instead.

Heads signed by the retired key verify only once it is in ``IOC_LEDGER_RETIRED_KEYS``; the
result carries the whole value to set. Witnesses pinned to the old key refuse the new heads
until they are restarted with the new one, as they must.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from noivu_ioc.access.users import audit
from noivu_ioc.errors import ConfigurationError, IOCError
from noivu_ioc.ledger import heads
from noivu_ioc.ledger.audit import seal_in
from noivu_ioc.ledger.log import lock
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LedgerHead

log = logging.getLogger(__name__)

ACTION = "ledger.key.rotate"
NEW_KEY = "python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'"


@dataclass(frozen=True, slots=True)
class Rotation:
    retired: heads.RetiredKey
    retired_file: Path
    signer: heads.Signer  # the new key
    head: LedgerHead  # the first head it signed
    retired_setting: dict[str, str]  # the whole IOC_LEDGER_RETIRED_KEYS to set

    @property
    def retired_assignment(self) -> str:
        """The setting as a shell line: IOC_LEDGER_RETIRED_KEYS='{...}'."""
        return assignment(self.retired_setting)


def retired_name(old: heads.Signer) -> str:
    """The name of a retired key, in the setting and in its file's suffix."""
    return old.key_id[:16]


def with_retired(settings: Settings, old: heads.Signer) -> dict[str, str]:
    """IOC_LEDGER_RETIRED_KEYS as it must be once ``old`` is retired: the keys already
    there, and this one."""
    return {**settings.ledger_retired_keys, retired_name(old): old.public_b64}


def assignment(retired: dict[str, str]) -> str:
    """IOC_LEDGER_RETIRED_KEYS=<the JSON>, quoted for a shell or a .env file."""
    return "IOC_LEDGER_RETIRED_KEYS=" + shlex.quote(json.dumps(retired, ensure_ascii=False))


def _refuse_settings_key(settings: Settings) -> ConfigurationError:
    old = heads.log_signer(settings)  # names an invalid IOC_LEDGER_KEY first
    return ConfigurationError(
        "the log's key comes from IOC_LEDGER_KEY, which `ioc ledger rotate-key` cannot change: "
        f"generate a new key ({NEW_KEY}), set it as IOC_LEDGER_KEY on every server, set "
        f"{assignment(with_retired(settings, old))} so that the heads of the key it replaces "
        f"({old.key_id[:16]}…) still verify, restart the servers, and restart each witness "
        "with the new public key (`ioc ledger public-key`) as --log-key"
    )


def _unusable(path: Path, what: str, exc: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"cannot {what} at {path}, beside the key it replaces ({exc.strerror}): fix that (the "
        f"permissions of {path.parent}, the disk, the key file's name) and rotate again; "
        "nothing was changed"
    )


def _write_new_key(pending: Path) -> heads.Signer:
    """The new key, written at ``pending`` and read back: a key that cannot be stored or read
    where the old one is would sign heads nobody could ever check again."""
    signer = heads.Signer.of(Ed25519PrivateKey.generate())
    try:
        heads.write_owner_only(pending, heads.private_pem(signer.private))
    except FileExistsError:
        raise ConfigurationError(
            f"{pending} exists already: an earlier rotation was interrupted, or one is running; "
            "make sure none is, remove that file and rotate again"
        ) from None
    except OSError as exc:
        raise _unusable(pending, "write the new key", exc) from None
    try:
        if heads.key_file(pending, create=False).key_id != signer.key_id:
            raise ConfigurationError(f"{pending} does not read back as the key written there")
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    return signer


def rotate_key(store: OpStore, settings: Settings) -> Rotation:
    """Retire the key file's key for a new one and sign a head with it (see the module's
    description)."""
    if settings.ledger_key:
        raise _refuse_settings_key(settings)
    path = heads.key_path(settings)
    old = heads.key_file(path, create=False)
    heads.retired_keys(settings, old)  # a wrong setting is named before anything changes
    aside = path.with_name(f"{path.name}.retired-{retired_name(old)}")
    try:
        taken = aside.exists()
    except OSError as exc:  # e.g. a name too long once suffixed
        raise _unusable(aside, "keep the retired key", exc) from None
    if taken:
        raise ConfigurationError(
            f"{aside} exists already although {path} holds that key: keep one copy of the key "
            "elsewhere, remove that file and rotate again"
        )
    pending = path.with_name(f"{path.name}.new")
    new = _write_new_key(pending)
    aside_made = False
    try:
        with store.session() as session:
            lock(session)  # a scheduled signing waits, then reads the new key
            audit(
                session,
                ACTION,
                "ok",
                username="cli",
                target=f"key:{new.key_id}",
                detail={"retired_key_id": old.key_id, "key_id": new.key_id},
            )
            seal_in(session)
            head = heads.sign_in(session, new)
            if head is None:  # the sealed row grew the log: not reached
                raise IOCError("the log did not grow with the rotation's audit row: no head")
            try:
                heads.write_owner_only(aside, path.read_bytes())
                aside_made = True
                os.replace(pending, path)
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot put the new key in place of {path} ({exc.strerror}): nothing was "
                    f"changed; make {path.parent} writable by this user and rotate again"
                ) from None
    except BaseException:
        if pending.exists():  # the new key did not take the old one's place: undo it all
            pending.unlink()
            if aside_made:
                aside.unlink()
        raise
    log.info(
        "ledger: retired the key %s (kept at %s); the key %s signed the head of %s entries",
        old.key_id[:16],
        aside,
        new.key_id[:16],
        head.tree_size,
    )
    retired = heads.RetiredKey(retired_name(old), old.public, old.key_id)
    return Rotation(retired, aside, new, head, with_retired(settings, old))
