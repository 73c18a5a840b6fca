import { createPublicClient, http, type PublicClient } from "viem";

/** The page's chain reads go through the dashboard server's /rpc pass-through (counted there). */
export const publicClient = createPublicClient({
  transport: http(`${location.origin}/rpc`, { retryCount: 0 }),
  cacheTime: 0,
}) as PublicClient;

/**
 * A failure as the user should read it: the contract's error name and arguments, decoded by the
 * project's decoder (keeper/chain/decode.ts). Loaded on the first failure: it carries every product
 * ABI, which no view needs to paint.
 */
export async function describe(error: unknown): Promise<string> {
  const { productErrorDecoder } = await import("../../keeper/vault/decoder.js");
  const text = productErrorDecoder().describeError(error);
  return text.split("\n")[0] ?? String(error);
}
