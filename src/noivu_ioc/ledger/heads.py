"""Signed tree heads and witness cosignatures.

The log's key is an Ed25519 key: ``IOC_LEDGER_KEY`` (base64 of the 32 raw bytes of the
private key) or, by default, a PEM file (``IOC_LEDGER_KEY_FILE``, default ``ledger.key`` in
the data directory) created with owner-only permissions the first time a head is signed.
Its key id is the hex SHA-256 of the raw 32-byte public key. A key replaced by another
(``ioc ledger rotate-key``) is listed in ``IOC_LEDGER_RETIRED_KEYS``: the heads it signed
still verify under it, new heads are signed by the current key only.

What a head's signature (and every witness's cosignature) covers is the 50 bytes of RFC 6962's
``TreeHeadSignature`` (section 3.5), all integers big-endian:

    offset  size  field
         0     1  version          0 (v1)
         1     1  signature_type   1 (tree_hash)
         2     8  timestamp        milliseconds since 1970-01-01 UTC
        10     8  tree_size        entries covered
        18    32  sha256_root_hash the Merkle tree hash of those entries (RFC 9162)

signed with Ed25519 as it is (no pre-hash). Heads only grow: each covers more entries than
the one before, with a later timestamp, and the log refuses to sign a new one when the
latest no longer matches what is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import struct
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.errors import ConfigurationError, InvalidInputError, NotAllowedError, NotFoundError
from noivu_ioc.ledger import merkle
from noivu_ioc.ledger.log import LedgerDamagedError, StoreReader, lock
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LedgerCosignature, LedgerHead, utcnow

log = logging.getLogger(__name__)

KEY_FILE = "ledger.key"
VERSION_V1 = 0
TREE_HASH = 1
_HEAD = struct.Struct(">BBQQ")
HEAD_BYTES = _HEAD.size + merkle.HASH_SIZE  # 50


def head_bytes(tree_size: int, timestamp_ms: int, root_hash: bytes) -> bytes:
    """The bytes a head's signature covers (see the module's description)."""
    if len(root_hash) != merkle.HASH_SIZE:
        raise ValueError(f"a root hash has {merkle.HASH_SIZE} bytes, not {len(root_hash)}")
    return _HEAD.pack(VERSION_V1, TREE_HASH, timestamp_ms, tree_size) + root_hash


def key_id(public_key: bytes) -> str:
    """Hex SHA-256 of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()


def raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of ``message`` by ``public_key`` (raw
    32 bytes); any malformed input is simply not a valid signature."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- keys ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signer:
    """An Ed25519 private key with its public key and key id."""

    private: Ed25519PrivateKey
    public: bytes
    key_id: str

    @classmethod
    def of(cls, private: Ed25519PrivateKey) -> Signer:
        public = raw_public(private)
        return cls(private, public, key_id(public))

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public).decode()

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


def private_pem(private: Ed25519PrivateKey) -> bytes:
    """A private key as a key file holds it (PKCS#8 PEM, unencrypted)."""
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_owner_only(path: Path, data: bytes) -> None:
    """Write a new file that only its owner may read, flushed to disk; raises
    FileExistsError rather than write over another file (a key must never be lost to one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def key_file(path: Path, *, create: bool = True) -> Signer:
    """The key in a PEM file (PKCS#8, unencrypted), created with owner-only permissions if
    it is missing and ``create``."""
    if not path.exists():
        if not create:
            raise ConfigurationError(
                f"there is no key file at {path}: give the key (IOC_LEDGER_KEY or "
                "IOC_LEDGER_KEY_FILE), or restore the file from a backup"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not write two different keys.
        try:
            write_owner_only(path, private_pem(Ed25519PrivateKey.generate()))
        except FileExistsError:
            pass
        else:
            log.info("created the Ed25519 key at %s", path)
    try:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"{path} does not hold an unencrypted PEM private key; move it away to have a new "
            "key made, or restore the right file"
        ) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ConfigurationError(f"the key in {path} is not an Ed25519 key")
    return Signer.of(private)


def log_signer(settings: Settings, *, create: bool = True) -> Signer:
    """The key that signs this installation's tree heads (its file made if missing and
    ``create``)."""
    if settings.ledger_key:
        try:
            raw = base64.b64decode(settings.ledger_key.strip(), validate=True)
            return Signer.of(Ed25519PrivateKey.from_private_bytes(raw))
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                "IOC_LEDGER_KEY is not a valid key: expected base64 of the 32 raw bytes of an "
                "Ed25519 private key (44 characters ending in '='), e.g. from: python -c "
                "'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'"
            ) from None
    return key_file(key_path(settings), create=create)


def key_path(settings: Settings) -> Path:
    """Where the log's key file is (used when IOC_LEDGER_KEY is not set)."""
    return settings.ledger_key_file or Path(settings.data_dir) / KEY_FILE


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        return False


def parse_public_key(text: str) -> bytes:
    """A raw 32-byte Ed25519 public key from base64 (44 characters), hex (64), a PEM public
    key, or the name of a file holding one of those."""
    value = text.strip()
    if value and not value.startswith("-----") and _is_file(value):
        value = Path(value).read_text(encoding="utf-8").strip()
    if value.startswith("-----BEGIN"):
        try:
            loaded = serialization.load_pem_public_key(value.encode())
        except ValueError:
            loaded = None
        if isinstance(loaded, Ed25519PublicKey):
            return loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        for decode in (bytes.fromhex, lambda v: base64.b64decode(v, validate=True)):
            try:
                raw = decode(value)
            except (ValueError, binascii.Error):
                continue
            if len(raw) == 32:
                return raw
    raise InvalidInputError(
        f"{text[:60]!r} is not an Ed25519 public key: give base64 of its 32 raw bytes (as "
        "/api/ledger/public-key publishes it), 64 hex digits, a PEM public key or a file "
        "holding one"
    )


def named_keys(setting: str, what: str, entries: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """The names and raw public keys of a setting of named keys (JSON {"name": "key"}), each
    entry checked and named when it is wrong."""
    for name, text in entries.items():
        try:
            public = parse_public_key(text)
        except InvalidInputError as exc:
            raise ConfigurationError(f"{setting}, {what} {name!r}: {exc.message}") from None
        if not name or len(name) > 64:
            raise ConfigurationError(
                f"{setting}: {what} name {name[:80]!r} must hold 1 to 64 characters"
            )
        yield name, public


# -- heads ---------------------------------------------------------------------------------


def signed_bytes(head: LedgerHead) -> bytes:
    return head_bytes(head.tree_size, head.timestamp_ms, head.root_hash)


def latest_head(session: Session) -> LedgerHead | None:
    return session.scalar(select(LedgerHead).order_by(LedgerHead.tree_size.desc()).limit(1))


def head_at(session: Session, tree_size: int) -> LedgerHead:
    head = session.get(LedgerHead, tree_size)
    if head is None:
        raise NotFoundError(
            f"there is no signed head of tree size {tree_size}; GET /api/ledger/head names the "
            "latest one"
        )
    return head


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def sign_in(session: Session, signer: Signer, timestamp_ms: int | None = None) -> LedgerHead | None:
    """Sign the log's current size in this transaction if it grew since the latest head;
    returns the new head, or None when there is nothing new to sign."""
    size = lock(session)
    latest = latest_head(session)
    if size == 0 or (latest is not None and latest.tree_size == size):
        return None
    reader = StoreReader(session)
    if latest is not None:
        if latest.tree_size > size:
            raise LedgerDamagedError(
                f"the latest signed head covers {latest.tree_size} entries but the log holds "
                f"{size}: entries were removed; run `ioc ledger verify`"
            )
        if merkle.root(reader, latest.tree_size) != latest.root_hash:
            raise LedgerDamagedError(
                f"the log's first {latest.tree_size} entries no longer give the root of the head "
                f"signed at that size: its history was changed; no new head is signed until "
                "`ioc ledger verify` has named the damage"
            )
    root = merkle.root(reader, size)
    stamp = timestamp_ms if timestamp_ms is not None else now_ms()
    if latest is not None:
        stamp = max(stamp, latest.timestamp_ms + 1)  # heads are ordered in time too
    head = LedgerHead(
        tree_size=size,
        root_hash=root,
        timestamp_ms=stamp,
        key_id=signer.key_id,
        signature=signer.sign(head_bytes(size, stamp, root)),
    )
    session.add(head)
    session.flush()
    log.info("ledger: signed the head of %s entries (root %s)", size, root.hex()[:16])
    return head


def sign_head(store: OpStore, settings: Settings) -> LedgerHead | None:
    """Sign the current size of the log if it has grown (the scheduled job).

    The key is read once the log's lock is held: a rotation replaces the key file under that
    lock, so a head is never signed by the key it has just retired."""
    with store.session() as session:
        lock(session)
        return sign_in(session, log_signer(settings))


# -- retired keys ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetiredKey:
    """A key that signed heads before a rotation: they are still checked under it."""

    name: str
    public: bytes
    key_id: str

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public).decode()


def retired_keys(settings: Settings, current: Signer | None) -> dict[str, RetiredKey]:
    """The keys of ``IOC_LEDGER_RETIRED_KEYS``, by key id. ``current`` is the log's key (None
    when it cannot be read): a retired key that is the current one is refused, since the
    setting would then say that the key signing new heads is no longer trusted."""
    found: dict[str, RetiredKey] = {}
    retired = settings.ledger_retired_keys
    for name, public in named_keys("IOC_LEDGER_RETIRED_KEYS", "key", retired):
        kid = key_id(public)
        if current is not None and kid == current.key_id:
            raise ConfigurationError(
                f"IOC_LEDGER_RETIRED_KEYS, key {name!r}: this is the log's current key "
                f"({kid[:16]}…), which signs the new heads; remove it from "
                "IOC_LEDGER_RETIRED_KEYS, or give the new key (IOC_LEDGER_KEY or the key file) "
                "that replaces it"
            )
        if kid in found:
            raise ConfigurationError(
                f"IOC_LEDGER_RETIRED_KEYS: keys {found[kid].name!r} and {name!r} are the same "
                "key; keep one of them"
            )
        found[kid] = RetiredKey(name, public, kid)
    return found


def succeeded_at(session: Session, key_ids: Iterable[str]) -> dict[str, int]:
    """For each key that signed heads, the tree size of the first head that another key signed
    after them: the key's heads all come before it, and one of the key's after it is forged
    with a copy of a retired key. Keys never succeeded are left out."""
    found: dict[str, int] = {}
    for kid in key_ids:
        first = select(func.min(LedgerHead.tree_size)).where(LedgerHead.key_id == kid)
        successor = session.scalar(
            select(func.min(LedgerHead.tree_size)).where(
                LedgerHead.key_id != kid, LedgerHead.tree_size > first.scalar_subquery()
            )
        )
        if successor is not None:
            found[kid] = int(successor)
    return found


# -- witnesses -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Witness:
    name: str
    public: bytes
    key_id: str


def trusted_witnesses(settings: Settings) -> dict[str, Witness]:
    """The witnesses of ``IOC_LEDGER_WITNESSES``, by key id."""
    found: dict[str, Witness] = {}
    for name, public in named_keys("IOC_LEDGER_WITNESSES", "witness", settings.ledger_witnesses):
        found[key_id(public)] = Witness(name, public, key_id(public))
    return found


def add_cosignature(
    session: Session, settings: Settings, tree_size: int, public_key: bytes, signature: bytes
) -> tuple[LedgerCosignature, bool]:
    """Keep a witness's cosignature of the head of ``tree_size`` after checking that the
    witness is trusted and the signature is its own over that head; returns it and whether
    it is new (a witness posting the same cosignature again is answered with the first)."""
    witnesses = trusted_witnesses(settings)
    kid = key_id(public_key)
    witness = witnesses.get(kid)
    if witness is None:
        raise NotAllowedError(
            f"the key {kid[:16]}… is not one of the witnesses this IOC trusts; an administrator "
            "adds its public key to IOC_LEDGER_WITNESSES"
        )
    head = head_at(session, tree_size)
    if not verify_signature(public_key, signature, signed_bytes(head)):
        raise InvalidInputError(
            f"the cosignature of witness {witness.name} does not verify over the head of tree "
            f"size {tree_size} (root {head.root_hash.hex()[:16]}…, timestamp {head.timestamp_ms})"
        )
    existing = session.scalar(
        select(LedgerCosignature).where(
            LedgerCosignature.tree_size == tree_size, LedgerCosignature.key_id == kid
        )
    )
    if existing is not None:
        return existing, False
    row = LedgerCosignature(
        tree_size=tree_size, witness=witness.name, key_id=kid, signature=signature, at=utcnow()
    )
    session.add(row)
    session.flush()
    log.info("ledger: witness %s cosigned the head of %s entries", witness.name, tree_size)
    return row, True


def cosignatures(session: Session, tree_size: int) -> list[LedgerCosignature]:
    return list(
        session.scalars(
            select(LedgerCosignature)
            .where(LedgerCosignature.tree_size == tree_size)
            .order_by(LedgerCosignature.id)
        )
    )
