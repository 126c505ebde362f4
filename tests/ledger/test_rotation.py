"""Rotating the log's signing key (``ioc ledger rotate-key``): the old key is kept aside and
named for IOC_LEDGER_RETIRED_KEYS, a new key signs a head at once and every head after it,
the heads of the retired key still verify once it is configured (and fail, naming it, when it
is not), the published key lists it, and consistency holds across the rotation. A key in
IOC_LEDGER_KEY, a retired key that is the current one, and a rotation that cannot store its
new key are refused with nothing changed."""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from noivu_ioc.errors import ConfigurationError
from noivu_ioc.ledger import heads, merkle
from noivu_ioc.ledger.audit import seal_audit
from noivu_ioc.ledger.log import StoreReader
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, LedgerEntry, LedgerHead
from noivu_ioc.warehouse import Warehouse
from noivu_ioc.web.app import create_app
from tests.ledger.factories import Ledger, populated, tampering, write_audit

# populate(): heads at 7, 15 and 24, signed by the key file's first key; the rotation seals
# its own audit row as entry 24, so the new key's first head is of size 25.


@pytest.fixture
def ledger(store: OpStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.chdir(tmp_path)  # no .env of the working directory
    return populated(store, tmp_path / "data")


@dataclass
class Rotated:
    old: heads.Signer
    new: heads.Signer
    retired: dict[str, str]  # the IOC_LEDGER_RETIRED_KEYS value the command printed
    output: str


def _printed_setting(output: str) -> dict[str, str]:
    lines = [line for line in output.splitlines() if line.startswith("IOC_LEDGER_RETIRED_KEYS=")]
    assert len(lines) == 1, output
    (word,) = shlex.split(lines[0])  # as a shell reads the line
    value: dict[str, str] = json.loads(word.removeprefix("IOC_LEDGER_RETIRED_KEYS="))
    return value


def rotate(ledger: Ledger) -> Rotated:
    old = ledger.signer
    result = ledger.cli("rotate-key")
    assert result.exit_code == 0, result.output
    new = ledger.signer
    assert new.key_id != old.key_id
    return Rotated(old, new, _printed_setting(result.output), result.output)


def _heads(ledger: Ledger) -> dict[int, LedgerHead]:
    with ledger.store.session() as session:
        found = session.scalars(select(LedgerHead).order_by(LedgerHead.tree_size)).all()
        for head in found:
            session.expunge(head)
        return {h.tree_size: h for h in found}


def _with_retired(ledger: Ledger, retired: dict[str, str]) -> Ledger:
    settings = ledger.settings.model_copy(update={"ledger_retired_keys": retired})
    env = {**ledger.env, "IOC_LEDGER_RETIRED_KEYS": json.dumps(retired)}
    return Ledger(ledger.store, settings, ledger.witness, env)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _audit_rows(ledger: Ledger) -> int:
    with ledger.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def refused_with_nothing_changed(ledger: Ledger, *messages: str) -> None:
    """``rotate-key`` is refused naming each of ``messages``, and leaves the same files, the
    same key, the same heads and no audit row of its own."""
    old, before, rows = ledger.signer, _files(ledger.settings.data_dir), _audit_rows(ledger)
    result = ledger.cli("rotate-key")
    assert result.exit_code == 2, result.output
    for message in messages:
        assert message in result.output, (message, result.output)
    assert _files(ledger.settings.data_dir) == before
    assert ledger.signer.key_id == old.key_id
    assert sorted(_heads(ledger)) == [7, 15, 24]
    assert _audit_rows(ledger) == rows


def test_a_rotation_retires_the_key_and_signs_with_the_new_one(ledger: Ledger) -> None:
    done = rotate(ledger)
    name = done.old.key_id[:16]
    assert done.retired == {name: done.old.public_b64}
    assert f"its public key: {done.old.public_b64}" in done.output
    assert f"--log-key {done.new.public_b64}" in done.output

    aside = ledger.settings.data_dir / f"{heads.KEY_FILE}.retired-{name}"
    assert aside.stat().st_mode & 0o777 == 0o600
    assert heads.key_file(aside, create=False).key_id == done.old.key_id
    key = ledger.settings.data_dir / heads.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    assert not (ledger.settings.data_dir / f"{heads.KEY_FILE}.new").exists()

    found = _heads(ledger)
    assert sorted(found) == [7, 15, 24, 25]
    assert [found[s].key_id for s in (7, 15, 24)] == [done.old.key_id] * 3
    latest = found[25]
    assert latest.key_id == done.new.key_id
    assert heads.verify_signature(done.new.public, latest.signature, heads.signed_bytes(latest))
    with ledger.store.session() as session:
        entry = session.get(LedgerEntry, 24)
        assert entry is not None and entry.kind == "audit"
        payload = orjson.loads(entry.data)
    assert payload["action"] == "ledger.key.rotate"
    assert payload["detail"] == {"retired_key_id": done.old.key_id, "key_id": done.new.key_id}


def test_the_retired_keys_heads_verify_only_when_it_is_configured(ledger: Ledger) -> None:
    done = rotate(ledger)
    refused = ledger.cli("verify")
    assert refused.exit_code == 1, refused.output
    for size in (7, 15, 24):
        assert (
            f"head {size}: signed by key {done.old.key_id[:16]}…, neither the log's key "
            f"{done.new.key_id[:16]}… nor a retired key (IOC_LEDGER_RETIRED_KEYS)"
        ) in refused.output
    assert "head 25:" not in refused.output
    assert "3 problems" in refused.output.splitlines()[-1]

    accepted = _with_retired(ledger, done.retired).cli("verify")
    assert accepted.exit_code == 0, accepted.output
    assert "PROBLEM" not in accepted.output
    assert "4 signed heads (latest of size 25)" in accepted.output
    assert accepted.output.strip().endswith(": OK")


def test_a_forged_head_under_the_retired_key_is_still_caught(ledger: Ledger) -> None:
    done = rotate(ledger)
    configured = _with_retired(ledger, done.retired)
    forger = heads.Signer.of(Ed25519PrivateKey.generate())
    with tampering(ledger.store) as session:
        head = session.get(LedgerHead, 15)
        assert head is not None
        head.signature = forger.sign(heads.signed_bytes(head))  # still names the retired key
    result = configured.cli("verify")
    assert result.exit_code == 1
    assert (
        f"head 15: its signature does not verify under the retired key "
        f"'{done.old.key_id[:16]}'" in result.output
    )


def test_a_head_signed_by_the_retired_key_after_the_rotation_is_caught(ledger: Ledger) -> None:
    """Whoever kept a copy of the old key signs the grown log after the rotation: the
    signature verifies under the retired key, but that key had been succeeded."""
    done = rotate(ledger)
    configured = _with_retired(ledger, done.retired)
    assert configured.cli("verify").exit_code == 0
    write_audit(ledger.store, 2)
    seal_audit(ledger.store)
    with ledger.store.session() as session:
        stale = heads.sign_in(session, done.old)
        assert stale is not None and stale.tree_size == 27
    result = configured.cli("verify")
    assert result.exit_code == 1, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("PROBLEM")]
    assert problems == [
        f"PROBLEM: head 27: signed by key {done.old.key_id[:16]}…, which head 25 had already "
        "succeeded: a key signs nothing after its rotation (a copy of a retired key in other "
        "hands?)"
    ]


def test_new_heads_carry_the_new_key(ledger: Ledger) -> None:
    done = rotate(ledger)
    write_audit(ledger.store, 2)
    signed = ledger.cli("sign")
    assert signed.exit_code == 0, signed.output
    assert "signed the head of tree size 27" in signed.output
    latest = _heads(ledger)[27]
    assert latest.key_id == done.new.key_id
    assert heads.verify_signature(done.new.public, latest.signature, heads.signed_bytes(latest))
    assert not heads.verify_signature(done.old.public, latest.signature, heads.signed_bytes(latest))


def test_consistency_holds_across_the_rotation(ledger: Ledger) -> None:
    done = rotate(ledger)
    found = _heads(ledger)
    before, after = found[15], found[25]
    assert heads.verify_signature(done.old.public, before.signature, heads.signed_bytes(before))
    assert heads.verify_signature(done.new.public, after.signature, heads.signed_bytes(after))
    with ledger.store.session() as session:
        proof = merkle.consistency_proof(StoreReader(session), 15, 25)
    assert merkle.verify_consistency(15, 25, before.root_hash, after.root_hash, proof)
    assert not merkle.verify_consistency(15, 25, bytes(32), after.root_hash, proof)


def test_the_published_key_lists_the_retired_ones(ledger: Ledger, tmp_path: Path) -> None:
    done = rotate(ledger)
    configured = _with_retired(ledger, done.retired)
    warehouse = Warehouse(tmp_path / "warehouse.duckdb")
    try:
        with TestClient(create_app(configured.settings, ledger.store, warehouse)) as client:
            published = client.get("/api/ledger/public-key").json()
        with TestClient(create_app(ledger.settings, ledger.store, warehouse)) as client:
            unrotated_view = client.get("/api/ledger/public-key").json()
    finally:
        warehouse.close()
    assert published["key_id"] == done.new.key_id
    assert published["public_key"] == done.new.public_b64
    assert published["pem"].startswith("-----BEGIN PUBLIC KEY")
    assert published["retired"] == [
        {
            "name": done.old.key_id[:16],
            "key_id": done.old.key_id,
            "public_key": done.old.public_b64,
            "succeeded_at": 25,  # the new key's first head
        }
    ]
    assert heads.key_id(base64.b64decode(published["retired"][0]["public_key"])) == (
        _heads(ledger)[24].key_id
    )
    assert unrotated_view["retired"] == []

    printed = json.loads(configured.cli("public-key").output)
    assert printed["key_id"] == done.new.key_id and printed["retired"] == published["retired"]


def test_a_second_rotation_keeps_the_first_retired_key(ledger: Ledger) -> None:
    first = rotate(ledger)
    second = rotate(_with_retired(ledger, first.retired))
    assert second.old.key_id == first.new.key_id
    assert second.retired == {
        first.old.key_id[:16]: first.old.public_b64,
        first.new.key_id[:16]: first.new.public_b64,
    }
    result = _with_retired(ledger, second.retired).cli("verify")
    assert result.exit_code == 0, result.output
    assert "5 signed heads (latest of size 26)" in result.output


def test_a_key_from_the_settings_is_not_rotated(ledger: Ledger) -> None:
    private = Ed25519PrivateKey.generate()
    settings_key = heads.Signer.of(private)
    env = {**ledger.env, "IOC_LEDGER_KEY": base64.b64encode(private.private_bytes_raw()).decode()}
    refused_with_nothing_changed(
        Ledger(ledger.store, ledger.settings, ledger.witness, env),
        "the log's key comes from IOC_LEDGER_KEY",
        "generate a new key",
        "IOC_LEDGER_RETIRED_KEYS="
        + shlex.quote(json.dumps({settings_key.key_id[:16]: settings_key.public_b64})),
    )


def test_a_retired_key_that_is_the_current_one_is_refused(ledger: Ledger) -> None:
    current = ledger.signer
    wrong = _with_retired(ledger, {"old": current.public_b64})
    with pytest.raises(ConfigurationError, match="IOC_LEDGER_RETIRED_KEYS, key 'old': this is"):
        heads.retired_keys(wrong.settings, current)

    verified = wrong.cli("verify")
    assert verified.exit_code == 1
    assert (
        f"IOC_LEDGER_RETIRED_KEYS, key 'old': this is the log's current key "
        f"({current.key_id[:16]}…), which signs the new heads"
    ) in verified.output
    published = wrong.cli("public-key")
    assert published.exit_code == 2 and "this is the log's current key" in published.output
    refused_with_nothing_changed(wrong, "this is the log's current key")


def test_retired_keys_are_read_in_every_form_and_named_when_wrong(ledger: Ledger) -> None:
    old = heads.Signer.of(Ed25519PrivateKey.generate())
    for text in (old.public_b64, old.public.hex(), old.public_pem):
        found = heads.retired_keys(_with_retired(ledger, {"2025": text}).settings, ledger.signer)
        assert list(found) == [old.key_id] and found[old.key_id].public == old.public
    with pytest.raises(ConfigurationError, match="IOC_LEDGER_RETIRED_KEYS, key 'bad': 'nope' is"):
        heads.retired_keys(_with_retired(ledger, {"bad": "nope"}).settings, ledger.signer)
    twice = {"a": old.public_b64, "b": old.public.hex()}
    with pytest.raises(ConfigurationError, match="keys 'a' and 'b' are the same key"):
        heads.retired_keys(_with_retired(ledger, twice).settings, ledger.signer)


@pytest.fixture
def long_named_key(ledger: Ledger) -> Iterator[Ledger]:
    """The key file under a name of 252 characters: ``<name>.new`` is longer than a file
    name may be, so no new key can be stored beside it."""
    folder = ledger.settings.data_dir
    long = folder / ("k" * 252)
    (folder / heads.KEY_FILE).rename(long)
    settings = ledger.settings.model_copy(update={"ledger_key_file": long})
    yield Ledger(
        ledger.store, settings, ledger.witness, {**ledger.env, "IOC_LEDGER_KEY_FILE": str(long)}
    )


def test_a_rotation_that_cannot_store_its_key_changes_nothing(long_named_key: Ledger) -> None:
    refused_with_nothing_changed(
        long_named_key, "(File name too long): fix that", "nothing was changed"
    )


def test_a_rotation_over_a_damaged_log_changes_nothing(ledger: Ledger) -> None:
    with tampering(ledger.store) as session:
        session.execute(
            update(LedgerHead).where(LedgerHead.tree_size == 24).values(root_hash=bytes(32))
        )
    refused_with_nothing_changed(ledger, "no longer give the root of the head signed at that size")


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        ("retired-{prefix}", "exists already although"),
        ("new", "exists already: an earlier rotation was interrupted"),
    ],
)
def test_a_leftover_key_file_is_not_overwritten(ledger: Ledger, suffix: str, message: str) -> None:
    leftover = ledger.settings.data_dir / (
        f"{heads.KEY_FILE}." + suffix.format(prefix=ledger.signer.key_id[:16])
    )
    leftover.write_bytes(b"what an earlier rotation left")
    refused_with_nothing_changed(ledger, f"{leftover} {message}")
