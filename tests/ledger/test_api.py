"""The ledger's HTTP API: the public head, key and proofs (checked here with nothing but the
answers), proofs out of range refused with 4xx, a record's history in the caller's scope and
audited, the auditors' entries, and witness cosignatures accepted only when trusted and
valid."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from noivu_ioc.ledger import heads, merkle
from noivu_ioc.ledger.bundle import check_bundle
from noivu_ioc.store.models import AuditEvent, LedgerHead
from tests.factories import login
from tests.ledger.conftest import Seeded


def _head(client: TestClient) -> dict[str, object]:
    answer = client.get("/api/ledger/head")
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()
    return data


def _public_key(client: TestClient) -> bytes:
    return base64.b64decode(client.get("/api/ledger/public-key").json()["public_key"])


def test_the_head_is_public_and_signed(ledger_client: TestClient, seeded: Seeded) -> None:
    head = _head(ledger_client)
    key = ledger_client.get("/api/ledger/public-key").json()
    assert key["algorithm"] == "Ed25519" and key["pem"].startswith("-----BEGIN PUBLIC KEY")
    raw = base64.b64decode(key["public_key"])
    assert head["key_id"] == key["key_id"] == heads.key_id(raw)
    signed = heads.head_bytes(
        int(str(head["tree_size"])),
        int(str(head["timestamp_ms"])),
        bytes.fromhex(str(head["root_hash"])),
    )
    assert len(signed) == 50 and signed[:2] == b"\x00\x01"
    assert heads.verify_signature(raw, base64.b64decode(str(head["signature"])), signed)
    assert int(str(head["tree_size"])) >= 24_002  # every demo person, two changes, the audit


def test_inclusion_proofs_verify_and_refuse_what_is_beyond(ledger_client: TestClient) -> None:
    head = _head(ledger_client)
    size = int(str(head["tree_size"]))
    root = bytes.fromhex(str(head["root_hash"]))
    for idx in (0, 1, size // 2, size - 1):
        proof = ledger_client.get("/api/ledger/proof/inclusion", params={"idx": idx}).json()
        assert proof["tree_size"] == size and proof["root_hash"] == head["root_hash"]
        path = [bytes.fromhex(p) for p in proof["path"]]
        assert merkle.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), idx, size, path, root)
    smaller = ledger_client.get("/api/ledger/proof/inclusion", params={"idx": 3, "size": 10})
    assert smaller.status_code == 200 and len(smaller.json()["path"]) == 4

    beyond = ledger_client.get("/api/ledger/proof/inclusion", params={"idx": size})
    assert beyond.status_code == 422
    assert f"entry {size} is not in a tree of {size} entries" in beyond.json()["error"]["message"]
    too_big = ledger_client.get(
        "/api/ledger/proof/inclusion", params={"idx": 0, "size": size + 1000}
    )
    assert too_big.status_code == 422
    assert f"tree size {size + 1000} is beyond the log" in too_big.json()["error"]["message"]
    negative = ledger_client.get("/api/ledger/proof/inclusion", params={"idx": -1})
    assert negative.status_code == 422


def test_consistency_proofs_verify_and_refuse_what_is_beyond(ledger_client: TestClient) -> None:
    head = _head(ledger_client)
    size = int(str(head["tree_size"]))
    root = bytes.fromhex(str(head["root_hash"]))
    for first in (1, 7, size // 2, size):
        proof = ledger_client.get("/api/ledger/proof/consistency", params={"first": first}).json()
        assert proof["second"] == size
        first_root = bytes.fromhex(
            ledger_client.get(
                "/api/ledger/proof/inclusion", params={"idx": 0, "size": first}
            ).json()["root_hash"]
        )
        path = [bytes.fromhex(p) for p in proof["path"]]
        assert merkle.verify_consistency(first, size, first_root, root, path)
    backwards = ledger_client.get("/api/ledger/proof/consistency", params={"first": 9, "second": 5})
    assert backwards.status_code == 422
    assert "first tree size 9 must lie between 0 and the second size 5" in backwards.text
    beyond = ledger_client.get(
        "/api/ledger/proof/consistency", params={"first": 1, "second": size + 1}
    )
    assert beyond.status_code == 422 and "is beyond the log" in beyond.text


def _reads(seeded: Seeded, username: str, key: str) -> list[str]:
    with seeded.store.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.outcome).where(
                    AuditEvent.action == "ledger.record.read",
                    AuditEvent.username == username,
                    AuditEvent.target == key,
                )
            )
        )


def test_a_record_history_in_scope_with_its_proofs(
    ledger_client: TestClient, seeded: Seeded
) -> None:
    key = f"person:{seeded.laocai}"
    login(ledger_client, "sonv.laocai")
    answer = ledger_client.get(f"/api/ledger/records/{key}")
    assert answer.status_code == 200, answer.text
    bundle = answer.json()
    assert bundle["format"] == "noivu-ioc-ledger-proof/1" and bundle["key"] == key
    ops = [e["data"] for e in bundle["entries"]]
    assert ['"op":"create"' in ops[0], '"op":"change"' in ops[1], '"op":"transfer"' in ops[2]] == [
        True,
        True,
        True,
    ]
    assert all(e["inclusion_path"] is not None for e in bundle["entries"])
    result = check_bundle(bundle, _public_key(ledger_client))
    assert result.ok, result.problems
    assert len(result.proven) == 3
    assert _reads(seeded, "sonv.laocai", key) == ["ok"]


def test_a_record_outside_the_scope_is_not_found_and_audited(
    ledger_client: TestClient, seeded: Seeded
) -> None:
    key = f"person:{seeded.laocai}"
    login(ledger_client, "sonv.hanoi")
    refused = ledger_client.get(f"/api/ledger/records/{key}")
    assert refused.status_code == 404
    assert "in your scope" in refused.json()["error"]["message"]
    assert _reads(seeded, "sonv.hanoi", key) == ["denied"]
    own = ledger_client.get(f"/api/ledger/records/person:{seeded.hanoi}")
    assert own.status_code == 200 and len(own.json()["entries"]) == 1
    assert ledger_client.get("/api/ledger/records/audit:1").status_code == 404  # auditors'
    login(ledger_client, "lanhdao")
    assert ledger_client.get(f"/api/ledger/records/{key}").status_code == 200
    assert ledger_client.get("/api/ledger/records/person:CB9999999999").status_code == 404
    malformed = ledger_client.get("/api/ledger/records/person:x'; DROP")
    assert malformed.status_code == 422


def test_entries_are_for_auditors(ledger_client: TestClient, seeded: Seeded) -> None:
    login(ledger_client, "sonv.laocai")
    assert ledger_client.get("/api/ledger/entries").status_code == 403
    login(ledger_client, "quantri")
    rows = ledger_client.get("/api/ledger/entries", params={"start": 5, "end": 8}).json()
    assert [r["idx"] for r in rows] == [5, 6, 7]
    assert all(merkle.leaf_hash(r["data"].encode()).hex() == r["leaf_hash"] for r in rows)
    too_many = ledger_client.get("/api/ledger/entries", params={"start": 0, "end": 5000})
    assert too_many.status_code == 422 and "at most 1000" in too_many.text


def test_cosignatures_only_from_trusted_witnesses(
    ledger_client: TestClient, seeded: Seeded
) -> None:
    head = _head(ledger_client)
    size = int(str(head["tree_size"]))
    with seeded.store.session() as session:
        stored = session.get(LedgerHead, size)
        assert stored is not None
        signed = heads.signed_bytes(stored)

    def post(signer_public: bytes, signature: bytes, tree_size: int = size) -> tuple[int, str]:
        answer = ledger_client.post(
            "/api/ledger/cosignatures",
            json={
                "tree_size": tree_size,
                "public_key": base64.b64encode(signer_public).decode(),
                "signature": base64.b64encode(signature).decode(),
            },
        )
        return answer.status_code, answer.text

    stranger = Ed25519PrivateKey.generate()
    stranger_public = heads.raw_public(stranger)
    status, text = post(stranger_public, stranger.sign(signed))
    assert status == 403 and "not one of the witnesses this IOC trusts" in text

    witness = seeded.witness
    status, text = post(witness.public, witness.sign(signed + b"x"))
    assert status == 422 and "does not verify over the head of tree size" in text
    status, text = post(witness.public, witness.sign(signed), tree_size=size + 5)
    assert status == 404

    status, text = post(witness.public, witness.sign(signed))
    assert status == 201, text
    status, _ = post(witness.public, witness.sign(signed))
    assert status == 200  # the same cosignature again
    cosigned = _head(ledger_client)["cosignatures"]
    assert isinstance(cosigned, list)
    assert [c["witness"] for c in cosigned] == ["thanhtra-bo"]


def test_the_schema_describes_the_ledger(ledger_client: TestClient) -> None:
    paths = ledger_client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/ledger/head",
        "/api/ledger/public-key",
        "/api/ledger/proof/inclusion",
        "/api/ledger/proof/consistency",
        "/api/ledger/entries",
        "/api/ledger/records/{key}",
        "/api/ledger/cosignatures",
    ):
        assert path in paths, path
    head = paths["/api/ledger/head"]["get"]["responses"]["200"]
    assert head["content"]["application/json"]["schema"]["$ref"].endswith("/HeadOut")
    record = paths["/api/ledger/records/{key}"]["get"]["responses"]["200"]
    assert record["content"]["application/json"]["schema"]["$ref"].endswith("/ProofBundle")


@pytest.mark.parametrize(
    "lang, words", [("vi", "Lịch sử hồ sơ trong sổ cái"), ("en", "Record history in the ledger")]
)
def test_the_record_page(ledger_client: TestClient, seeded: Seeded, lang: str, words: str) -> None:
    login(ledger_client, "sonv.laocai")
    page = ledger_client.get(f"/ledger/records/person:{seeded.laocai}", params={"lang": lang})
    assert page.status_code == 200
    assert words in page.text
    assert page.text.count('data-testid="version"') == 3
    assert "/static/js/ledger_record.js" in page.text and "data-bundle=" in page.text
