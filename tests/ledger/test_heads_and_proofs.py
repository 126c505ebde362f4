"""The log's key, its signed heads, the sealing of the audit trail, and proof bundles checked
offline by ``ioc ledger check-proof`` with nothing but the bundle and the published key."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from noivu_ioc.errors import ConfigurationError
from noivu_ioc.ledger import heads, merkle
from noivu_ioc.ledger import log as ledger_log
from noivu_ioc.ledger.audit import audit_payload, seal_audit
from noivu_ioc.ledger.records import content_sha256
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, LedgerEntry, LedgerHead
from tests.ledger.factories import Ledger, add_personnel, new_ledger, person_change, write_audit


@pytest.fixture
def ledger(store: OpStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.chdir(tmp_path)
    return new_ledger(store, tmp_path / "data")


def test_the_signed_bytes_follow_rfc_6962(tmp_path: Path) -> None:
    root = bytes(range(32))
    signed = heads.head_bytes(tree_size=1_000_000, timestamp_ms=1_767_225_600_000, root_hash=root)
    assert len(signed) == 50
    assert signed[0] == 0 and signed[1] == 1  # version v1, signature_type tree_hash
    assert struct.unpack(">QQ", signed[2:18]) == (1_767_225_600_000, 1_000_000)
    assert signed[18:] == root


def test_the_key_file_is_made_once_for_the_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = heads.log_signer(settings)
    key = tmp_path / "data" / heads.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert heads.log_signer(settings).key_id == first.key_id == heads.key_id(first.public)
    with pytest.raises(ConfigurationError, match="there is no key file at"):
        heads.log_signer(Settings(data_dir=tmp_path / "other"), create=False)


def test_a_key_in_the_settings_is_used_and_checked(tmp_path: Path) -> None:
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    settings = Settings(data_dir=tmp_path, ledger_key=base64.b64encode(raw).decode())
    signer = heads.log_signer(settings)
    assert signer.public == heads.raw_public(Ed25519PrivateKey.from_private_bytes(raw))
    assert not (tmp_path / heads.KEY_FILE).exists()
    with pytest.raises(ConfigurationError, match="IOC_LEDGER_KEY is not a valid key"):
        heads.log_signer(Settings(data_dir=tmp_path, ledger_key="not-a-key"))


def test_public_keys_are_read_in_every_published_form(tmp_path: Path) -> None:
    signer = heads.Signer.of(Ed25519PrivateKey.generate())
    pem = tmp_path / "log.pub"
    pem.write_text(signer.public_pem)
    for text in (signer.public_b64, signer.public.hex(), signer.public_pem, str(pem)):
        assert heads.parse_public_key(text) == signer.public


def test_heads_are_signed_only_when_the_log_grew(ledger: Ledger) -> None:
    assert heads.sign_head(ledger.store, ledger.settings) is None  # an empty log
    write_audit(ledger.store, 3)
    assert seal_audit(ledger.store) == 3
    first = heads.sign_head(ledger.store, ledger.settings)
    assert first is not None and first.tree_size == 3
    assert heads.sign_head(ledger.store, ledger.settings) is None  # nothing new
    add_personnel(ledger.store, [person_change(1, "create", [])])
    second = heads.sign_head(ledger.store, ledger.settings)
    assert second is not None and second.tree_size == 4
    assert second.timestamp_ms > first.timestamp_ms
    with ledger.store.session() as session:
        assert second.root_hash == ledger_log.root_at(session, 4)
    assert heads.verify_signature(
        ledger.signer.public, second.signature, heads.signed_bytes(second)
    )


def test_sealing_puts_each_audit_row_in_the_ledger_once(ledger: Ledger) -> None:
    write_audit(ledger.store, 7)
    assert seal_audit(ledger.store, limit=5) == 5
    assert seal_audit(ledger.store, limit=5) == 2
    assert seal_audit(ledger.store) == 0
    with ledger.store.session() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [r.ledger_idx for r in rows] == list(range(7))
        entry = session.get(LedgerEntry, 4)
        assert entry is not None and entry.key == f"audit:{rows[4].id}" and entry.kind == "audit"
        payload = orjson.loads(entry.data)
        assert payload == audit_payload(rows[4])
        assert payload["detail"] == {"fields": ["full_name"], "seconds": "0.25", "n": 4}
        assert payload["at"].endswith("+00:00") and payload["username"] == "sonv.laocai"


def test_a_proof_bundle_checks_offline(ledger: Ledger, tmp_path: Path) -> None:
    record = {"person_id": "CB0000000001", "full_name": "Nguyễn Văn An", "salary_coefficient": 2.34}
    digest = content_sha256(record)
    add_personnel(ledger.store, [person_change(1, "create", [], content=digest)])
    write_audit(ledger.store, 2)
    seal_audit(ledger.store)
    add_personnel(ledger.store, [person_change(1, "transfer", ["agency_id"])])
    assert ledger.cli("sign").exit_code == 0

    key = json.loads(ledger.cli("public-key").output)["public_key"]
    out = tmp_path / "bundle.json"
    made = ledger.cli("proof", "person:CB0000000001", "--out", str(out))
    assert made.exit_code == 0, made.output
    record_file = tmp_path / "record.json"
    record_file.write_text(json.dumps(record, ensure_ascii=False))

    checked = ledger.cli("check-proof", str(out), "--public-key", key, "--record", str(record_file))
    assert checked.exit_code == 0, checked.output
    assert "signature valid under key" in checked.output
    assert "entry 0: version 1 (create) is in the log of tree size 4" in checked.output
    assert "entry 3: version 2 (transfer) is in the log of tree size 4" in checked.output
    assert "the record given is version 1" in checked.output
    assert f"{out}: verified (2 entries of person:CB0000000001)" in checked.output

    bundle = json.loads(out.read_text())
    forged = json.loads(out.read_text())
    forged["entries"][1]["data"] = forged["entries"][1]["data"].replace("agency_id", "grade")
    forged["entries"][1]["leaf_hash"] = merkle.leaf_hash(
        forged["entries"][1]["data"].encode()
    ).hex()
    bad_file = tmp_path / "forged.json"
    bad_file.write_text(json.dumps(forged))
    refused = ledger.cli("check-proof", str(bad_file), "--public-key", key)
    assert refused.exit_code == 1
    assert "entry 3: its inclusion path does not lead to the head's root" in refused.output

    other = heads.Signer.of(Ed25519PrivateKey.generate()).public_b64
    wrong_key = ledger.cli("check-proof", str(out), "--public-key", other)
    assert wrong_key.exit_code == 1 and "not the key given" in wrong_key.output

    resigned = dict(bundle, head=dict(bundle["head"], tree_size=5))
    bad_file.write_text(json.dumps(resigned))
    size_changed = ledger.cli("check-proof", str(bad_file), "--public-key", key)
    assert size_changed.exit_code == 1
    assert "the signature of the head of tree size 5 does not verify" in size_changed.output

    record_file.write_text(json.dumps(dict(record, full_name="Nguyễn Văn Ân")))
    other_record = ledger.cli(
        "check-proof", str(out), "--public-key", key, "--record", str(record_file)
    )
    assert other_record.exit_code == 1 and "is none of the proven versions" in other_record.output


def test_the_head_command_and_an_empty_ledger(ledger: Ledger) -> None:
    none = ledger.cli("head")
    assert none.exit_code == 1 and "no signed head yet" in none.output
    write_audit(ledger.store, 1)
    signed = ledger.cli("sign")
    assert "sealed 1 audit rows" in signed.output and "signed the head of tree size 1" in (
        signed.output
    )
    head = json.loads(ledger.cli("head").output)
    with ledger.store.session() as session:
        assert session.scalar(select(func.count()).select_from(LedgerHead)) == 1
    assert head["tree_size"] == 1 and head["cosignatures"] == []
    assert ledger.cli("sign").output.strip().endswith("nothing to sign")
    assert ledger.cli("verify", "--repair").exit_code == 2  # --repair needs --records
