"""The ledger over HTTP: signed tree heads, inclusion and consistency proofs, entries, the log's
public key, witness cosignatures, and a record's verified history.

The head, the public key and the proofs hold nothing but hashes, sizes and signatures: they
are public, so that a witness or an auditor outside the IOC can check the log without an
account. A witness posts its cosignature authenticated by the signature itself, under a key
the IOC is configured to trust. The entries themselves are the auditors'; a record's history
is shown to whoever may read records in the scope of the person's current province (or
commune), each read audited; out of scope it is answered as not found.

Hashes are hex, signatures and public keys base64 (of the raw bytes).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from noivu_ioc.access.roles import Permission
from noivu_ioc.access.users import Principal, audit
from noivu_ioc.errors import InvalidInputError, NotFoundError
from noivu_ioc.ledger import bundle, heads, records
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.settings import Settings
from noivu_ioc.store.models import LedgerHead, as_utc
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.deps import Auditor, Lang, RecordReader, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["ledger"])

LARGEST = 2**62  # indexes and sizes beyond any log
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
KEY_PATTERN = r"^(person|audit):[A-Za-z0-9._-]{1,150}$"


# -- shapes ----------------------------------------------------------------------------------


class CosignatureOut(BaseModel):
    witness: str = Field(description="The witness's name in IOC_LEDGER_WITNESSES.")
    key_id: str = Field(description="Hex SHA-256 of the witness's raw public key.")
    signature: str = Field(description="Base64 Ed25519 signature of the head's 50 bytes.")
    at: str = Field(description="When the IOC received it (ISO 8601, UTC).")


class HeadOut(BaseModel):
    tree_size: int = Field(description="Entries the head covers.")
    timestamp_ms: int = Field(description="Milliseconds since 1970-01-01 UTC.")
    root_hash: str = Field(description="Hex Merkle tree hash (RFC 9162) of those entries.")
    key_id: str = Field(description="Hex SHA-256 of the log's raw public key.")
    signature: str = Field(
        description="Base64 Ed25519 signature of RFC 6962's TreeHeadSignature: version 0, "
        "signature_type 1, uint64 timestamp_ms, uint64 tree_size, the 32-byte root, big-endian."
    )
    cosignatures: list[CosignatureOut]


class PublicKeyOut(BaseModel):
    algorithm: Literal["Ed25519"]
    key_id: str = Field(description="Hex SHA-256 of the raw public key.")
    public_key: str = Field(description="Base64 of the raw 32-byte public key.")
    pem: str = Field(description="The same key as PEM (SubjectPublicKeyInfo).")


class RetiredKeyOut(BaseModel):
    name: str = Field(description="The key's name in IOC_LEDGER_RETIRED_KEYS.")
    key_id: str = Field(
        description="Hex SHA-256 of the raw public key: the key_id of the heads it signed."
    )
    public_key: str = Field(description="Base64 of the raw 32-byte public key.")
    succeeded_at: int | None = Field(
        default=None,
        description="The tree size of the first head that the key's successor signed: the "
        "retired key's heads are all smaller, and one of that size or more is not trusted. "
        "Null when no successor has signed yet.",
    )


class PublishedKeysOut(PublicKeyOut):
    """The log's key, which signs every new head, and the keys it replaced."""

    retired: list[RetiredKeyOut] = Field(
        default_factory=list,
        description="Keys retired by a rotation: a head signed before it names one of these "
        "key ids and verifies under that key. Empty when the key was never rotated.",
    )


class InclusionOut(BaseModel):
    idx: int
    tree_size: int
    leaf_hash: str
    root_hash: str = Field(
        description="The root the path leads to; compare it with a signed head's, not this."
    )
    path: list[str] = Field(description="Hex hashes, from the leaf's sibling upwards.")


class ConsistencyOut(BaseModel):
    first: int
    second: int
    path: list[str] = Field(description="Hex hashes of RFC 9162's PROOF(first, D[second]).")


class EntryOut(BaseModel):
    idx: int
    kind: str
    key: str
    data: str = Field(description="The exact UTF-8 text the leaf hashes (canonical JSON).")
    leaf_hash: str
    at: str


class BundleEntry(BaseModel):
    idx: int
    kind: str
    key: str
    data: str
    leaf_hash: str
    inclusion_path: list[str] | None = Field(
        description="Hex audit path to the head's root; null for an entry after the head."
    )


class ProofBundle(BaseModel):
    """A record's entries with their proofs against the latest signed head: what
    ``ioc ledger check-proof`` verifies offline."""

    format: str
    key: str
    head: HeadOut | None
    log_key: PublicKeyOut
    entries: list[BundleEntry]


class CosignatureIn(BaseModel):
    tree_size: int = Field(ge=1, le=LARGEST, description="The head cosigned.")
    public_key: str = Field(
        min_length=40, max_length=100, description="Base64 of the witness's raw public key."
    )
    signature: str = Field(
        min_length=80, max_length=100, description="Base64 Ed25519 signature of the head."
    )


# -- helpers ---------------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _head_out(session: Session, head: LedgerHead) -> HeadOut:
    return HeadOut.model_validate(
        bundle.head_json(head, heads.cosignatures(session, head.tree_size))
    )


def _latest(session: Session) -> LedgerHead:
    head = heads.latest_head(session)
    if head is None:
        raise NotFoundError(
            "the ledger has no signed head yet: the server signs one each minute when the log "
            "has grown, or an administrator runs `ioc ledger sign`"
        )
    return head


def _shown(moment: datetime) -> str:
    """A time as the pages show it: in Vietnam's time."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


def _decoded(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(f"{what} {value[:60]!r} is not base64") from None


# -- public: heads, key, proofs ------------------------------------------------------------


@router.get("/api/ledger/head")
def api_head(request: Request) -> HeadOut:
    """The latest signed tree head with the witnesses' cosignatures."""
    with request.app.state.store.session() as session:
        return _head_out(session, _latest(session))


@router.get("/api/ledger/public-key")
def api_public_key(request: Request) -> PublishedKeysOut:
    """The log's Ed25519 public key, which signs every new head, and the keys retired by a
    rotation, under which the heads signed before it verify."""
    settings = _settings(request)
    signer = heads.log_signer(settings)
    retired = heads.retired_keys(settings, signer)
    with request.app.state.store.session() as session:
        succeeded = heads.succeeded_at(session, list(retired))
    return PublishedKeysOut.model_validate(bundle.published_keys_json(signer, retired, succeeded))


@router.get("/api/ledger/proof/inclusion")
def api_inclusion(
    request: Request,
    idx: Annotated[int, Query(ge=0, le=LARGEST, description="The entry's index.")],
    size: Annotated[
        int | None,
        Query(ge=1, le=LARGEST, description="The tree size; default the latest signed head's."),
    ] = None,
) -> InclusionOut:
    """The audit path of one entry in the tree of ``size`` entries (RFC 9162 2.1.3)."""
    with request.app.state.store.session() as session:
        tree_size = size if size is not None else _latest(session).tree_size
        path = ledger_log.inclusion_proof(session, idx, tree_size)
        found = ledger_log.entries(session, idx, idx + 1)
        if not found:
            raise ledger_log.LedgerDamagedError(
                f"entry {idx} is missing from the store; run `ioc ledger verify`"
            )
        entry = found[0]
        return InclusionOut(
            idx=idx,
            tree_size=tree_size,
            leaf_hash=bytes(entry.leaf_hash).hex(),
            root_hash=ledger_log.root_at(session, tree_size).hex(),
            path=[p.hex() for p in path],
        )


@router.get("/api/ledger/proof/consistency")
def api_consistency(
    request: Request,
    first: Annotated[int, Query(ge=1, le=LARGEST, description="The smaller tree size.")],
    second: Annotated[
        int | None,
        Query(ge=1, le=LARGEST, description="The larger size; default the latest head's."),
    ] = None,
) -> ConsistencyOut:
    """The proof that the first ``first`` entries are the start of the first ``second``
    (RFC 9162 2.1.4): what a witness checks before it cosigns."""
    with request.app.state.store.session() as session:
        upto = second if second is not None else _latest(session).tree_size
        path = ledger_log.consistency_proof(session, first, upto)
        return ConsistencyOut(first=first, second=upto, path=[p.hex() for p in path])


@router.post(
    "/api/ledger/cosignatures",
    status_code=201,
    responses={200: {"model": CosignatureOut, "description": "Kept already."}},
)
def api_cosign(request: Request, response: Response, body: CosignatureIn) -> CosignatureOut:
    """A witness's cosignature of a head, accepted from the witnesses of
    IOC_LEDGER_WITNESSES only and checked before it is kept (201; 200 when it is kept
    already)."""
    public = _decoded(body.public_key, "public_key")
    signature = _decoded(body.signature, "signature")
    with request.app.state.store.session() as session:
        row, created = heads.add_cosignature(
            session, _settings(request), body.tree_size, public, signature
        )
        if created:
            audit(
                session,
                "ledger.cosign",
                "ok",
                username=f"witness:{row.witness}",
                target=f"head:{row.tree_size}",
                client=client_of(request),
            )
        else:
            response.status_code = 200
        return CosignatureOut(
            witness=row.witness,
            key_id=row.key_id,
            signature=bundle.b64(bytes(row.signature)),
            at=as_utc(row.at).isoformat(),
        )


# -- the auditors': entries ------------------------------------------------------------------


@router.get("/api/ledger/entries")
def api_entries(
    request: Request,
    principal: Auditor,
    start: Annotated[int, Query(ge=0, le=LARGEST)] = 0,
    end: Annotated[
        int | None,
        Query(
            ge=0,
            le=LARGEST,
            description=f"Default start + 100; at most start + {ledger_log.ENTRIES_LIMIT}.",
        ),
    ] = None,
) -> list[EntryOut]:
    """Entries ``start`` to ``end - 1`` with their exact data."""
    upto = end if end is not None else start + 100
    with request.app.state.store.session() as session:
        rows = ledger_log.entries(session, start, upto)
        audit(
            session,
            "ledger.entries.read",
            "ok",
            user=principal,
            target=f"entries:{start}-{upto}",
            client=client_of(request),
        )
        return [
            EntryOut(
                idx=e.idx,
                kind=e.kind,
                key=e.key,
                data=e.data,
                leaf_hash=bytes(e.leaf_hash).hex(),
                at=as_utc(e.at).isoformat(),
            )
            for e in rows
        ]


# -- a record's history ----------------------------------------------------------------------


def _in_scope(principal: Principal, warehouse: Warehouse, key: str) -> bool:
    """Whether the caller may see this record's history: audit entries are the auditors';
    a person's, of the scope of their current place of work (national only once the record
    has left the warehouse). The scope is applied in the warehouse's query."""
    if key.startswith("audit:"):
        return principal.can(Permission.VIEW_AUDIT)
    if principal.scope.national:
        return True
    if not warehouse.has_table(records.ENTITY):
        return False
    where, params = principal.scope.sql_filter("province_code", "commune_code")
    found = warehouse.scalar(
        f"SELECT 1 FROM {records.ENTITY} WHERE person_id = ? AND {where} LIMIT 1",
        [key.removeprefix("person:"), *params],
    )
    return found is not None


def _record_bundle(request: Request, principal: Principal, key: str) -> dict[str, Any]:
    """The bundle of a record, after the scope check; the read, or its refusal, audited."""
    store = request.app.state.store
    allowed = _in_scope(principal, request.app.state.warehouse, key)
    missing = NotFoundError(
        f"the ledger holds no record {key!r} in your scope; check the key, or ask a user "
        "responsible for the person's unit"
    )
    found: dict[str, Any] | None = None
    with store.session() as session:
        if allowed:
            try:
                found = bundle.build_bundle(session, key, heads.log_signer(_settings(request)))
            except NotFoundError:
                found = None
        audit(
            session,
            "ledger.record.read",
            "ok" if found is not None else "denied" if not allowed else "failed",
            user=principal,
            target=key,
            detail=None if found is None else {"versions": len(found["entries"])},
            client=client_of(request),
        )
    if found is None:
        raise missing
    return found


RecordKey = Annotated[
    str,
    Path(
        pattern=KEY_PATTERN,
        description="person:<person_id> or audit:<id>",
        examples=["person:CB0000000001"],
    ),
]


@router.get("/api/ledger/records/{key}")
def api_record(request: Request, key: RecordKey, principal: RecordReader) -> ProofBundle:
    """A record's versions, each with its inclusion proof against the latest signed head
    (the bundle ``ioc ledger check-proof`` verifies)."""
    return ProofBundle.model_validate(_record_bundle(request, principal, key))


@router.get("/ledger/records/{key}", response_class=HTMLResponse, include_in_schema=False)
def record_page(request: Request, key: RecordKey, principal: RecordReader, lang: Lang) -> Response:
    found = _record_bundle(request, principal, key)
    versions = []
    for entry in found["entries"]:
        payload = orjson.loads(entry["data"])
        payload = payload if isinstance(payload, dict) else {}
        at = payload.get("at")
        when = _shown(datetime.fromisoformat(at)) if isinstance(at, str) else "–"
        versions.append({"entry": entry, "payload": payload, "when": when})
    head = found["head"]
    head_when = _shown(datetime.fromtimestamp(head["timestamp_ms"] / 1000, UTC)) if head else "–"
    return render(
        request,
        "ledger_record.html",
        {
            "principal": principal,
            "lang": lang,
            "key": key,
            "bundle": found,
            "bundle_json": orjson.dumps(found).decode(),
            "versions": versions,
            "download": key.replace(":", "-") + "-proof.json",
            "head_when": head_when,
        },
    )
