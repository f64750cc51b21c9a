"""Merkle trees: the published RFC 6962/9162 vectors, and a naive reference built from the RFC."""
from __future__ import annotations

from hashlib import sha256

import pytest

from exam_engine.core import merkle
from exam_engine.core.merkle import (
    EMPTY_ROOT,
    MerkleLog,
    MerkleTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_hashes,
    verify_consistency,
    verify_inclusion,
)

# transparency-dev/merkle testonly/constants.go (the certificate-transparency-go suite).
LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
HASHES = [leaf_hash(d) for d in LEAVES]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")

# testonly/constants.go NodeHashes, level by level; named here by the leaves each one covers.
NODES = {name: bytes.fromhex(h) for name, h in (
    ("0:1", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    ("1:2", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
    ("4:5", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
    ("6:7", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
    ("0:2", "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    ("2:4", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
    ("4:6", "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
    ("6:8", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ("0:4", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    ("4:8", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
)}
# testonly/reference_test.go and proof/verify_test.go: (index, size, proof).
INCLUSION = [(0, 1, ""), (0, 2, "1:2"), (1, 2, "0:1"), (2, 3, "0:2"), (1, 5, "0:1 2:4 4:5"),
             (0, 8, "1:2 2:4 4:8"), (5, 8, "4:5 6:8 0:4")]
# proof/verify_test.go: (old size, new size, proof).
CONSISTENCY = [(1, 1, ""), (1, 8, "1:2 2:4 4:8"), (6, 8, "4:6 6:8 0:4"), (2, 5, "2:4 4:5"),
               (6, 7, "4:6 6:7 0:4")]


def hexes(names: str) -> list[bytes]:
    return [NODES[name] for name in names.split()]


# --- A naive reference, written from RFC 9162 §2.1.1-2.1.4 as literally as possible. ---

def k_of(n: int) -> int:
    """Return the largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def nh(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, recursively."""
    if len(d) < 2:
        return d[0] if d else sha256(b"").digest()
    return nh(mth(d[:k_of(len(d))]), mth(d[k_of(len(d)):]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    if m == len(d):
        return [] if b else [mth(d)]
    k = k_of(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def naive_verify_inclusion(leaf: bytes, i: int, n: int, proof: list[bytes], head: bytes) -> bool:
    """Rebuild the root by recursing over PATH's definition, consuming the proof from its end."""
    def rebuild(i: int, n: int, p: list[bytes]) -> bytes | None:
        if n == 1 or not p:
            return leaf if n == 1 and not p else None
        k = k_of(n)
        sub = rebuild(i, k, p[:-1]) if i < k else rebuild(i - k, n - k, p[:-1])
        return None if sub is None else nh(sub, p[-1]) if i < k else nh(p[-1], sub)

    if not 0 <= i < n or any(len(x) != 32 for x in [leaf, head, *proof]):
        return False
    return rebuild(i, n, proof) == head


def naive_verify_consistency(m: int, n: int, old: bytes, new: bytes, proof: list[bytes]) -> bool:
    """Rebuild both roots by recursing over SUBPROOF's definition."""
    def rebuild(m: int, n: int, b: bool, p: list[bytes]) -> tuple[bytes, bytes] | None:
        if m == n and b:
            return (old, old) if not p else None
        if m == n:
            return (p[0], p[0]) if len(p) == 1 else None
        if not p:
            return None
        k = k_of(n)
        if m <= k:
            sub = rebuild(m, k, b, p[:-1])
            return None if sub is None else (sub[0], nh(sub[1], p[-1]))
        sub = rebuild(m - k, n - k, False, p[:-1])
        return None if sub is None else (nh(p[-1], sub[0]), nh(p[-1], sub[1]))

    if not 0 <= m <= n or any(len(x) != 32 for x in [old, new, *proof]):
        return False
    if m == 0:
        return not proof and old == EMPTY_ROOT and (n > 0 or new == EMPTY_ROOT)
    if m == n:
        return not proof and old == new
    return rebuild(m, n, True, proof) == (old, new)


def data(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(2, "big")) for i in range(n)]


# --- Published vectors. ---

def test_hashes_match_the_rfc6962_hasher_vectors():
    assert EMPTY_ROOT == ROOTS[0]
    assert leaf_hash(b"") == ROOTS[1]
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")


def test_the_published_nodes_are_the_subtree_roots_they_are_named_for():
    for name, node in NODES.items():
        lo, hi = map(int, name.split(":"))
        assert node == mth(HASHES[lo:hi]) == root_from_hashes(HASHES[lo:hi])


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_published_vectors(size):
    assert root(LEAVES[:size]) == ROOTS[size]
    assert root_from_hashes(HASHES[:size]) == ROOTS[size]
    assert mth(HASHES[:size]) == ROOTS[size]
    log = MerkleLog()
    log.extend(HASHES[:size])
    assert (log.size, log.root()) == (size, ROOTS[size])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(index, size, proof):
    expected = hexes(proof)
    assert inclusion_proof(HASHES, index, size) == expected == path(index, HASHES[:size])
    assert verify_inclusion(HASHES[index], index, size, expected, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(old, new, proof):
    expected = hexes(proof)
    assert consistency_proof(HASHES, old, new) == expected
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], expected)


def mutations(proof: list[bytes]) -> list[list[bytes]]:
    """Return the proof truncated, extended, reordered and with each node's bits flipped."""
    out = [[*proof, SOME_HASH], [SOME_HASH, *proof], [*proof, b""], [b"", *proof]]
    if proof:
        out += [proof[:-1], proof[1:], [*proof, proof[-1]], [*proof[:-1], proof[-1][:31]]]
    for i in range(len(proof)):
        for bit in (0, 3, 4, 255):
            node = bytearray(proof[i])
            node[bit // 8] ^= 1 << (bit % 8)
            out.append([*proof[:i], bytes(node), *proof[i + 1:]])
        if i + 1 < len(proof) and proof[i] != proof[i + 1]:
            out.append([*proof[:i], proof[i + 1], proof[i], *proof[i + 2:]])
    return out


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_corrupted_inclusion_proofs_are_refused(index, size, proof):
    """transparency-dev's corruptInclusionProof probes, plus swapped nodes."""
    good, head, leaf = hexes(proof), ROOTS[size], HASHES[index]
    for bad in [*mutations(good), [*good, head], [head, *good]]:
        assert not verify_inclusion(leaf, index, size, bad, head)
    for r, lf in ((head, b"WrongLeaf"), (EMPTY_ROOT, leaf), (SOME_HASH, leaf)):
        assert not verify_inclusion(lf, index, size, good, r)
    for i, n in ((index - 1, size), (index + 1, size), (index ^ 2, size), (index, size * 2),
                 (index, size // 2)):
        assert not verify_inclusion(leaf, i, n, good, head), (i, n)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY[1:])
def test_corrupted_consistency_proofs_are_refused(old, new, proof):
    """transparency-dev's corruptConsistencyProof probes, plus swapped nodes."""
    good, r1, r2 = hexes(proof), ROOTS[old], ROOTS[new]
    extra = [[], [*good, r1], [*good, r2], [r1, *good], [r2, *good], [good[0], *good]]
    for bad in mutations(good) + extra:
        assert not verify_consistency(old, new, r1, r2, bad)
    for m, n, a, b in ((old - 1, new, r1, r2), (old + 1, new, r1, r2), (old ^ 2, new, r1, r2),
                       (old, new * 2, r1, r2), (old, new // 2, r1, r2), (old, new, r2, r1),
                       (old, new, b"WrongRoot", r2), (old, new, r1, b"WrongRoot")):
        assert not verify_consistency(m, n, a, b, good), (m, n)


# --- Edge cases: every bad input is a False, never an exception. ---

def test_inclusion_edge_cases_are_refused():
    h = leaf_hash(b"data")
    assert verify_inclusion(h, 0, 1, [], h)
    for leaf, head in ((h, b""), (b"", h), (b"", b""), (h, h + b"\x00"), (h[:31], h)):
        assert not verify_inclusion(leaf, 0, 1, [], head)
    for index, size in ((0, 0), (0, 1), (1, 0), (2, 1), (1, 1), (-1, 1), (0, -1)):
        assert not verify_inclusion(SOME_HASH, index, size, [], b"")
        assert not verify_inclusion(b"", index, size, [], EMPTY_ROOT)
        assert not verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)
    for junk in (None, "0", b"x" * 32, [None], ["a" * 32], [1], 7):
        assert not verify_inclusion(HASHES[0], 0, 2, junk, ROOTS[2])
    assert not verify_inclusion(HASHES[0], "0", 2, [HASHES[1]], ROOTS[2])
    assert not verify_inclusion(HASHES[0], 0, 2.0, [HASHES[1]], ROOTS[2])
    assert verify_inclusion(HASHES[0], 0, 2, (bytearray(HASHES[1]),), bytearray(ROOTS[2]))


def test_consistency_edge_cases_are_refused():
    r1, r2 = ROOTS[1], ROOTS[2]
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[5], [])
    assert verify_consistency(1, 1, r1, r1, [])
    for m, n, a, b, p in (
        (0, 0, SOME_HASH, SOME_HASH, []),            # not the empty tree's root
        (0, 0, EMPTY_ROOT, r1, []), (1, 1, r1, r2, []),  # equal sizes, different roots
        (0, 1, EMPTY_ROOT, r1, [EMPTY_ROOT]),         # old size 0 with a non-empty proof
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT]), (1, 1, r1, r1, [EMPTY_ROOT]),
        (1, 0, r1, EMPTY_ROOT, []), (2, 1, r2, r1, []), (2, 1, r2, r1, [HASHES[1]]),
        (1, 2, r1, r2, []), (-1, 2, r1, r2, [HASHES[1]]), (1, 2, r1[:31], r2, [HASHES[1]]),
        (1, 2, r1, r2, [HASHES[1][:31]]), (1, 2, r1, r2, b"x" * 32), (1, 2, r1, r2, None),
        (1, 2, r1, r2, "ab"), ("1", 2, r1, r2, [HASHES[1]]), (1, None, r1, r2, [HASHES[1]]),
    ):
        assert not verify_consistency(m, n, a, b, p), (m, n, len(p or ()))
    assert verify_consistency(1, 2, r1, r2, [HASHES[1]])


def test_proof_builders_refuse_impossible_requests():
    for build, args in ((inclusion_proof, (0, 0)), (inclusion_proof, (8, 8)),
                        (inclusion_proof, (-1, 4)), (inclusion_proof, (0, 9)),
                        (consistency_proof, (3, 2)), (consistency_proof, (-1, 4)),
                        (consistency_proof, (0, 9))):
        with pytest.raises(ValueError):
            build(HASHES, *args)


# --- Properties over every small tree. ---

@pytest.mark.parametrize("n", range(1, 65))
def test_every_inclusion_proof_verifies_and_every_mutation_fails(n):
    d = data(2 * n + 2)
    head = root_from_hashes(d[:n])
    for i in range(n):
        proof = inclusion_proof(d, i, n)
        assert proof == path(i, d[:n])
        assert verify_inclusion(d[i], i, n, proof, head)
        assert not verify_inclusion(d[i], i, n, proof, root_from_hashes(d[:n + 1]))
        assert not verify_inclusion(d[i ^ 1], i, n, proof, head) or n == 1
        for bad in mutations(proof):
            assert not verify_inclusion(d[i], i, n, bad, head)
        # Another (index, size) may accept the same proof, exactly where the RFC's definition
        # does too: the size must come from the signed tree head, never from the proof alone.
        for j, m in ((i - 1, n), (i + 1, n), (i ^ 2, n), (i, n + 1), (i, 2 * n), (i + 1, n + 1)):
            want = naive_verify_inclusion(d[i], j, m, proof, head)
            assert verify_inclusion(d[i], j, m, proof, head) == want and (not want or m != n)


@pytest.mark.parametrize("n", range(1, 65))
def test_every_consistency_proof_verifies_and_every_mutation_fails(n):
    d = data(n)
    heads = [root_from_hashes(d[:m]) for m in range(n + 1)]
    for m in range(n + 1):
        proof = consistency_proof(d, m, n)
        assert proof == ([] if m == 0 else subproof(m, d[:n], True))
        assert verify_consistency(m, n, heads[m], heads[n], proof)
        assert naive_verify_consistency(m, n, heads[m], heads[n], proof)
        if 0 < m < n:
            assert not verify_consistency(m, n, heads[m - 1], heads[n], proof)
            assert not verify_consistency(m, n, heads[m], heads[n - 1], proof)
            assert not verify_consistency(m, n, heads[n], heads[m], proof)
        for bad in mutations(proof):
            assert not verify_consistency(m, n, heads[m], heads[n], bad)
        for m2, n2 in ((m - 1, n), (m + 1, n), (m ^ 2, n), (m, n + 1), (m, 2 * n), (m, n // 2)):
            want = naive_verify_consistency(m2, n2, heads[m], heads[n], proof)
            assert verify_consistency(m2, n2, heads[m], heads[n], proof) == want, (m2, n2)


@pytest.mark.parametrize("n", range(1, 13))
def test_verifiers_agree_with_the_naive_reference_on_every_small_size(n):
    """Every (index or old size, tree size) up to 32 gives the naive reference's verdict."""
    d = data(n)
    heads = [root_from_hashes(d[:m]) for m in range(n + 1)]
    for i in range(n):
        proof = inclusion_proof(d, i, n)
        for m in range(33):
            for j in range(m + 1):
                want = naive_verify_inclusion(d[i], j, m, proof, heads[n])
                assert verify_inclusion(d[i], j, m, proof, heads[n]) == want, (i, n, j, m)
    for m in range(1, n):
        proof = consistency_proof(d, m, n)
        for n2 in range(33):
            for m2 in range(n2 + 1):
                want = naive_verify_consistency(m2, n2, heads[m], heads[n], proof)
                assert verify_consistency(m2, n2, heads[m], heads[n], proof) == want, (m2, n2)


# --- The incremental log. ---

def test_log_root_equals_the_full_root_after_every_append():
    d = data(300)
    log = MerkleLog()
    assert log.root() == EMPTY_ROOT
    for n, h in enumerate(d, start=1):
        log.append(h)
        assert len(log.frontier) == n.bit_count()
        if n < 70 or n % 37 == 0:
            assert log.root() == root_from_hashes(d[:n])
    assert log.root() == root_from_hashes(d)


def test_log_resumes_from_its_frontier():
    d = data(100)
    log = MerkleLog()
    log.extend(d[:77])
    resumed = MerkleLog.from_frontier(log.size, log.frontier)
    resumed.extend(d[77:])
    assert resumed.root() == root_from_hashes(d)
    for size in (76, 79, -1):  # one subtree root per set bit of the size
        with pytest.raises(ValueError):
            MerkleLog.from_frontier(size, log.frontier)
    with pytest.raises(ValueError):
        MerkleLog.from_frontier(77, [*log.frontier[:-1], b"short"])
    with pytest.raises(ValueError):
        log.append(b"not a hash")


def test_large_trees_agree_with_the_log_and_the_proofs():
    d = data(5000)
    head = root_from_hashes(d)
    log = MerkleLog()
    log.extend(d)
    assert log.root() == head == merkle.root([i.to_bytes(2, "big") for i in range(5000)])
    for i in (0, 1, 2047, 2048, 4095, 4096, 4999):
        assert verify_inclusion(d[i], i, 5000, inclusion_proof(d, i, 5000), head)
    for m in (1, 2048, 3333, 4999):
        old = root_from_hashes(d[:m])
        assert verify_consistency(m, 5000, old, head, consistency_proof(d, m, 5000))


# --- The server's tree of stored subtree roots. ---

def test_tree_gives_the_list_functions_answers_for_every_small_size():
    d = data(70)
    tree = MerkleTree()
    assert tree.root() == EMPTY_ROOT
    for n, h in enumerate(d, start=1):
        tree.append(h)
        assert tree.size == n and tree.leaf(n - 1) == h
        assert tree.root() == root_from_hashes(d[:n])
    for n in range(1, 71):
        assert tree.root(n) == root_from_hashes(d[:n])
        for i in range(n):
            assert tree.inclusion_proof(i, n) == inclusion_proof(d, i, n), (i, n)
        for m in range(n + 1):
            assert tree.consistency_proof(m, n) == consistency_proof(d, m, n), (m, n)


def test_tree_proofs_at_a_large_size_verify():
    d = data(5000)
    tree = MerkleTree()
    tree.extend(d)
    head = root_from_hashes(d)
    assert tree.root() == head
    for i in (0, 1, 2047, 2048, 4095, 4096, 4999):
        assert tree.inclusion_proof(i, 5000) == inclusion_proof(d, i, 5000)
    for m in (1, 2048, 3333, 4999):
        proof = tree.consistency_proof(m, 5000)
        assert proof == consistency_proof(d, m, 5000)
        assert verify_consistency(m, 5000, tree.root(m), head, proof)


def test_tree_refuses_what_it_cannot_prove():
    tree = MerkleTree()
    tree.extend(data(5))
    for call in (lambda: tree.root(6), lambda: tree.inclusion_proof(5, 5),
                 lambda: tree.inclusion_proof(0, 6), lambda: tree.consistency_proof(3, 6),
                 lambda: tree.consistency_proof(4, 3), lambda: tree.append(b"short")):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(IndexError):
        tree.leaf(5)
