import { silentLogger, type Logger } from "../log/logger.js";
import type { Store } from "../store/types.js";
import type { AlertSink } from "./alerts.js";

export interface ScheduledTask {
  readonly name: string;
  readonly everyMs: number;
  /**
   * Tasks of one lane never overlap; lanes run independently, so a stuck step in one never stops
   * another (the monitors keep running while a submission waits). Default: the task's own lane.
   */
  readonly lane?: string;
  /**
   * Longest acceptable time without a completed step; beyond it `/health` reports the task.
   * Default 2 × everyMs + 60 s.
   */
  readonly budgetMs?: number;
  /**
   * One step. `signal` is aborted when shutdown is requested: a long step should finish early at
   * a safe point; one that does not is abandoned after the scheduler's stop timeout.
   */
  run(signal: AbortSignal): Promise<void>;
}

export interface TaskStats {
  runs: number;
  failures: number;
  /** Failed steps in a row (0 after a success). */
  consecutiveFailures: number;
  /** Wall-clock start of the last step (unix ms), as persisted to the store. */
  lastRunAt?: number;
  lastDurationMs?: number;
  lastError?: string;
}

/** One reason the scheduler is not healthy. */
export interface TaskProblem {
  readonly task: string;
  readonly problem: string;
}

export interface SchedulerOptions {
  readonly tasks: readonly ScheduledTask[];
  readonly logger?: Logger;
  readonly alerts?: AlertSink;
  /** Persists each task's last run so a restart (or another operator on the store) keeps the cadence. */
  readonly store?: Store;
  /** Wall clock (unix ms): only for the run times shared through the store. */
  readonly now?: () => number;
  /** Monotonic clock (ms) for every cadence, budget and timeout decision. Default `performance.now`. */
  readonly monotonic?: () => number;
  /** How long `stop()` waits for running steps before giving up on them. Default 10 s. */
  readonly stopTimeoutMs?: number;
  /** A stored run time further than this ahead of the wall clock is distrusted. Default 60 s. */
  readonly futureToleranceMs?: number;
  /** The same failure of a task is logged at most once per this window. Default 60 s. */
  readonly repeatWindowMs?: number;
  readonly onStep?: (task: string, outcome: "ok" | "failed", durationMs: number) => void;
}

const STATE_PREFIX = "scheduler:lastRun:";
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wakeable sleep on the event loop's (monotonic) timers. */
class Sleeper {
  private readonly wakers = new Set<() => void>();
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      // Node fires timers longer than 2^31-1 ms at once; cap and let the loop re-check.
      const timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      this.wakers.add(done);
    });
  }
  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}

/**
 * Runs each lane of tasks in its own loop on a monotonic clock: a clock stepped back or forward
 * changes no cadence, and a step stuck in one lane never delays another. A failing step is logged
 * (identical failures rate-limited), counted and alerted; the loop goes on. `stop()` asks running
 * steps to finish and resolves within `stopTimeoutMs` whatever they do.
 */
export class Scheduler {
  readonly stats = new Map<string, TaskStats>();
  private readonly controller = new AbortController();
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly mono: () => number;
  private readonly sleeper = new Sleeper();
  private readonly startedAt: number;
  /** Monotonic time of each task's last completed step, and of the start of a running one. */
  private readonly completedAt = new Map<string, number>();
  private readonly runningSince = new Map<string, number>();
  private readonly lastLogged = new Map<string, { message: string; at: number; suppressed: number }>();
  private loop?: Promise<void>;

  constructor(private readonly options: SchedulerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.mono = options.monotonic ?? (() => performance.now());
    this.startedAt = this.mono();
    const names = new Set<string>();
    for (const task of options.tasks) {
      if (names.has(task.name)) throw new Error(`duplicate task name ${task.name}`);
      if (!(task.everyMs > 0)) throw new Error(`task ${task.name}: everyMs must be positive`);
      names.add(task.name);
      this.stats.set(task.name, { runs: 0, failures: 0, consecutiveFailures: 0 });
    }
  }

  get stopping(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts the loops (idempotent) and returns a promise that settles when they have stopped. */
  start(): Promise<void> {
    this.loop ??= this.runLanes();
    return this.loop;
  }

  /**
   * Requests shutdown and waits for the running steps, at most `stopTimeoutMs`; steps still
   * running then are abandoned (named in the log) so shutdown is bounded in every state.
   */
  async stop(reason = "stop requested"): Promise<void> {
    if (!this.stopping) {
      this.logger.info("scheduler stopping", { reason });
      this.controller.abort(reason);
      this.sleeper.wakeAll();
    }
    await this.loop;
  }

  /** Tasks without a completed step within their budget, and tasks failing step after step. */
  problems(): TaskProblem[] {
    const now = this.mono();
    const problems: TaskProblem[] = [];
    for (const task of this.options.tasks) {
      const budget = task.budgetMs ?? 2 * task.everyMs + 60_000;
      const since = this.completedAt.get(task.name) ?? this.startedAt;
      const running = this.runningSince.get(task.name);
      if (now - since > budget) {
        problems.push({
          task: task.name,
          problem:
            running !== undefined
              ? `step running for ${Math.round((now - running) / 1_000)} s, budget ${Math.round(budget / 1_000)} s`
              : `no completed step for ${Math.round((now - since) / 1_000)} s, budget ${Math.round(budget / 1_000)} s`,
        });
      }
      const stats = this.stats.get(task.name)!;
      if (stats.consecutiveFailures >= 3)
        problems.push({
          task: task.name,
          problem: `${stats.consecutiveFailures} failed steps in a row: ${stats.lastError}`,
        });
    }
    return problems;
  }

  private async runLanes(): Promise<void> {
    const lanes = new Map<string, ScheduledTask[]>();
    for (const task of this.options.tasks) {
      const lane = task.lane ?? task.name;
      lanes.set(lane, [...(lanes.get(lane) ?? []), task]);
    }
    const loops = Promise.all([...lanes.values()].map((tasks) => this.runLane(tasks)));
    if (lanes.size === 0)
      await new Promise<void>((resolve) => this.controller.signal.addEventListener("abort", () => resolve()));
    const stopped = new Promise<"timeout">((resolve) =>
      this.controller.signal.addEventListener("abort", () => {
        const timer = setTimeout(() => resolve("timeout"), this.options.stopTimeoutMs ?? 10_000);
        timer.unref();
      }),
    );
    if ((await Promise.race([loops, stopped])) === "timeout") {
      this.logger.warn("steps still running at the stop timeout; abandoned", {
        tasks: [...this.runningSince.keys()],
      });
    }
    this.logger.info("scheduler stopped");
  }

  private async runLane(tasks: readonly ScheduledTask[]): Promise<void> {
    const nextRun = new Map<string, number>();
    for (const task of tasks) nextRun.set(task.name, this.mono() + (await this.initialDelay(task)));
    while (!this.stopping) {
      for (const task of tasks) {
        if (this.stopping) break;
        if (this.mono() < nextRun.get(task.name)!) continue;
        await this.step(task);
        nextRun.set(task.name, this.mono() + task.everyMs);
      }
      if (this.stopping) break;
      await this.sleeper.sleep(Math.min(...nextRun.values()) - this.mono());
    }
  }

  /**
   * How long until a task's first step: the rest of its period after the run time stored by this or
   * another operator, never more than one period. A stored time from the future (a clock that was
   * ahead) is distrusted: repaired to now, with a warning, and the task runs at once.
   */
  private async initialDelay(task: ScheduledTask): Promise<number> {
    const key = STATE_PREFIX + task.name;
    let stored: string | undefined;
    try {
      stored = await this.options.store?.getState(key);
    } catch (error) {
      this.logger.error("could not read task run time", { task: task.name, error });
    }
    const last = Number(stored ?? Number.NaN);
    if (!Number.isFinite(last)) return 0;
    const now = this.now();
    if (last > now + (this.options.futureToleranceMs ?? 60_000)) {
      this.logger.warn("stored task run time is in the future; distrusted and repaired", {
        task: task.name,
        stored: new Date(last).toISOString(),
        now: new Date(now).toISOString(),
      });
      await this.options.store?.setState(key, String(now)).catch(() => {});
      return 0;
    }
    return Math.min(task.everyMs, Math.max(0, last + task.everyMs - now));
  }

  private async step(task: ScheduledTask): Promise<void> {
    const stats = this.stats.get(task.name)!;
    const startedWall = this.now();
    const started = this.mono();
    this.runningSince.set(task.name, started);
    try {
      await task.run(this.controller.signal);
      stats.runs++;
      stats.consecutiveFailures = 0;
      stats.lastError = undefined;
      this.options.onStep?.(task.name, "ok", this.mono() - started);
    } catch (error) {
      stats.runs++;
      stats.failures++;
      stats.consecutiveFailures++;
      stats.lastError = (error as Error).message ?? String(error);
      this.options.onStep?.(task.name, "failed", this.mono() - started);
      this.logFailure(task.name, stats.lastError, error);
      await this.options.alerts?.send({
        kind: "task-failed",
        severity: "warn",
        subject: task.name,
        message: `${task.name} step failed: ${stats.lastError}`,
      });
    } finally {
      this.runningSince.delete(task.name);
    }
    this.completedAt.set(task.name, this.mono());
    stats.lastRunAt = startedWall;
    stats.lastDurationMs = Math.round(this.mono() - started);
    if (this.stopping) return;
    try {
      await this.options.store?.setState(STATE_PREFIX + task.name, String(startedWall));
    } catch (error) {
      this.logFailure(`${task.name}:persist`, (error as Error).message, error);
    }
  }

  /** Logs a failure, but the same message for the same task only once per repeat window. */
  private logFailure(key: string, message: string, error: unknown): void {
    const now = this.mono();
    const window = this.options.repeatWindowMs ?? 60_000;
    const last = this.lastLogged.get(key);
    if (last && last.message === message && now - last.at < window) {
      last.suppressed++;
      return;
    }
    this.lastLogged.set(key, { message, at: now, suppressed: 0 });
    this.logger.error("task step failed", {
      task: key,
      error,
      ...(last && last.suppressed > 0 ? { repeatsSuppressed: last.suppressed } : {}),
    });
  }
}

/**
 * On SIGINT/SIGTERM: stop the scheduler (running steps finish, or are abandoned after its stop
 * timeout), then run `close` (close the store, the HTTP server). A second signal while stopping is
 * ignored rather than killing a step.
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
