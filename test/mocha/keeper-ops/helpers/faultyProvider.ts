import { HttpRequestError } from "viem";

/** The EIP-1193 shape the Hardhat provider and viem's `custom` transport share. */
export interface Eip1193Like {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/**
 * `error`: fail before the node sees the request. `after`: let the node process it, then lose the
 * response (the case that makes naive retries double-send). `timeout`: never answer.
 */
export type FaultMode = "error" | "after" | "timeout";

export interface FaultRule {
  readonly method: string;
  readonly mode: FaultMode;
  /** How many matching calls fail; later ones pass through. */
  times: number;
}

/**
 * Wraps an EIP-1193 provider and injects transport faults on chosen methods. Counts every call per
 * method so tests can assert how often the keeper asked.
 */
export function faultyProvider(inner: Eip1193Like) {
  const rules: FaultRule[] = [];
  const calls = new Map<string, number>();
  const provider: Eip1193Like = {
    async request(args) {
      calls.set(args.method, (calls.get(args.method) ?? 0) + 1);
      const rule = rules.find((r) => r.method === args.method && r.times > 0);
      if (!rule) return inner.request(args);
      rule.times--;
      const failure = new HttpRequestError({
        url: "http://127.0.0.1/fault",
        status: 503,
        details: `injected fault on ${args.method}`,
      });
      if (rule.mode === "timeout") return new Promise(() => undefined);
      if (rule.mode === "after") {
        await inner.request(args);
        throw failure;
      }
      throw failure;
    },
  };
  return {
    provider,
    inject(rule: FaultRule) {
      rules.push(rule);
    },
    clear() {
      rules.length = 0;
    },
    count(method: string) {
      return calls.get(method) ?? 0;
    },
    resetCounts() {
      calls.clear();
    },
  };
}
