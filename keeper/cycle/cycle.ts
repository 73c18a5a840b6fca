import type { Address, Hex } from "viem";
import { canonicalJson, computeProvenance, signalSnapshotHash } from "../multisig/provenance.js";
import { ProposalError } from "../multisig/workflow.js";
import type { GateCall } from "../store/types.js";
import type { MarketSnapshot } from "../signals/types.js";
import {
  evaluate,
  type AllocationPolicy,
  type Evaluation,
  type EvaluationConfig,
  type StrategyConfig,
  type TargetAllocation,
} from "../strategy/index.js";
import type { RebalancePlan } from "../planning/rebalance.js";
import { loadAllocationState, saveAllocationState } from "./allocationState.js";
import { runOutcomeStep, type OutcomeStepResult } from "./outcomeCycle.js";
import { trackCalibration } from "./calibration.js";
import type { Keeper, ProductParts } from "./keeper.js";

/** What one cycle did, for the demo, the benchmark and logs. */
export interface CycleResult {
  /**
   * `signed`: proposed and signed by this process's operators, left for the other operators (or, with
   * `submit: false`, for a later submit); `waiting`: another proposal is open for the gate's nonce.
   */
  readonly status: "executed" | "failed" | "signed" | "waiting" | "no-rebalance" | "replayed-signals";
  /** Snapshots the strategy's rules used (what the provenance commits to). */
  readonly signals: readonly MarketSnapshot[];
  /** Inputs refused before the strategy (stale, malformed), with why. */
  readonly rejected: readonly { readonly source: string; readonly reason: string }[];
  readonly allocation: TargetAllocation;
  readonly snapshotHash: Hex;
  /**
   * The proposal's plan and calls: the planner's, less the leading actions in `direct` (when a
   * mandate covered every action, the whole plan, and nothing was proposed). With `no-rebalance`,
   * a plan without actions lists the legs skipped as not worth moving; none means on target.
   */
  readonly plan?: RebalancePlan;
  readonly calls?: readonly GateCall[];
  readonly proposalId?: Hex;
  readonly provenance?: Hex;
  readonly txHash?: Hex;
  readonly gateNonce?: bigint;
  /** Leading plan actions an approved mandate covered, executed directly (`executeMandate`), in order. */
  readonly direct?: readonly DirectAction[];
  /** The outcome-arbitrage step's result, when the keeper has an `outcomes` section. */
  readonly outcomes?: OutcomeStepResult;
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
    allocation.evidence
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
 * One full keeper cycle on the chain: signals → evaluate with the stored previous allocation (peg
 * prices from the chain) → plan → the leading actions an approved mandate covers executed directly
 * → propose the rest → this process's operators re-simulate, re-check and sign → submit once the
 * gate's threshold is reached → mined. Market signals already behind an executed proposal are not
 * proposed again. The only cycle: `keeper run`, `npm start`, the benchmark and the tests call it.
 */
export async function runKeeperCycle(
  keeper: Keeper,
  now: Date,
  options: { readonly submit?: boolean } = {},
): Promise<CycleResult> {
  const product = requireProduct(keeper);
  const vault = product.vault;
  const timingsMs: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timingsMs[name] = t - mark;
    mark = t;
  };
  // outcome arbitrage first: its batches lock or unwind on their own clock, whatever the signals say
  const outcomes = keeper.outcomes ? await runOutcomeStep(keeper, keeper.outcomes, now) : undefined;
  if (outcomes) lap("outcomes");
  if (!product.snapshots) throw new Error("no signal source configured (product.signalsFile or liveSignals)");
  const [chain, { snapshots, rejected }, previous] = await Promise.all([
    product.readings.snapshot(),
    product.snapshots.load(now),
    loadAllocationState(keeper.store, vault),
  ]);
  for (const r of rejected) {
    keeper.metrics.rejectedInputs.inc({ source: r.source });
    keeper.logger.warn("input rejected", { source: r.source, reason: r.reason });
  }
  lap("signals");
  const result = evaluateTargets(snapshots, product.policy, product.strategyConfig, now.getTime(), {
    pegPrices: chain.pegPrices,
    previous,
  });
  if (result.rejected.length > 0)
    keeper.metrics.rejectedInputs.inc({ source: "strategy" }, result.rejected.length);
  const tracked = await trackCalibration(keeper.store, snapshots, result.estimates, now.getTime());
  keeper.metrics.estimates.inc({ event: "recorded" }, tracked.recorded);
  keeper.metrics.estimates.inc({ event: "resolved" }, tracked.resolved);
  const allocation = result.allocation;
  await saveAllocationState(keeper.store, vault, allocation);
  const signals = usedSnapshots(snapshots, allocation);
  lap("evaluate");
  const base = {
    signals,
    rejected,
    allocation,
    snapshotHash: allocation.snapshotHash,
    timingsMs,
    ...(outcomes ? { outcomes } : {}),
  };
  if (signals.length > 0 && (await proposedBefore(keeper, vault, allocation.snapshotHash, chain.pegPrices))) {
    keeper.logger.info("signals already acted on; no new proposal", {
      snapshotHash: allocation.snapshotHash,
    });
    return { ...base, status: "replayed-signals" };
  }
  const rebalance = await product.planner.plan(allocation);
  lap("plan");
  if (!rebalance || rebalance.calls.length === 0) {
    keeper.logger.info(rebalance ? "allocation off target within tolerance" : "allocation on target", {
      snapshotHash: allocation.snapshotHash,
      skipped: rebalance?.plan.skipped ?? [],
    });
    return { ...base, status: "no-rebalance", ...(rebalance ? { plan: rebalance.plan, calls: [] } : {}) };
  }
  const full = { ...rebalance.plan, pegPrices: chain.pegPrices };
  const sending = options.submit !== false && keeper.sender !== undefined && !keeper.config.dryRun;
  const direct = sending ? await executeInMandates(keeper, product, signals, full, rebalance.calls) : [];
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
  let proposal;
  try {
    proposal = await keeper.workflow.propose(
      {
        plan: planned.plan,
        snapshot: signals,
        calls: planned.calls,
        provenance: computeProvenance(signals, planned.plan),
      },
      { exclusive: true },
    );
  } catch (error) {
    if (!(error instanceof ProposalError) || error.proposalId === undefined) throw error;
    keeper.logger.info("another proposal is open for this nonce; waiting for it", {
      proposalId: error.proposalId,
    });
    return { ...withDirect, status: "waiting", proposalId: error.proposalId };
  }
  keeper.logger.info("rebalance proposed", { proposalId: proposal.id, calls: proposal.calls.length });
  lap("propose");
  const ready = await signAsOperators(keeper, proposal.id);
  lap("sign");
  const proposed = {
    ...withDirect,
    plan: planned.plan,
    calls: planned.calls,
    proposalId: proposal.id,
    provenance: proposal.provenance,
    gateNonce: proposal.nonce,
  };
  if (!sending || !ready) return { ...proposed, status: "signed" };
  const done = await keeper.workflow.submit(proposal.id, keeper.sender!);
  lap("submit");
  keeper.logger.info("proposal submitted", {
    proposalId: proposal.id,
    status: done.status,
    txHash: done.txHash,
  });
  return { ...proposed, status: done.status === "executed" ? "executed" : "failed", txHash: done.txHash };
}

/** The batch the cycle would propose now, planned but neither proposed nor signed. */
export interface RebalanceDraft {
  readonly allocation: TargetAllocation;
  readonly signals: readonly MarketSnapshot[];
  /** Absent: nothing to propose (on target, or every leg below the planner's thresholds). */
  readonly proposal?: {
    readonly plan: RebalancePlan;
    readonly calls: readonly GateCall[];
    readonly provenance: Hex;
  };
  /** Legs the planner skipped as not worth moving (when there is nothing to propose). */
  readonly skipped: RebalancePlan["skipped"];
}

/**
 * The cycle's steps up to the proposal, without storing anything: evaluate the policy on the
 * snapshots with the chain's peg prices and the stored previous allocation (for the keeper's own
 * policy), plan, and commit the plan and the signals it used to a provenance, exactly as
 * {@link runKeeperCycle} does before it proposes. The dashboard's copilot (one click from a
 * recommendation to a proposal) and the strategist's "what it would propose now" call it; with
 * another `policy` than the keeper's, no previous allocation is carried (its rules differ).
 */
export async function draftRebalance(
  keeper: Pick<Keeper, "store">,
  product: Pick<ProductParts, "vault" | "planner" | "readings" | "policy" | "strategyConfig">,
  snapshots: readonly MarketSnapshot[],
  now: Date,
  policy: AllocationPolicy = product.policy,
): Promise<RebalanceDraft> {
  const own = policy === product.policy;
  const [chain, previous] = await Promise.all([
    product.readings.snapshot(),
    own ? loadAllocationState(keeper.store, product.vault) : Promise.resolve(undefined),
  ]);
  const result = evaluateTargets(snapshots, policy, product.strategyConfig, now.getTime(), {
    pegPrices: chain.pegPrices,
    previous,
  });
  const allocation = result.allocation;
  const signals = usedSnapshots(snapshots, allocation);
  const rebalance = await product.planner.plan(allocation);
  if (!rebalance || rebalance.calls.length === 0)
    return { allocation, signals, skipped: rebalance?.plan.skipped ?? [] };
  const plan = { ...rebalance.plan, pegPrices: chain.pegPrices };
  return {
    allocation,
    signals,
    skipped: [],
    proposal: { plan, calls: rebalance.calls, provenance: computeProvenance(signals, plan) },
  };
}

/**
 * Signs a proposal with the first of this process's operator keys that is a gate signer and has not
 * signed it yet, after the workflow's checks (integrity, nonce, deadline, simulation, risk check):
 * what the keeper's HTTP API does on an authenticated `POST /proposals/<id>/sign`.
 */
export async function signAsKeeper(
  keeper: Pick<Keeper, "config" | "operators" | "workflow">,
  proposalId: Hex,
): Promise<{ readonly signer: Address; readonly signatures: number; readonly threshold: number }> {
  const signers = new Set(keeper.config.gate.signers.map((a) => a.toLowerCase()));
  const view = await keeper.workflow.status(proposalId);
  const signed = new Set(view.signatures.map((s) => s.signer.toLowerCase()));
  const operator = keeper.operators.find(
    (o) => signers.has(o.address.toLowerCase()) && !signed.has(o.address.toLowerCase()),
  );
  if (!operator)
    throw new ProposalError(
      proposalId,
      keeper.operators.some((o) => signers.has(o.address.toLowerCase()))
        ? "every gate signer key this keeper holds has signed it already"
        : "this keeper holds no key of a gate signer",
    );
  await keeper.workflow.sign(proposalId, operator);
  const after = await keeper.workflow.status(proposalId);
  return { signer: operator.address, signatures: after.signatures.length, threshold: after.threshold };
}

/**
 * Signs a proposal with each of this process's operator keys that is a gate signer and has not
 * signed yet, until the gate's threshold is reached; returns whether it is ready to submit.
 */
export async function signAsOperators(keeper: Keeper, proposalId: Hex): Promise<boolean> {
  const signers = new Set(keeper.config.gate.signers.map((a) => a.toLowerCase()));
  const view = await keeper.workflow.status(proposalId);
  if (view.ready) return true;
  // each sign re-checks the proposal (nonce, deadline, simulation, risk) and refuses a closed one
  const signed = new Set(view.signatures.map((s) => s.signer.toLowerCase()));
  for (const operator of keeper.operators) {
    if (signed.size >= view.threshold) break;
    const me = operator.address.toLowerCase();
    if (!signers.has(me) || signed.has(me)) continue;
    await keeper.workflow.sign(proposalId, operator);
    signed.add(me);
  }
  return signed.size >= view.threshold;
}

/** The product side of a keeper; a config without a `product` section cannot run a cycle. */
export function requireProduct(keeper: Keeper): ProductParts {
  if (!keeper.product) throw new Error("the config has no product section: this keeper only co-signs");
  return keeper.product;
}

/**
 * Executes the plan's leading actions that an approved mandate covers (connector, token, selector,
 * per-action limit and the period's remaining headroom, checked on chain before each send), in plan
 * order, stopping at the first one none covers: what follows depends on it, so it and everything
 * after go to the 2-of-3 proposal. Each action's provenance commits to the signals, the plan and its
 * index, so a rerun of the same cycle never sends it twice (the sender's journal).
 */
async function executeInMandates(
  keeper: Keeper,
  product: ProductParts,
  signals: readonly MarketSnapshot[],
  plan: RebalancePlan,
  calls: readonly GateCall[],
): Promise<DirectAction[]> {
  const direct: DirectAction[] = [];
  const executor = product.mandateExecutor;
  if (product.mandates.length === 0 || !executor) return direct;
  for (const [index, call] of calls.entries()) {
    let covering: (typeof product.mandates)[number] | undefined;
    for (const terms of product.mandates) {
      if ((await executor.check(terms, call)).ok) {
        covering = terms;
        break;
      }
    }
    if (!covering) break;
    const provenance = computeProvenance(signals, { kind: "mandate", plan, index });
    const outcome = await executor.execute(covering, call, provenance);
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
  keeper: Keeper,
  vault: Hex,
  snapshotHash: Hex,
  pegPrices: Readonly<Record<string, number>>,
): Promise<boolean> {
  const proposals = await keeper.store.listProposals({ vault, statuses: ["executed"] });
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

/**
 * After a restart: submits every proposal of this vault that has its signatures (or was in flight),
 * exactly once; the sender's journal and the gate's nonce make a repeated call a no-op.
 */
export async function resumeProposals(keeper: Keeper): Promise<{ id: Hex; status: string; txHash?: Hex }[]> {
  if (!keeper.sender) return [];
  const open = await keeper.store.listProposals({
    statuses: ["signed", "submitted"],
    vault: keeper.config.gate.vault,
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

/**
 * The cycle's strategy step: the policy evaluated on the snapshots with the chain's peg prices and
 * the allocation the last cycle stored. A strategist's preview (`strategist.ts propose --policy`)
 * goes through this same step, so it shows what the keeper would do.
 */
export function evaluateTargets(
  snapshots: readonly MarketSnapshot[],
  policy: AllocationPolicy,
  strategyConfig: StrategyConfig,
  now: number,
  chainInputs: Pick<EvaluationConfig, "pegPrices" | "previous">,
): Evaluation {
  return evaluate(snapshots, policy, { ...strategyConfig, ...chainInputs }, now);
}
