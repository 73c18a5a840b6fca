import type { AdapterStats } from "./types.js";

/** Transport settings shared by every HTTP adapter. */
export interface HttpOptions {
  readonly baseUrl: string;
  /** Per-attempt timeout. */
  readonly timeoutMs?: number;
  /** Extra attempts after the first one, on network errors, timeouts, 429 and 5xx. */
  readonly retries?: number;
  /** First backoff delay; doubles each retry. */
  readonly backoffMs?: number;
  /** Extra request headers (e.g. Kalshi's signed auth headers, built by the caller). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest response body read; a longer one is cut off at this size and refused. */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 2;
export const DEFAULT_BACKOFF_MS = 250;
/** A venue's largest real answer (a full market list page) is well under 1 MB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Upper bound on any configured retry count, so a typo cannot hammer a venue. */
export const MAX_RETRIES = 5;

export type HttpResult =
  { ok: true; body: unknown; status: number } | { ok: false; reason: string; status: number | null };

export function buildUrl(
  baseUrl: string,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  const url = new URL(path.replace(/^\//, ""), baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
  }
  return url.toString();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Reads a response body as UTF-8 text, streaming, and stops (cancelling the rest) as soon as it
 * passes `maxBytes`: returns undefined then. Memory stays within about `maxBytes` whatever the
 * server sends or announces.
 */
export async function readBodyCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join("");
}

/**
 * GETs JSON with a per-attempt timeout and bounded exponential backoff. Never throws: failures
 * come back as `{ ok: false, reason }` and are counted in `stats`.
 */
export async function getJson(url: string, options: HttpOptions, stats: AdapterStats): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.min(Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES)), MAX_RETRIES);
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  let last: HttpResult = { ok: false, reason: "not attempted", status: null };
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      stats.retries += 1;
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
    stats.requests += 1;
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json", ...options.headers },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await readBodyCapped(response, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (text === undefined) {
        last = {
          ok: false,
          reason: `response body larger than ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`,
          status: response.status,
        };
        break;
      }
      if (!response.ok) {
        last = { ok: false, reason: `HTTP ${response.status}`, status: response.status };
        if (retryable(response.status)) continue;
        break;
      }
      try {
        return { ok: true, body: JSON.parse(text), status: response.status };
      } catch {
        last = { ok: false, reason: "response is not JSON", status: response.status };
        break;
      }
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      last = {
        ok: false,
        reason: name === "TimeoutError" ? `timeout after ${timeoutMs} ms` : `network error: ${String(error)}`,
        status: null,
      };
    }
  }
  stats.httpErrors += 1;
  return last;
}
