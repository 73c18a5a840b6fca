import type { MarketSnapshot } from "../signals/types.js";
import { TOTAL_BPS, type AllocationPolicy, type PolicyRule } from "./policy.js";
import { snapshotHash } from "./snapshotHash.js";

/** What a rebalance must remember for the next one (hysteresis and turnover). */
export interface AllocationState {
  readonly weightsBps: Readonly<Record<string, number>>;
  /** Active level index per rule id; -1 = no level active. */
  readonly ruleLevels: Readonly<Record<string, number>>;
}

/** One input a rule looked at, with the values used. */
export interface SignalEvidence {
  readonly ruleId: string;
  readonly kind: "market" | "peg";
  readonly venue: string | null;
  readonly marketId: string | null;
  readonly tokenId: string | null;
  readonly outcome: string | null;
  /** Probability (market) or |1 − price| (peg) the rule compared with its thresholds; null if unusable. */
  readonly metric: number | null;
  readonly bestBid: number | null;
  readonly bestAsk: number | null;
  readonly fetchedAt: number | null;
  readonly level: number;
}

export interface TargetAllocation extends AllocationState {
  /** Sums to 10,000 over the policy's connectors. */
  readonly weightsBps: Record<string, number>;
  readonly reasons: string[];
  readonly evidence: SignalEvidence[];
  /** keccak256 of the canonical JSON of the exact snapshots the rules used (sorted by venue, token). */
  readonly snapshotHash: `0x${string}`;
  readonly turnoverBps: number;
}

export interface AllocationInputs {
  readonly previous?: AllocationState;
  /** Oracle prices of stablecoins for `peg` rules (e.g. { USDC: 0.9987 }). */
  readonly pegPrices?: Readonly<Record<string, number>>;
}

/** Moves the level up or down with hysteresis: enter at `enter`, leave only below `exit`. */
export function nextLevel(rule: PolicyRule, previous: number, metric: number): number {
  let level = previous;
  while (level >= 0 && metric < (rule.levels[level]?.exit ?? 0)) level--;
  while (level + 1 < rule.levels.length && metric >= (rule.levels[level + 1]?.enter ?? Infinity)) level++;
  return level;
}

function findSignalSnapshot(
  rule: PolicyRule,
  snapshots: readonly MarketSnapshot[],
): MarketSnapshot | undefined {
  const signal = rule.signal;
  if (signal.kind !== "market") return undefined;
  const outcome = signal.outcome.toLowerCase();
  // Kalshi snapshots name outcomes by their subtitle; "Yes"/"No" in a policy address the side.
  const kalshiToken = `${signal.marketId}:${outcome}`;
  return snapshots.find(
    (s) =>
      s.venue === signal.venue &&
      s.marketId === signal.marketId &&
      (s.outcome.toLowerCase() === outcome || (s.venue === "kalshi" && s.tokenId === kalshiToken)),
  );
}

/** Applies the rules' active moves to the base weights (integer bps, sum preserved). */
export function applyMoves(
  policy: AllocationPolicy,
  levels: Readonly<Record<string, number>>,
): Record<string, number> {
  const weights: Record<string, number> = { ...policy.baseWeightsBps };
  for (const rule of policy.rules) {
    const level = rule.levels[levels[rule.id] ?? -1];
    if (!level) continue;
    for (const move of level.moves) {
      for (const source of Array.isArray(move.from) ? move.from : [move.from]) {
        const amount = Math.floor(((weights[source] ?? 0) * move.shareBps) / TOTAL_BPS);
        weights[source] = (weights[source] ?? 0) - amount;
        weights[move.to] = (weights[move.to] ?? 0) + amount;
      }
    }
  }
  return weights;
}

export function turnoverBps(
  from: Readonly<Record<string, number>>,
  to: Readonly<Record<string, number>>,
): number {
  const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((to[k] ?? 0) - (from[k] ?? 0));
  return sum / 2;
}

/** Moves `scale` of the way from `from` to `to`, in integer bps that still sum to 10,000. */
export function partialMove(
  from: Readonly<Record<string, number>>,
  to: Readonly<Record<string, number>>,
  scale: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  let residual = TOTAL_BPS;
  let sink = "";
  let sinkDelta = -Infinity;
  for (const key of Object.keys(to)) {
    const delta = (to[key] ?? 0) - (from[key] ?? 0);
    out[key] = (from[key] ?? 0) + Math.trunc(delta * scale);
    residual -= out[key] as number;
    if (delta > sinkDelta) [sink, sinkDelta] = [key, delta];
  }
  out[sink] = (out[sink] ?? 0) + residual;
  return out;
}

const sameKeys = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => k in b);

/**
 * Turns event probabilities into connector weights: each rule reads its signal, moves between
 * levels with hysteresis, and its active level's moves are applied to the base weights. The move
 * from the previous weights is then limited to `maxTurnoverBps` unless a level marked urgent
 * switched on, and skipped when every change is below `minChangeBps`.
 */
export function computeAllocation(
  snapshots: readonly MarketSnapshot[],
  policy: AllocationPolicy,
  inputs: AllocationInputs,
  now: number,
): TargetAllocation {
  const previousLevels = inputs.previous?.ruleLevels ?? {};
  const levels: Record<string, number> = {};
  const reasons: string[] = [];
  const evidence: SignalEvidence[] = [];
  const used: MarketSnapshot[] = [];
  let urgent = false;

  for (const rule of policy.rules) {
    const before = previousLevels[rule.id] ?? -1;
    let metric: number | null = null;
    let snapshot: MarketSnapshot | undefined;
    let problem: string | null = null;
    if (rule.signal.kind === "market") {
      snapshot = findSignalSnapshot(rule, snapshots);
      if (!snapshot) problem = "signal market missing";
      else if (snapshot.status !== "open") problem = `signal market ${snapshot.status}`;
      else if (now - snapshot.fetchedAt > policy.maxSignalAgeSec * 1000) problem = "signal stale";
      else if (
        snapshot.bestBid !== null &&
        snapshot.bestAsk !== null &&
        snapshot.bestAsk - snapshot.bestBid > rule.signal.maxSpread + 1e-12
      ) {
        problem = `signal spread ${(snapshot.bestAsk - snapshot.bestBid).toFixed(4)} > ${rule.signal.maxSpread} (noise)`;
      } else metric = snapshot.price;
    } else {
      const price = inputs.pegPrices?.[rule.signal.asset];
      if (price === undefined || !Number.isFinite(price) || price <= 0)
        problem = `no oracle price for ${rule.signal.asset}`;
      else metric = Math.abs(1 - price);
    }
    const level = metric === null ? before : nextLevel(rule, before, metric);
    levels[rule.id] = level;
    if (problem) reasons.push(`${rule.id}: ${problem}; keeping level ${levelName(rule, level)}`);
    else if (level !== before) {
      reasons.push(
        `${rule.id}: ${levelName(rule, before)} → ${levelName(rule, level)} at ${metric?.toFixed(4)}`,
      );
      if (level > before && rule.levels[level]?.urgent) urgent = true;
    } else if (level >= 0)
      reasons.push(`${rule.id}: stays ${levelName(rule, level)} at ${metric?.toFixed(4)}`);
    if (snapshot && metric !== null) used.push(snapshot);
    evidence.push({
      ruleId: rule.id,
      kind: rule.signal.kind,
      venue: snapshot?.venue ?? null,
      marketId: snapshot?.marketId ?? null,
      tokenId: snapshot?.tokenId ?? null,
      outcome: snapshot?.outcome ?? null,
      metric,
      bestBid: snapshot?.bestBid ?? null,
      bestAsk: snapshot?.bestAsk ?? null,
      fetchedAt: snapshot?.fetchedAt ?? null,
      level,
    });
  }

  const target = applyMoves(policy, levels);
  const previous =
    inputs.previous && sameKeys(inputs.previous.weightsBps, target) ? inputs.previous.weightsBps : undefined;
  if (inputs.previous && !previous)
    reasons.push("previous weights name other connectors: turnover not limited");
  let weights = target;
  let turnover = previous ? turnoverBps(previous, target) : 0;
  if (previous) {
    const maxChange = Math.max(
      ...Object.keys(target).map((k) => Math.abs((target[k] ?? 0) - (previous[k] ?? 0))),
    );
    if (maxChange > 0 && maxChange < policy.minChangeBps && !urgent) {
      weights = { ...previous };
      turnover = 0;
      reasons.push(`largest change ${maxChange} bps < minChangeBps ${policy.minChangeBps}: weights kept`);
    } else if (turnover > policy.maxTurnoverBps && !urgent) {
      weights = partialMove(previous, target, policy.maxTurnoverBps / turnover);
      reasons.push(`turnover ${turnover} bps limited to ${policy.maxTurnoverBps} bps`);
      turnover = turnoverBps(previous, weights);
    } else if (urgent && turnover > policy.maxTurnoverBps) {
      reasons.push(
        `urgent level: turnover ${turnover} bps exceeds the ${policy.maxTurnoverBps} bps limit on purpose`,
      );
    }
  }
  used.sort((a, b) => (a.venue + a.tokenId < b.venue + b.tokenId ? -1 : 1));
  return {
    weightsBps: weights,
    ruleLevels: levels,
    reasons,
    evidence,
    snapshotHash: snapshotHash(used),
    turnoverBps: turnover,
  };
}

function levelName(rule: PolicyRule, level: number): string {
  return level < 0 ? "inactive" : (rule.levels[level]?.name ?? String(level));
}
