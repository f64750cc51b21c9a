/* The checks a reader runs in the browser, byte for byte the server's (exam_engine/core/):
 *
 *  - canonical JSON (canonical.py): keys sorted by code point, no spaces, UTF-8;
 *  - a receipt (checkpoints.py): base64url, no padding, of the canonical JSON
 *    {"at","attempt","exam","scored","seq"}; its Merkle leaf is the `scored` event's envelope
 *    {"at","attempt","kind":"scored","payload":<canonical scored>,"seq"} (ledger.py);
 *  - RFC 9162 Merkle trees over SHA-256 (merkle.py): leaf = H(0x00 || data),
 *    node = H(0x01 || left || right), inclusion (§2.1.3.2) and consistency (§2.1.4.2) checks;
 *  - checkpoints signed with Ed25519 over "exam-engine/checkpoint/v1\n" + canonical JSON of
 *    {"exam","root","size","time"}.
 *
 * Hashing and signatures come from noble (audited, pure JS): WebCrypto exists only on
 * https or localhost pages, and an exam LAN is often plain http. Verifiers answer false for
 * anything malformed and never throw.
 */
import { ed25519 } from "../vendor/noble-curves/ed25519.js";
import { sha256 } from "../vendor/noble-hashes/sha2.js";

export const CHECKPOINT_PREFIX = "exam-engine/checkpoint/v1\n";
const HASH_SIZE = 32;
const encoder = new TextEncoder();

/* ---- bytes ---------------------------------------------------------------------------- */

export function utf8(text) {
  return encoder.encode(text);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes of a lower- or upper-case hex string, or null if it is not one. */
export function fromHex(hex, length) {
  if (typeof hex !== "string" || hex.length % 2 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  if (length !== undefined && out.length !== length) return null;
  return out;
}

function equalBytes(a, b) {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}

/* ---- canonical JSON -------------------------------------------------------------------- */

function byCodePoint(a, b) {
  // Python sorts str keys by code point; JS's default sort compares UTF-16 units, which
  // differs only above U+FFFF. Compare code points to agree everywhere.
  const x = Array.from(a, (c) => c.codePointAt(0));
  const y = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** Canonical JSON text; throws on floats and unsafe integers (Python refuses floats too). */
export function canonicalJson(value) {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an exact integer: ${value}`);
    return String(value);
  }
  // JSON.stringify escapes strings exactly as Python's json.dumps(ensure_ascii=False):
  // \" \\ \b \f \n \r \t and \u00xx (lower case) for the other control characters.
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(byCodePoint);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  throw new TypeError(`cannot be written as canonical JSON: ${typeof value}`);
}

export function sha256Hex(bytes) {
  return toHex(sha256(bytes));
}

/* ---- receipts -------------------------------------------------------------------------- */

function isInt(v) {
  return Number.isSafeInteger(v);
}

/**
 * The receipt inside a code: {ok: true, receipt} or {ok: false, reason} where reason is
 * "empty", "base64", "utf8", "json" or "shape".
 */
export function decodeReceipt(code) {
  const text = String(code || "").replace(/\s+/g, "");
  if (!text) return { ok: false, reason: "empty" };
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) {
    return { ok: false, reason: "base64" };
  }
  let bytes;
  try {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
    bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch (_e) {
    return { ok: false, reason: "base64" };
  }
  let json;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (_e) {
    return { ok: false, reason: "utf8" };
  }
  let receipt;
  try {
    receipt = JSON.parse(json);
  } catch (_e) {
    return { ok: false, reason: "json" };
  }
  const r = receipt;
  const shaped = r && typeof r === "object" && !Array.isArray(r) &&
    typeof r.exam === "string" && r.exam && isInt(r.seq) && r.seq >= 1 && isInt(r.at) &&
    (r.attempt === null || isInt(r.attempt)) &&
    r.scored && typeof r.scored === "object" && !Array.isArray(r.scored);
  if (!shaped) return { ok: false, reason: "shape" };
  try {
    canonicalJson(r.scored);
  } catch (_e) {
    return { ok: false, reason: "shape" };
  }
  return { ok: true, receipt: r };
}

/** The envelope bytes of one event (ledger.event_bytes). */
export function eventBytes(seq, kind, attempt, at, payloadJson) {
  const who = attempt === null ? "null" : String(attempt);
  return utf8(`{"at":${at},"attempt":${who},"kind":${JSON.stringify(kind)},` +
    `"payload":${payloadJson},"seq":${seq}}`);
}

/** The Merkle leaf data of the `scored` event a receipt describes. */
export function receiptLeaf(receipt) {
  return eventBytes(receipt.seq, "scored", receipt.attempt, receipt.at,
    canonicalJson(receipt.scored));
}

/* ---- RFC 9162 Merkle trees -------------------------------------------------------------- */

export const EMPTY_ROOT = sha256(new Uint8Array(0));

export function leafHash(data) {
  return sha256(concat(Uint8Array.of(0), data));
}

export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

function asBig(n) {
  return Number.isSafeInteger(n) ? BigInt(n) : null;
}

function asHashes(list) {
  if (!Array.isArray(list)) return null;
  const out = list.map((h) => (h instanceof Uint8Array ? h : fromHex(h, HASH_SIZE)));
  return out.every((h) => h && h.length === HASH_SIZE) ? out : null;
}

function asHash(h) {
  const b = h instanceof Uint8Array ? h : fromHex(h, HASH_SIZE);
  return b && b.length === HASH_SIZE ? b : null;
}

/** RFC 9162 §2.1.3.2: is the leaf with this hash at `index` of the tree of `size` with `root`? */
export function verifyInclusion(leaf, index, size, proof, root) {
  const fn0 = asBig(index);
  const size0 = asBig(size);
  const path = asHashes(proof);
  const hash = asHash(leaf);
  const want = asHash(root);
  if (fn0 === null || size0 === null || !path || !hash || !want) return false;
  if (fn0 < 0n || fn0 >= size0) return false;
  // BigInt: JS bit operators work on 32 bits, and the RFC's shifts must not wrap.
  let fn = fn0;
  let sn = size0 - 1n;
  let r = hash;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while (fn !== 0n && (fn & 1n) === 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, want);
}

/** RFC 9162 §2.1.4.2: is the tree (second, newRoot) an extension of (first, oldRoot)? */
export function verifyConsistency(first, second, oldRoot, newRoot, proof) {
  const m = asBig(first);
  const n = asBig(second);
  let path = asHashes(proof);
  const oldR = asHash(oldRoot);
  const newR = asHash(newRoot);
  if (m === null || n === null || !path || !oldR || !newR || m < 0n || m > n) return false;
  if (m === 0n) {
    // The empty tree precedes every tree; its root is fixed (merkle.py does the same).
    return !path.length && equalBytes(oldR, EMPTY_ROOT) && (n > 0n || equalBytes(newR, EMPTY_ROOT));
  }
  if (m === n) return !path.length && equalBytes(oldR, newR);
  if (!path.length) return false;
  if ((m & (m - 1n)) === 0n) path = [oldR, ...path];
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn !== 0n && (fn & 1n) === 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, oldR) && equalBytes(sr, newR);
}

/* ---- signed checkpoints ----------------------------------------------------------------- */

/** What a checkpoint's signature covers (checkpoints.tree_head_bytes). */
export function treeHeadBytes(exam, size, rootHex, time) {
  return concat(utf8(CHECKPOINT_PREFIX),
    utf8(canonicalJson({ exam, root: rootHex, size, time })));
}

/** Is the checkpoint {size, root, time, signature} of `exam` signed by the hex Ed25519 key? */
export function verifyCheckpoint(publicKeyHex, exam, checkpoint) {
  try {
    const key = fromHex(publicKeyHex, 32);
    const sig = fromHex(checkpoint.signature, 64);
    if (!key || !sig || !asHash(checkpoint.root) || !isInt(checkpoint.size) ||
        !isInt(checkpoint.time)) {
      return false;
    }
    const message = treeHeadBytes(exam, checkpoint.size, checkpoint.root, checkpoint.time);
    // Strict RFC 8032 decoding, as exam_engine/core/ed25519.py (zip215 would be laxer).
    return ed25519.verify(sig, message, key, { zip215: false });
  } catch (_e) {
    return false;
  }
}

/**
 * Check a published list of checkpoints: each one's signature, and each one's consistency
 * proofs from every earlier checkpoint. Returns one {signed, consistent, problems} per entry;
 * `consistent` is null for the first checkpoint (nothing earlier to agree with).
 */
export function checkHistory(publicKeyHex, exam, checkpoints) {
  return checkpoints.map((cp, i) => {
    const problems = [];
    const signed = cp.exam === exam && verifyCheckpoint(publicKeyHex, exam, cp);
    if (!signed) problems.push({ what: "signature" });
    let consistent = null;
    if (i > 0) {
      consistent = true;
      const proofs = Array.isArray(cp.consistency) ? cp.consistency : [];
      for (const earlier of checkpoints.slice(0, i)) {
        const entry = proofs.find((p) => p && p.from === earlier.size);
        const ok = Boolean(entry) &&
          verifyConsistency(earlier.size, cp.size, earlier.root, cp.root, entry.proof);
        if (!ok) {
          consistent = false;
          problems.push({ what: entry ? "consistency" : "missing", from: earlier.size });
        }
      }
    }
    return { signed, consistent, problems };
  });
}

/** Does the revealed {material, nonce} hash to the commitment published at the opening? */
export function checkCommitment(commitmentHex, reveal) {
  try {
    const text = canonicalJson({ material: reveal.material, nonce: reveal.nonce });
    return sha256Hex(utf8(text)) === String(commitmentHex).toLowerCase();
  } catch (_e) {
    return false;
  }
}
