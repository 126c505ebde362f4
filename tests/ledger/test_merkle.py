"""The Merkle tree against a naive recursive transcription of RFC 9162 section 2.1, for every
tree size up to 70 and every index or pair of sizes; tampered proofs are refused; a root or
a proof of a million-leaf tree reads O(log n) stored hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Collection

import pytest

from noivu_ioc.ledger import merkle

MAX = 70


# -- the reference: the RFC's definitions, recursively, over the leaf data -----------------


def ref_mth(data: list[bytes]) -> bytes:
    n = len(data)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(data[:k]) + ref_mth(data[k:])).digest()


def ref_path(m: int, data: list[bytes]) -> list[bytes]:
    n = len(data)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, data[:k]), ref_mth(data[k:])]
    return [*ref_path(m - k, data[k:]), ref_mth(data[:k])]


def ref_subproof(m: int, data: list[bytes], complete: bool) -> list[bytes]:
    n = len(data)
    if m == n:
        return [] if complete else [ref_mth(data)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, data[:k], complete), ref_mth(data[k:])]
    return [*ref_subproof(m - k, data[k:], False), ref_mth(data[:k])]


def ref_proof(m: int, data: list[bytes]) -> list[bytes]:
    return ref_subproof(m, data, True)


DATA = [f"entry {i}".encode() for i in range(MAX)]
TREES = {n: merkle.MemoryTree(merkle.leaf_hash(d) for d in DATA[:n]) for n in range(1, MAX + 1)}
FULL = TREES[MAX]  # complete subtrees never change: the largest tree serves every size
ROOTS = {n: ref_mth(DATA[:n]) for n in range(0, MAX + 1)}


def test_hashes_use_the_rfc_prefixes() -> None:
    assert merkle.leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert (
        merkle.node_hash(b"l" * 32, b"r" * 32)
        == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("n", range(0, MAX + 1))
def test_root_of_every_size(n: int) -> None:
    assert merkle.root(FULL, n) == ROOTS[n]
    if n:
        assert merkle.root(TREES[n], n) == ROOTS[n]


def test_a_known_root() -> None:
    # Worked by hand from the definitions: three leaves split 2 + 1.
    a, b, c = (hashlib.sha256(b"\x00" + x).digest() for x in (b"a", b"b", b"c"))
    left = hashlib.sha256(b"\x01" + a + b).digest()
    assert (
        merkle.root(merkle.MemoryTree([a, b, c]), 3) == hashlib.sha256(b"\x01" + left + c).digest()
    )


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_inclusion_proofs_of_every_index(n: int) -> None:
    for m in range(n):
        proof = merkle.inclusion_proof(FULL, m, n)
        assert proof == ref_path(m, DATA[:n]), (m, n)
        leaf = merkle.leaf_hash(DATA[m])
        assert merkle.verify_inclusion(leaf, m, n, proof, ROOTS[n])
        assert merkle.root_from_inclusion(leaf, m, n, proof) == ROOTS[n]


@pytest.mark.parametrize("n", range(1, MAX + 1))
def test_consistency_proofs_of_every_pair(n: int) -> None:
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(FULL, m, n)
        expected = ref_proof(m, DATA[:n]) if m < n else []
        assert proof == expected, (m, n)
        assert merkle.verify_consistency(m, n, ROOTS[m], ROOTS[n], proof), (m, n)


def test_the_empty_tree_is_consistent_with_every_tree() -> None:
    assert merkle.consistency_proof(FULL, 0, 5) == []
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, ROOTS[5], [])
    assert not merkle.verify_consistency(0, 5, ROOTS[1], ROOTS[5], [])


# -- tampered proofs -------------------------------------------------------------------------


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13, 31, 32, 33, 64, 70])
def test_tampered_inclusion_proofs_are_refused(n: int) -> None:
    for m in range(n):
        proof = merkle.inclusion_proof(FULL, m, n)
        leaf = merkle.leaf_hash(DATA[m])
        root = ROOTS[n]
        for i in range(len(proof)):  # a wrong sibling
            bad = list(proof)
            bad[i] = _flip(bad[i])
            assert not merkle.verify_inclusion(leaf, m, n, bad, root)
        if len(proof) > 1 and len(set(proof)) > 1:  # the siblings in another order
            assert not merkle.verify_inclusion(leaf, m, n, proof[::-1], root)
        assert not merkle.verify_inclusion(leaf, m, n, proof[:-1], root)  # cut short
        assert not merkle.verify_inclusion(leaf, m, n, [*proof, root], root)  # too long
        assert not merkle.verify_inclusion(_flip(leaf), m, n, proof, root)  # another leaf
        assert not merkle.verify_inclusion(leaf, m, n, proof, _flip(root))
        for other in {n - 1, n + 1, 2 * n} - {0}:  # a wrong size
            # The path alone binds the size only through its shape; with the root of the
            # other size it must fail whatever the shape.
            if other <= MAX:
                assert not merkle.verify_inclusion(leaf, m, other, proof, ROOTS[other])
            if m < other and len(merkle.inclusion_ranges(m, other)) != len(proof):
                assert not merkle.verify_inclusion(leaf, m, other, proof, root), (m, n, other)
        for other in range(n):  # another index
            if other != m:
                assert not merkle.verify_inclusion(leaf, other, n, proof, root)
        assert not merkle.verify_inclusion(leaf, n, n, proof, root)  # beyond the tree
        assert not merkle.verify_inclusion(leaf, -1, n, proof, root)
        assert not merkle.verify_inclusion(leaf, m, n, [p[:31] for p in proof], root)


@pytest.mark.parametrize("n", [2, 3, 5, 8, 13, 31, 32, 33, 64, 70])
def test_tampered_consistency_proofs_are_refused(n: int) -> None:
    for m in range(1, n):
        proof = merkle.consistency_proof(FULL, m, n)
        first, second = ROOTS[m], ROOTS[n]
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = _flip(bad[i])
            assert not merkle.verify_consistency(m, n, first, second, bad), (m, n, i)
        if len(proof) > 1:
            assert not merkle.verify_consistency(m, n, first, second, proof[::-1])
            assert not merkle.verify_consistency(m, n, first, second, proof[:-1])
        assert not merkle.verify_consistency(m, n, first, second, [*proof, second])
        assert not merkle.verify_consistency(m, n, first, second, [])
        assert not merkle.verify_consistency(m, n, _flip(first), second, proof)
        assert not merkle.verify_consistency(m, n, first, _flip(second), proof)
        # A fork: a tree of the same size whose last entry differs.
        forked = ref_mth([*DATA[: n - 1], b"forged"])
        assert not merkle.verify_consistency(m, n, first, forked, proof)
        for other in {n - 1, n + 1} - {m}:  # a wrong second size: as for inclusion
            if other <= MAX:
                assert not merkle.verify_consistency(m, other, first, ROOTS[other], proof)
            if len(merkle.consistency_ranges(m, other)) != len(proof):
                assert not merkle.verify_consistency(m, other, first, second, proof), (m, n)
        assert not merkle.verify_consistency(n, m, second, first, proof)  # backwards
    assert not merkle.verify_consistency(n, n, ROOTS[n], ROOTS[n], [ROOTS[n]])
    assert not merkle.verify_consistency(n, n, ROOTS[n], _flip(ROOTS[n]), [])


def test_generation_refuses_an_index_or_size_beyond_the_tree() -> None:
    with pytest.raises(ValueError, match="leaf 5 is not in a tree of 5 leaves"):
        merkle.inclusion_proof(FULL, 5, 5)
    with pytest.raises(ValueError, match="from a smaller tree to a larger one"):
        merkle.consistency_proof(FULL, 6, 5)
    with pytest.raises(LookupError):
        merkle.root(TREES[4], 5)


# -- reads -----------------------------------------------------------------------------------


class CountingReader:
    """A virtual tree of any size: each complete subtree's hash is derived from its position,
    and every read is counted. (The hashes do not form a real tree; the count is the point.)"""

    def __init__(self) -> None:
        self.reads = 0
        self.batches = 0

    def read(self, wanted: Collection[merkle.Node]) -> dict[merkle.Node, bytes]:
        self.reads += len(wanted)
        self.batches += 1
        return {n: hashlib.sha256(f"{n[0]}:{n[1]}".encode()).digest() for n in wanted}


@pytest.mark.parametrize("size", [1_000_000, 1_048_576, 999_999, 2**40 + 12345])
def test_a_large_tree_costs_logarithmic_reads(size: int) -> None:
    bound = 2 * size.bit_length() + 2
    reader = CountingReader()
    merkle.root(reader, size)
    assert reader.reads <= size.bit_length() and reader.batches == 1
    for index in (0, 1, size // 3, size - 2, size - 1):
        reader = CountingReader()
        assert len(merkle.inclusion_proof(reader, index, size)) <= size.bit_length()
        assert reader.reads <= bound and reader.batches == 1, (index, reader.reads)
    for first in (1, 2, 1000, size // 2, size - 1):
        reader = CountingReader()
        merkle.consistency_proof(reader, first, size)
        assert reader.reads <= bound and reader.batches == 1, (first, reader.reads)


def test_extend_makes_exactly_the_complete_subtrees() -> None:
    leaves = [merkle.leaf_hash(d) for d in DATA]
    made: dict[merkle.Node, bytes] = {}
    size = 0
    for chunk in (1, 2, 5, 8, 1, 17, 36):  # appends of uneven sizes
        edge = merkle.frontier(size)
        known = {**{(0, i): h for i, h in enumerate(leaves)}, **made}
        new = merkle.extend([(n, known[n]) for n in edge], size, leaves[size : size + chunk])
        made.update({(lv, ix): h for lv, ix, h in new})
        size += chunk
    assert size == MAX
    expected = {
        (level, idx): FULL.levels[level][idx]
        for level in range(1, len(FULL.levels))
        for idx in range(len(FULL.levels[level]))
    }
    assert made == expected
