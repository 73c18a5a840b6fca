import { calibrationByEstimator } from "../strategy/calibration.js";
import type { Store } from "../store/types.js";
import {
  OUTCOME_BATCH_STATUSES,
  OUTCOME_ORDER_STATUSES,
  PROPOSAL_STATUSES,
  SEND_STATUSES,
} from "../store/types.js";
import { MetricsRegistry, type Counter, type Gauge } from "./metrics.js";

/** The keeper's metric set; names are part of the operator interface (dashboards, alert rules). */
export interface KeeperMetrics {
  readonly registry: MetricsRegistry;
  /** Scheduler steps by task and outcome (`ok` / `failed`). */
  readonly cycles: Counter;
  /** Inputs rejected by validation, by source (signal adapter, config, CLI, monitor). */
  readonly rejectedInputs: Counter;
  /** Sender checkpoints (broadcast, replaced, cancel-broadcast, mined). */
  readonly txEvents: Counter;
  readonly alerts: Counter;
  readonly lastNav: Gauge;
  readonly lastStepTimestamp: Gauge;
  readonly proposals: Gauge;
  readonly sends: Gauge;
  readonly up: Gauge;
  /** Estimates stored and resolved for calibration tracking. */
  readonly estimates: Counter;
  /** Brier / log-loss of each estimator and of the market price over its resolved estimates. */
  readonly estimatorBrier: Gauge;
  readonly estimatorLogLoss: Gauge;
  readonly estimatorResolved: Gauge;
  /** Outcome arbitrage: opportunities found (by strategy), refusals (by named reason), profit locked (USD). */
  readonly outcomeOpportunities: Counter;
  readonly outcomeRejections: Counter;
  readonly outcomeLockedProfit: Counter;
  /** Outcome orders and batches in the store, by status. */
  readonly outcomeOrders: Gauge;
  readonly outcomeBatches: Gauge;
  /** The process's resident set and V8 heap in use, read at each scrape (memory flat over a long run). */
  readonly residentMemory: Gauge;
  readonly heapUsed: Gauge;
}

export function createKeeperMetrics(store?: Store): KeeperMetrics {
  const registry = new MetricsRegistry();
  const metrics: KeeperMetrics = {
    registry,
    up: registry.gauge("keeper_up", "1 while the keeper process is serving."),
    cycles: registry.counter("keeper_cycles_total", "Scheduler steps run, by task and outcome.", [
      "task",
      "outcome",
    ]),
    rejectedInputs: registry.counter(
      "keeper_rejected_inputs_total",
      "External inputs rejected by validation, by source.",
      ["source"],
    ),
    txEvents: registry.counter("keeper_tx_events_total", "Transaction sender events, by event.", ["event"]),
    alerts: registry.counter("keeper_alerts_total", "Alerts raised, by kind and severity.", [
      "kind",
      "severity",
    ]),
    lastNav: registry.gauge("keeper_last_nav_price_per_share", "Last price per share read, per vault.", [
      "vault",
    ]),
    lastStepTimestamp: registry.gauge(
      "keeper_last_step_timestamp_seconds",
      "Unix time of the last step, by task.",
      ["task"],
    ),
    proposals: registry.gauge("keeper_proposals", "Proposals in the store, by status.", ["status"]),
    sends: registry.gauge("keeper_sends", "Journaled transactions, by status.", ["status"]),
    estimates: registry.counter("keeper_estimates_total", "Estimates stored and resolved, by event.", [
      "event",
    ]),
    estimatorBrier: registry.gauge(
      "keeper_estimator_brier",
      "Brier score over resolved estimates, by estimator, of the estimate and of the market price.",
      ["estimator", "forecast"],
    ),
    estimatorLogLoss: registry.gauge(
      "keeper_estimator_log_loss",
      "Log-loss over resolved estimates, by estimator, of the estimate and of the market price.",
      ["estimator", "forecast"],
    ),
    estimatorResolved: registry.gauge("keeper_estimator_resolved", "Resolved estimates, by estimator.", [
      "estimator",
    ]),
    outcomeOpportunities: registry.counter(
      "keeper_outcome_opportunities_total",
      "Outcome-arbitrage opportunities found, by strategy.",
      ["strategy"],
    ),
    outcomeRejections: registry.counter(
      "keeper_outcome_rejections_total",
      "Outcome sets and opportunities refused, by reason.",
      ["reason"],
    ),
    outcomeLockedProfit: registry.counter(
      "keeper_outcome_locked_profit_usd_total",
      "Profit locked by outcome batches (USD), by strategy.",
      ["strategy"],
    ),
    outcomeOrders: registry.gauge("keeper_outcome_orders", "Outcome orders in the store, by status.", [
      "status",
    ]),
    outcomeBatches: registry.gauge("keeper_outcome_batches", "Outcome batches in the store, by status.", [
      "status",
    ]),
    residentMemory: registry.gauge("process_resident_memory_bytes", "Resident memory of the keeper process."),
    heapUsed: registry.gauge("nodejs_heap_used_bytes", "V8 heap in use by the keeper process."),
  };
  metrics.up.set(1);
  registry.onCollect(() => {
    const memory = process.memoryUsage();
    metrics.residentMemory.set(memory.rss);
    metrics.heapUsed.set(memory.heapUsed);
  });
  for (const status of PROPOSAL_STATUSES) metrics.proposals.set(0, { status });
  for (const status of SEND_STATUSES) metrics.sends.set(0, { status });
  for (const status of OUTCOME_ORDER_STATUSES) metrics.outcomeOrders.set(0, { status });
  for (const status of OUTCOME_BATCH_STATUSES) metrics.outcomeBatches.set(0, { status });
  if (store) {
    registry.onCollect(async () => {
      for (const [status, n] of Object.entries(await store.countProposalsByStatus()))
        metrics.proposals.set(n, { status });
      for (const [status, n] of Object.entries(await store.countSendsByStatus()))
        metrics.sends.set(n, { status });
      for (const [status, n] of Object.entries(await store.countOutcomeOrdersByStatus()))
        metrics.outcomeOrders.set(n, { status });
      const batches = await store.listOutcomeBatches({ limit: 10_000 });
      for (const status of OUTCOME_BATCH_STATUSES)
        metrics.outcomeBatches.set(batches.filter((b) => b.status === status).length, { status });
      for (const c of calibrationByEstimator(await store.listEstimates({ resolved: true }))) {
        metrics.estimatorResolved.set(c.resolved, { estimator: c.estimator });
        if (c.brierEstimate === null) continue;
        metrics.estimatorBrier.set(c.brierEstimate, { estimator: c.estimator, forecast: "estimate" });
        metrics.estimatorBrier.set(c.brierMarket ?? 0, { estimator: c.estimator, forecast: "market" });
        metrics.estimatorLogLoss.set(c.logLossEstimate ?? 0, {
          estimator: c.estimator,
          forecast: "estimate",
        });
        metrics.estimatorLogLoss.set(c.logLossMarket ?? 0, { estimator: c.estimator, forecast: "market" });
      }
    });
  }
  return metrics;
}
