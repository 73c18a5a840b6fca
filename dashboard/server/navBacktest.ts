import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson } from "../../keeper/multisig/provenance.js";
import type { AllocationPolicy } from "../../keeper/strategy/policy.js";

/**
 * The strategist's NAV backtest: `scripts/policy-backtest.ts` (the `npm start` stack on a fresh
 * local chain, the real keeper cycle over the recorded market the policy reads, 8 recorded hours
 * an epoch) run as a child process, its report.json handed to the page. It takes seconds, so the
 * period is limited to `epochs` epochs from the recorded window's start, one replay runs at a
 * time, and each policy's result is cached (by its canonical JSON) for the server's lifetime.
 */

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = path.join(REPO_ROOT, "scripts/policy-backtest.ts");
const TSX = path.join(REPO_ROOT, "node_modules/.bin/tsx");
/** A replay that has not finished by then is stopped and reported as failed. */
const TIMEOUT_MS = 180_000;

export type NavBacktestState =
  | { readonly status: "running"; readonly startedAt: number }
  | { readonly status: "done"; readonly ms: number; readonly report: unknown }
  | { readonly status: "failed"; readonly reason: string };

export interface NavBacktestAnswer {
  readonly available: boolean;
  readonly reason?: string;
  readonly key?: string;
  readonly epochs?: number;
  readonly epochHours?: number;
  readonly state?: NavBacktestState;
}

export class NavBacktests {
  private readonly results = new Map<string, NavBacktestState>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly epochs: number) {}

  /** Whether the replay can run here: it deploys the product, so it needs the repository's build. */
  static problem(): string | undefined {
    if (!existsSync(SCRIPT) || !existsSync(TSX))
      return "the NAV replay runs scripts/policy-backtest.ts, which is not in this installation";
    if (!existsSync(path.join(REPO_ROOT, "artifacts")))
      return "the NAV replay deploys the product on a local chain: build it first (npx hardhat build)";
    return undefined;
  }

  private answer(key: string): NavBacktestAnswer {
    return { available: true, key, epochs: this.epochs, epochHours: 8, state: this.results.get(key)! };
  }

  /** The policy's replay: started (queued behind a running one) on the first request, then its cached state. */
  request(policy: AllocationPolicy): NavBacktestAnswer {
    const key = createHash("sha256").update(canonicalJson(policy)).digest("hex").slice(0, 16);
    const known = this.results.get(key);
    if (known && known.status !== "failed") return this.answer(key);
    this.results.set(key, { status: "running", startedAt: Date.now() });
    this.queue = this.queue.then(() => this.run(key, policy));
    return this.answer(key);
  }

  state(key: string): NavBacktestAnswer | undefined {
    return this.results.has(key) ? this.answer(key) : undefined;
  }

  private async run(key: string, policy: AllocationPolicy): Promise<void> {
    const dir = mkdtempSync(path.join(tmpdir(), "dashboard-nav-backtest-"));
    const started = Date.now();
    try {
      const policyFile = path.join(dir, "policy.json");
      await writeFile(policyFile, JSON.stringify(policy));
      const out = path.join(dir, "out");
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          TSX,
          [SCRIPT, "--policy", policyFile, "--epochs", String(this.epochs), "--out", out],
          { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
        );
        let text = "";
        child.stderr.on("data", (chunk: Buffer) => {
          text = (text + chunk.toString("utf8")).slice(-4000);
        });
        const timer = setTimeout(() => child.kill("SIGTERM"), TIMEOUT_MS);
        child.once("error", reject);
        child.once("exit", (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else
            reject(
              new Error(
                signal
                  ? `the replay was stopped (${signal}) after ${TIMEOUT_MS / 1000} s`
                  : `the replay exited with ${code}: ${text.trim().split("\n").at(-1) ?? ""}`,
              ),
            );
        });
      });
      const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8")) as unknown;
      this.results.set(key, { status: "done", ms: Date.now() - started, report });
    } catch (error) {
      this.results.set(key, { status: "failed", reason: (error as Error).message });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
