import { createPublicClient, http, type PublicClient } from "viem";
import { productErrorDecoder } from "../../keeper/vault/decoder.js";

/** The page's chain reads go through the dashboard server's /rpc pass-through (counted there). */
export const publicClient = createPublicClient({
  transport: http(`${location.origin}/rpc`, { retryCount: 0 }),
  cacheTime: 0,
}) as PublicClient;

/** The project's decoder: revert data → error name and arguments. */
export const decoder = productErrorDecoder();

/** A failure as the user should read it: the contract's error with its arguments when there is one. */
export function describe(error: unknown): string {
  const text = decoder.describeError(error);
  return text.split("\n")[0] ?? String(error);
}
