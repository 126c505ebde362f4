"""Proof bundles: a record's entries with what anyone needs to check them offline.

A bundle is one JSON object::

    {"format": "noivu-ioc-ledger-proof/1",
     "key": "person:CB0000000001",
     "head": {"tree_size": N, "timestamp_ms": T, "root_hash": hex, "key_id": hex,
              "signature": base64, "cosignatures": [{"witness", "key_id", "signature", "at"}]},
     "log_key": {"algorithm": "Ed25519", "key_id": hex, "public_key": base64, "pem": "..."},
     "entries": [{"idx": i, "kind": "personnel", "key": "...", "data": "<the exact text>",
                  "leaf_hash": hex, "inclusion_path": [hex, ...] or null}]}

``check_bundle`` needs nothing else: the leaf hash of each entry is recomputed from its
``data``, its audit path is followed to the head's root (RFC 9162 2.1.3.2), and the head's
signature is checked under a public key the checker brings (the ``log_key`` in the bundle is
only a hint: a forger would put their own there). An entry appended after the head has no
path yet (``inclusion_path`` null) and is not proven by this bundle.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy.orm import Session

from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.ledger import heads, merkle
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger.records import content_sha256
from noivu_ioc.store.models import LedgerCosignature, LedgerEntry, LedgerHead, as_utc

FORMAT = "noivu-ioc-ledger-proof/1"


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def head_json(head: LedgerHead, cosignatures: list[LedgerCosignature]) -> dict[str, Any]:
    return {
        "tree_size": head.tree_size,
        "timestamp_ms": head.timestamp_ms,
        "root_hash": bytes(head.root_hash).hex(),
        "key_id": head.key_id,
        "signature": b64(bytes(head.signature)),
        "cosignatures": [
            {
                "witness": c.witness,
                "key_id": c.key_id,
                "signature": b64(bytes(c.signature)),
                "at": as_utc(c.at).isoformat(),
            }
            for c in cosignatures
        ],
    }


def key_json(signer: heads.Signer) -> dict[str, Any]:
    return {
        "algorithm": "Ed25519",
        "key_id": signer.key_id,
        "public_key": signer.public_b64,
        "pem": signer.public_pem,
    }


def published_keys_json(
    signer: heads.Signer,
    retired: Mapping[str, heads.RetiredKey],
    succeeded: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The log's key as published, with the keys it replaced: whoever checks a head signed
    before a rotation finds its key here, by the key id the head names, and with it the tree
    size from which its successor signed (``succeeded_at``, from ``heads.succeeded_at``): a
    head of that size or more under the retired key is not to be trusted."""
    return {
        **key_json(signer),
        "retired": [
            {
                "name": k.name,
                "key_id": k.key_id,
                "public_key": k.public_b64,
                "succeeded_at": (succeeded or {}).get(k.key_id),
            }
            for k in retired.values()
        ],
    }


def entry_json(entry: LedgerEntry, path: list[bytes] | None) -> dict[str, Any]:
    return {
        "idx": entry.idx,
        "kind": entry.kind,
        "key": entry.key,
        "data": entry.data,
        "leaf_hash": bytes(entry.leaf_hash).hex(),
        "inclusion_path": None if path is None else [p.hex() for p in path],
    }


def build_bundle(
    session: Session, key: str, signer: heads.Signer, version: int | None = None
) -> dict[str, Any]:
    """The bundle of every entry of ``key`` (or of its ``version``-th), proven against the
    latest signed head."""
    history = ledger_log.history(session, key)
    if not history:
        raise NotFoundError(f"the ledger holds no entry of {key!r}")
    if version is not None:
        if not 1 <= version <= len(history):
            raise InvalidInputError(
                f"{key} has versions 1 to {len(history)} in the ledger, not {version}"
            )
        history = [history[version - 1]]
    head = heads.latest_head(session)
    reader = ledger_log.StoreReader(session)
    entries = []
    for entry in history:
        path = None
        if head is not None and entry.idx < head.tree_size:
            path = merkle.inclusion_proof(reader, entry.idx, head.tree_size)
        entries.append(entry_json(entry, path))
    return {
        "format": FORMAT,
        "key": key,
        "head": None
        if head is None
        else head_json(head, heads.cosignatures(session, head.tree_size)),
        "log_key": key_json(signer),
        "entries": entries,
    }


# -- checking, offline ---------------------------------------------------------------------


@dataclass
class BundleCheck:
    lines: list[str] = field(default_factory=list)  # what was checked, one line each
    problems: list[str] = field(default_factory=list)
    proven: list[int] = field(default_factory=list)  # indexes of the entries proven

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.proven)


def _hex(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(str(value))
    except ValueError:
        raise InvalidInputError(f"{what} {str(value)[:70]!r} is not hexadecimal") from None
    if len(raw) != merkle.HASH_SIZE:
        raise InvalidInputError(f"{what} has {len(raw)} bytes, not {merkle.HASH_SIZE}")
    return raw


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"{what} {str(value)[:70]!r} is not base64") from None


def check_bundle(
    bundle: Mapping[str, Any],
    public_key: bytes,
    witnesses: Mapping[str, bytes] | None = None,
    record: Mapping[str, Any] | None = None,
) -> BundleCheck:
    """Check a bundle with nothing but itself and the log's public key (raw 32 bytes); the
    cosignatures of the ``witnesses`` given (name to raw public key) are checked too, and a
    ``record`` (its fields as JSON) is matched against the versions' content hashes."""
    result = BundleCheck()
    if bundle.get("format") != FORMAT:
        result.problems.append(f"not a proof bundle of this format ({FORMAT})")
        return result
    head = bundle.get("head")
    if not isinstance(head, dict):
        result.problems.append("the bundle holds no signed head: nothing in it can be proven")
        return result
    try:
        size = int(head["tree_size"])
        stamp = int(head["timestamp_ms"])
        root = _hex(head["root_hash"], "the head's root hash")
        signature = _b64(head["signature"], "the head's signature")
    except (KeyError, TypeError, ValueError, InvalidInputError) as exc:
        result.problems.append(f"the head is malformed: {exc}")
        return result
    signed = heads.head_bytes(size, stamp, root)
    kid = heads.key_id(public_key)
    if head.get("key_id") != kid:
        result.problems.append(
            f"the head names key {str(head.get('key_id'))[:16]}…, not the key given ({kid[:16]}…)"
        )
    elif heads.verify_signature(public_key, signature, signed):
        result.lines.append(
            f"head of tree size {size} (root {root.hex()[:16]}…): signature valid under key "
            f"{kid[:16]}…"
        )
    else:
        result.problems.append(f"the signature of the head of tree size {size} does not verify")

    for co in head.get("cosignatures") or []:
        name = str(co.get("witness"))
        known = {heads.key_id(k): (n, k) for n, k in (witnesses or {}).items()}
        found = known.get(str(co.get("key_id")))
        if found is None:
            result.lines.append(f"cosignature of witness {name}: not checked (no key given)")
            continue
        try:
            valid = heads.verify_signature(
                found[1], _b64(co.get("signature"), "a cosignature"), signed
            )
        except InvalidInputError:
            valid = False
        if valid:
            result.lines.append(f"cosignature of witness {found[0]}: valid")
        else:
            result.problems.append(f"the cosignature of witness {found[0]} does not verify")

    versions: list[tuple[int, str | None]] = []
    for item in bundle.get("entries") or []:
        idx = item.get("idx")
        where = f"entry {idx}"
        data = item.get("data")
        if not isinstance(idx, int) or not isinstance(data, str):
            result.problems.append(f"{where}: malformed")
            continue
        leaf = merkle.leaf_hash(data.encode())
        if item.get("leaf_hash") != leaf.hex():
            result.problems.append(
                f"{where}: its data does not give the leaf hash the bundle states"
            )
            continue
        if item.get("key") != bundle.get("key"):
            result.problems.append(
                f"{where}: belongs to {item.get('key')!r}, not {bundle.get('key')!r}"
            )
            continue
        path = item.get("inclusion_path")
        if path is None:
            result.problems.append(
                f"{where}: appended after the head of tree size {size}; not proven yet (fetch a "
                "bundle again once a later head is signed)"
            )
            continue
        try:
            hashes = [_hex(p, f"{where}: a path hash") for p in path]
        except InvalidInputError as exc:
            result.problems.append(exc.message)
            continue
        if merkle.verify_inclusion(leaf, idx, size, hashes, root):
            result.proven.append(idx)
            payload = orjson.loads(data)
            described = (
                f"version {payload.get('version')} ({payload.get('op')})"
                if isinstance(payload, dict) and "version" in payload
                else "the entry"
            )
            result.lines.append(f"{where}: {described} is in the log of tree size {size}")
            if isinstance(payload, dict):
                versions.append((int(payload.get("version") or 0), payload.get("content_sha256")))
        else:
            result.problems.append(f"{where}: its inclusion path does not lead to the head's root")

    if record is not None:
        digest = content_sha256(record)
        matching = [v for v, h in versions if h == digest]
        if matching:
            result.lines.append(
                f"the record given is version {matching[-1]} (content {digest[:16]}…)"
            )
        else:
            result.problems.append(
                f"the record given (content {digest[:16]}…) is none of the proven versions"
            )
    return result
