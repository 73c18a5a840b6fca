import { readFileSync } from "node:fs";
import { runReplay } from "../keeper/backtest/replay.js";

// Child process of the benchmark: runs the full recorded replay alone, so the peak resident memory
// it reports (VmHWM) is the replay's own. Usage: tsx bench/replayChild.ts <dataDir> <outDir>.
// Prints one JSON line: {"points", "seconds", "peakMB"}.

const [dataDir, outDir] = process.argv.slice(2);
if (!dataDir || !outDir) throw new Error("usage: tsx bench/replayChild.ts <dataDir> <outDir>");

/** Peak resident set size in MiB: /proc's VmHWM where there is one, else the kernel's maxRSS. */
function peakResidentMB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall through to resourceUsage
  }
  return process.resourceUsage().maxRSS / 1024;
}

const started = performance.now();
const report = await runReplay({ dataDir, outDir });
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ points: report.dataset.points, seconds, peakMB: peakResidentMB() }));
