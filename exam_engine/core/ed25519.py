"""Ed25519 (RFC 8032 §5.1) in pure Python: verify for auditors, sign for tests and servers.

It follows the RFC's reference code (§6) with points in extended coordinates (X:Y:Z:T),
x = X/Z, y = Y/Z, x*y = T/Z, and the RFC's formulas for addition and doubling (§5.1.4).
Verification is strict, as §5.1.7 asks: a key or R that does not decode to a curve point
(including a y not below p), an S not below L, or a wrong length, is refused. The group
equation checked is [S]B = R + [k]A', which the RFC allows in place of the cofactored one and
which is what its reference code and OpenSSL check. One refusal is added to the
RFC's, as libsodium does: a public key of small order, for which R = the neutral point and
S = 0 would verify on every message.

Not constant time: use it to sign only where timing cannot be observed, or prefer the
`cryptography` package on a server that has it; both produce the same signatures.
"""
from __future__ import annotations

from hashlib import sha512

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point B
_D = -121665 * pow(121666, P - 2, P) % P
_D2 = 2 * _D % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]
_IDENTITY: Point = (0, 1, 1, 0)


def public_key(secret: bytes) -> bytes:
    """Return the 32-byte public key of a 32-byte secret key (RFC 8032 §5.1.5)."""
    a, _ = _expand(secret)
    return _encode(_mul(a, _B))


def sign(secret: bytes, message: bytes) -> bytes:
    """Return the 64-byte signature R || S of message (RFC 8032 §5.1.6)."""
    a, prefix = _expand(secret)
    message = bytes(message)
    a_bytes = _encode(_mul(a, _B))
    r = int.from_bytes(sha512(prefix + message).digest(), "little") % L
    r_bytes = _encode(_mul(r, _B))
    k = int.from_bytes(sha512(r_bytes + a_bytes + message).digest(), "little") % L
    s = (r + k * a) % L
    return r_bytes + s.to_bytes(32, "little")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Check signature on message under public (RFC 8032 §5.1.7); never raises."""
    if not all(isinstance(v, bytes | bytearray) for v in (public, message, signature)):
        return False
    if len(public) != 32 or len(signature) != 64:
        return False
    public, message, signature = bytes(public), bytes(message), bytes(signature)
    a_point = _decode(public)
    r_point = _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a_point is None or r_point is None or s >= L or _small_order(a_point):
        return False
    k = int.from_bytes(sha512(signature[:32] + public + message).digest(), "little") % L
    # [S]B - [k]A in one pass of doublings (Straus), then compare with R.
    return _equal(_mul2(s, _B, k, _neg(a_point)), r_point)


def _expand(secret: bytes) -> tuple[int, bytes]:
    """Hash a secret key into the clamped scalar a and the nonce prefix (RFC 8032 §5.1.5)."""
    if not isinstance(secret, bytes | bytearray) or len(secret) != 32:
        raise ValueError("an Ed25519 secret key is 32 bytes")
    h = sha512(bytes(secret)).digest()
    a = int.from_bytes(h[:32], "little")
    a = (a & ((1 << 254) - 8)) | (1 << 254)
    return a, h[32:]


def _add(p: Point, q: Point) -> Point:
    """Add two points (RFC 8032 §5.1.4, a = -1)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * _D2 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return e * f % P, g * h % P, f * g % P, e * h % P


def _double(p: Point) -> Point:
    """Double a point (RFC 8032 §5.1.4, dbl-2008-hwcd)."""
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    e = h - (x1 + y1) * (x1 + y1)
    g = a - b
    f = c + g
    return e * f % P, g * h % P, f * g % P, e * h % P


def _neg(p: Point) -> Point:
    x, y, z, t = p
    return (P - x) % P, y, z, (P - t) % P


def _mul(s: int, p: Point) -> Point:
    """Return [s]p by left-to-right double and add."""
    q = _IDENTITY
    for i in range(s.bit_length() - 1, -1, -1):
        q = _double(q)
        if s >> i & 1:
            q = _add(q, p)
    return q


def _mul2(s: int, p: Point, t: int, q: Point) -> Point:
    """Return [s]p + [t]q, sharing the doublings (Straus-Shamir)."""
    both = _add(p, q)
    acc = _IDENTITY
    for i in range(max(s.bit_length(), t.bit_length()) - 1, -1, -1):
        acc = _double(acc)
        bits = (s >> i & 1) | (t >> i & 1) << 1
        if bits == 1:
            acc = _add(acc, p)
        elif bits == 2:
            acc = _add(acc, q)
        elif bits == 3:
            acc = _add(acc, both)
    return acc


def _equal(p: Point, q: Point) -> bool:
    x1, y1, z1, _ = p
    x2, y2, z2, _ = q
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _small_order(p: Point) -> bool:
    """Tell whether [8]p is the neutral point: a key that would verify forgeries."""
    return _equal(_double(_double(_double(p))), _IDENTITY)


def _recover_x(y: int, sign: int) -> int | None:
    """Return the x with this sign bit on the curve at y, or None (RFC 8032 §5.1.3)."""
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * _SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = P - x
    return x


def _decode(encoded: bytes) -> Point | None:
    """Decode a 32-byte point, refusing y >= p, a missing square root and -0 (§5.1.3)."""
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    if x is None:
        return None
    return x, y, 1, x * y % P


def _encode(p: Point) -> bytes:
    """Encode a point as y with the sign of x in the top bit (RFC 8032 §5.1.2)."""
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


_B_Y = 4 * pow(5, P - 2, P) % P
_B_X = _recover_x(_B_Y, 0)
assert _B_X is not None
_B: Point = (_B_X, _B_Y, 1, _B_X * _B_Y % P)
