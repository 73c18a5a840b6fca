import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import type { Page } from "playwright-core";
import { startStack, type Stack } from "../test/browser/harness.js";
import type { History, SettlementPoint } from "../dashboard/server/history.js";
import { updateBenchmarksMarkdown } from "./dashboardReport.js";

/**
 * Dashboard benchmark against the local stack (`npm start`'s chain, keeper and dashboard server),
 * in Debian's Chromium: first meaningful paint of each view (navigation → its first data-bearing
 * element visible, fresh browser context each run, so nothing is cached), the render time of the
 * NAV history chart with 1,000 epochs, and the JSON-RPC calls one refresh costs the chain, counted
 * at the RPC: the page's calls through the dashboard's /rpc plus the dashboard server's own.
 * Writes bench/dashboard-results.json.
 */

const RUNS = 5;
const EPOCHS = 4;
const VIEWS = [
  { view: "transparency", selector: "nav-chart", wallet: false },
  { view: "depositor", selector: "position", wallet: true },
  { view: "operator", selector: "proposals", wallet: true },
  { view: "strategist", selector: "policy-text", wallet: false },
  { view: "signals", selector: "abstentions", wallet: false },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function firstPaint(stack: Stack, view: (typeof VIEWS)[number], account: string): Promise<number> {
  const page = await stack.page(view.wallet ? account : undefined);
  const started = performance.now();
  await page.goto(`${stack.dashboard.url}#/${view.view}`);
  if (view.wallet) await page.getByTestId("connect").click();
  await page.getByTestId(view.selector).first().waitFor({ timeout: 10_000 });
  const ms = performance.now() - started;
  await page.context().close();
  return ms;
}

/** 1,000 epochs of history: the stack's real settlements repeated, 8 h apart, NAV drifting. */
function thousandEpochs(real: History): History {
  const base = real.settlements;
  const settlements: SettlementPoint[] = [];
  const t0 = base[0]!.timestamp;
  for (let i = 0; i < 1000; i++) {
    const p = base[i % base.length]!;
    const drift = BigInt(1_000_000 + i * 37);
    settlements.push({
      ...p,
      blockNumber: String(i + 1),
      timestamp: t0 + i * 8 * 3600,
      navAfter: ((BigInt(p.navAfter) * drift) / 1_000_000n).toString(),
      pricePerShare: ((BigInt(p.pricePerShare) * drift) / 1_000_000n).toString(),
    });
  }
  return { ...real, settlements };
}

async function chartOf1000(stack: Stack): Promise<{ renderMs: number; loadMs: number }> {
  const real = (await (await fetch(`${stack.dashboard.url}api/history`)).json()) as History;
  const big = JSON.stringify(thousandEpochs(real));
  const page = await stack.page();
  await page.route("**/api/history", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: big }),
  );
  const started = performance.now();
  await page.goto(stack.dashboard.url);
  const chart = page.getByTestId("nav-chart");
  await chart.waitFor({ timeout: 10_000 });
  const loadMs = performance.now() - started;
  const points = JSON.parse((await chart.getAttribute("data-points"))!) as { x: number[] };
  if (points.x.length !== 1000) throw new Error(`chart has ${points.x.length} points, not 1000`);
  const renderMs = Number(await chart.getAttribute("data-render-ms"));
  await page.context().close();
  return { renderMs, loadMs };
}

/** RPC calls of the first load and of one steady refresh of `view` (the views poll every 4–5 s). */
async function rpcPerRefresh(stack: Stack, view: string, account: string | undefined, ready: string) {
  const page: Page = await stack.page(account);
  const before = stack.dashboard.rpcCalls();
  await page.goto(`${stack.dashboard.url}#/${view}`);
  if (account) await page.getByTestId("connect").click();
  await page.getByTestId(ready).first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  const loaded = stack.dashboard.rpcCalls();
  // one refresh period (5 s) plus margin, then per refresh
  await page.waitForTimeout(10_100);
  const after = stack.dashboard.rpcCalls();
  await page.context().close();
  const total = (a: { page: number; server: number }, b: { page: number; server: number }) =>
    a.page - b.page + a.server - b.server;
  return {
    firstLoad: {
      page: loaded.page - before.page,
      server: loaded.server - before.server,
      total: total(loaded, before),
    },
    perRefresh: {
      page: (after.page - loaded.page) / 2,
      server: (after.server - loaded.server) / 2,
      total: total(after, loaded) / 2,
    },
  };
}

const loadBefore = loadavg()[0]!;
const stack = await startStack({ epochs: EPOCHS });
try {
  const accounts = (await (
    await fetch(stack.session.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_accounts", params: [] }),
    })
  ).json()) as { result: string[] };
  const operator = stack.session.local.stack.addresses.operators[0]!;
  const depositor = accounts.result[13]!;
  const paints: Record<string, { medianMs: number; maxMs: number; runs: number[] }> = {};
  for (const view of VIEWS) {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++)
      runs.push(await firstPaint(stack, view, view.view === "operator" ? operator : depositor));
    paints[view.view] = {
      medianMs: Math.round(median(runs)),
      maxMs: Math.round(Math.max(...runs)),
      runs: runs.map(Math.round),
    };
    console.log(
      `first meaningful paint ${view.view.padEnd(12)} median ${paints[view.view]!.medianMs} ms, max ${paints[view.view]!.maxMs} ms`,
    );
  }
  const charts = [];
  for (let i = 0; i < RUNS; i++) charts.push(await chartOf1000(stack));
  const chart = {
    epochs: 1000,
    renderMedianMs: Number(median(charts.map((c) => c.renderMs)).toFixed(1)),
    renderMaxMs: Number(Math.max(...charts.map((c) => c.renderMs)).toFixed(1)),
    pageLoadMedianMs: Math.round(median(charts.map((c) => c.loadMs))),
  };
  console.log(
    `1,000-epoch NAV chart: render median ${chart.renderMedianMs} ms (max ${chart.renderMaxMs}); page with it ${chart.pageLoadMedianMs} ms`,
  );
  const rpc = {
    transparency: await rpcPerRefresh(stack, "transparency", undefined, "nav-chart"),
    depositor: await rpcPerRefresh(stack, "depositor", depositor, "position"),
  };
  for (const [view, r] of Object.entries(rpc))
    console.log(
      `RPC calls ${view}: first load ${r.firstLoad.total} (page ${r.firstLoad.page}, server ${r.firstLoad.server}); per refresh ${r.perRefresh.total} (page ${r.perRefresh.page}, server ${r.perRefresh.server})`,
    );
  const results = {
    measuredAt: new Date().toISOString(),
    machineLoad: {
      loadAverage1mBefore: Number(loadBefore.toFixed(2)),
      loadAverage1mAfter: Number(loadavg()[0]!.toFixed(2)),
      cores: cpus().length,
    },
    setup: `npm start stack (startDemo) after ${EPOCHS} keeper epochs; Debian Chromium headless via playwright-core; ${RUNS} runs per view, fresh browser context each`,
    targets: { firstMeaningfulPaintMs: 2000, chart1000RenderMs: 1000, rpcCallsPerRefresh: 20 },
    firstMeaningfulPaint: paints,
    chart1000: chart,
    rpcCalls: rpc,
  };
  await writeFile("bench/dashboard-results.json", `${JSON.stringify(results, null, 2)}\n`);
  updateBenchmarksMarkdown("docs/benchmarks.md", "bench/dashboard-results.json");
  console.log("wrote bench/dashboard-results.json and the Dashboard section of docs/benchmarks.md");
} finally {
  await stack.close();
}
