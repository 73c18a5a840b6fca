import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { type Address, type Hex, getAddress, isAddress, isHex, recoverTypedDataAddress } from "viem";

/**
 * Polymarket's two authentication levels, as the real CLOB checks them.
 * - L1: an EIP-712 `ClobAuth` signature by the wallet (headers POLY_ADDRESS, POLY_SIGNATURE,
 *   POLY_TIMESTAMP, POLY_NONCE) creates or derives an API key.
 * - L2: every trading request carries the API key, its passphrase and an HMAC-SHA256 (key = the
 *   base64 secret) of `timestamp + method + path + body`, url-safe base64 (headers POLY_ADDRESS,
 *   POLY_SIGNATURE, POLY_TIMESTAMP, POLY_API_KEY, POLY_PASSPHRASE).
 */

export const CLOB_AUTH_MESSAGE = "This message attests that I control the given wallet";

export const CLOB_AUTH_TYPES = {
  ClobAuth: [
    { name: "address", type: "address" },
    { name: "timestamp", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "message", type: "string" },
  ],
} as const;

export interface ApiCredentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
  readonly address: Address;
  readonly nonce: bigint;
}

/** An authentication failure, answered with HTTP 401 and the real API's message. */
export class AuthError extends Error {}

export const INVALID_L1_HEADERS = "Invalid L1 Request headers";
export const INVALID_API_KEY = "Unauthorized/Invalid api key";

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

function withinWindow(timestamp: string, nowSeconds: number, windowSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Number(timestamp) - nowSeconds) <= windowSeconds;
}

/** The API keys the service has issued, per (address, nonce) and per key. */
export class ApiKeyStore {
  private readonly byKey = new Map<string, ApiCredentials>();
  private readonly byOwner = new Map<string, ApiCredentials>();

  constructor(
    private readonly chainId: number,
    /** seconds a signed timestamp may differ from the service's clock */
    private readonly windowSeconds: number,
  ) {}

  /** Checks the L1 headers; returns the proven address and the nonce. */
  async verifyL1(headers: Headers, nowSeconds: number): Promise<{ address: Address; nonce: bigint }> {
    const address = header(headers, "POLY_ADDRESS");
    const signature = header(headers, "POLY_SIGNATURE");
    const timestamp = header(headers, "POLY_TIMESTAMP");
    const nonceText = header(headers, "POLY_NONCE") ?? "0";
    if (
      !address ||
      !isAddress(address) ||
      !signature ||
      !isHex(signature) ||
      !timestamp ||
      !/^\d{1,78}$/.test(nonceText) ||
      !withinWindow(timestamp, nowSeconds, this.windowSeconds)
    )
      throw new AuthError(INVALID_L1_HEADERS);
    const nonce = BigInt(nonceText);
    let signer: Address;
    try {
      signer = await recoverTypedDataAddress({
        domain: { name: "ClobAuthDomain", version: "1", chainId: this.chainId },
        types: CLOB_AUTH_TYPES,
        primaryType: "ClobAuth",
        message: { address: getAddress(address), timestamp, nonce, message: CLOB_AUTH_MESSAGE },
        signature: signature as Hex,
      });
    } catch {
      throw new AuthError(INVALID_L1_HEADERS);
    }
    if (signer !== getAddress(address)) throw new AuthError(INVALID_L1_HEADERS);
    return { address: signer, nonce };
  }

  /** `POST /auth/api-key`: a new key for (address, nonce), or undefined when that nonce already has one. */
  create(address: Address, nonce: bigint): ApiCredentials | undefined {
    const owner = `${address}:${nonce}`;
    if (this.byOwner.has(owner)) return undefined;
    const creds: ApiCredentials = {
      apiKey: randomUUID(),
      secret: randomBytes(32).toString("base64url") + "=",
      passphrase: randomBytes(32).toString("hex"),
      address,
      nonce,
    };
    this.byOwner.set(owner, creds);
    this.byKey.set(creds.apiKey, creds);
    return creds;
  }

  /** `GET /auth/derive-api-key`: the key created earlier for (address, nonce). */
  derive(address: Address, nonce: bigint): ApiCredentials | undefined {
    return this.byOwner.get(`${address}:${nonce}`);
  }

  keysOf(address: Address): ApiCredentials[] {
    return [...this.byKey.values()].filter((c) => c.address === address);
  }

  revoke(apiKey: string): void {
    const creds = this.byKey.get(apiKey);
    if (!creds) return;
    this.byKey.delete(apiKey);
    this.byOwner.delete(`${creds.address}:${creds.nonce}`);
  }

  /** Checks the L2 headers of a request over its exact path and raw body; returns the key's credentials. */
  verifyL2(headers: Headers, method: string, path: string, body: string, nowSeconds: number): ApiCredentials {
    const apiKey = header(headers, "POLY_API_KEY");
    const passphrase = header(headers, "POLY_PASSPHRASE");
    const address = header(headers, "POLY_ADDRESS");
    const signature = header(headers, "POLY_SIGNATURE");
    const timestamp = header(headers, "POLY_TIMESTAMP");
    const creds = apiKey ? this.byKey.get(apiKey) : undefined;
    if (
      !creds ||
      !passphrase ||
      !address ||
      !signature ||
      !timestamp ||
      !isAddress(address) ||
      getAddress(address) !== creds.address ||
      !safeEqual(passphrase, creds.passphrase) ||
      !withinWindow(timestamp, nowSeconds, this.windowSeconds) ||
      !safeEqual(signature, hmacSignature(creds.secret, timestamp, method, path, body))
    )
      throw new AuthError(INVALID_API_KEY);
    return creds;
  }
}

/** The L2 signature: HMAC-SHA256 keyed by the base64 (or base64url) secret, url-safe base64 with padding. */
export function hmacSignature(
  secret: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  const key = Buffer.from(secret.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const digest = createHmac("sha256", key)
    .update(timestamp + method + path + body)
    .digest("base64");
  return digest.replace(/\+/g, "-").replace(/\//g, "_");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
