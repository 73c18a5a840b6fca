import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The "Dashboard" section of docs/benchmarks.md, rendered from bench/dashboard-results.json
 * (written by `npm run bench:dashboard`, bench/dashboard.ts). Kept between markers so that both
 * `npm run bench` (which regenerates the page) and `npm run bench:dashboard` keep it current.
 */

const START = "<!-- dashboard-benchmark -->";
const END = "<!-- /dashboard-benchmark -->";

interface DashboardResults {
  readonly measuredAt: string;
  readonly setup: string;
  readonly machineLoad?: { loadAverage1mBefore: number; loadAverage1mAfter: number; cores: number };
  readonly targets: { firstMeaningfulPaintMs: number; chart1000RenderMs: number; rpcCallsPerRefresh: number };
  readonly firstMeaningfulPaint: Record<string, { medianMs: number; maxMs: number }>;
  readonly chart1000: { renderMedianMs: number; renderMaxMs: number; pageLoadMedianMs: number };
  readonly rpcCalls: Record<
    string,
    {
      firstLoad: { page: number; server: number; total: number };
      perRefresh: { page: number; server: number; total: number };
    }
  >;
}

const verdict = (value: number, target: number) =>
  value <= target ? "met" : `**MISSED by ${Math.round(value - target)}**`;

export function renderDashboardSection(r: DashboardResults): string {
  const t = r.targets;
  const paint = Object.entries(r.firstMeaningfulPaint).map(
    ([view, p]) =>
      `| ${view} | ${p.medianMs} ms | ${p.maxMs} ms | ≤ ${t.firstMeaningfulPaintMs} ms (median): ${verdict(p.medianMs, t.firstMeaningfulPaintMs)} |`,
  );
  const rpc = Object.entries(r.rpcCalls).map(
    ([view, c]) =>
      `| ${view} | ${c.firstLoad.total} (page ${c.firstLoad.page}, server ${c.firstLoad.server}) | ${c.perRefresh.total} (page ${c.perRefresh.page}, server ${c.perRefresh.server}) | ≤ ${t.rpcCallsPerRefresh}: ${verdict(c.perRefresh.total, t.rpcCallsPerRefresh)} |`,
  );
  return `${START}
## Dashboard

Measured by \`npm run bench:dashboard\` (bench/dashboard.ts) on ${r.measuredAt}: ${r.setup}.${
    r.machineLoad
      ? ` Machine load during the run: 1-minute load average ${r.machineLoad.loadAverage1mBefore} → ${r.machineLoad.loadAverage1mAfter} on ${r.machineLoad.cores} cores (other work running), so the times are upper bounds.`
      : ""
  }
First meaningful paint is the time from navigation to the view's first data-bearing element (the NAV
chart, the position table, the proposals table, the policy editor, the abstentions table) being visible.

| view | first meaningful paint, median | max | target |
| --- | --- | --- | --- |
${paint.join("\n")}

NAV history chart with 1,000 epochs (uPlot; the page's /api/history answer replaced by 1,000 settlements
built from the stack's real ones, 8 h apart): render ${r.chart1000.renderMedianMs} ms median, ${r.chart1000.renderMaxMs} ms max
(≤ ${t.chart1000RenderMs} ms: ${verdict(r.chart1000.renderMaxMs, t.chart1000RenderMs)}); the whole page with it ${r.chart1000.pageLoadMedianMs} ms.

JSON-RPC calls the chain serves, counted at the RPC: the page's reads through the dashboard's \`/rpc\`
and the dashboard server's own (history indexing, deployment check).

| view | first load | per refresh | target |
| --- | --- | --- | --- |
${rpc.join("\n")}
${END}
`;
}

/** Puts the section into docs/benchmarks.md (replacing an older one), when the results exist. */
export function updateBenchmarksMarkdown(markdownFile: string, resultsFile: string): void {
  if (!existsSync(resultsFile) || !existsSync(markdownFile)) return;
  const section = renderDashboardSection(JSON.parse(readFileSync(resultsFile, "utf8")) as DashboardResults);
  const md = readFileSync(markdownFile, "utf8");
  const start = md.indexOf(START);
  const end = md.indexOf(END);
  const next =
    start >= 0 && end > start
      ? `${md.slice(0, start)}${section.trimEnd()}${md.slice(end + END.length)}`
      : `${md.trimEnd()}\n\n${section}`;
  writeFileSync(markdownFile, next);
}
