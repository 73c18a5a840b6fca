import type { Hex, LocalAccount, PublicClient } from "viem";
import type { KeeperConfig } from "../config/schema.js";
import type { KeeperMetrics } from "../http/keeperMetrics.js";
import type { Logger } from "../log/logger.js";
import type { AlertSink } from "../ops/alerts.js";
import {
  assessDepeg,
  navFindings,
  oracleDeviation,
  type DepegAssessment,
  type Finding,
} from "../ops/monitors.js";
import type { ScheduledTask } from "../ops/scheduler.js";
import { computeProvenance } from "../multisig/provenance.js";
import { type MultisigWorkflow, type TxSender } from "../multisig/workflow.js";
import type { Store } from "../store/types.js";
import { requireProduct, runKeeperCycle, signAsOperators } from "../cycle/cycle.js";
import { runOutcomeStep, type OutcomeParts } from "../cycle/outcomeCycle.js";
import type { Keeper } from "../cycle/keeper.js";
import type { EpochSettler, Guardian, ReadingsSource } from "../vault/ports.js";

export interface TaskContext {
  readonly config: KeeperConfig;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly alerts: AlertSink;
  readonly store: Store;
  readonly now: () => Date;
}

/**
 * The keeper cycle on a schedule (keeper/cycle/cycle.ts): signals → evaluate with the stored
 * allocation → plan → mandates → proposal → this operator's signature → submission once ready.
 * Rejected inputs are counted, never fatal.
 */
export function strategyTask(keeper: Keeper): ScheduledTask {
  return {
    name: "strategy",
    everyMs: keeper.config.schedule.strategyEverySeconds * 1_000,
    async run() {
      const result = await runKeeperCycle(keeper, keeper.now());
      keeper.logger.info("keeper cycle", {
        status: result.status,
        weightsBps: result.allocation.weightsBps,
        reasons: result.allocation.reasons,
        direct: result.direct?.map((d) => ({ mandateId: d.mandateId, txHash: d.txHash })),
        snapshotHash: result.snapshotHash,
        proposalId: result.proposalId,
        txHash: result.txHash,
        ...(result.outcomes
          ? {
              outcomes: {
                opportunities: result.outcomes.opportunities.length,
                rejected: result.outcomes.rejected.length,
                placed: result.outcomes.placed,
                locked: result.outcomes.locked,
                unwound: result.outcomes.unwound,
              },
            }
          : {}),
        timingsMs: result.timingsMs,
      });
    },
  };
}

/**
 * The outcome-arbitrage step alone, on its own schedule, for a keeper without a signal source (with
 * one, the strategy task's `runKeeperCycle` runs the step): open batches tracked, locked or unwound;
 * new opportunities scanned, placed and posted (keeper/cycle/outcomeCycle.ts).
 */
export function outcomeTask(keeper: Keeper, parts: OutcomeParts): ScheduledTask {
  return {
    name: "outcomes",
    everyMs: parts.config.everySeconds * 1_000,
    async run() {
      const result = await runOutcomeStep(keeper, parts, keeper.now());
      const reasons: Record<string, number> = {};
      for (const r of result.rejected) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
      keeper.logger.info("outcome cycle", {
        sets: result.sets,
        opportunities: result.opportunities.map((o) => ({
          strategy: o.strategy,
          set: o.set.id,
          profitUsd: Number(o.profitUsd.toFixed(2)),
        })),
        rejected: reasons,
        placed: result.placed,
        locked: result.locked,
        unwound: result.unwound,
        timingsMs: result.timingsMs,
      });
    },
  };
}

/** What `/status` shows of the outcome task: batches by status (newest first) and the connector's positions. */
export async function outcomeStatus(store: Store) {
  const batches = await store.listOutcomeBatches({ limit: 20 });
  return {
    batches: batches.map((b) => ({
      id: b.id,
      strategy: b.strategy,
      set: b.setId,
      status: b.status,
      cost: b.cost,
      expectedProfit: b.profit,
      realized: b.realized ?? null,
      reason: b.statusReason ?? null,
    })),
    orders: await store.countOutcomeOrdersByStatus(),
    positions: await store.listOutcomePositions(),
  };
}

/** Co-signs open proposals this operator has not signed (each verified by the workflow), then submits ready ones. */
/** Longest wait before a keeper retries a proposal it could not sign or submit. */
export const MULTISIG_MAX_BACKOFF_MS = 5 * 60_000;

export function multisigTask(
  ctx: TaskContext,
  deps: {
    readonly workflow: MultisigWorkflow;
    readonly sender: TxSender | undefined;
    readonly account: LocalAccount;
  },
): ScheduledTask {
  const everyMs = ctx.config.chain.pollingIntervalMs * 5;
  // A proposal this keeper failed to sign or submit is retried with exponential backoff, and its
  // warning is logged once per distinct reason, not at every poll.
  const failures = new Map<string, { reason: string; count: number; retryAt: number }>();
  return {
    name: "multisig",
    everyMs,
    async run(signal) {
      // Finality: results a reorg removed go back to be redone before anything new is looked at.
      await deps.sender?.recheckMined?.();
      await deps.workflow.recheckExecuted();
      const open = await ctx.store.listProposals({
        statuses: ["proposed", "signed", "submitted"],
        vault: ctx.config.gate.vault,
      });
      const openIds = new Set(open.map((p) => p.id));
      for (const id of failures.keys()) if (!openIds.has(id as `0x${string}`)) failures.delete(id);
      for (const proposal of open) {
        if (signal.aborted) return;
        const failed = failures.get(proposal.id);
        if (failed && ctx.now().getTime() < failed.retryAt) continue;
        try {
          const view = await deps.workflow.status(proposal.id);
          if (
            view.proposal.status !== "proposed" &&
            view.proposal.status !== "signed" &&
            view.proposal.status !== "submitted"
          )
            continue;
          const mine = view.signatures.some(
            (s) => s.signer.toLowerCase() === deps.account.address.toLowerCase(),
          );
          if (!mine && view.proposal.status !== "submitted")
            await deps.workflow.sign(proposal.id, deps.account);
          const after = await deps.workflow.status(proposal.id);
          if ((after.ready || after.proposal.status === "submitted") && deps.sender && !ctx.config.dryRun) {
            const done = await deps.workflow.submit(proposal.id, deps.sender, { signal });
            ctx.logger.info("proposal submitted", {
              proposalId: proposal.id,
              status: done.status,
              txHash: done.txHash,
            });
          }
          failures.delete(proposal.id);
        } catch (error) {
          const reason = (error as Error).message;
          const count = (failed?.count ?? 0) + 1;
          const delayMs = Math.min(everyMs * 2 ** count, MULTISIG_MAX_BACKOFF_MS);
          failures.set(proposal.id, { reason, count, retryAt: ctx.now().getTime() + delayMs });
          ctx.metrics.rejectedInputs.inc({ source: "proposal" });
          const fields = { proposalId: proposal.id, error: reason, attempts: count, retryInMs: delayMs };
          if (failed?.reason === reason) ctx.logger.debug("proposal still not signed or submitted", fields);
          else ctx.logger.warn("proposal not signed or submitted", fields);
        }
      }
    },
  };
}

/**
 * Settles the epoch when due. Through the gate, the settlement becomes a proposal (the multisig task
 * co-signs and submits it); past the vault's deadline it is sent directly. A NAV move beyond the
 * guardrail is not settled (the vault would pause): the keeper alerts instead.
 */
export function settleTask(
  ctx: TaskContext,
  deps: {
    readonly settler: EpochSettler;
    readonly workflow: MultisigWorkflow;
    readonly sender: TxSender | undefined;
    readonly client: PublicClient;
    readonly from: `0x${string}`;
  },
): ScheduledTask {
  return {
    name: "settle",
    everyMs: ctx.config.schedule.settleEverySeconds * 1_000,
    async run() {
      const next = await deps.settler.next(ctx.now());
      if (!next) return;
      if (next.nav) {
        ctx.metrics.lastNav.set(
          Number(next.nav.currentPricePerShare) / Number(next.nav.previousPricePerShare),
          { vault: next.nav.vault },
        );
        const outside = navFindings(next.nav, ctx.config.monitors.operatorNavBandBps).filter(
          (f) => !f.withinBand,
        );
        if (outside.length > 0) {
          for (const finding of outside) await raise(ctx, finding);
          return;
        }
      }
      if (next.route === "gate") {
        if (next.unvalued.length > 0) {
          ctx.metrics.alerts.inc({ kind: "settlement", severity: "critical" });
          await ctx.alerts.send({
            kind: "settlement",
            severity: "critical",
            subject: next.nav.vault,
            message: `not settling: ${next.unvalued.join("; ")}`,
            details: {},
          });
          ctx.logger.warn("settlement not proposed: connectors cannot be valued", {
            unvalued: next.unvalued,
          });
          return;
        }
        const proposal = await deps.workflow.propose({
          plan: next.plan,
          snapshot: next.snapshot,
          calls: next.calls,
          provenance: computeProvenance(next.snapshot, next.plan),
        });
        ctx.logger.info("settlement proposed", { proposalId: proposal.id });
        return;
      }
      if (ctx.config.dryRun || !deps.sender) {
        await deps.client.call({ account: deps.from, to: next.intent.to, data: next.intent.data });
        ctx.logger.info("dry run: settlement simulated, not sent", { intentId: next.intent.id });
        return;
      }
      const outcome = await deps.sender.send(next.intent);
      ctx.logger.info("epoch settled", {
        intentId: next.intent.id,
        status: outcome.status,
        txHash: outcome.hash,
      });
    },
  };
}

/**
 * NAV, oracle and depeg monitors; critical findings alert and, with a guardian wired, pause the
 * vault and revoke the gate's live mandates (no keeper keeps acting alone while limits are broken).
 */
export function monitorTask(
  ctx: TaskContext,
  deps: { readonly readings: ReadingsSource; readonly guardian?: Guardian },
): ScheduledTask {
  return {
    name: "monitor",
    everyMs: ctx.config.schedule.monitorEverySeconds * 1_000,
    async run() {
      const readings = await deps.readings.read(ctx.now());
      const findings: Finding[] = [];
      for (const nav of readings.nav) {
        findings.push(...navFindings(nav, ctx.config.monitors.operatorNavBandBps));
        ctx.metrics.lastNav.set(Number(nav.currentPricePerShare) / Number(nav.previousPricePerShare), {
          vault: nav.vault,
        });
      }
      for (const o of readings.oracles)
        findings.push(oracleDeviation(o, ctx.config.monitors.oracleMaxDeviationBps));
      for (const s of readings.stablecoins)
        findings.push(assessDepeg(s.token, s.peg, s.venues, ctx.config.monitors.depeg));
      for (const finding of findings) {
        if (finding.severity === "ok") continue;
        await raise(ctx, finding);
        if (pauses(finding) && deps.guardian && !ctx.config.dryRun) {
          await deps.guardian.pause(finding.subject, finding.message);
          await deps.guardian.revokeMandates?.(finding.subject, finding.message);
        }
      }
    },
  };
}

/**
 * Whether a finding calls for the guardian. A depeg in the reduce band is the strategy's to handle
 * (it moves weight out of the stablecoin); only past the exit band does the guardian pause.
 */
function pauses(finding: Finding): boolean {
  if (finding.severity !== "critical") return false;
  return finding.monitor !== "depeg" || (finding as DepegAssessment).level === "exit";
}

async function raise(ctx: TaskContext, finding: Finding): Promise<void> {
  const severity = finding.severity === "critical" ? "critical" : "warn";
  ctx.metrics.alerts.inc({ kind: finding.monitor, severity });
  await ctx.alerts.send({
    kind: finding.monitor,
    severity,
    subject: finding.subject,
    message: finding.message,
    details: { bps: finding.bps },
  });
}

/** Runs the monitors once (depeg, NAV): alerts, and a guardian pause on a critical finding. */
export async function monitorOnce(keeper: Keeper): Promise<void> {
  const product = requireProduct(keeper);
  await monitorTask(keeper, { readings: product.readings, guardian: product.guardian }).run(
    new AbortController().signal,
  );
}

/**
 * Settles the epoch if due, now: through the gate (proposed, co-signed by this process's operators,
 * submitted once ready), or past the vault's deadline directly with this operator's key.
 */
export async function settleOnce(keeper: Keeper): Promise<{ proposalId?: Hex; txHash?: Hex } | undefined> {
  const product = requireProduct(keeper);
  const next = await product.settler.next(keeper.now());
  if (!next || !keeper.sender || !keeper.account) return undefined;
  if (next.route === "direct") {
    const outcome = await keeper.sender.send(next.intent);
    return { txHash: outcome.hash };
  }
  await settleTask(keeper, {
    settler: { next: async () => next },
    workflow: keeper.workflow,
    sender: keeper.sender,
    client: keeper.client,
    from: keeper.account.address,
  }).run(new AbortController().signal);
  const open = await keeper.store.listProposals({ statuses: ["proposed", "signed"], vault: product.vault });
  const proposal = open.find((p) => (JSON.parse(p.planJson) as { kind?: string }).kind === "settle");
  if (!proposal) return undefined;
  if (!(await signAsOperators(keeper, proposal.id))) return { proposalId: proposal.id };
  const done = await keeper.workflow.submit(proposal.id, keeper.sender);
  return { proposalId: proposal.id, txHash: done.txHash };
}
