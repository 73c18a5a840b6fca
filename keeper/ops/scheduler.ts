import { silentLogger, type Logger } from "../log/logger.js";
import type { Store } from "../store/types.js";
import type { AlertSink } from "./alerts.js";

export interface ScheduledTask {
  readonly name: string;
  readonly everyMs: number;
  /**
   * One step. `signal` is aborted when shutdown is requested: a long step may finish early at a
   * safe point, but it is never interrupted from outside.
   */
  run(signal: AbortSignal): Promise<void>;
}

export interface TaskStats {
  runs: number;
  failures: number;
  lastRunAt?: number;
  lastDurationMs?: number;
  lastError?: string;
}

export interface SchedulerOptions {
  readonly tasks: readonly ScheduledTask[];
  readonly logger?: Logger;
  readonly alerts?: AlertSink;
  /** Persists each task's last run so a restart (or another operator on the store) keeps the cadence. */
  readonly store?: Store;
  readonly now?: () => number;
  readonly onStep?: (task: string, outcome: "ok" | "failed", durationMs: number) => void;
}

const STATE_PREFIX = "scheduler:lastRun:";
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs tasks on their cadence, one step at a time (steps never overlap, so a settle and a
 * rebalance cannot race each other's nonces). A failing step is logged, counted and alerted; the
 * loop goes on. `stop()` lets the running step finish, then resolves.
 */
export class Scheduler {
  readonly stats = new Map<string, TaskStats>();
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private readonly now: () => number;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: SchedulerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    const names = new Set<string>();
    for (const task of options.tasks) {
      if (names.has(task.name)) throw new Error(`duplicate task name ${task.name}`);
      if (!(task.everyMs > 0)) throw new Error(`task ${task.name}: everyMs must be positive`);
      names.add(task.name);
      this.stats.set(task.name, { runs: 0, failures: 0 });
    }
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts the loop (idempotent) and returns a promise that settles when it has stopped. */
  start(): Promise<void> {
    this.loop ??= this.runLoop();
    return this.loop;
  }

  /** Requests shutdown and waits for the current step to finish. */
  async stop(reason = "stop requested"): Promise<void> {
    if (!this.stopping) {
      this.logger.info("scheduler stopping", { reason });
      this.controller.abort(reason);
      this.wake?.();
    }
    await this.loop;
  }

  private async runLoop(): Promise<void> {
    const nextRun = new Map<string, number>();
    for (const task of this.options.tasks) {
      const last = Number((await this.options.store?.getState(STATE_PREFIX + task.name)) ?? Number.NaN);
      nextRun.set(task.name, Number.isFinite(last) ? last + task.everyMs : this.now());
    }
    while (!this.stopping) {
      for (const task of this.options.tasks) {
        if (this.stopping) break;
        if (this.now() < nextRun.get(task.name)!) continue;
        await this.step(task);
        nextRun.set(task.name, this.now() + task.everyMs);
      }
      if (this.stopping) break;
      const wakeAt = nextRun.size > 0 ? Math.min(...nextRun.values()) : Number.POSITIVE_INFINITY;
      await this.sleep(Math.max(0, wakeAt - this.now()));
    }
    this.logger.info("scheduler stopped");
  }

  private async step(task: ScheduledTask): Promise<void> {
    const stats = this.stats.get(task.name)!;
    const started = this.now();
    try {
      await task.run(this.controller.signal);
      stats.runs++;
      stats.lastError = undefined;
      this.options.onStep?.(task.name, "ok", this.now() - started);
    } catch (error) {
      stats.runs++;
      stats.failures++;
      stats.lastError = (error as Error).message ?? String(error);
      this.options.onStep?.(task.name, "failed", this.now() - started);
      this.logger.error("task step failed", { task: task.name, error });
      await this.options.alerts?.send({
        kind: "task-failed",
        severity: "warn",
        subject: task.name,
        message: `${task.name} step failed: ${stats.lastError}`,
      });
    }
    stats.lastRunAt = started;
    stats.lastDurationMs = this.now() - started;
    try {
      await this.options.store?.setState(STATE_PREFIX + task.name, String(started));
    } catch (error) {
      this.logger.error("could not persist task run time", { task: task.name, error });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Node fires timers longer than 2^31-1 ms at once; with nothing due, wait for stop() instead.
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(ms, MAX_TIMER_MS)) : undefined;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * On SIGINT/SIGTERM: stop the scheduler (the running step finishes), then run `close` (close the
 * store, the HTTP server). A second signal while stopping is ignored rather than killing the step.
 * Returns a function removing the handlers.
 */
export function installGracefulShutdown(
  scheduler: Scheduler,
  close: () => Promise<void>,
  options: { readonly logger?: Logger; readonly signals?: readonly NodeJS.Signals[] } = {},
): () => void {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const logger = options.logger ?? silentLogger;
  let shuttingDown = false;
  const handler = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn("shutdown already in progress", { signal });
      return;
    }
    shuttingDown = true;
    logger.info("shutdown signal received", { signal });
    void scheduler
      .stop(signal)
      .then(close)
      .catch((error: unknown) => logger.error("error during shutdown", { error }));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
