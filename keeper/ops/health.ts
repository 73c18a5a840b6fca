import { statfs } from "node:fs/promises";
import path from "node:path";
import type { StuckSend } from "../chain/sender.js";
import type { Store } from "../store/types.js";
import type { TaskProblem } from "./scheduler.js";

/** What `/health` answers: `ok` only when no reason is named. */
export interface KeeperHealth {
  readonly ok: boolean;
  /** One line per problem, e.g. `task multisig: step running for 300 s, budget 65 s`. */
  readonly reasons: string[];
  readonly checks: Record<string, unknown>;
}

export interface HealthSources {
  readonly scheduler: { readonly stopping: boolean; problems(): TaskProblem[] };
  readonly store: Store;
  /** The SQLite file, to check the free space of its disk; absent for Postgres. */
  readonly storeFile?: string;
  readonly sender?: { stuck(): StuckSend[] };
  /** Resolves when the node answers (e.g. `eth_blockNumber`). */
  readonly rpc: () => Promise<unknown>;
  /** Below this many free bytes on the store's disk the keeper is unhealthy. Default 64 MiB. */
  readonly minFreeBytes?: number;
  /** Each probe gives up after this long and counts as failed. Default 5 s. */
  readonly probeTimeoutMs?: number;
  /** The (costly) integrity check runs at most this often. Default 5 minutes. */
  readonly integrityEveryMs?: number;
  readonly now?: () => number;
}

const HEALTH_KEY = "health:probe";

/** Names a store failure the operator can act on: disk full, corruption, or the raw message. */
export function classifyStoreError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/disk is full|SQLITE_FULL|ENOSPC|no space left|could not extend file|disk_full/i.test(message))
    return `disk full (${message})`;
  if (/malformed|corrupt|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(message))
    return `store corrupt (${message})`;
  return `store unwritable (${message})`;
}

function bounded<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * The keeper's health, from probes that tell the truth: every task completed within its budget,
 * the store accepts a write and passes its integrity check, its disk has room, the sender has no
 * transaction stuck past its replacements, the node answers, and the scheduler is not stopping.
 */
export function createHealthCheck(sources: HealthSources): () => Promise<KeeperHealth> {
  const now = sources.now ?? Date.now;
  const timeout = sources.probeTimeoutMs ?? 5_000;
  let integrity: { at: number; problems: string[] } | undefined;
  return async () => {
    const reasons: string[] = [];
    const checks: Record<string, unknown> = {};

    for (const p of sources.scheduler.problems()) reasons.push(`task ${p.task}: ${p.problem}`);
    checks.scheduler = sources.scheduler.stopping ? "stopping" : "running";
    if (sources.scheduler.stopping) reasons.push("scheduler stopping");

    try {
      await bounded(sources.store.setState(HEALTH_KEY, String(now())), timeout, "store write");
      if (!integrity || now() - integrity.at >= (sources.integrityEveryMs ?? 300_000)) {
        integrity = {
          at: now(),
          problems: await bounded(sources.store.checkIntegrity(), timeout, "store check"),
        };
      }
      checks.store = integrity.problems.length === 0 ? "ok" : integrity.problems;
      if (integrity.problems.length > 0) reasons.push(`store corrupt: ${integrity.problems.join("; ")}`);
    } catch (error) {
      const reason = classifyStoreError(error);
      checks.store = reason;
      reasons.push(reason);
    }

    if (sources.storeFile && sources.storeFile !== ":memory:") {
      try {
        const fs = await statfs(path.dirname(path.resolve(sources.storeFile)));
        const free = Number(fs.bavail) * Number(fs.bsize);
        checks.diskFreeBytes = free;
        const min = sources.minFreeBytes ?? 64 * 1024 * 1024;
        if (free < min) reasons.push(`disk full: ${free} bytes free on the store's disk, below ${min}`);
      } catch (error) {
        checks.diskFreeBytes = (error as Error).message;
      }
    }

    const stuck = sources.sender?.stuck() ?? [];
    checks.sender = stuck.length === 0 ? "ok" : stuck;
    for (const s of stuck)
      reasons.push(
        `sender stuck: ${s.intentId} nonce ${s.nonce} unmined for ${Math.round(s.forMs / 1_000)} s` +
          (s.cancelled ? " (cancel broadcast)" : ""),
      );

    try {
      await bounded(sources.rpc(), timeout, "rpc");
      checks.rpc = true;
    } catch (error) {
      checks.rpc = (error as Error).message.split("\n")[0];
      reasons.push(`rpc: ${checks.rpc}`);
    }
    return { ok: reasons.length === 0, reasons, checks };
  };
}
