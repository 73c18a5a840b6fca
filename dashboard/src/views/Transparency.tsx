import { useMemo } from "react";
import { formatUnits } from "viem";
import { readVaultState } from "../../shared/vaultState.js";
import type { Config, Deployment } from "../api.js";
import { publicClient } from "../chain.js";
import { Card } from "../Card.js";
import { Chart } from "../Chart.js";
import { highWaterMarkPerShare, shortHex, time, units, usdc } from "../format.js";
import { usePolled } from "../hooks.js";
import { fetchOnce } from "../prefetch.js";
import type { History } from "../../server/history.js";

const COLORS = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2"];

export function TransparencyView({ deployment }: { config: Config; deployment: Deployment }) {
  const state = usePolled(() => readVaultState(publicClient, deployment), 5000, [deployment.vault]);
  const history = usePolled(() => fetchOnce<History>("/api/history"), 5000, []);
  const h = history.value;
  const s = state.value;
  const charts = useMemo(() => {
    if (!h) return undefined;
    const x = h.settlements.map((p) => p.timestamp);
    const names = Object.keys(deployment.connectors);
    return {
      x,
      nav: [
        {
          label: "NAV (USDC)",
          color: COLORS[0]!,
          values: h.settlements.map((p) => Number(formatUnits(BigInt(p.navAfter), 6))),
        },
      ],
      pps: [
        {
          label: "price per share (USDC)",
          color: COLORS[1]!,
          values: h.settlements.map((p) => Number(formatUnits(BigInt(p.pricePerShare), 6))),
        },
      ],
      allocation: [
        {
          label: "idle",
          color: "#6b7280",
          values: h.settlements.map((p) => Number(formatUnits(BigInt(p.idle), 6))),
        },
        ...names.map((n, i) => ({
          label: n,
          color: COLORS[(i + 2) % COLORS.length]!,
          values: h.settlements.map((p) => Number(formatUnits(BigInt(p.connectors[n] ?? "0"), 6))),
        })),
      ],
    };
  }, [h, deployment.connectors]);
  const deployed = s ? s.connectors.reduce((a, c) => a + c.value, 0n) : 0n;
  return (
    <section data-testid="view-transparency">
      <h2>Transparency</h2>
      {state.error && <p className="problem">chain read failed: {state.error}</p>}
      {history.error && <p className="problem">history: {history.error}</p>}
      {h?.storeProblem && (
        <p className="note">
          keeper store not available ({h.storeProblem}): rebalances show without notes and signals
        </p>
      )}
      {s && (
        <div className="cards" data-testid="vault-cards">
          <Card label="NAV" value={usdc(s.nav)} testId="nav" />
          <Card label="price per share" value={usdc(s.pricePerShare)} testId="pps" />
          <Card label="shares outstanding" value={units(s.totalSupply, s.shareDecimals)} />
          <Card label="idle" value={usdc(s.idle)} />
          <Card label="deployed" value={usdc(deployed)} />
          <Card
            label="high-water mark (per share)"
            value={usdc(highWaterMarkPerShare(s.highWaterMark, s.shareDecimals))}
          />
          <Card
            label="fees"
            value={`${s.fees.managementFeeBps / 100}% mgmt · ${s.fees.performanceFeeBps / 100}% perf`}
          />
          <Card
            label="pending"
            value={`${usdc(s.pendingDepositAssets)} in · ${units(s.pendingRedeemShares, s.shareDecimals)} shares out`}
          />
          <Card
            label="deposits / redemptions"
            value={`${s.limits.depositsPaused ? "PAUSED" : "open"} / ${s.limits.redeemsPaused ? "PAUSED" : "open"}`}
          />
          <Card
            label="next settlement due"
            value={s.settlementDueAt === 0n ? "nothing pending" : time(s.settlementDueAt)}
          />
        </div>
      )}
      {s && (
        <>
          <h3>Allocation now</h3>
          <table data-testid="allocation">
            <thead>
              <tr>
                <th>where</th>
                <th>value</th>
                <th>share of NAV</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>idle in the vault</td>
                <td>{usdc(s.idle)}</td>
                <td>{pct(s.idle, s.nav)}</td>
              </tr>
              {s.connectors.map((c) => (
                <tr key={c.address}>
                  <td>
                    {c.name} <code>{shortHex(c.address)}</code>
                  </td>
                  <td>{usdc(c.value)}</td>
                  <td>{pct(c.value, s.nav)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {charts && h && h.settlements.length > 0 ? (
        <div className="charts">
          <Chart title="NAV after each settlement" x={charts.x} series={charts.nav} testId="nav-chart" />
          <Chart title="Price per share" x={charts.x} series={charts.pps} testId="pps-chart" yDecimals={6} />
          <Chart
            title="Allocation per connector (USDC)"
            x={charts.x}
            series={charts.allocation}
            testId="allocation-chart"
          />
        </div>
      ) : (
        h && <p className="note">no settlement yet</p>
      )}
      {h && (
        <>
          <h3>Settlements ({h.settlements.length})</h3>
          <table data-testid="settlements">
            <thead>
              <tr>
                <th>time</th>
                <th>block</th>
                <th>NAV before → after</th>
                <th>price per share</th>
                <th>deposits settled</th>
                <th>redemptions settled</th>
                <th>tx</th>
              </tr>
            </thead>
            <tbody>
              {h.settlements
                .slice(-50)
                .reverse()
                .map((p) => (
                  <tr key={p.txHash + p.blockNumber}>
                    <td>{time(p.timestamp)}</td>
                    <td>{p.blockNumber}</td>
                    <td>
                      {usdc(p.navBefore)} → <span data-testid="settlement-nav">{usdc(p.navAfter)}</span>
                    </td>
                    <td>{usdc(p.pricePerShare)}</td>
                    <td>{p.depositsSettled ? usdc(p.depositsSettled.assets) : "–"}</td>
                    <td>{p.redeemsSettled ? usdc(p.redeemsSettled.assets) : "–"}</td>
                    <td>
                      <code>{shortHex(p.txHash)}</code>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          <h3>Fees accrued ({h.fees.length})</h3>
          <table data-testid="fees">
            <thead>
              <tr>
                <th>time</th>
                <th>management</th>
                <th>performance</th>
                <th>high-water mark</th>
              </tr>
            </thead>
            <tbody>
              {h.fees
                .slice(-20)
                .reverse()
                .map((f) => (
                  <tr key={f.blockNumber}>
                    <td>{time(f.timestamp)}</td>
                    <td>{usdc(f.managementFee)}</td>
                    <td>{usdc(f.performanceFee)}</td>
                    <td>
                      {usdc(highWaterMarkPerShare(f.highWaterMark, deployment.shareDecimals))} per share
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          <h3>Rebalances and gate batches ({h.rebalances.length})</h3>
          <table data-testid="rebalances">
            <thead>
              <tr>
                <th>nonce</th>
                <th>time</th>
                <th>note</th>
                <th>signals</th>
                <th>provenance</th>
                <th>tx</th>
              </tr>
            </thead>
            <tbody>
              {h.rebalances
                .slice(-30)
                .reverse()
                .map((r) => (
                  <tr key={r.nonce}>
                    <td>{r.nonce}</td>
                    <td>{time(r.timestamp)}</td>
                    <td>{r.note ?? "–"}</td>
                    <td className="small">{r.signals ? signalText(r.signals) : "–"}</td>
                    <td>
                      <code title={r.provenance}>{shortHex(r.provenance)}</code>
                    </td>
                    <td>
                      <code title={r.txHash}>{shortHex(r.txHash)}</code>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
          <h3>Mandates ({h.mandates.length})</h3>
          {h.mandates.length === 0 ? (
            <p className="note">no mandate approved on this gate</p>
          ) : (
            <table data-testid="mandates">
              <thead>
                <tr>
                  <th>mandate</th>
                  <th>keeper</th>
                  <th>per action</th>
                  <th>per period (headroom)</th>
                  <th>loss / max</th>
                  <th>executions</th>
                  <th>state</th>
                </tr>
              </thead>
              <tbody>
                {h.mandates.map((m) => (
                  <tr key={m.mandateId}>
                    <td>
                      <code>{shortHex(m.mandateId)}</code>
                    </td>
                    <td>
                      <code>{shortHex(m.keeper)}</code>
                    </td>
                    <td>{usdc(m.maxNotionalPerAction)}</td>
                    <td>
                      {usdc(m.maxNotionalPerPeriod)} ({usdc(m.periodHeadroom)} left)
                    </td>
                    <td>
                      {Number(m.lossBps) / 100}% / {Number(m.maxLossBps) / 100}%
                    </td>
                    <td>{m.executions}</td>
                    <td>{m.revoked ? "revoked" : `expires ${time(Number(m.expiry))}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function pct(part: bigint, whole: bigint): string {
  return whole === 0n ? "–" : `${(Number((part * 10_000n) / whole) / 100).toFixed(2)}%`;
}

function signalText(signals: readonly unknown[]): string {
  return signals
    .map((s) => {
      const o = s as { marketId?: string; price?: number; kind?: string };
      if (o.marketId) return `${o.marketId}${o.price !== undefined ? ` @ ${o.price.toFixed(3)}` : ""}`;
      return o.kind ?? JSON.stringify(s).slice(0, 60);
    })
    .join("; ");
}
