import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync } from "node:fs";
import type { Hex } from "viem";

/**
 * A `keeper run` process (`node --import tsx keeper/cli.ts run`, so a signal hits the keeper
 * itself), its JSON log lines collected from stderr. With KILL_ROUNDS_LOG set, each keeper's lines
 * are also appended to `<KILL_ROUNDS_LOG>-<name>.log`.
 */
export interface KeeperProcess {
  readonly name: string;
  child: ChildProcess;
  lines: string[];
  starts: number;
}

export function startKeeper(
  env: Record<string, string>,
  keeper: Pick<KeeperProcess, "name"> & Partial<KeeperProcess>,
  configFile: string,
  privateKey: Hex,
  extraArgs: readonly string[] = [],
): KeeperProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "keeper/cli.ts", "run", "--config", configFile, ...extraArgs],
    {
      cwd: process.cwd(),
      env: { ...process.env, ...env, KEEPER_PRIVATE_KEY: privateKey },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const k = keeper as KeeperProcess;
  k.child = child;
  k.lines = [];
  k.starts = (keeper.starts ?? 0) + 1;
  let buffer = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    k.lines.push(...parts);
    if (process.env.KILL_ROUNDS_LOG)
      appendFileSync(`${process.env.KILL_ROUNDS_LOG}-${k.name}.log`, parts.map((l) => `${l}\n`).join(""));
  });
  return k;
}

/** Resolves with the exit code once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Polls `fn` every 50 ms until it returns a value; throws after `ms`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const until = performance.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends SIGTERM and waits up to `boundMs`; a process still running then is killed and reported hung. */
export async function stopKeeper(
  k: KeeperProcess,
  boundMs = 20_000,
): Promise<{ name: string; code: number | null | "hung"; ms: number }> {
  const started = performance.now();
  k.child.kill("SIGTERM");
  const code = await Promise.race([
    exited(k.child),
    new Promise<"hung">((r) => setTimeout(() => r("hung"), boundMs)),
  ]);
  if (code === "hung") k.child.kill("SIGKILL");
  return { name: k.name, code, ms: performance.now() - started };
}
