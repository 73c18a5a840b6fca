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
  const x = new Uint32Array(words);
  const v = new Uint32Array(words * n);
  const scratch = new Uint32Array(words);
  for (let i = 0; i < p; i++) {
    const offset = i * blockBytes;
    for (let w = 0; w < words; w++) x[w] = b.readUInt32LE(offset + w * 4);
    roMix(x, v, scratch, n, r);
    for (let w = 0; w < words; w++) b.writeUInt32LE(x[w]!, offset + w * 4);
  }
  return pbkdf2Sync(password, b, 1, dkLen, "sha256");
}

function roMix(x: Uint32Array, v: Uint32Array, scratch: Uint32Array, n: number, r: number): void {
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

const t = new Uint32Array(16);

function blockMix(b: Uint32Array, y: Uint32Array, r: number): void {
  t.set(b.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let w = 0; w < 16; w++) t[w]! ^= b[i * 16 + w]!;
    salsa20_8(t);
    // Even sub-blocks go to the first half of the output, odd ones to the second half.
    const target = (i % 2 === 0 ? i / 2 : r + (i - 1) / 2) * 16;
    y.set(t, target);
  }
  b.set(y);
}

function rotl(a: number, bits: number): number {
  return (a << bits) | (a >>> (32 - bits));
}

const s = new Uint32Array(16);

function salsa20_8(block: Uint32Array): void {
  s.set(block);
  for (let round = 0; round < 8; round += 2) {
    s[4]! ^= rotl((s[0]! + s[12]!) | 0, 7);
    s[8]! ^= rotl((s[4]! + s[0]!) | 0, 9);
    s[12]! ^= rotl((s[8]! + s[4]!) | 0, 13);
    s[0]! ^= rotl((s[12]! + s[8]!) | 0, 18);
    s[9]! ^= rotl((s[5]! + s[1]!) | 0, 7);
    s[13]! ^= rotl((s[9]! + s[5]!) | 0, 9);
    s[1]! ^= rotl((s[13]! + s[9]!) | 0, 13);
    s[5]! ^= rotl((s[1]! + s[13]!) | 0, 18);
    s[14]! ^= rotl((s[10]! + s[6]!) | 0, 7);
    s[2]! ^= rotl((s[14]! + s[10]!) | 0, 9);
    s[6]! ^= rotl((s[2]! + s[14]!) | 0, 13);
    s[10]! ^= rotl((s[6]! + s[2]!) | 0, 18);
    s[3]! ^= rotl((s[15]! + s[11]!) | 0, 7);
    s[7]! ^= rotl((s[3]! + s[15]!) | 0, 9);
    s[11]! ^= rotl((s[7]! + s[3]!) | 0, 13);
    s[15]! ^= rotl((s[11]! + s[7]!) | 0, 18);
    s[1]! ^= rotl((s[0]! + s[3]!) | 0, 7);
    s[2]! ^= rotl((s[1]! + s[0]!) | 0, 9);
    s[3]! ^= rotl((s[2]! + s[1]!) | 0, 13);
    s[0]! ^= rotl((s[3]! + s[2]!) | 0, 18);
    s[6]! ^= rotl((s[5]! + s[4]!) | 0, 7);
    s[7]! ^= rotl((s[6]! + s[5]!) | 0, 9);
    s[4]! ^= rotl((s[7]! + s[6]!) | 0, 13);
    s[5]! ^= rotl((s[4]! + s[7]!) | 0, 18);
    s[11]! ^= rotl((s[10]! + s[9]!) | 0, 7);
    s[8]! ^= rotl((s[11]! + s[10]!) | 0, 9);
    s[9]! ^= rotl((s[8]! + s[11]!) | 0, 13);
    s[10]! ^= rotl((s[9]! + s[8]!) | 0, 18);
    s[12]! ^= rotl((s[15]! + s[14]!) | 0, 7);
    s[13]! ^= rotl((s[12]! + s[15]!) | 0, 9);
    s[14]! ^= rotl((s[13]! + s[12]!) | 0, 13);
    s[15]! ^= rotl((s[14]! + s[13]!) | 0, 18);
  }
  for (let i = 0; i < 16; i++) block[i] = (block[i]! + s[i]!) | 0;
}
