import { scrypt as nobleScrypt } from "@noble/hashes/scrypt";
import { scryptSync } from "node:crypto";

/**
 * scrypt (RFC 7914) for keystores. OpenSSL, behind node:crypto, is fastest but refuses
 * N ≥ 2^(16·r), which rules out the Web3 Secret Storage spec's own vector (N = 2^18, r = 1) and
 * keystores written by some tools; those parameters go to @noble/hashes.
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
  return Buffer.from(nobleScrypt(password, salt, { N: n, r, p, dkLen, maxmem }));
}
