import { useState } from "react";
import type { Address, Hex } from "viem";
import { postJson, type Config, type Deployment } from "../api.js";
import { BatchReview, type Review } from "../BatchReview.js";
import { shortHex, time } from "../format.js";
import { usePolled } from "../hooks.js";
import { fetchOnce } from "../prefetch.js";
import { useWallet } from "../wallet.js";

interface SignalsAnswer {
  readonly available: boolean;
  readonly reason?: string;
  readonly at?: string;
  readonly snapshots?: {
    venue: string;
    marketId: string;
    question: string;
    outcome: string;
    price: number;
  }[];
  readonly recommendations?: {
    kind: string;
    venue: string;
    marketId: string;
    outcome: string;
    side: string;
    price: number;
    sizeFraction: number;
    edge: number;
    ev: number;
    tier: string;
    reasons: string[];
  }[];
  readonly estimates?: {
    marketId: string;
    tokenId: string;
    estimate: { p: number; stdError: number; source: string };
  }[];
  readonly abstentions?: { venue: string; marketId: string; kind: string; reasons: string[] }[];
  readonly allocation?: { weightsBps: Record<string, number>; reasons: string[] };
  readonly trackRecord: {
    estimates: number;
    resolved: number;
    brier: number;
    recent: {
      estimator: string;
      marketId: string;
      p: number;
      marketPrice: number;
      outcome: number | null;
      estimatedAt: number;
    }[];
  };
}

/** z of the one-sided 95 % lower bound the decision gate uses by default (keeper/strategy/config.ts). */
const Z = 1.645;

interface Draft {
  readonly id: Hex;
  readonly review: Review;
  readonly typedData: {
    domain: { name: string; version: string; chainId: number; verifyingContract: Address };
    types: Record<string, { name: string; type: string }[]>;
    primaryType: "Execute";
    message: {
      vault: Address;
      calls: { target: Address; data: Hex }[];
      nonce: string;
      deadline: string;
      provenance: Hex;
    };
  };
}

/**
 * One click from the recommended allocation to a proposal for the signers: the server plans the
 * batch with the keeper's planner, the wallet (a gate signer) signs it as its first signature, and
 * the server stores it for the keepers only once it checked the recommendation still holds.
 */
function ProposeRecommendation({ config, deployment }: { config: Config; deployment: Deployment }) {
  const wallet = useWallet();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string; id?: Hex }>();
  const [review, setReview] = useState<Review>();
  if (!config.copilot)
    return (
      <p className="note">
        proposing from here needs the keeper's planner and store next to the dashboard (npm start)
      </p>
    );
  const me = wallet.account;
  const isSigner =
    me !== undefined && deployment.roles.operators.some((o) => o.toLowerCase() === me.toLowerCase());
  const propose = async () => {
    setBusy(true);
    setMessage(undefined);
    setReview(undefined);
    try {
      const draft = await postJson<Draft>("/api/copilot/draft", {});
      setReview(draft.review);
      const t = draft.typedData;
      const signature = await wallet.client!.signTypedData({
        account: me!,
        domain: t.domain,
        types: t.types,
        primaryType: "Execute",
        message: { ...t.message, nonce: BigInt(t.message.nonce), deadline: BigInt(t.message.deadline) },
      });
      const r = await postJson<{ id: Hex; signatures: number; threshold: number }>(
        `/api/copilot/drafts/${draft.id}/propose`,
        { signer: me, signature },
      );
      setMessage({
        ok: true,
        id: r.id,
        text: `proposed ${shortHex(r.id)} with your signature: ${r.signatures} of ${r.threshold}; the keepers co-sign after their own checks`,
      });
    } catch (e) {
      setMessage({ ok: false, text: `propose: ${(e as Error).message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="copilot-propose">
      {!me ? (
        <button onClick={() => void wallet.connect()} data-testid="connect">
          Connect a gate signer's wallet to propose
        </button>
      ) : wallet.chainId !== deployment.chainId ? (
        <p className="problem">
          your wallet is on chain {wallet.chainId}, the gate is on chain {deployment.chainId}
        </p>
      ) : (
        <button disabled={busy || !isSigner} onClick={() => void propose()} data-testid="propose">
          {isSigner ? "Propose this rebalance to the signers (you sign first)" : `${me} is not a gate signer`}
        </button>
      )}
      {wallet.error && <p className="problem">{wallet.error}</p>}
      {message && (
        <p className={message.ok ? "ok" : "problem"} data-testid="copilot-message">
          {message.text}
          {message.id && (
            <>
              {" "}
              · <a href="#/operator">open the operator view</a>
            </>
          )}
        </p>
      )}
      {review && <BatchReview review={review} testId="copilot-calls" />}
    </div>
  );
}

export function SignalsView({ config, deployment }: { config: Config; deployment: Deployment }) {
  const s = usePolled(() => fetchOnce<SignalsAnswer>("/api/signals"), 5000, []);
  const v = s.value;
  return (
    <section data-testid="view-signals">
      <h2>Signals (copilot)</h2>
      <p>
        The engine's current advice, evaluated by the keeper's own strategy code on the signals it reads.
        Acting on it needs no custody hand-over.
      </p>
      {s.error && <p className="problem">{s.error}</p>}
      {v && !v.available && <p className="note">{v.reason}</p>}
      {v?.available && (
        <>
          <p>at the keeper's clock {v.at}</p>
          <h3>Markets read</h3>
          <table>
            <thead>
              <tr>
                <th>venue</th>
                <th>market</th>
                <th>outcome</th>
                <th>price</th>
              </tr>
            </thead>
            <tbody>
              {v.snapshots!.map((m) => (
                <tr key={m.marketId}>
                  <td>{m.venue}</td>
                  <td title={m.question}>{m.marketId}</td>
                  <td>{m.outcome}</td>
                  <td>{m.price.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Recommendations ({v.recommendations!.length})</h3>
          {v.recommendations!.length === 0 ? (
            <p className="note">none: the engine abstains (reasons below)</p>
          ) : (
            <table data-testid="recommendations">
              <thead>
                <tr>
                  <th>market</th>
                  <th>side</th>
                  <th>price</th>
                  <th>size</th>
                  <th>edge</th>
                  <th>EV / $</th>
                  <th>tier</th>
                  <th>reasons</th>
                </tr>
              </thead>
              <tbody>
                {v.recommendations!.map((r, i) => (
                  <tr key={i}>
                    <td>
                      {r.venue} {r.marketId} {r.outcome}
                    </td>
                    <td>{r.side}</td>
                    <td>{r.price.toFixed(3)}</td>
                    <td>{(r.sizeFraction * 100).toFixed(2)}% of bankroll</td>
                    <td>{r.edge.toFixed(3)}</td>
                    <td>{r.ev.toFixed(3)}</td>
                    <td>{r.tier}</td>
                    <td>{r.reasons.join("; ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Estimates</h3>
          <table data-testid="estimates">
            <thead>
              <tr>
                <th>market</th>
                <th>p</th>
                <th>std error</th>
                <th>lower bound (p − {Z}·se)</th>
                <th>source</th>
              </tr>
            </thead>
            <tbody>
              {v.estimates!.map((e) => (
                <tr key={e.tokenId}>
                  <td>{e.marketId}</td>
                  <td>{e.estimate.p.toFixed(3)}</td>
                  <td>{e.estimate.stdError.toFixed(3)}</td>
                  <td>{(e.estimate.p - Z * e.estimate.stdError).toFixed(3)}</td>
                  <td>{e.estimate.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Abstentions ({v.abstentions!.length})</h3>
          <table data-testid="abstentions">
            <thead>
              <tr>
                <th>market</th>
                <th>why</th>
                <th>reasons</th>
              </tr>
            </thead>
            <tbody>
              {v.abstentions!.map((a, i) => (
                <tr key={i}>
                  <td>
                    {a.venue} {a.marketId}
                  </td>
                  <td>{a.kind}</td>
                  <td>{a.reasons.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Allocation the vault's policy takes from these signals</h3>
          <p>
            {Object.entries(v.allocation!.weightsBps)
              .map(([k, w]) => `${k} ${w / 100}%`)
              .join(" · ")}
          </p>
          <ul>
            {v.allocation!.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
          <ProposeRecommendation config={config} deployment={deployment} />
        </>
      )}
      {v && (
        <>
          <h3>Track record</h3>
          <p>
            {v.trackRecord.estimates} estimates stored, {v.trackRecord.resolved} resolved
            {v.trackRecord.resolved > 0 ? `, Brier score ${v.trackRecord.brier.toFixed(4)}` : ""}
          </p>
          <table>
            <thead>
              <tr>
                <th>when</th>
                <th>estimator</th>
                <th>market</th>
                <th>p</th>
                <th>market price</th>
                <th>outcome</th>
              </tr>
            </thead>
            <tbody>
              {v.trackRecord.recent.map((e, i) => (
                <tr key={i}>
                  <td>{time(Math.floor(e.estimatedAt / 1000))}</td>
                  <td>{e.estimator}</td>
                  <td>{e.marketId}</td>
                  <td>{e.p.toFixed(3)}</td>
                  <td>{e.marketPrice.toFixed(3)}</td>
                  <td>{e.outcome ?? "open"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
