import { useEffect, useMemo, useState } from "react";
import { api, type Config, type Deployment } from "../api.js";
import { BatchReview, type Review } from "../BatchReview.js";
import { Chart } from "../Chart.js";
import { time } from "../format.js";

interface PolicyResult {
  readonly ok: boolean;
  readonly errors?: readonly { path: string; message: string }[];
  readonly now?:
    | { available: false; reason: string }
    | {
        available: true;
        at: string;
        weightsBps: Record<string, number>;
        reasons: string[];
        evidence: { ruleId: string; marketId: string | null; metric: number | null; level: number }[];
      };
  readonly batch?:
    | { available: false; reason: string }
    | { available: true; proposes: false; reason: string }
    | { available: true; proposes: true; review: Review };
  readonly backtest?:
    | { available: false; reason: string }
    | {
        available: true;
        market: { slug: string; question: string };
        points: { t: number; signal: number; weightsBps: Record<string, number> }[];
      };
}

const COLORS = ["#6b7280", "#2563eb", "#16a34a", "#dc2626", "#9333ea"];

/** scripts/policy-backtest.ts's report.json */
interface NavReport {
  readonly market: { slug: string; question: string };
  readonly epochs: readonly {
    epoch: number;
    dataTime: number;
    signal: number;
    nav: string;
    pricePerShare: number;
    idlePricePerShare: number;
    weightsBps: Record<string, number>;
  }[];
  readonly rebalances: readonly { epoch: number; gasUsed: string; movedUsdc: number }[];
  readonly turnover: number;
  readonly gasTotal: string;
  readonly fees: { managementUsdc: number; performanceUsdc: number };
  readonly finalVsIdle: number;
}
interface NavAnswer {
  readonly available: boolean;
  readonly reason?: string;
  readonly key?: string;
  readonly epochs?: number;
  readonly epochHours?: number;
  readonly state?:
    | { status: "running"; startedAt: number }
    | { status: "done"; ms: number; report: NavReport }
    | { status: "failed"; reason: string };
}

/**
 * The NAV backtest of the policy through the real keeper (scripts/policy-backtest.ts on a fresh
 * local chain), started on the server when the policy is valid and polled until it is done.
 */
function NavBacktest({ policyText }: { policyText: string }) {
  const [answer, setAnswer] = useState<NavAnswer>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (key: string) => {
      try {
        const a = await api<NavAnswer>(`/api/policy/nav-backtest/${key}`);
        if (stop) return;
        setAnswer(a);
        if (a.state?.status === "running") timer = setTimeout(() => void poll(key), 1000);
      } catch (e) {
        if (!stop) setError((e as Error).message);
      }
    };
    void api<NavAnswer>("/api/policy/nav-backtest", { method: "POST", body: policyText })
      .then((a) => {
        if (stop) return;
        setAnswer(a);
        if (a.key && a.state?.status === "running") timer = setTimeout(() => void poll(a.key!), 1000);
      })
      .catch((e: Error) => !stop && setError(e.message));
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [policyText]);
  const chart = useMemo(() => {
    if (answer?.state?.status !== "done") return undefined;
    const e = answer.state.report.epochs;
    return {
      x: e.map((p) => p.dataTime),
      nav: [{ label: "NAV (USDC)", color: "#2563eb", values: e.map((p) => Number(p.nav)) }],
      pps: [
        { label: "price per share", color: "#16a34a", values: e.map((p) => p.pricePerShare) },
        { label: "holding idle", color: "#6b7280", values: e.map((p) => p.idlePricePerShare) },
      ],
    };
  }, [answer]);
  if (error) return <p className="problem">NAV backtest: {error}</p>;
  if (!answer) return <p>Starting the NAV backtest…</p>;
  if (!answer.available) return <p className="note">NAV backtest not available: {answer.reason}</p>;
  const period = `${answer.epochs} epochs of ${answer.epochHours} recorded hours from the recorded window's start (limited so a page waits seconds, not minutes; each policy's result is cached while the dashboard runs)`;
  const state = answer.state!;
  if (state.status === "running")
    return (
      <p data-testid="nav-backtest-running">
        Replaying the policy through the real keeper on a fresh local chain: {period}…
      </p>
    );
  if (state.status === "failed") return <p className="problem">NAV backtest failed: {state.reason}</p>;
  const r = state.report;
  return (
    <div data-testid="nav-backtest">
      <p>
        The policy run by the real keeper cycle (evaluate → plan → risk check → 2-of-3 gate batch) on a fresh
        local chain over {r.market.question}: {period}; replayed in {(state.ms / 1000).toFixed(1)} s.
      </p>
      <Chart title="NAV (USDC)" x={chart!.x} series={chart!.nav} testId="nav-backtest-chart" />
      <Chart
        title="Price per share vs holding idle"
        x={chart!.x}
        series={chart!.pps}
        yDecimals={5}
        height={200}
      />
      <p data-testid="nav-backtest-summary">
        price per share vs holding idle at the end: {(r.finalVsIdle * 100).toFixed(4)} % · turnover{" "}
        {(r.turnover * 100).toFixed(2)} % of mean NAV over {r.rebalances.length} rebalance(s) · gas{" "}
        {Number(r.gasTotal).toLocaleString("en-US")} · fees {r.fees.managementUsdc.toFixed(2)} USDC
        management, {r.fees.performanceUsdc.toFixed(2)} USDC performance
      </p>
    </div>
  );
}

export function StrategistView(_: { config: Config; deployment: Deployment }) {
  const [text, setText] = useState("");
  const [file, setFile] = useState<string>();
  const [result, setResult] = useState<PolicyResult>();
  /** the text of the last valid policy checked, which the NAV backtest replays */
  const [checked, setChecked] = useState("");
  const [error, setError] = useState<string>();
  const check = async (policyText: string) => {
    setError(undefined);
    try {
      const r = await api<PolicyResult>("/api/policy", { method: "POST", body: policyText });
      setResult(r);
      if (r.ok) setChecked(policyText);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const open = async (f: File | undefined) => {
    if (!f) return;
    const t = await f.text();
    setFile(f.name);
    setText(t);
    await check(t);
  };
  const chart = useMemo(() => {
    const b = result?.backtest;
    if (!b || !b.available) return undefined;
    const keys = Object.keys(b.points[0]?.weightsBps ?? {});
    return {
      x: b.points.map((p) => p.t),
      weights: keys.map((k, i) => ({
        label: `${k} %`,
        color: COLORS[i % COLORS.length]!,
        values: b.points.map((p) => (p.weightsBps[k] ?? 0) / 100),
      })),
      signal: [{ label: "P(Yes)", color: "#ea580c", values: b.points.map((p) => p.signal) }],
    };
  }, [result]);
  return (
    <section data-testid="view-strategist">
      <h2>Strategist</h2>
      <p>
        Open an allocation policy file (keeper/strategy/policy.ts format); it is validated exactly as the
        keeper validates it.
      </p>
      <div className="row">
        <input
          type="file"
          accept=".json,application/json"
          onChange={(e) => void open(e.target.files?.[0])}
          data-testid="policy-file"
        />
        {file && <span>{file}</span>}
      </div>
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={14}
        spellCheck={false}
        data-testid="policy-text"
        placeholder="or paste the policy JSON here"
      />
      <button onClick={() => void check(text)} data-testid="policy-check">
        Validate and evaluate
      </button>
      {error && <p className="problem">{error}</p>}
      {result && !result.ok && (
        <div className="problem" data-testid="policy-errors">
          <b>The policy is not valid:</b>
          <ul>
            {result.errors!.map((e, i) => (
              <li key={i}>
                <code>{e.path}</code>: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result?.ok && (
        <>
          <p className="ok" data-testid="policy-valid">
            The policy is valid for this deployment.
          </p>
          <h3>What it would do now</h3>
          {result.now && !result.now.available && <p className="note">{result.now.reason}</p>}
          {result.now?.available && (
            <div data-testid="policy-now">
              <p>at the keeper's clock {result.now.at}</p>
              <table>
                <thead>
                  <tr>
                    <th>target</th>
                    <th>weight</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(result.now.weightsBps).map(([k, w]) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td>{w / 100}%</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <ul>
                {result.now.reasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            </div>
          )}
          <h3>The batch it would propose now</h3>
          {result.batch && !result.batch.available && <p className="note">{result.batch.reason}</p>}
          {result.batch?.available && !result.batch.proposes && (
            <p data-testid="policy-batch">nothing: {result.batch.reason}</p>
          )}
          {result.batch?.available && result.batch.proposes && (
            <div data-testid="policy-batch">
              <p>
                planned by the keeper's planner on the chain as it is now (the review an operator sees before
                signing):
              </p>
              <BatchReview review={result.batch.review} testId="policy-batch-calls" />
            </div>
          )}
          <h3>NAV backtest through the keeper</h3>
          <NavBacktest policyText={checked} />
          <h3>Target weights over the whole recorded period</h3>
          {result.backtest && !result.backtest.available && <p className="note">{result.backtest.reason}</p>}
          {result.backtest?.available && chart && (
            <>
              <p>
                {result.backtest.market.question}: the policy's targets every 8 h from {time(chart.x[0]!)} to{" "}
                {time(chart.x.at(-1)!)}
                (the targets alone, evaluated every 8 h; the NAV replay above runs the keeper itself).
              </p>
              <Chart title="Target weights (%)" x={chart.x} series={chart.weights} testId="backtest-chart" />
              <Chart title="Signal" x={chart.x} series={chart.signal} height={160} yDecimals={2} />
            </>
          )}
        </>
      )}
    </section>
  );
}
