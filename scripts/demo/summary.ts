import { formatUnits } from "viem";
import { LOCAL_CONNECTOR_KEYS } from "../../deploy/local/keeperConfig.js";
import type { DemoSummary, EpochRow, SwapRecord } from "./run.js";

/** The policy's connector keys the demo vault has; "idle" is the vault itself. */
export type ConnectorKey = keyof typeof LOCAL_CONNECTOR_KEYS;
export const CONNECTOR_KEYS = Object.keys(LOCAL_CONNECTOR_KEYS) as ConnectorKey[];

const SPARKS = "▁▂▃▄▅▆▇█";

/** One character per value, scaled between the series' min and max. */
export function sparkline(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values
    .map((v) => SPARKS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1))])
    .join("");
}

/** Vault shares as whole shares with two decimals (raw units have the vault's share decimals). */
export function formatShares(amount: bigint, decimals: number): string {
  return Number(formatUnits(amount, decimals)).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
}

const usdc = (amount: bigint) =>
  (Number(amount) / 1e6).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** NAV as the vault reports it against idle + the connectors' own values (they must agree). */
export function navParts(row: EpochRow): { nav: bigint; sumOfParts: bigint } {
  return {
    nav: row.nav,
    sumOfParts:
      row.idle + row.polymarket + CONNECTOR_KEYS.reduce((total, key) => total + row.connectors[key], 0n),
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}

/** The readable end-of-run report `npm start` prints. */
export function formatSummary(summary: DemoSummary): string {
  const out: string[] = ["", "==================== summary ===================="];
  out.push(`Signal market: ${summary.market.question}`);
  out.push("", "NAV and price per share by epoch (USDC):");
  out.push(
    ...table(
      ["epoch", "P(Yes)", "NAV", "price/share", "idle", ...CONNECTOR_KEYS, "polymarket", "sum of parts"],
      summary.epochs.map((row) => [
        String(row.epoch),
        row.signal.toFixed(3),
        usdc(row.nav),
        (Number(row.pricePerShare) / 1e6).toFixed(6),
        usdc(row.idle),
        ...CONNECTOR_KEYS.map((key) => usdc(row.connectors[key])),
        usdc(row.polymarket),
        usdc(navParts(row).sumOfParts),
      ]),
    ),
  );
  out.push(`NAV         ${sparkline(summary.epochs.map((r) => Number(r.nav)))}`);
  out.push(`price/share ${sparkline(summary.epochs.map((r) => Number(r.pricePerShare)))}`);
  const last = summary.epochs.at(-1);
  if (last) {
    out.push("", "Allocation per connector (final):");
    const parts: [string, bigint][] = [
      ["idle", last.idle],
      ...CONNECTOR_KEYS.map((k) => [k, last.connectors[k]] as [string, bigint]),
      ["polymarket", last.polymarket],
    ];
    for (const [key, value] of parts) {
      const share = last.nav === 0n ? 0 : Number((value * 10_000n) / last.nav) / 100;
      out.push(
        `  ${key.padEnd(18)} ${usdc(value).padStart(14)}  ${share.toFixed(2).padStart(6)} %  target ${((last.weightsBps[key] ?? 0) / 100).toFixed(2)} %`,
      );
    }
  }
  out.push(
    "",
    `Rebalances (${summary.rebalances.length} of ${summary.batches} gate batches moved funds; the others only settled):`,
  );
  for (const r of summary.rebalances) {
    out.push(`  epoch ${r.epoch}  gate nonce ${r.nonce}  ${r.calls} calls  tx ${r.txHash}`);
    out.push(`    provenance ${r.provenance}  (signal snapshot ${r.snapshotHash})`);
    for (const s of r.signals)
      out.push(
        `    signal ${s.ruleId}: ${s.marketId} P(Yes)=${s.metric?.toFixed(3) ?? "n/a"} level ${s.level}`,
      );
    for (const reason of r.reasons) out.push(`    why: ${reason}`);
    for (const t of r.transfers) out.push(`    moved ${usdc(t.amount)} USDC ${t.from} -> ${t.to}`);
    for (const s of r.swaps) out.push(`    LI.FI swap ${formatSwap(s)}`);
  }
  out.push(...formatOutcomes(summary.outcomes));
  const f = summary.fees;
  out.push(
    "",
    `Fees accrued: management ${usdc(f.managementFee)} USDC, performance ${usdc(f.performanceFee)} USDC (${formatShares(f.shares, summary.shareDecimals)} fee shares minted to the fee receiver)`,
  );
  const q = summary.requests;
  out.push(
    `Requests: deposits requested ${usdc(q.depositsRequested)}, settled ${usdc(q.depositsSettled)} in ${q.depositSettlements} settlement(s), claimed ${usdc(q.depositsClaimed)};`,
    `          redemptions settled ${usdc(q.redeemsSettledAssets)} in ${q.redeemSettlements} settlement(s), claimed ${usdc(q.redeemsClaimed)}; deferred ${q.deferred}` +
      (q.refused > 0 ? `\n          depositor actions refused by the vault: ${q.refused}` : ""),
  );
  const d = summary.durationsMs;
  out.push(
    `Timing: protocols ${(d.protocols / 1000).toFixed(1)} s, product ${(d.product / 1000).toFixed(1)} s, ${summary.epochs.length} epochs ${(d.epochs / 1000).toFixed(1)} s`,
  );
  return out.join("\n");
}

/** The keeper's outcome-arbitrage batches: what was bought, what it locked, where it is on chain. */
function formatOutcomes(outcomes: DemoSummary["outcomes"]): string[] {
  const out = [
    "",
    `Outcome arbitrage (keeper outcome step, PolymarketConnector): ${outcomes.trades.length} batch(es)`,
  ];
  for (const t of outcomes.trades) {
    out.push(
      `  epoch ${t.epoch}  ${t.strategy} on a ${t.setKind} set of ${t.legs} legs: ${t.orders} orders, ${usdc(t.sets)} sets ` +
        `for ${usdc(t.cost)} USDC, ${t.status}, profit ${usdc(t.profit)} USDC, NAV ${usdc(t.navBefore)} -> ${usdc(t.navAfter)}`,
    );
    out.push(`    batch ${t.batchId}`);
    for (const [i, tx] of t.placedTx.entries())
      out.push(`    placed through the gate  provenance ${t.provenances[i]}  tx ${tx}`);
    for (const tx of t.lockTx) out.push(`    locked                   tx ${tx}`);
  }
  const refused = Object.entries(outcomes.rejected)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`);
  if (refused.length > 0) out.push(`  refused opportunities by reason: ${refused.join(", ")}`);
  return out;
}

/** "22,500.23 USDC -> 7.4683 WETH" or the other way round (USDC has 6 decimals, WETH 18). */
export function formatSwap(s: Pick<SwapRecord, "amountIn" | "amountOut" | "soldBase">): string {
  const weth = (amount: bigint) => `${(Number(amount) / 1e18).toFixed(4)} WETH`;
  return s.soldBase
    ? `${usdc(s.amountIn)} USDC -> ${weth(s.amountOut)}`
    : `${weth(s.amountIn)} -> ${usdc(s.amountOut)} USDC`;
}
