import { useEffect, useState } from "react";
import type { Address, Hex } from "viem";
import { readVaultState } from "../../shared/vaultState.js";
import { rejectMessage } from "../../shared/messages.js";
import { api, postJson, type Config, type Deployment } from "../api.js";
import { describe, publicClient } from "../chain.js";
import { shortHex, time } from "../format.js";
import { usePolled } from "../hooks.js";
import { fetchOnce } from "../prefetch.js";
import { useWallet, type Wallet } from "../wallet.js";
import { BatchReview, type Review } from "../BatchReview.js";

interface GateInfo {
  readonly nonce: string;
  readonly threshold: number;
  readonly signers: readonly Address[];
  readonly chainTime: string;
}
interface ProposalRow {
  readonly id: Hex;
  readonly nonce: string;
  readonly deadline: string;
  readonly status: string;
  readonly statusReason: string | null;
  readonly txHash: Hex | null;
  readonly proposer: string;
  readonly note: string | null;
  readonly calls: number;
  readonly signatures: number;
}
interface Detail {
  readonly proposal: ProposalRow & {
    readonly provenance: Hex;
    readonly gate: Address;
    readonly calls: readonly { target: Address; data: Hex }[];
  };
  readonly review: null | Review;
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
  readonly signatures: readonly { signer: Address; createdAt: number }[];
  readonly gate: GateInfo;
  readonly executeCalldata: Hex | null;
}

export function OperatorView({ config, deployment }: { config: Config; deployment: Deployment }) {
  const wallet = useWallet();
  const [selected, setSelected] = useState<Hex>();
  const list = usePolled(
    () => fetchOnce<{ gate: GateInfo; proposals: ProposalRow[] }>("/api/proposals"),
    4000,
    [],
  );
  return (
    <section data-testid="view-operator">
      <h2>Operator</h2>
      <div className="row">
        {!wallet.account ? (
          <button onClick={() => void wallet.connect()} data-testid="connect">
            Connect wallet
          </button>
        ) : (
          <p>
            signing as <code data-testid="account">{wallet.account}</code>
          </p>
        )}
        {wallet.error && <p className="problem">{wallet.error}</p>}
        {wallet.chainId !== undefined && wallet.chainId !== deployment.chainId && (
          <p className="problem">
            your wallet is on chain {wallet.chainId}, the gate is on chain {deployment.chainId}: nothing is
            signed until it matches
          </p>
        )}
      </div>
      <SettlementClock deployment={deployment} />
      {!config.store.ok && (
        <p className="problem" data-testid="store-problem">
          keeper store not available: {config.store.problem}
        </p>
      )}
      {list.error && <p className="problem">{list.error}</p>}
      {list.value && (
        <>
          <p>
            gate nonce {list.value.gate.nonce} · threshold {list.value.gate.threshold} of{" "}
            {list.value.gate.signers.length}
          </p>
          <table data-testid="proposals">
            <thead>
              <tr>
                <th>proposal</th>
                <th>nonce</th>
                <th>status</th>
                <th>note</th>
                <th>calls</th>
                <th>signatures</th>
                <th>deadline</th>
              </tr>
            </thead>
            <tbody>
              {list.value.proposals.map((p) => (
                <tr
                  key={p.id}
                  className={p.id === selected ? "selected" : ""}
                  onClick={() => setSelected(p.id)}
                  data-testid={`proposal-${p.id}`}
                >
                  <td>
                    <a
                      href="#/operator"
                      onClick={(e) => {
                        e.preventDefault();
                        setSelected(p.id);
                      }}
                    >
                      <code>{shortHex(p.id)}</code>
                    </a>
                  </td>
                  <td>{p.nonce}</td>
                  <td data-testid="proposal-status">
                    {p.status}
                    {p.statusReason ? ` (${p.statusReason})` : ""}
                  </td>
                  <td>{p.note ?? "–"}</td>
                  <td>{p.calls}</td>
                  <td>
                    {p.signatures} / {list.value!.gate.threshold}
                  </td>
                  <td>{time(Number(p.deadline))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {selected && (
        <ProposalDetail
          id={selected}
          wallet={wallet}
          keeperSigns={config.keeper?.canSign === true}
          onChange={list.reload}
        />
      )}
      {config.keeper && <KeeperPanel />}
    </section>
  );
}

function ProposalDetail({
  id,
  wallet,
  keeperSigns,
  onChange,
}: {
  id: Hex;
  wallet: Wallet;
  keeperSigns: boolean;
  onChange: () => void;
}) {
  const detail = usePolled(() => api<Detail>(`/api/proposals/${id}`), 4000, [id]);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const d = detail.value;
  const act = async (label: string, fn: () => Promise<string>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await fn() });
    } catch (e) {
      setMessage({ ok: false, text: `${label}: ${await describe(e)}` });
    } finally {
      setBusy(false);
      detail.reload();
      onChange();
    }
  };
  if (detail.error) return <p className="problem">{detail.error}</p>;
  if (!d) return <p>Loading proposal…</p>;
  const me = wallet.account;
  const isSigner = me !== undefined && d.gate.signers.some((s) => s.toLowerCase() === me.toLowerCase());
  const signed = me !== undefined && d.signatures.some((s) => s.signer.toLowerCase() === me.toLowerCase());
  const open = d.proposal.status === "proposed" || d.proposal.status === "signed";
  const sign = () =>
    act("sign", async () => {
      const t = d.typedData;
      const signature = await wallet.client!.signTypedData({
        account: me!,
        domain: t.domain,
        types: t.types,
        primaryType: "Execute",
        message: { ...t.message, nonce: BigInt(t.message.nonce), deadline: BigInt(t.message.deadline) },
      });
      const r = await postJson<{ signatures: number; threshold: number }>(`/api/proposals/${id}/signatures`, {
        signer: me,
        signature,
      });
      return `signed: ${r.signatures} of ${r.threshold} signatures`;
    });
  const signWithKeeper = () =>
    act("keeper sign", async () => {
      const r = await postJson<{ signer: Address; signatures: number; threshold: number }>(
        `/api/proposals/${id}/keeper-sign`,
        {},
      );
      return `signed by the keeper's signer ${r.signer}: ${r.signatures} of ${r.threshold} signatures`;
    });
  const reject = () =>
    act("reject", async () => {
      if (reason.trim() === "") throw new Error("give a reason for the rejection");
      const signature = await wallet.client!.signMessage({
        account: me!,
        message: rejectMessage(id, reason.trim()),
      });
      await postJson(`/api/proposals/${id}/reject`, { signer: me, signature, reason: reason.trim() });
      return "rejected: no keeper signs or submits it";
    });
  const execute = () =>
    act("execute", async () => {
      await publicClient.call({ account: me!, to: d.proposal.gate, data: d.executeCalldata! });
      const hash = await wallet.client!.sendTransaction({
        account: me!,
        chain: null,
        to: d.proposal.gate,
        data: d.executeCalldata!,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 });
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
      return `executed through the gate (tx ${hash})`;
    });
  return (
    <div className="detail" data-testid="proposal-detail">
      <h3>
        Proposal <code>{shortHex(id)}</code> · <span data-testid="detail-status">{d.proposal.status}</span>
      </h3>
      {d.proposal.txHash && (
        <p>
          transaction <code data-testid="detail-tx">{d.proposal.txHash}</code>
        </p>
      )}
      <p>
        proposer {d.proposal.proposer} · nonce {d.proposal.nonce} · provenance{" "}
        <code>{shortHex(d.proposal.provenance)}</code>
      </p>
      {d.review && <BatchReview review={d.review} />}
      <h4>
        Signatures ({d.signatures.length} of {d.gate.threshold})
      </h4>
      <ul data-testid="signatures">
        {d.signatures.map((s) => (
          <li key={s.signer}>
            <code>{s.signer}</code>
          </li>
        ))}
      </ul>
      {open && (
        <div className="row">
          <button disabled={busy || !isSigner || signed} onClick={() => void sign()} data-testid="sign">
            {signed ? "signed" : isSigner ? "Sign (EIP-712)" : "connect a gate signer to sign"}
          </button>
          {keeperSigns && !d.executeCalldata && (
            <button disabled={busy} onClick={() => void signWithKeeper()} data-testid="keeper-sign">
              Sign with the keeper's signer
            </button>
          )}
          {d.executeCalldata && (
            <button disabled={busy || !me} onClick={() => void execute()} data-testid="execute">
              Execute through the gate
            </button>
          )}
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="reason to reject"
            data-testid="reject-reason"
          />
          <button disabled={busy || !isSigner} onClick={() => void reject()} data-testid="reject">
            Reject
          </button>
        </div>
      )}
      {message && (
        <p className={message.ok ? "ok" : "problem"} data-testid="operator-message">
          {message.text}
        </p>
      )}
    </div>
  );
}

function SettlementClock({ deployment }: { deployment: Deployment }) {
  const state = usePolled(
    async () => {
      const [s, block] = await Promise.all([
        readVaultState(publicClient, deployment),
        publicClient.getBlock(),
      ]);
      return { due: s.settlementDueAt, chainTime: block.timestamp, at: Date.now() };
    },
    5000,
    [deployment.vault],
  );
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const v = state.value;
  if (!v) return null;
  if (v.due === 0n) return <p data-testid="settlement-clock">settlement deadline: nothing pending</p>;
  const now = Number(v.chainTime) + Math.floor((Date.now() - v.at) / 1000);
  const left = Number(v.due) - now;
  return (
    <p data-testid="settlement-clock" className={left <= 0 ? "problem" : ""}>
      settlement deadline {time(v.due)}:{" "}
      {left > 0
        ? `${Math.floor(left / 3600)} h ${Math.floor((left % 3600) / 60)} min left (chain clock)`
        : "overdue: anyone may settle now"}
    </p>
  );
}

function KeeperPanel() {
  const health = usePolled(
    () =>
      api<{ status: "ok" | "unhealthy"; reasons: string[]; checks: Record<string, unknown> }>(
        "/api/keeper/health",
      ),
    5000,
    [],
  );
  const status = usePolled(() => api<Record<string, unknown>>("/api/keeper/status"), 5000, []);
  const metrics = usePolled(() => api<string>("/api/keeper/metrics"), 5000, []);
  const lines =
    typeof metrics.value === "string" ? metrics.value.split("\n").filter((l) => l && !l.startsWith("#")) : [];
  return (
    <div data-testid="keeper-panel">
      <h3>Keeper</h3>
      {health.error && <p className="problem">keeper health: {health.error}</p>}
      {health.value && (
        <p className={health.value.status === "ok" ? "ok" : "problem"} data-testid="keeper-health">
          {health.value.status === "ok"
            ? "keeper healthy"
            : `keeper unhealthy: ${health.value.reasons.join("; ")}`}{" "}
          · {JSON.stringify(health.value.checks)}
        </p>
      )}
      {status.value && (
        <details>
          <summary>status</summary>
          <pre>{JSON.stringify(status.value, null, 2)}</pre>
        </details>
      )}
      {lines.length > 0 && (
        <details open>
          <summary>metrics (tasks, alerts)</summary>
          <pre className="metrics">
            {lines
              .filter((l) => /cycles|alert|task|step|proposal|settle/i.test(l))
              .slice(0, 40)
              .join("\n")}
          </pre>
        </details>
      )}
    </div>
  );
}
