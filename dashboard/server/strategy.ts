import { existsSync } from "node:fs";
import type { MarketSnapshot } from "../../keeper/signals/types.js";
import type { Store } from "../../keeper/store/types.js";
import { evaluateTargets } from "../../keeper/cycle/cycle.js";
import { defaultStrategyConfig } from "../../keeper/strategy/index.js";
import {
  type AllocationPolicy,
  type PolicyError,
  checkPolicyConnectors,
  parsePolicy,
} from "../../keeper/strategy/policy.js";
import type { AllocationState } from "../../keeper/strategy/allocation.js";
import { LOCAL_CONNECTOR_KEYS } from "../../deploy/local/keeperConfig.js";
import { RESOLVED_MARKETS_DIR, loadRecordedMarket, recordedSnapshot } from "../../scripts/demo/market.js";

/**
 * The strategist's and the copilot's side: a policy validated exactly as the keeper validates it
 * (keeper/strategy/policy.ts), evaluated by the keeper's own `evaluateTargets` on the current
 * signals ("what it would do now") and over the recorded market it reads (the backtest of its
 * targets), and the engine's recommendations and abstentions with the store's track record.
 */

/** The signals the keeper acts on now, and its clock (the demo's clock is the recorded data's). */
export type SignalsNow = () => Promise<{ readonly now: Date; readonly snapshots: readonly MarketSnapshot[] }>;

export interface StrategyOptions {
  /** deployment connector name (aave, morpho, ...) → policy key (aave-usdc, ...) */
  readonly connectorNames: readonly string[];
  readonly signals?: SignalsNow;
  /** the policy the keeper runs, for the signals view */
  readonly keeperPolicy?: AllocationPolicy;
  readonly store: () => Store | undefined;
  readonly marketsDir?: string;
  /** The batch a policy would propose now, planned by the keeper's planner (absent: no keeper in process). */
  readonly preview?: (policy: AllocationPolicy) => Promise<unknown>;
}

/** Backtest step: the keeper's epoch length in `npm start`. */
const STEP_SECONDS = 8 * 3600;

function policyKeys(connectorNames: readonly string[]): string[] {
  return Object.entries(LOCAL_CONNECTOR_KEYS)
    .filter(([, name]) => connectorNames.includes(name))
    .map(([key]) => key);
}

function firstMarket(policy: AllocationPolicy): string | undefined {
  for (const rule of policy.rules)
    if (rule.signal.kind === "market" && rule.signal.venue === "polymarket") return rule.signal.marketId;
  return undefined;
}

export class StrategyService {
  constructor(private readonly o: StrategyOptions) {}

  /** The policy file's text validated as the keeper validates it, and against the deployment's connectors. */
  parse(
    text: string,
  ):
    | { readonly ok: true; readonly policy: AllocationPolicy }
    | { readonly ok: false; readonly errors: readonly PolicyError[] } {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { ok: false, errors: [{ path: "<root>", message: `not JSON: ${(error as Error).message}` }] };
    }
    const parsed = parsePolicy(raw);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    const deployed = checkPolicyConnectors(parsed.policy, policyKeys(this.o.connectorNames));
    if (deployed.length > 0) return { ok: false, errors: deployed };
    return { ok: true, policy: parsed.policy };
  }

  /** Validation errors by JSON path; then, for a valid policy, what it would do now and its backtest. */
  async policy(text: string): Promise<unknown> {
    const parsed = this.parse(text);
    if (!parsed.ok) return parsed;
    return {
      ok: true,
      now: await this.now(parsed.policy),
      batch: this.o.preview
        ? await this.o.preview(parsed.policy).catch((error: Error) => ({
            available: false,
            reason: `planning failed: ${error.message.split("\n")[0]}`,
          }))
        : {
            available: false,
            reason: "no keeper planner: the batch is planned next to the keeper (npm start)",
          },
      backtest: await this.backtest(parsed.policy),
    };
  }

  private async now(policy: AllocationPolicy): Promise<unknown> {
    if (!this.o.signals)
      return {
        available: false,
        reason: "no signal source: start the dashboard with npm start or --signals",
      };
    const { now, snapshots } = await this.o.signals();
    const result = evaluateTargets(snapshots, policy, defaultStrategyConfig(), now.getTime(), {});
    return {
      available: true,
      at: now.toISOString(),
      weightsBps: result.allocation.weightsBps,
      reasons: result.allocation.reasons,
      evidence: result.allocation.evidence,
    };
  }

  /** The policy's targets at every 8 h step over the recorded market it reads (hysteresis carried). */
  private async backtest(policy: AllocationPolicy): Promise<unknown> {
    const slug = firstMarket(policy);
    if (!slug) return { available: false, reason: "the policy reads no Polymarket market" };
    const dir = this.o.marketsDir ?? RESOLVED_MARKETS_DIR;
    if (!existsSync(dir)) return { available: false, reason: `the recorded markets are not at ${dir}` };
    let market;
    try {
      market = await loadRecordedMarket(dir, slug);
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
    const first = market.points[0]!.t;
    const last = market.points.at(-1)!.t;
    const points = [];
    let previous: AllocationState | undefined;
    for (let t = first; t <= last; t += STEP_SECONDS) {
      const snapshot = recordedSnapshot(market, t);
      const result = evaluateTargets(
        [snapshot],
        policy,
        defaultStrategyConfig(),
        t * 1000,
        previous ? { previous } : {},
      );
      previous = { weightsBps: result.allocation.weightsBps, ruleLevels: result.allocation.ruleLevels };
      points.push({ t, signal: snapshot.price, weightsBps: result.allocation.weightsBps });
    }
    return {
      available: true,
      market: { slug, question: market.question },
      stepSeconds: STEP_SECONDS,
      points,
    };
  }

  /** The copilot: recommendations, estimates and abstentions on the current signals, and the track record. */
  async signals(): Promise<unknown> {
    const store = this.o.store();
    const record = store ? await store.listEstimates({ limit: 500 }) : [];
    const trackRecord = {
      estimates: record.length,
      resolved: record.filter((e) => e.outcome !== null).length,
      brier:
        record.filter((e) => e.outcome !== null).reduce((s, e) => s + (e.p - e.outcome!) ** 2, 0) /
        Math.max(1, record.filter((e) => e.outcome !== null).length),
      recent: record.slice(-20).reverse(),
    };
    if (!this.o.signals || !this.o.keeperPolicy)
      return {
        available: false,
        reason: "no signal source or keeper policy: start with npm start",
        trackRecord,
      };
    const { now, snapshots } = await this.o.signals();
    const result = evaluateTargets(
      snapshots,
      this.o.keeperPolicy,
      defaultStrategyConfig(),
      now.getTime(),
      {},
    );
    return {
      available: true,
      at: now.toISOString(),
      snapshots: snapshots.map((s) => ({
        venue: s.venue,
        marketId: s.marketId,
        question: s.question,
        outcome: s.outcome,
        price: s.price,
      })),
      recommendations: result.recommendations,
      estimates: result.estimates,
      abstentions: result.rejected,
      allocation: {
        weightsBps: result.allocation.weightsBps,
        reasons: result.allocation.reasons,
        evidence: result.allocation.evidence,
      },
      trackRecord,
    };
  }
}
