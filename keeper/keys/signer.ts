import { readFileSync } from "node:fs";
import type { Hex, LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Logger } from "../log/logger.js";
import { decryptKeystore, KeystoreError } from "./keystore.js";

export interface SignerSource {
  /** Path of a v3 keystore; its password is read from `passwordEnv`. Wins over `privateKeyEnv`. */
  readonly keystorePath?: string;
  readonly passwordEnv: string;
  /** Env var holding a raw 32-byte hex private key, used when no keystore is configured. */
  readonly privateKeyEnv: string;
}

export class SignerError extends Error {
  override name = "SignerError";
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Loads the operator's signing key as a viem LocalAccount, from an encrypted keystore (password
 * from the environment) or from an env var. The key and password are registered with `logger`
 * so they are redacted should they ever reach a log line; errors never contain them.
 */
export function loadSigner(source: SignerSource, env: NodeJS.ProcessEnv, logger?: Logger): LocalAccount {
  let privateKey: Hex;
  if (source.keystorePath !== undefined) {
    const password = env[source.passwordEnv];
    if (password === undefined || password.length === 0) {
      throw new SignerError(
        `keystore ${source.keystorePath} needs its password in env ${source.passwordEnv}`,
      );
    }
    logger?.addSecret(password);
    let text: string;
    try {
      text = readFileSync(source.keystorePath, "utf8");
    } catch (error) {
      throw new SignerError(
        `cannot read keystore ${source.keystorePath}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
    try {
      privateKey = decryptKeystore(text, password);
    } catch (error) {
      if (error instanceof KeystoreError)
        throw new SignerError(`keystore ${source.keystorePath}: ${error.message}`);
      throw error;
    }
  } else {
    const raw = env[source.privateKeyEnv]?.trim();
    if (raw === undefined || raw.length === 0) {
      throw new SignerError(
        `no signer configured: set signer.keystorePath (password in ${source.passwordEnv}) or env ${source.privateKeyEnv}`,
      );
    }
    const prefixed = raw.startsWith("0x") ? raw : `0x${raw}`;
    if (!PRIVATE_KEY.test(prefixed)) {
      throw new SignerError(`env ${source.privateKeyEnv} is not a 32-byte hex private key (value not shown)`);
    }
    privateKey = prefixed as Hex;
  }
  logger?.addSecret(privateKey);
  return privateKeyToAccount(privateKey);
}
