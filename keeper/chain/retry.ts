import { BaseError } from "viem";

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Each attempt is abandoned (and counted as a transient failure) after this long. */
  readonly rpcTimeoutMs: number;
}

export class RpcTimeoutError extends Error {
  override name = "RpcTimeoutError";
  constructor(
    readonly label: string,
    readonly timeoutMs: number,
  ) {
    super(`${label} timed out after ${timeoutMs} ms`);
  }
}

export class RetriesExhaustedError extends Error {
  override name = "RetriesExhaustedError";
  constructor(
    readonly label: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`${label} failed after ${attempts} attempts: ${errorMessage(cause)}`);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every error in the `cause` chain, outermost first. From the first viem error on, viem's own
 * `BaseError.walk` follows the chain; the links above it (this keeper's errors, or any other that
 * wraps one in `cause`) are followed here, at most 20 and never around a cycle.
 */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 20 && !chain.includes(current)) {
    if (current instanceof BaseError) {
      current.walk((e) => {
        chain.push(e);
        return false;
      });
      return chain;
    }
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

const REVERT_NAMES = new Set(["ExecutionRevertedError", "ContractFunctionRevertedError", "RawContractError"]);
const TRANSIENT_NAMES = new Set([
  "RpcTimeoutError",
  "TimeoutError",
  "HttpRequestError",
  "WebSocketRequestError",
  "SocketClosedError",
  "LimitExceededRpcError",
  "ResourceUnavailableRpcError",
  "InternalRpcError",
  "ProviderDisconnectedError",
  "ChainDisconnectedError",
]);
const TRANSIENT_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);
const TRANSIENT_TEXT =
  /(timed? ?out|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|rate limit|too many requests)/i;

/** True when the chain said the call itself fails (a revert): retrying cannot change that. */
export function isRevert(error: unknown): boolean {
  return causeChain(error).some((e) => {
    const name = (e as { name?: string }).name ?? "";
    if (REVERT_NAMES.has(name)) return true;
    const message = e instanceof Error ? e.message : "";
    return /execution reverted|reverted with|VM Exception/i.test(message);
  });
}

/** True for failures of the transport or node (timeouts, 5xx, rate limits) that a retry may cure. */
export function isTransient(error: unknown): boolean {
  if (isRevert(error)) return false;
  return causeChain(error).some((e) => {
    const name = (e as { name?: string }).name ?? "";
    const status = (e as { status?: unknown }).status;
    if (TRANSIENT_NAMES.has(name)) return true;
    if (typeof status === "number" && TRANSIENT_HTTP.has(status)) return true;
    return e instanceof Error && TRANSIENT_TEXT.test(e.message);
  });
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

export function withTimeout<T>(work: Promise<T>, timeoutMs: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RpcTimeoutError(label, timeoutMs)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface RetryHooks {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly onRetry?: (info: { label: string; attempt: number; delayMs: number; error: unknown }) => void;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` with a per-attempt timeout, retrying transient failures with jittered exponential
 * backoff. Reverts and other non-transient errors are rethrown at once, unretried.
 */
export async function withRetry<T>(
  label: string,
  fn: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const random = hooks.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTimeout(fn(), policy.rpcTimeoutMs, label);
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.maxRetries) throw new RetriesExhaustedError(label, attempt + 1, error);
      const delayMs = backoffDelay(attempt, policy, random);
      hooks.onRetry?.({ label, attempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}
