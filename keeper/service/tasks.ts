import { trackCalibration } from "./calibration.js";
import type { LocalAccount, PublicClient } from "viem";
import type { KeeperConfig } from "../config/schema.js";
import type { KeeperMetrics } from "../http/keeperMetrics.js";
import type { Logger } from "../log/logger.js";
import type { AlertSink } from "../ops/alerts.js";
import {
  assessDepeg,
  navGuardrail,
  oracleDeviation,
  type DepegAssessment,
  type Finding,
} from "../ops/monitors.js";
import type { ScheduledTask } from "../ops/scheduler.js";
import { computeProvenance } from "../multisig/provenance.js";
import { ProposalError, type MultisigWorkflow, type TxSender } from "../multisig/workflow.js";
import type { Store } from "../store/types.js";
import type {
  EpochSettler,
  Guardian,
  Planner,
  ReadingsSource,
  SnapshotSource,
  StrategyModule,
} from "./ports.js";

export interface TaskContext {
  readonly config: KeeperConfig;
  readonly logger: Logger;
  readonly metrics: KeeperMetrics;
  readonly alerts: AlertSink;
  readonly store: Store;
  readonly now: () => Date;
}

/** signals → evaluate → plan → propose. Rejected inputs are counted, never fatal. */
export function strategyTask(
  ctx: TaskContext,
  deps: {
    readonly snapshots: SnapshotSource;
    readonly strategy: StrategyModule;
    readonly policy: unknown;
    readonly strategyConfig: unknown;
    readonly planner: Planner;
    readonly workflow: MultisigWorkflow;
  },
): ScheduledTask {
  return {
    name: "strategy",
    everyMs: ctx.config.schedule.strategyEverySeconds * 1_000,
    async run() {
      const now = ctx.now();
      const { snapshots, rejected } = await deps.snapshots.load(now);
      for (const r of rejected) {
        ctx.metrics.rejectedInputs.inc({ source: r.source });
        ctx.logger.warn("input rejected", { source: r.source, reason: r.reason });
      }
      const result = await deps.strategy.evaluate(snapshots, deps.policy, deps.strategyConfig, now.getTime());
      if (result.rejected.length > 0)
        ctx.metrics.rejectedInputs.inc({ source: "strategy" }, result.rejected.length);
      const tracked = await trackCalibration(ctx.store, snapshots, result.estimates, now.getTime());
      ctx.metrics.estimates.inc({ event: "recorded" }, tracked.recorded);
      ctx.metrics.estimates.inc({ event: "resolved" }, tracked.resolved);
      const planned = await deps.planner.plan(result.allocation, now);
      if (!planned || planned.calls.length === 0) {
        ctx.logger.info("allocation needs no rebalance", { snapshotHash: result.allocation.snapshotHash });
        return;
      }
      try {
        const used = deps.strategy.signalsUsed
          ? deps.strategy.signalsUsed(snapshots, result.allocation)
          : snapshots;
        const proposal = await deps.workflow.propose(
          {
            plan: planned.plan,
            snapshot: used,
            calls: planned.calls,
            provenance: computeProvenance(used, planned.plan),
          },
          { exclusive: true },
        );
        ctx.logger.info("rebalance proposed", { proposalId: proposal.id, calls: proposal.calls.length });
      } catch (error) {
        if (!(error instanceof ProposalError) || !error.message.includes("already open")) throw error;
        ctx.logger.info("another proposal is open for this nonce; waiting for it", {
          proposalId: error.proposalId,
        });
      }
    },
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
            const done = await deps.workflow.submit(proposal.id, deps.sender);
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
        const guard = navGuardrail(next.nav, ctx.config.monitors.navBandBps);
        ctx.metrics.lastNav.set(
          Number(next.nav.currentPricePerShare) / Number(next.nav.previousPricePerShare),
          {
            vault: next.nav.vault,
          },
        );
        if (!guard.withinBand) {
          await raise(ctx, guard);
          return;
        }
      }
      if (next.route === "gate") {
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
        findings.push(navGuardrail(nav, ctx.config.monitors.navBandBps));
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
