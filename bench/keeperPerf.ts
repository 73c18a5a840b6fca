import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { measureThroughput } from "../keeper/backtest/throughput.js";

/** Snapshots scored and sized per second on the recorded set (best of `rounds` passes, one core). */
export async function measureSnapshotsPerSecond(dataDir: string, rounds = 3): Promise<number> {
  return (await measureThroughput({ dataDir, rounds })).snapshotsPerSecond;
}

export interface ReplayRun {
  readonly points: number;
  /** Wall time of `runReplay` (load, replay and report files), tsx start-up excluded. */
  readonly seconds: number;
  /** Peak resident memory of the child process that ran only the replay. */
  readonly peakMB: number;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "replayChild.ts");

/**
 * Runs the full recorded replay in a child Node process (`node --import tsx bench/replayChild.ts`),
 * so its peak memory is measured apart from the chain and everything else the benchmark holds.
 */
export async function measureReplayInChild(dataDir: string): Promise<ReplayRun> {
  const outDir = await mkdtemp(path.join(tmpdir(), "bench-replay-"));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, dataDir, outDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`replay child exited with ${code}: ${stderr.trim()}`));
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        const run = JSON.parse(line) as ReplayRun;
        if (![run.points, run.seconds, run.peakMB].every((n) => typeof n === "number" && Number.isFinite(n)))
          throw new Error("missing numbers");
        resolve(run);
      } catch (error) {
        reject(new Error(`replay child printed no result (${String(error)}): ${line}`));
      }
    });
  });
}
