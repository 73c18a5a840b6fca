import { pbkdf2Sync, scryptSync } from "node:crypto";

/**
 * scrypt (RFC 7914). OpenSSL, behind node:crypto, refuses N ≥ 2^(16·r) — which rules out the
 * Web3 Secret Storage spec's own vector (N = 2^18, r = 1) and keystores written by some tools. For
 * those parameters the ROMix core runs here in TypeScript; PBKDF2 steps still use node:crypto.
 */
export function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  n: number,
  r: number,
  p: number,
  dkLen: number,
): Buffer {
  const maxmem = 256 * r * n + 1024 * 1024 * 64;
  if (n < 2 ** (16 * r)) return scryptSync(password, salt, dkLen, { N: n, r, p, maxmem });
  return scryptPortable(password, salt, n, r, p, dkLen);
}

/** The RFC 7914 algorithm with the memory-hard part in TypeScript. */
export function scryptPortable(
  password: Uint8Array,
  salt: Uint8Array,
  n: number,
  r: number,
  p: number,
  dkLen: number,
): Buffer {
  const blockBytes = 128 * r;
  const b = pbkdf2Sync(password, salt, 1, p * blockBytes, "sha256");
  const words = blockBytes / 4;
  const x = new Int32Array(words);
  const v = new Int32Array(words * n);
  const scratch = new Int32Array(words);
  for (let i = 0; i < p; i++) {
    const offset = i * blockBytes;
    for (let w = 0; w < words; w++) x[w] = b.readInt32LE(offset + w * 4);
    roMix(x, v, scratch, n, r);
    for (let w = 0; w < words; w++) b.writeInt32LE(x[w]!, offset + w * 4);
  }
  return pbkdf2Sync(password, b, 1, dkLen, "sha256");
}

function roMix(x: Int32Array, v: Int32Array, scratch: Int32Array, n: number, r: number): void {
  const words = 32 * r;
  for (let i = 0; i < n; i++) {
    v.set(x, i * words);
    blockMix(x, scratch, r);
  }
  for (let i = 0; i < n; i++) {
    // Integerify: the first word of the last 64-byte sub-block, mod n (n is a power of two ≤ 2^32).
    const j = x[(2 * r - 1) * 16]! & (n - 1);
    const base = j * words;
    for (let w = 0; w < words; w++) x[w]! ^= v[base + w]!;
    blockMix(x, scratch, r);
  }
}

const t = new Int32Array(16);

function blockMix(b: Int32Array, y: Int32Array, r: number): void {
  const last = (2 * r - 1) * 16;
  for (let w = 0; w < 16; w++) t[w] = b[last + w]!;
  for (let i = 0; i < 2 * r; i++) {
    const offset = i * 16;
    for (let w = 0; w < 16; w++) t[w]! ^= b[offset + w]!;
    salsa20_8(t);
    // Even sub-blocks go to the first half of the output, odd ones to the second half.
    const target = (i % 2 === 0 ? i / 2 : r + (i - 1) / 2) * 16;
    for (let w = 0; w < 16; w++) y[target + w] = t[w]!;
  }
  b.set(y);
}

/** Salsa20/8 core in place, on locals (several times faster than indexing a typed array). */
function salsa20_8(b: Int32Array): void {
  const j0 = b[0]!,
    j1 = b[1]!,
    j2 = b[2]!,
    j3 = b[3]!,
    j4 = b[4]!,
    j5 = b[5]!,
    j6 = b[6]!,
    j7 = b[7]!;
  const j8 = b[8]!,
    j9 = b[9]!,
    j10 = b[10]!,
    j11 = b[11]!,
    j12 = b[12]!,
    j13 = b[13]!,
    j14 = b[14]!,
    j15 = b[15]!;
  let x0 = j0,
    x1 = j1,
    x2 = j2,
    x3 = j3,
    x4 = j4,
    x5 = j5,
    x6 = j6,
    x7 = j7;
  let x8 = j8,
    x9 = j9,
    x10 = j10,
    x11 = j11,
    x12 = j12,
    x13 = j13,
    x14 = j14,
    x15 = j15;
  let u: number;
  for (let round = 0; round < 8; round += 2) {
    u = (x0 + x12) | 0;
    x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0;
    x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0;
    x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0;
    x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0;
    x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0;
    x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0;
    x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0;
    x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0;
    x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0;
    x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0;
    x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0;
    x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0;
    x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0;
    x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0;
    x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0;
    x15 ^= (u << 18) | (u >>> 14);
    u = (x0 + x3) | 0;
    x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0;
    x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0;
    x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0;
    x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0;
    x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0;
    x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0;
    x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0;
    x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0;
    x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0;
    x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0;
    x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0;
    x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0;
    x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0;
    x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0;
    x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0;
    x15 ^= (u << 18) | (u >>> 14);
  }
  b[0] = (x0 + j0) | 0;
  b[1] = (x1 + j1) | 0;
  b[2] = (x2 + j2) | 0;
  b[3] = (x3 + j3) | 0;
  b[4] = (x4 + j4) | 0;
  b[5] = (x5 + j5) | 0;
  b[6] = (x6 + j6) | 0;
  b[7] = (x7 + j7) | 0;
  b[8] = (x8 + j8) | 0;
  b[9] = (x9 + j9) | 0;
  b[10] = (x10 + j10) | 0;
  b[11] = (x11 + j11) | 0;
  b[12] = (x12 + j12) | 0;
  b[13] = (x13 + j13) | 0;
  b[14] = (x14 + j14) | 0;
  b[15] = (x15 + j15) | 0;
}
