"""RFC 9162 Merkle trees (section 2.1): hashes, inclusion and consistency proofs, and their checks.

Pure functions over a `NodeSource`: `node(level, index)` is the hash of the complete subtree of
2**level leaves that starts at leaf `index * 2**level`. The log stores exactly those nodes
(`inquiries.transparency`), so any proof or root needs O(log n) of them and nothing else.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence

NodeSource = Callable[[int, int], bytes]

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def subtree_hash(node: NodeSource, start: int, end: int) -> bytes:
    """MTH(D[start:end]) where `start` is aligned as RFC 9162's recursion leaves it."""
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return node(level, start >> level)
    k = _split(size)
    return node_hash(subtree_hash(node, start, start + k), subtree_hash(node, start + k, end))


def root_hash(node: NodeSource, size: int) -> bytes:
    return subtree_hash(node, 0, size)


def inclusion_proof(node: NodeSource, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]), leaf side first."""
    if not 0 <= index < size:
        raise ValueError("the leaf is not in a tree of that size")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(node, start + k, end))
            end = start + k
        else:
            path.append(subtree_hash(node, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(node: NodeSource, old: int, new: int) -> list[bytes]:
    """PROOF(old, D[0:new]) (RFC 9162 2.1.4.1); empty when old is 0 or equal to new."""
    if not 0 <= old <= new:
        raise ValueError("the old size must not be larger than the new one")
    if old in (0, new):
        return []
    proof: list[bytes] = []
    start, end, complete = 0, new, True
    while old != end:
        k = _split(end - start)
        if old - start <= k:
            proof.append(subtree_hash(node, start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(node, start, start + k))
            start += k
            complete = False
    if not complete:
        proof.append(subtree_hash(node, start, end))
    proof.reverse()
    return proof


def verify_inclusion(
    *, leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    *, old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2."""
    if old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def nodes_needed(compute: Callable[[NodeSource], object]) -> set[tuple[int, int]]:
    """Which stored nodes `compute` reads: run it once on stand-ins, so a caller can fetch them
    all in one query before running it for real."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return EMPTY_ROOT

    compute(record)
    return wanted


def complete_nodes(
    leaves: Iterable[bytes], *, start: int, stored: NodeSource
) -> dict[tuple[int, int], bytes]:
    """The nodes that appending `leaves` at leaf index `start` completes, levels 1 and up.

    Only the left neighbour at each level can be older than the new leaves; it comes from
    `stored`.
    """
    new: dict[tuple[int, int], bytes] = {}
    level_nodes = {start + i: h for i, h in enumerate(leaves)}
    end = start + len(level_nodes)
    level = 0

    def get(lvl: int, idx: int) -> bytes:
        if lvl == level:
            found = level_nodes.get(idx)
            if found is not None:
                return found
        return stored(lvl, idx)

    while (end >> (level + 1)) > (start >> (level + 1)):
        parents: dict[int, bytes] = {}
        for parent in range(start >> (level + 1), end >> (level + 1)):
            parents[parent] = node_hash(get(level, 2 * parent), get(level, 2 * parent + 1))
        level += 1
        level_nodes = parents
        for idx, value in parents.items():
            new[(level, idx)] = value
    return new
