import {
  createCipheriv,
  createDecipheriv,
  pbkdf2Sync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import { bytesToHex, hexToBytes, keccak256, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";
import { scrypt } from "./scrypt.js";

/**
 * Web3 Secret Storage v3 (the Ethereum keystore format): key derived by scrypt or PBKDF2-SHA256,
 * private key encrypted with AES-128-CTR under the first 16 derived bytes, integrity by
 * keccak256(derived[16..32] ‖ ciphertext).
 */

const hex = (bytes: number) =>
  z
    .string()
    .transform((s) => s.replace(/^0x/, "").toLowerCase())
    .refine((s) => new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(s), `must be ${bytes} bytes of hex`);
const anyHex = z
  .string()
  .transform((s) => s.replace(/^0x/, "").toLowerCase())
  .refine((s) => /^([0-9a-f]{2})+$/.test(s), "must be hex");

const scryptParams = z.strictObject({
  dklen: z.literal(32),
  n: z
    .number()
    .int()
    .refine((n) => n >= 2 && (n & (n - 1)) === 0, "n must be a power of two ≥ 2"),
  r: z.number().int().min(1).max(64),
  p: z.number().int().min(1).max(64),
  salt: anyHex,
});
const pbkdf2Params = z.strictObject({
  dklen: z.literal(32),
  c: z.number().int().min(1),
  prf: z.literal("hmac-sha256"),
  salt: anyHex,
});

const cryptoSection = z.union([
  z.object({
    cipher: z.literal("aes-128-ctr"),
    cipherparams: z.object({ iv: hex(16) }),
    ciphertext: anyHex,
    kdf: z.literal("scrypt"),
    kdfparams: scryptParams,
    mac: hex(32),
  }),
  z.object({
    cipher: z.literal("aes-128-ctr"),
    cipherparams: z.object({ iv: hex(16) }),
    ciphertext: anyHex,
    kdf: z.literal("pbkdf2"),
    kdfparams: pbkdf2Params,
    mac: hex(32),
  }),
]);

export const keystoreSchema = z
  .object({
    version: z.literal(3),
    id: z.string().optional(),
    address: z.string().optional(),
    crypto: cryptoSection.optional(),
    Crypto: cryptoSection.optional(),
  })
  .refine((k) => (k.crypto ?? k.Crypto) !== undefined, { error: "missing the crypto section" });

export type KeystoreV3 = z.input<typeof keystoreSchema>;

export class KeystoreError extends Error {
  override name = "KeystoreError";
}

/** Upper bound for scrypt memory: N=2^18, r=8 needs 256 MiB (128·N·r); allow that plus headroom. */
const SCRYPT_MAX_MEMORY = 512 * 1024 * 1024;

function deriveKey(section: z.output<typeof cryptoSection>, password: string): Buffer {
  const passwordBytes = Buffer.from(password.normalize("NFKC"), "utf8");
  const salt = Buffer.from(section.kdfparams.salt, "hex");
  if (section.kdf === "scrypt") {
    const { n, r, p, dklen } = section.kdfparams;
    if (128 * n * r > SCRYPT_MAX_MEMORY)
      throw new KeystoreError(`scrypt parameters need more than ${SCRYPT_MAX_MEMORY} bytes`);
    return scrypt(passwordBytes, salt, n, r, p, dklen);
  }
  return pbkdf2Sync(passwordBytes, salt, section.kdfparams.c, section.kdfparams.dklen, "sha256");
}

function mac(derived: Buffer, ciphertext: Buffer): Buffer {
  return Buffer.from(hexToBytes(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext]))));
}

/**
 * Decrypts a v3 keystore (object or JSON text) and returns the 32-byte private key.
 * Throws {@link KeystoreError} on a malformed file or a wrong password (MAC mismatch); the
 * messages never include key material.
 */
export function decryptKeystore(keystore: KeystoreV3 | string, password: string): Hex {
  let input: unknown = keystore;
  if (typeof keystore === "string") {
    try {
      input = JSON.parse(keystore);
    } catch {
      throw new KeystoreError("keystore is not valid JSON");
    }
  }
  const parsed = keystoreSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new KeystoreError(`invalid keystore at ${first.path.join(".") || "(root)"}: ${first.message}`);
  }
  const section = (parsed.data.crypto ?? parsed.data.Crypto)!;
  const derived = deriveKey(section, password);
  const ciphertext = Buffer.from(section.ciphertext, "hex");
  if (!timingSafeEqual(mac(derived, ciphertext), Buffer.from(section.mac, "hex"))) {
    throw new KeystoreError("wrong keystore password (MAC mismatch)");
  }
  const decipher = createDecipheriv(
    "aes-128-ctr",
    derived.subarray(0, 16),
    Buffer.from(section.cipherparams.iv, "hex"),
  );
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw new KeystoreError(`decrypted key has ${key.length} bytes, expected 32`);
  return bytesToHex(key);
}

export interface EncryptOptions {
  /** scrypt cost; geth's "standard" is 2^18. Lower only for tests. */
  readonly n?: number;
  readonly r?: number;
  readonly p?: number;
  /** Fixed salt / iv / uuid for reproducible vectors; random when omitted. */
  readonly salt?: Uint8Array;
  readonly iv?: Uint8Array;
  readonly id?: string;
}

/** Encrypts a private key into a v3 keystore (scrypt + AES-128-CTR + keccak MAC). */
export function encryptKeystore(privateKey: Hex, password: string, options: EncryptOptions = {}): KeystoreV3 {
  const key = Buffer.from(hexToBytes(privateKey));
  if (key.length !== 32) throw new KeystoreError("private key must be 32 bytes");
  const salt = Buffer.from(options.salt ?? randomBytes(32));
  const iv = Buffer.from(options.iv ?? randomBytes(16));
  const kdfparams = {
    dklen: 32 as const,
    n: options.n ?? 262_144,
    r: options.r ?? 8,
    p: options.p ?? 1,
    salt: salt.toString("hex"),
  };
  const derived = deriveKey(
    { cipher: "aes-128-ctr", cipherparams: { iv: "" }, ciphertext: "", kdf: "scrypt", kdfparams, mac: "" },
    password,
  );
  const cipher = createCipheriv("aes-128-ctr", derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  return {
    version: 3,
    id: options.id ?? randomUUID(),
    address: privateKeyToAddress(privateKey).slice(2).toLowerCase(),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: "scrypt",
      kdfparams,
      mac: mac(derived, ciphertext).toString("hex"),
    },
  };
}
