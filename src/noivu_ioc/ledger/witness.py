"""The witness: a process of its own, beside the IOC or on another machine, that cosigns the
log's heads after checking them (``ioc ledger witness``).

Each round it fetches the latest signed head (``GET /api/ledger/head``), checks its signature
under the log's public key it was given (pinned, never fetched), fetches a consistency proof
from the last head it cosigned (``GET /api/ledger/proof/consistency``) and verifies it, then
signs the same 50 bytes the log signed (``heads.head_bytes``) with its own Ed25519 key and
posts that (``POST /api/ledger/cosignatures``). What it cosigned last (size, root, timestamp)
is kept in its state file, written whole and renamed into place, so a restart goes on from
there.

It refuses, and says so loudly, a head whose signature does not verify, a log that is not an
extension of what it cosigned (a fork, a rewritten history), a smaller tree or a timestamp
that goes back: nothing is cosigned and the state stays as it was, so the evidence remains.
The first round has nothing to compare with and trusts what it sees.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx2

from noivu_ioc.errors import IOCError
from noivu_ioc.ledger import heads, merkle

log = logging.getLogger(__name__)


class WitnessRefusal(IOCError):
    """The log showed something a witness must not cosign."""

    code = "witness_refusal"


class WitnessUnavailable(IOCError):
    """The IOC could not be asked (down, an error answer): try again later."""

    code = "witness_unavailable"


@dataclass(frozen=True, slots=True)
class Seen:
    """The last head the witness cosigned."""

    tree_size: int
    root_hash: str  # hex
    timestamp_ms: int


def read_state(path: Path) -> Seen | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Seen(int(data["tree_size"]), str(data["root_hash"]), int(data["timestamp_ms"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise IOCError(
            f"the witness's state file {path} is unreadable ({exc}); restore it from a backup "
            "(deleting it makes the witness trust the log anew)"
        ) from None


def write_state(path: Path, seen: Seen) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(seen), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@dataclass(frozen=True, slots=True)
class Round:
    cosigned: int | None  # the tree size cosigned, None when nothing new
    message: str


class Witness:
    def __init__(
        self,
        base_url: str,
        log_key: bytes,
        signer: heads.Signer,
        state_path: Path,
        client: httpx2.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.log_key = log_key
        self.log_key_id = heads.key_id(log_key)
        self.signer = signer
        self.state_path = state_path
        self.client = client or httpx2.Client(timeout=30.0)

    def _get(self, path: str, **params: int) -> dict[str, Any]:
        try:
            answer = self.client.get(self.base_url + path, params=params)
        except httpx2.TransportError as exc:
            raise WitnessUnavailable(f"cannot reach the IOC at {self.base_url}: {exc}") from None
        if answer.status_code != 200:
            raise WitnessUnavailable(
                f"GET {path} answered {answer.status_code}: {answer.text[:300]}"
            )
        data: dict[str, Any] = answer.json()
        return data

    def round(self) -> Round:
        """Check the latest head and cosign it if it deserves it."""
        head = self._get("/api/ledger/head")
        try:
            size = int(head["tree_size"])
            stamp = int(head["timestamp_ms"])
            root = bytes.fromhex(head["root_hash"])
            signature = base64.b64decode(head["signature"], validate=True)
        except (KeyError, TypeError, ValueError) as exc:
            raise WitnessRefusal(f"the IOC's head is malformed ({exc}): not cosigned") from None
        signed = heads.head_bytes(size, stamp, root) if len(root) == merkle.HASH_SIZE else b""
        if head.get("key_id") != self.log_key_id or not heads.verify_signature(
            self.log_key, signature, signed
        ):
            raise WitnessRefusal(
                f"the head of tree size {size} is not signed by the log's key "
                f"{self.log_key_id[:16]}… (a forged head, or a key that changed): not cosigned"
            )

        seen = read_state(self.state_path)
        if seen is not None:
            self._compare(seen, size, stamp, root)
            if size == seen.tree_size:
                if not self._has_my_cosignature(head):
                    self._post(size, signed)
                return Round(None, f"tree size {size}: nothing new since the last cosignature")
        else:
            log.warning(
                "witness: no earlier head to compare with; trusting the head of tree size %s",
                size,
            )

        self._post(size, signed)
        write_state(self.state_path, Seen(size, root.hex(), stamp))
        log.info("witness: cosigned the head of tree size %s (root %s)", size, root.hex()[:16])
        return Round(size, f"cosigned the head of tree size {size}")

    def _compare(self, seen: Seen, size: int, stamp: int, root: bytes) -> None:
        if size < seen.tree_size:
            raise WitnessRefusal(
                f"the log's head has tree size {size}, smaller than the {seen.tree_size} this "
                "witness cosigned: the log was truncated or rolled back; not cosigned"
            )
        if stamp < seen.timestamp_ms:
            raise WitnessRefusal(
                f"the head of tree size {size} is dated {stamp}, before the head this witness "
                f"cosigned ({seen.timestamp_ms}): not cosigned"
            )
        if size == seen.tree_size:
            if root.hex() != seen.root_hash:
                raise WitnessRefusal(
                    f"the log shows a second head of tree size {size} with another root "
                    f"({root.hex()[:16]}… against {seen.root_hash[:16]}…): the log forked; "
                    "not cosigned"
                )
            return
        proof = self._get("/api/ledger/proof/consistency", first=seen.tree_size, second=size)
        try:
            path = [bytes.fromhex(p) for p in proof["path"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise WitnessRefusal(f"the consistency proof is malformed ({exc})") from None
        if not merkle.verify_consistency(
            seen.tree_size, size, bytes.fromhex(seen.root_hash), root, path
        ):
            raise WitnessRefusal(
                f"the head of tree size {size} is not an extension of the head of tree size "
                f"{seen.tree_size} this witness cosigned (root {seen.root_hash[:16]}…): the "
                "history was rewritten or the log forked; not cosigned"
            )

    def _has_my_cosignature(self, head: dict[str, Any]) -> bool:
        return any(c.get("key_id") == self.signer.key_id for c in head.get("cosignatures") or [])

    def _post(self, size: int, signed: bytes) -> None:
        body = {
            "tree_size": size,
            "public_key": self.signer.public_b64,
            "signature": base64.b64encode(self.signer.sign(signed)).decode(),
        }
        try:
            answer = self.client.post(self.base_url + "/api/ledger/cosignatures", json=body)
        except httpx2.TransportError as exc:
            raise WitnessUnavailable(f"cannot reach the IOC at {self.base_url}: {exc}") from None
        if answer.status_code not in (200, 201):
            raise WitnessUnavailable(
                f"the IOC refused the cosignature of tree size {size} ({answer.status_code}): "
                f"{answer.text[:300]}"
            )

    def run(self, every_s: float, stop: threading.Event | None = None) -> None:
        """Rounds until ``stop`` is set (forever without one): a refusal is logged at ERROR
        each time and nothing is cosigned until the log is consistent again with what was
        cosigned."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                done = self.round()
                log.info("witness: %s", done.message)
            except WitnessRefusal as exc:
                log.error("witness: REFUSED: %s", exc.message)
            except IOCError as exc:
                log.warning("witness: %s; trying again in %.0f s", exc.message, every_s)
            stop.wait(every_s)
