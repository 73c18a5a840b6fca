import { http, type HttpTransport } from "viem";

/**
 * Largest JSON-RPC response body the keeper reads (`chain.maxResponseBytes`). The keeper's own
 * calls answer in kilobytes; the largest are `eth_getLogs` pages of gate events, well under 1 MB.
 */
export const DEFAULT_MAX_RPC_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface RpcTransportOptions {
  /** Per-request limit, covering the headers and the whole body. */
  readonly timeoutMs: number;
  /** Larger bodies are refused with viem's `ResponseBodyTooLargeError`. */
  readonly maxResponseBytes?: number;
}

/**
 * The keeper's HTTP JSON-RPC transport. viem streams the body and stops reading (cancelling the
 * rest) once it passes `maxResponseBytes`, or before reading when `content-length` announces more,
 * so memory stays bounded whatever the node sends; the same rule as the venue adapters'
 * `readBodyCapped` in keeper/signals/http.ts. The refusal is not a transient error, so the
 * keeper's retries (keeper/chain/retry.ts) do not ask again. viem's own retries are off: the
 * keeper's retry policy decides.
 */
export function rpcTransport(url: string, options: RpcTransportOptions): HttpTransport {
  return http(url, {
    retryCount: 0,
    timeout: options.timeoutMs,
    maxResponseBodySize: options.maxResponseBytes ?? DEFAULT_MAX_RPC_RESPONSE_BYTES,
  });
}
