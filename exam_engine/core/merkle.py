"""Merkle trees as in RFC 9162 §2.1 (Certificate Transparency v2), over SHA-256.

* ``leaf_hash(d) = SHA-256(0x00 || d)`` and ``node_hash(l, r) = SHA-256(0x01 || l || r)``.
* ``MTH({}) = SHA-256()``; ``MTH({d}) = leaf_hash(d)``; for n > 1 leaves, with k the largest
  power of two smaller than n, ``MTH(D[0:n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``.
* Inclusion and consistency proofs are the RFC's PATH and PROOF, checked with the RFC's
  verification algorithms (§2.1.3.2 and §2.1.4.2) so that any RFC 9162 client agrees.

Standard library only: an auditor can run this file with nothing installed. Verifiers
answer False for anything malformed and never raise.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf's data: SHA-256(0x00 || data)."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two children: SHA-256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right).digest()


def root(leaves: Sequence[bytes]) -> bytes:
    """Return MTH over the leaves' data."""
    return root_from_hashes([leaf_hash(d) for d in leaves])


def root_from_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return MTH from precomputed leaf hashes, level by level."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    # Pairing neighbours and lifting an unpaired last node unchanged gives exactly the RFC's
    # split at the largest power of two, without recursion.
    while len(level) > 1:
        odd = level[-1] if len(level) & 1 else None
        pairs = zip(level[0::2], level[1::2], strict=False)  # leaves out the odd node
        level = [sha256(b"\x01" + a + b).digest() for a, b in pairs]
        if odd is not None:
            level.append(odd)
    return level[0]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf side first."""
    if not 0 <= index < size <= len(leaf_hashes):
        raise ValueError(f"no leaf {index} in a tree of {size} (of {len(leaf_hashes)} known)")
    return _path(lambda lo, hi: root_from_hashes(leaf_hashes[lo:hi]), index, size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Return PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1), smallest subtree first."""
    if not 0 <= old_size <= new_size <= len(leaf_hashes):
        raise ValueError(f"no proof from {old_size} to {new_size} ({len(leaf_hashes)} known)")
    return _proof(lambda lo, hi: root_from_hashes(leaf_hashes[lo:hi]), old_size, new_size)


def _path(mth: Callable[[int, int], bytes], index: int, size: int) -> list[bytes]:
    """PATH over a tree whose subtree roots `mth(lo, hi)` gives."""
    top_down: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            top_down.append(mth(lo + k, hi))
            hi = lo + k
        else:
            top_down.append(mth(lo, lo + k))
            lo += k
    return top_down[::-1]


def _proof(mth: Callable[[int, int], bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF over a tree whose subtree roots `mth(lo, hi)` gives."""
    if old_size in (0, new_size):
        return []
    top_down: list[bytes] = []
    lo, hi, m = 0, new_size, old_size
    whole = True  # SUBPROOF's flag b: is D[lo:lo+m] still the entire old tree?
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            top_down.append(mth(lo + k, hi))
            hi = lo + k
        else:
            top_down.append(mth(lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        top_down.append(mth(lo, hi))
    return top_down[::-1]


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof by RFC 9162 §2.1.3.2; False for anything malformed."""
    index_, size_ = _as_int(index), _as_int(size)
    path = _as_hashes(proof)
    if index_ is None or size_ is None or path is None:
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root)) or not 0 <= index_ < size_:
        return False
    fn, sn, r = index_, size_ - 1, bytes(leaf_hash)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check a consistency proof by RFC 9162 §2.1.4.2; False for anything malformed."""
    first, second = _as_int(old_size), _as_int(new_size)
    path = _as_hashes(proof)
    if first is None or second is None or path is None:
        return False
    if not (_is_hash(old_root) and _is_hash(new_root)) or not 0 <= first <= second:
        return False
    if first == 0:
        # The empty tree precedes every tree; its root is fixed, so hold the caller to it.
        return not path and old_root == EMPTY_ROOT and (second > 0 or new_root == EMPTY_ROOT)
    if first == second:
        return not path and old_root == new_root
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [bytes(old_root), *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


class MerkleLog:
    """An append-only tree that keeps only its perfect subtrees' roots (the frontier)."""

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []  # left to right, one per set bit of size, largest first

    @classmethod
    def from_frontier(cls, size: int, frontier: Sequence[bytes]) -> MerkleLog:
        """Resume a log from a saved size and frontier."""
        if size < 0 or len(frontier) != size.bit_count() or not all(map(_is_hash, frontier)):
            raise ValueError(f"a frontier of {len(frontier)} hashes cannot have size {size}")
        log = cls()
        log._size, log._frontier = size, [bytes(h) for h in frontier]
        return log

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._size

    @property
    def frontier(self) -> tuple[bytes, ...]:
        """Return the perfect subtrees' roots, largest first; with size, all a restart needs."""
        return tuple(self._frontier)

    def append(self, leaf_hash: bytes) -> None:
        """Append one leaf hash, merging equal-sized subtrees as a binary counter carries."""
        if not _is_hash(leaf_hash):
            raise ValueError("a leaf hash is 32 bytes")
        h, n = bytes(leaf_hash), self._size
        while n & 1:
            h = node_hash(self._frontier.pop(), h)
            n >>= 1
        self._frontier.append(h)
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append several leaf hashes in order."""
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """Return the current tree head, folding the frontier from the right."""
        if not self._frontier:
            return EMPTY_ROOT
        r = self._frontier[-1]
        for h in reversed(self._frontier[:-1]):
            r = node_hash(h, r)
        return r


class MerkleTree:
    """A growing tree that keeps the root of every perfect subtree, level by level.

    For the server, which signs a checkpoint every few minutes over millions of events and
    proves it consistent with every earlier one: a root or a proof costs O(log² n) hashes
    here, against a pass over every leaf for the list functions above. Appending costs one
    node hash a leaf on average. Hashes live in one bytearray a level (64 bytes a leaf in
    all), not one object each.
    """

    def __init__(self) -> None:
        self._size = 0
        self._levels: list[bytearray] = [bytearray()]  # level j: roots of 2**j leaves each

    @property
    def size(self) -> int:
        """Return the number of leaves appended so far."""
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        """Append one leaf hash; each pair of equal perfect subtrees completes a parent."""
        if not _is_hash(leaf_hash):
            raise ValueError("a leaf hash is 32 bytes")
        levels = self._levels
        levels[0] += leaf_hash
        self._size += 1
        n, j = self._size, 0
        while not n & 1:
            below = levels[j]
            if j + 1 == len(levels):
                levels.append(bytearray())
            levels[j + 1] += sha256(b"\x01" + below[-64:]).digest()
            n, j = n >> 1, j + 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append several leaf hashes in order."""
        for h in leaf_hashes:
            self.append(h)

    def leaf(self, index: int) -> bytes:
        """Return the hash of leaf `index`."""
        if not 0 <= index < self._size:
            raise IndexError(f"no leaf {index} in a tree of {self._size}")
        return bytes(self._levels[0][index * HASH_SIZE:(index + 1) * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        """Return MTH of the first `size` leaves (all of them by default)."""
        size = self._size if size is None else size
        self._check(size)
        return self._mth(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """Return PATH(index, D[0:size]), as `inclusion_proof` does from the leaf list."""
        self._check(size)
        if not 0 <= index < size:
            raise ValueError(f"no leaf {index} in a tree of {size}")
        return _path(self._mth, index, size)

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """Return PROOF(old_size, D[0:new_size]), as `consistency_proof` does."""
        self._check(new_size)
        if not 0 <= old_size <= new_size:
            raise ValueError(f"no proof from {old_size} to {new_size}")
        return _proof(self._mth, old_size, new_size)

    def _check(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise ValueError(f"no tree of {size} leaves ({self._size} appended)")

    def _mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]): a stored perfect subtree, else split as the RFC does."""
        width = hi - lo
        if width & (width - 1) == 0 and lo % width == 0:
            j = width.bit_length() - 1
            at = (lo >> j) * HASH_SIZE
            return bytes(self._levels[j][at:at + HASH_SIZE])
        k = _split(width)
        return node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))


def _split(n: int) -> int:
    """Return the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _as_int(value: object) -> int | None:
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _as_hashes(proof: object) -> list[bytes] | None:
    if isinstance(proof, bytes | bytearray | str) or not isinstance(proof, Sequence):
        return None
    if not all(_is_hash(p) for p in proof):
        return None
    return [bytes(p) for p in proof]
