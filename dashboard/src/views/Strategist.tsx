import { useMemo, useState } from "react";
import { api, type Config, type Deployment } from "../api.js";
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
  readonly backtest?:
    | { available: false; reason: string }
    | {
        available: true;
        market: { slug: string; question: string };
        points: { t: number; signal: number; weightsBps: Record<string, number> }[];
      };
}

const COLORS = ["#6b7280", "#2563eb", "#16a34a", "#dc2626", "#9333ea"];

export function StrategistView(_: { config: Config; deployment: Deployment }) {
  const [text, setText] = useState("");
  const [file, setFile] = useState<string>();
  const [result, setResult] = useState<PolicyResult>();
  const [error, setError] = useState<string>();
  const check = async (policyText: string) => {
    setError(undefined);
    try {
      setResult(await api<PolicyResult>("/api/policy", { method: "POST", body: policyText }));
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
          <h3>Backtest over the recorded period</h3>
          {result.backtest && !result.backtest.available && <p className="note">{result.backtest.reason}</p>}
          {result.backtest?.available && chart && (
            <>
              <p>
                {result.backtest.market.question}: the policy's targets every 8 h from {time(chart.x[0]!)} to{" "}
                {time(chart.x.at(-1)!)}
                (the NAV replay through the real keeper is <code>scripts/policy-backtest.ts</code>).
              </p>
              <Chart title="Target weights (%)" x={chart.x} series={chart.weights} testId="backtest-chart" />
              <Chart title="Signal" x={chart.x} series={chart.signal} height={160} />
            </>
          )}
        </>
      )}
    </section>
  );
}
