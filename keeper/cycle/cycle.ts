import type { Hex } from "viem";
import { canonicalJson, computeProvenance, signalSnapshotHash } from "../multisig/provenance.js";
import { monitorTask, settleTask } from "../service/tasks.js";
import type { GateCall } from "../store/types.js";
import type { MarketSnapshot } from "../signals/types.js";
import { evaluate, type TargetAllocation } from "../strategy/index.js";
import type { LocalKeeper } from "./localKeeper.js";
import type { RebalancePlan } from "./planner.js";

/** What one cycle did, for the demo, the benchmark and logs. */
export interface CycleResult {
  /** `signed`: proposed and signed, left for a keeper to submit (`submit: false`). */
  readonly status: "executed" | "failed" | "signed" | "no-rebalance" | "replayed-signals";
  /** Snapshots the strategy's rules used (what the provenance commits to). */
  readonly signals: readonly MarketSnapshot[];
  /** Inputs refused before the strategy (stale, malformed), with why. */
  readonly rejected: readonly { readonly source: string; readonly reason: string }[];
  readonly allocation: TargetAllocation;
  readonly snapshotHash: Hex;
  /**
   * The proposal's plan and calls: the planner's, less the leading actions in `direct` (when a
   * mandate covered every action, the whole plan, and nothing was proposed).
   */
  readonly plan?: RebalancePlan;
  readonly calls?: readonly GateCall[];
  readonly proposalId?: Hex;
  readonly provenance?: Hex;
  readonly txHash?: Hex;
  readonly gateNonce?: bigint;
  /** Leading plan actions an approved mandate covered, executed directly (`executeMandate`), in order. */
  readonly direct?: readonly DirectAction[];
  /** Wall time of each step, milliseconds. */
  readonly timingsMs: Readonly<Record<string, number>>;
}

/** One plan action sent by the submitter alone inside an approved mandate. */
export interface DirectAction {
  readonly mandateId: Hex;
  readonly call: GateCall;
  readonly provenance: Hex;
  readonly txHash: Hex;
}

/**
 * The snapshots `computeAllocation` hashed: those of its evidence with a usable metric, in its
 * order (venue + token). Checked against the allocation's hash, so the stored snapshot is exactly
 * the one the strategy committed to.
 */
export function usedSnapshots(
  snapshots: readonly MarketSnapshot[],
  allocation: TargetAllocation,
): MarketSnapshot[] {
  const tokens = new Set(
    (
      allocation.evidence as readonly {
        metric: number | null;
        venue: string | null;
        tokenId: string | null;
      }[]
    )
      .filter((e) => e.metric !== null && e.tokenId !== null)
      .map((e) => `${e.venue}:${e.tokenId}`),
  );
  const used = snapshots
    .filter((s) => tokens.has(`${s.venue}:${s.tokenId}`))
    .sort((a, b) => (a.venue + a.tokenId < b.venue + b.tokenId ? -1 : 1));
  const hash = signalSnapshotHash(used);
  if (hash !== allocation.snapshotHash)
    throw new Error(`signal snapshot hash ${hash} differs from the strategy's ${allocation.snapshotHash}`);
  return used;
}

/**
 * One full keeper cycle on the chain: signals → evaluate (peg prices from the chain) → plan →
 * the leading actions an approved mandate covers executed directly → propose the rest → every
 * operator of this process re-simulates, re-checks and signs → submit → mined.
 * Market signals already behind a stored proposal are not proposed again.
 */
export async function runKeeperCycle(
  keeper: LocalKeeper,
  now: Date,
  options: { readonly submit?: boolean } = {},
): Promise<CycleResult> {
  const timingsMs: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timingsMs[name] = t - mark;
    mark = t;
  };
  const chain = await keeper.readings.snapshot();
  const { snapshots, rejected } = await keeper.snapshots.load(now);
  const markets = snapshots as MarketSnapshot[];
  lap("signals");
  const result = evaluate(
    markets,
    keeper.policy,
    { ...keeper.strategyConfig, pegPrices: chain.pegPrices, previous: keeper.state },
    now.getTime(),
  );
  keeper.state = { weightsBps: result.allocation.weightsBps, ruleLevels: result.allocation.ruleLevels };
  const allocation = result.allocation;
  const signals = usedSnapshots(markets, allocation);
  lap("evaluate");
  const base = { signals, rejected, allocation, snapshotHash: allocation.snapshotHash, timingsMs };
  if (signals.length > 0 && (await proposedBefore(keeper, allocation.snapshotHash, chain.pegPrices))) {
    keeper.logger.info("signals already acted on; no new proposal", {
      snapshotHash: allocation.snapshotHash,
    });
    return { ...base, status: "replayed-signals" };
  }
  const rebalance = await keeper.planner.plan(allocation);
  lap("plan");
  if (!rebalance) return { ...base, status: "no-rebalance" };
  const full = { ...rebalance.plan, pegPrices: chain.pegPrices };
  const direct =
    options.submit === false ? [] : await executeInMandates(keeper, signals, full, rebalance.calls);
  if (direct.length > 0) lap("mandate");
  const withDirect = direct.length > 0 ? { ...base, direct } : base;
  if (direct.length === rebalance.calls.length)
    return {
      ...withDirect,
      plan: full,
      calls: rebalance.calls,
      status: "executed",
      txHash: direct.at(-1)!.txHash,
    };
  // the proposal carries the rest of the plan: its calls stay the exact encoding of its actions
  const planned = {
    plan: { ...full, actions: full.actions.slice(direct.length) },
    calls: rebalance.calls.slice(direct.length),
  };
  const proposal = await keeper.workflow.propose({
    plan: planned.plan,
    snapshot: signals,
    calls: planned.calls,
    provenance: computeProvenance(signals, planned.plan),
  });
  lap("propose");
  for (const operator of keeper.operators.slice(0, keeper.config.gate.threshold))
    await keeper.workflow.sign(proposal.id, operator);
  lap("sign");
  const proposed = {
    ...withDirect,
    plan: planned.plan,
    calls: planned.calls,
    proposalId: proposal.id,
    provenance: proposal.provenance,
    gateNonce: proposal.nonce,
  };
  if (options.submit === false) return { ...proposed, status: "signed" };
  const done = await keeper.workflow.submit(proposal.id, keeper.sender);
  lap("submit");
  return { ...proposed, status: done.status === "executed" ? "executed" : "failed", txHash: done.txHash };
}

/**
 * Executes the plan's leading actions that an approved mandate covers (connector, token, selector,
 * per-action limit and the period's remaining headroom, checked on chain before each send), in plan
 * order, stopping at the first one none covers: what follows depends on it, so it and everything
 * after go to the 2-of-3 proposal. Each action's provenance commits to the signals, the plan and its
 * index, so a rerun of the same cycle never sends it twice (the sender's journal).
 */
async function executeInMandates(
  keeper: LocalKeeper,
  signals: readonly MarketSnapshot[],
  plan: RebalancePlan,
  calls: readonly GateCall[],
): Promise<DirectAction[]> {
  const direct: DirectAction[] = [];
  if (keeper.mandates.length === 0) return direct;
  for (const [index, call] of calls.entries()) {
    let covering: (typeof keeper.mandates)[number] | undefined;
    for (const terms of keeper.mandates) {
      if ((await keeper.mandateExecutor.check(terms, call)).ok) {
        covering = terms;
        break;
      }
    }
    if (!covering) break;
    const provenance = computeProvenance(signals, { kind: "mandate", plan, index });
    const outcome = await keeper.mandateExecutor.execute(covering, call, provenance);
    if (outcome.status !== "confirmed")
      throw new Error(`mandate action ${index} (${call.target}) ${outcome.status} (tx ${outcome.hash})`);
    keeper.logger.info("plan action executed inside a mandate", {
      mandateId: covering.id,
      index,
      txHash: outcome.hash,
    });
    direct.push({ mandateId: covering.id, call, provenance, txHash: outcome.hash });
  }
  return direct;
}

/**
 * Whether an executed proposal already acted on these exact market signals and peg prices. An open
 * one is not a replay: the cycle proposes the same batch again, which resumes it (same id).
 */
async function proposedBefore(
  keeper: LocalKeeper,
  snapshotHash: Hex,
  pegPrices: Readonly<Record<string, number>>,
): Promise<boolean> {
  const proposals = await keeper.store.listProposals({ vault: keeper.stack.vault });
  const pegs = canonicalJson(pegPrices);
  return proposals.some((p) => {
    const plan = JSON.parse(p.planJson) as { snapshotHash?: string; pegPrices?: unknown };
    return (
      plan.snapshotHash === snapshotHash &&
      canonicalJson(plan.pegPrices ?? {}) === pegs &&
      p.status === "executed"
    );
  });
}

/** Runs the monitors once (depeg, NAV): alerts, and a guardian pause on a critical finding. */
export async function monitorOnce(keeper: LocalKeeper): Promise<void> {
  await monitorTask(keeper.tasks, { readings: keeper.readings, guardian: keeper.guardian }).run(
    new AbortController().signal,
  );
}

/**
 * Settles the epoch if due: through the gate (proposed, co-signed by this process's operators,
 * submitted), or past the vault's deadline directly with the submitter's key.
 */
export async function settleOnce(
  keeper: LocalKeeper,
): Promise<{ proposalId?: Hex; txHash?: Hex } | undefined> {
  const next = await keeper.settler.next();
  if (!next) return undefined;
  if (next.route === "direct") {
    const outcome = await keeper.sender.send(next.intent);
    return { txHash: outcome.hash };
  }
  await settleTask(keeper.tasks, {
    settler: { next: async () => next },
    workflow: keeper.workflow,
    sender: keeper.sender,
    client: keeper.client,
    from: keeper.submitter.address,
  }).run(new AbortController().signal);
  const open = await keeper.store.listProposals({ statuses: ["proposed"], vault: keeper.stack.vault });
  const proposal = open.find((p) => JSON.parse(p.planJson).kind === "settle");
  if (!proposal) return undefined;
  for (const operator of keeper.operators.slice(0, keeper.config.gate.threshold))
    await keeper.workflow.sign(proposal.id, operator);
  const done = await keeper.workflow.submit(proposal.id, keeper.sender);
  return { proposalId: proposal.id, txHash: done.txHash };
}

/**
 * After a restart: submits every proposal of this vault that has its signatures (or was in flight),
 * exactly once; the sender's journal and the gate's nonce make a repeated call a no-op.
 */
export async function resumeProposals(
  keeper: LocalKeeper,
): Promise<{ id: Hex; status: string; txHash?: Hex }[]> {
  const open = await keeper.store.listProposals({
    statuses: ["signed", "submitted"],
    vault: keeper.stack.vault,
  });
  const done: { id: Hex; status: string; txHash?: Hex }[] = [];
  for (const proposal of open) {
    const view = await keeper.workflow.status(proposal.id);
    if (!view.ready && proposal.status !== "submitted") continue;
    const after = await keeper.workflow.submit(proposal.id, keeper.sender);
    done.push({ id: after.id, status: after.status, txHash: after.txHash });
  }
  return done;
}
