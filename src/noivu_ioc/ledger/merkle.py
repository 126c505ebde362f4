"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1.

Hashes are SHA-256. A leaf is ``SHA-256(0x00 || data)`` and an inner node
``SHA-256(0x01 || left || right)``; the root of ``n`` leaves, ``MTH(D[0:n])``, splits them
at ``k``, the largest power of two smaller than ``n``: ``MTH(D[0:k])`` on the left and
``MTH(D[k:n])`` on the right. The root of no leaves is ``SHA-256("")``.

Two kinds of function live here:

* Generation (``root``, ``inclusion_proof``, ``consistency_proof``) reads the hashes of
  *complete subtrees* through a ``NodeReader``: the subtree of ``2**level`` leaves starting
  at leaf ``idx * 2**level``, which never changes once the log holds all its leaves and can
  therefore be stored. Every range the RFC's recursion asks for is either such an aligned
  complete subtree (read as it is) or ends at the tree's right edge (folded from its
  complete-subtree decomposition), so a root or a proof of a million-leaf tree takes
  O(log n) reads, asked for in one batch.
* Verification (``verify_inclusion``, ``verify_consistency``) takes nothing but bytes and
  integers, so that anyone holding a proof can check it without the IOC.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]  # (level, idx): leaves idx * 2**level .. (idx + 1) * 2**level - 1


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


class NodeReader(Protocol):
    """Where the hashes of complete subtrees come from (level 0: the leaf hashes)."""

    def read(self, wanted: Collection[Node]) -> Mapping[Node, bytes]:
        """The hash of every node asked for; a node that is missing is an error of the
        reader's own kind (a damaged store), never a silent gap."""
        ...


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def complete_subtrees(start: int, end: int) -> list[Node]:
    """The aligned complete subtrees that make up leaves ``start .. end - 1``, left to right
    and each as large as its position allows. For the ranges the RFC's recursion produces
    (``start`` a multiple of the smallest power of two not below the range's length) their
    right fold is ``MTH(D[start:end])``."""
    nodes: list[Node] = []
    position = start
    while position < end:
        level = (end - position).bit_length() - 1
        # Alignment: a subtree of 2**level leaves must start at a multiple of 2**level.
        while position & ((1 << level) - 1):
            level -= 1
        nodes.append((level, position >> level))
        position += 1 << level
    return nodes


def _fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent subtrees in decreasing sizes: H(a, H(b, H(c, ...)))."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


class _Ranges:
    """Ranges whose MTH a root or a proof needs, read in one batch from a reader."""

    def __init__(self, ranges: Sequence[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.parts = [complete_subtrees(a, b) for a, b in ranges]

    def hashes(self, reader: NodeReader) -> list[bytes]:
        wanted = {node for parts in self.parts for node in parts}
        found = reader.read(wanted) if wanted else {}
        return [_fold([found[node] for node in parts]) for parts in self.parts]


def root(reader: NodeReader, size: int) -> bytes:
    """``MTH(D[0:size])``."""
    if size < 0:
        raise ValueError(f"a tree size cannot be negative (got {size})")
    if size == 0:
        return EMPTY_ROOT
    return _Ranges([(0, size)]).hashes(reader)[0]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form ``PATH(index, D[0:size])``, deepest first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves (0 .. {size - 1})")
    ranges: list[tuple[int, int]] = []
    low, high = 0, size
    while high - low > 1:
        k = _split(high - low)
        if index - low < k:
            ranges.append((low + k, high))
            high = low + k
        else:
            ranges.append((low, low + k))
            low += k
    ranges.reverse()
    return ranges


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 2.1.3.1)."""
    return _Ranges(inclusion_ranges(index, size)).hashes(reader)


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose hashes form ``PROOF(first, D[0:second])`` (RFC 9162 2.1.4.1), in
    the proof's order; empty when the sizes are equal or the first tree is empty."""
    if not 0 <= first <= second:
        raise ValueError(
            f"a consistency proof goes from a smaller tree to a larger one (got {first} "
            f"to {second})"
        )
    if first in (0, second):
        return []
    siblings: list[tuple[int, int]] = []
    base: list[tuple[int, int]] = []
    low, high, m, whole = 0, second, first, True
    while m != high - low:
        k = _split(high - low)
        if m <= k:
            siblings.append((low + k, high))
            high = low + k
        else:
            siblings.append((low, low + k))
            low += k
            m -= k
            whole = False
    if not whole:
        # The first tree is not a complete subtree of the second one: its last piece is
        # part of the proof (the RFC's SUBPROOF(m, D[m], false)).
        base.append((low, high))
    siblings.reverse()
    return base + siblings


def consistency_proof(reader: NodeReader, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    return _Ranges(consistency_ranges(first, second)).hashes(reader)


# -- verification: bytes and integers only -----------------------------------------------


def _lsb(value: int) -> int:
    return value & 1


def root_from_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root that ``path`` leads to from ``leaf`` at ``index``, or None if the path cannot
    belong to a tree of ``size`` leaves (too long, too short, an index beyond the tree)."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in path):
        return None
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if sn == 0:
            return None  # more hashes than the tree has levels
        if _lsb(fn) or fn == sn:
            result = node_hash(sibling, result)
            if not _lsb(fn):
                # The right edge: levels where this node has no sibling are skipped.
                while fn and not _lsb(fn):
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """Whether ``path`` proves that ``leaf`` is leaf ``index`` of the tree of ``size`` leaves
    whose root is ``expected_root`` (RFC 9162 2.1.3.2)."""
    if len(leaf) != HASH_SIZE:
        return False
    computed = root_from_inclusion(leaf, index, size, path)
    return computed is not None and computed == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows that the tree of ``first`` leaves with root ``first_root`` is a
    prefix of the tree of ``second`` leaves with root ``second_root`` (RFC 9162 2.1.4.2).
    Equal sizes need an empty proof and equal roots; an empty first tree is a prefix of
    every tree."""
    if not 0 <= first <= second or any(len(p) != HASH_SIZE for p in proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        # A first tree of 2**j leaves is a complete subtree of the second: the RFC's proof
        # leaves its root out, the verifier puts it back.
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for value in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr = node_hash(value, fr)
            sr = node_hash(value, sr)
            if not _lsb(fn):
                while fn and not _lsb(fn):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, value)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root


# -- building -------------------------------------------------------------------------------


def frontier(size: int) -> list[Node]:
    """The complete subtrees of a tree of ``size`` leaves, largest first: what an append
    needs to know of the tree so far."""
    return complete_subtrees(0, size)


def extend(
    frontier_hashes: Sequence[tuple[Node, bytes]], size: int, leaves: Iterable[bytes]
) -> list[tuple[int, int, bytes]]:
    """Append leaf hashes to a tree of ``size`` leaves whose frontier (``frontier(size)``
    with each node's hash) is given; returns every complete subtree of level 1 or more that
    the new leaves complete, as (level, idx, hash), children before parents."""
    stack: list[tuple[int, int, bytes]] = [(lv, ix, h) for (lv, ix), h in frontier_hashes]
    made: list[tuple[int, int, bytes]] = []
    index = size
    for leaf in leaves:
        stack.append((0, index, leaf))
        index += 1
        # Two subtrees of the same size side by side make one of twice the size, exactly as
        # a binary counter carries.
        while len(stack) >= 2 and stack[-1][0] == stack[-2][0]:
            level, _, right = stack.pop()
            _, left_idx, left = stack.pop()
            parent = (level + 1, left_idx >> 1, node_hash(left, right))
            made.append(parent)
            stack.append(parent)
    return made


class MemoryTree:
    """A whole tree in memory, every complete subtree computed: for tests, benchmarks and
    checking a log recomputed from its entries."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        self.levels[0].append(leaf)
        level = 0
        while len(self.levels[level]) % 2 == 0:
            row = self.levels[level]
            if len(self.levels) == level + 1:
                self.levels.append([])
            self.levels[level + 1].append(node_hash(row[-2], row[-1]))
            level += 1

    def read(self, wanted: Collection[Node]) -> dict[Node, bytes]:
        found: dict[Node, bytes] = {}
        for level, idx in wanted:
            if level >= len(self.levels) or idx >= len(self.levels[level]):
                raise LookupError(f"the tree holds no complete subtree ({level}, {idx})")
            found[(level, idx)] = self.levels[level][idx]
        return found
