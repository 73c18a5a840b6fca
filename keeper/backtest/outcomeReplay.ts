import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { keccak256, toHex } from "viem";
import { z } from "zod";
import { csvRecords } from "../signals/replay/csv.js";
import { readHourlyPrices, readOutcomeGroups, RESOLVED_DIR } from "../signals/replay/resolvedTimeseries.js";
import type { BookLevel } from "../signals/types.js";
import { BatchPlanError, planOutcomeBatch, type OutcomeBatch } from "../planning/outcomeOrders.js";
import {
  candidateSets,
  scanOutcomeSets,
  type LegBook,
  type OpportunityRejection,
  type OutcomeArbConfig,
  type OutcomeOpportunity,
  type VenueEvent,
  type VenueMarket,
} from "../strategy/outcomes/index.js";
import { emptyExposure } from "../strategy/sizing.js";
import { halfSpreadOf, type SpreadModel } from "./spreads.js";

/**
 * The outcome-arbitrage replay on recorded data: the January 2026 negRisk groups (hourly mids, a
 * book built around each mid from the spread model recorded on real April 2026 books and a stated
 * depth ladder) and the April 2026 engine snapshot (real best bid / ask and fee rates, negRisk ids).
 * Every hour of every group, and every snapshot market, goes through the keeper's own candidate
 * sets, strategies, sizing and exact batch planning; each refusal is kept with its reason.
 */

/** The depth ladder put behind each best price: USD at the best price, then one tick worse each level. */
export interface DepthLadder {
  readonly levelsUsd: readonly number[];
  readonly tick: number;
}

export const DEFAULT_LADDER: DepthLadder = { levelsUsd: [500, 1_000, 2_000], tick: 0.01 };

export interface OutcomeReplayOptions {
  readonly dataDir: string;
  readonly spreads: SpreadModel;
  readonly ladder?: DepthLadder;
  readonly arb: OutcomeArbConfig;
  readonly bankrollUsd: number;
  /** A group traded once is not traded again for this long (the ladder does not refill per print). */
  readonly cooldownMs: number;
  /** Fee rate of the January groups (the recording has none). */
  readonly janFeeRateBps: number;
  /** Only these January groups (default every recorded group). */
  readonly onlyGroups?: readonly string[];
}

export interface ReplayedTrade {
  readonly source: "jan-2026" | "apr-2026";
  readonly group: string;
  readonly strategy: string;
  readonly at: number;
  readonly legs: number;
  readonly sets: number;
  readonly costUsd: number;
  /** Exact locked profit of the planned batch (collateral units / 10^6), fees at depth included. */
  readonly profitUsd: number;
  readonly priceSum: number;
  /** Sets the ladder could absorb before the marginal set stopped paying (capacity at depth). */
  readonly capacitySets: number;
  readonly capacityProfitUsd: number;
  /** The recorded outcome confirms the set paid exactly 1 (one leg won). */
  readonly settledAsSet: boolean | null;
  readonly boundBy: string | null;
}

export interface OutcomeReplayReport {
  readonly trades: readonly ReplayedTrade[];
  readonly rejected: readonly (OpportunityRejection & {
    readonly source: string;
    readonly at: number | null;
  })[];
  readonly hoursScanned: number;
  readonly groups: number;
  readonly aprilMarkets: number;
  readonly aprilSets: number;
  /** January group-hours priced without an edge, by strategy (counted, not listed). */
  readonly januaryNoEdge: Readonly<Record<string, number>>;
}

const USD = 1_000_000;

/** Polymarket's price grid: 0.001 near the extremes (below 0.04 or above 0.96), else the ladder's tick. */
export function tickAt(price: number, ladder: DepthLadder): number {
  return price < 0.04 || price > 0.96 ? 0.001 : ladder.tick;
}

/**
 * Bid and ask ladders around a mid: half-spread from the model, rounded outward to the price grid,
 * each further level one tick worse. No bid below one tick; the bid stays a tick under the ask.
 */
export function ladderAround(
  mid: number,
  halfSpread: number,
  ladder: DepthLadder,
): { asks: BookLevel[]; bids: BookLevel[] } {
  const t = tickAt(mid, ladder);
  const snap = (x: number) => Number((Math.round(x / t) * t).toFixed(6));
  const ask0 = snap(Math.min(1 - t, Math.ceil((mid + halfSpread) / t - 1e-9) * t));
  const bid0 = snap(Math.min(ask0 - t, Math.floor((mid - halfSpread) / t + 1e-9) * t));
  const asks: BookLevel[] = [];
  const bids: BookLevel[] = [];
  ladder.levelsUsd.forEach((usd, i) => {
    const a = snap(ask0 + i * t);
    const b = snap(bid0 - i * t);
    if (a < 1) asks.push({ price: a, size: Math.floor((usd / a) * 100) / 100 });
    if (b >= t) bids.push({ price: b, size: Math.floor((usd / b) * 100) / 100 });
  });
  return { asks, bids };
}

const hexId = (seed: string) => keccak256(toHex(seed));
/** A negRisk market id with NegRiskIdLib's layout (last byte 0) and its question ids (last byte = index). */
const marketIdOf = (group: string) => `${hexId(group).slice(0, 64)}00`;
const questionIdOf = (group: string, i: number) =>
  `${marketIdOf(group).slice(0, 64)}${i.toString(16).padStart(2, "0")}`;

function planExact(
  opp: OutcomeOpportunity,
  books: ReadonlyMap<string, LegBook>,
  at: number,
  minProfitUsd: number,
): OutcomeBatch | BatchPlanError {
  try {
    return planOutcomeBatch(opp, {
      now: Math.floor(at / 1000),
      ttlSeconds: 120,
      nonce: 0n,
      books,
      sizeStep: 10_000n,
      minProfit: BigInt(Math.round(minProfitUsd * USD)),
    });
  } catch (error) {
    if (error instanceof BatchPlanError) return error;
    throw error;
  }
}

/** Replays the January 2026 groups hour by hour. */
export async function replayJanuaryGroups(options: OutcomeReplayOptions): Promise<{
  trades: ReplayedTrade[];
  rejected: (OpportunityRejection & { source: string; at: number | null })[];
  hours: number;
  groups: number;
  noEdge: Record<string, number>;
}> {
  const dir = path.join(options.dataDir, RESOLVED_DIR);
  const ladder = options.ladder ?? DEFAULT_LADDER;
  const groups = (await readOutcomeGroups(dir)).filter(
    (g) => !options.onlyGroups || options.onlyGroups.includes(g.group),
  );
  const index = csvRecords(await readFile(path.join(dir, "markets_index.csv"), "utf8"));
  const info = new Map(
    index.map((r) => [
      Number(r.market_idx),
      { slug: String(r.market_slug), question: String(r.question), won: r.outcome_yes === "1" },
    ]),
  );
  const prices = await readHourlyPrices(dir);
  const hourly = new Map<number, Map<number, { p: number; t: number }>>();
  for (const row of prices) {
    const hour = Math.floor(row.t / 3_600_000);
    const at = hourly.get(row.market) ?? new Map<number, { p: number; t: number }>();
    at.set(hour, { p: row.p, t: row.t });
    hourly.set(row.market, at);
  }
  const trades: ReplayedTrade[] = [];
  const rejected: (OpportunityRejection & { source: string; at: number | null })[] = [];
  let hours = 0;
  const noEdge = new Map<string, number>();
  for (const group of groups) {
    const marketId = marketIdOf(group.group);
    const legs = group.marketIndexes;
    const markets: VenueMarket[] = legs.map((m, i) => ({
      conditionId: hexId(`${group.group}:${m}`),
      questionId: questionIdOf(group.group, i),
      slug: info.get(m)?.slug ?? String(m),
      question: info.get(m)?.question ?? String(m),
      yesTokenId: BigInt(hexId(`${m}:yes`)).toString(),
      noTokenId: BigInt(hexId(`${m}:no`)).toString(),
      negRiskMarketId: marketId,
      eventId: group.group,
      resolutionSource: "Polymarket (UMA optimistic oracle)",
      endDate: null,
      status: "open",
      feeRateBps: options.janFeeRateBps,
      tickSize: ladder.tick,
    }));
    // the recording flags groups it does not hold whole: the event lists markets the file lacks
    const listed = markets.map((m) => m.conditionId);
    const event: VenueEvent = {
      id: group.group,
      negRisk: true,
      negRiskMarketId: marketId,
      negRiskAugmented: false,
      marketConditionIds: group.looksComplete ? listed : [...listed, hexId(`${group.group}:unrecorded`)],
    };
    const { sets, refused } = candidateSets({
      markets,
      events: [event],
      onChain: new Map([
        [marketId, { questionCount: event.marketConditionIds.length, feeBips: 0, determined: false }],
      ]),
    });
    for (const r of refused)
      rejected.push({
        setId: group.group,
        strategy: "set",
        reason: r.reason,
        detail: `${r.detail} (recorded group)`,
        source: "jan-2026",
        at: null,
      });
    if (sets.length === 0) continue;
    const hoursOf = legs.map((m) => hourly.get(m) ?? new Map<number, { p: number; t: number }>());
    const common = [...(hoursOf[0]?.keys() ?? [])]
      .filter((h) => hoursOf.every((x) => x.has(h)))
      .sort((a, b) => a - b);
    let coolUntil = -Infinity;
    for (const hour of common) {
      hours++;
      const at = hour * 3_600_000 + 3_599_000;
      const books = new Map<string, LegBook>();
      for (const [i, m] of markets.entries()) {
        const mid = hoursOf[i]!.get(hour)!.p;
        const yes = ladderAround(mid, halfSpreadOf(options.spreads, mid, true), ladder);
        const no = ladderAround(1 - mid, halfSpreadOf(options.spreads, 1 - mid, true), ladder);
        books.set(m.yesTokenId, { tokenId: m.yesTokenId, ...yes, quotedAt: at });
        books.set(m.noTokenId, { tokenId: m.noTokenId, ...no, quotedAt: at });
      }
      const scan = scanOutcomeSets(
        sets,
        books,
        { navUsd: options.bankrollUsd, capitalUsd: options.bankrollUsd, exposure: emptyExposure(), now: at },
        options.arb,
      );
      for (const r of scan.rejected)
        if (r.reason === "no-edge") noEdge.set(r.strategy, (noEdge.get(r.strategy) ?? 0) + 1);
        else rejected.push({ ...r, setId: group.group, source: "jan-2026", at });
      for (const opp of scan.opportunities) {
        if (at < coolUntil) {
          rejected.push({
            setId: group.group,
            strategy: opp.strategy,
            reason: "cooldown",
            detail: "group traded within the cooldown (depth does not refill per print)",
            source: "jan-2026",
            at,
          });
          continue;
        }
        const trade = tradeOf("jan-2026", group.group, opp, books, at, options);
        if ("reason" in trade) {
          rejected.push({
            setId: group.group,
            strategy: opp.strategy,
            reason: "below-min-profit",
            detail: `${trade.reason}: ${trade.message}`,
            source: "jan-2026",
            at,
          });
          continue;
        }
        const winners = legs.filter((m) => info.get(m)?.won).length;
        trades.push({
          ...trade,
          settledAsSet: opp.strategy === "no-conversion" ? winners <= 1 : winners === 1,
        });
        coolUntil = at + options.cooldownMs;
      }
    }
  }
  return { trades, rejected, hours, groups: groups.length, noEdge: Object.fromEntries(noEdge) };
}

function tradeOf(
  source: ReplayedTrade["source"],
  group: string,
  opp: OutcomeOpportunity,
  books: ReadonlyMap<string, LegBook>,
  at: number,
  options: OutcomeReplayOptions,
): Omit<ReplayedTrade, "settledAsSet"> | BatchPlanError {
  const batch = planExact(opp, books, at, options.arb.minProfitUsd);
  if (batch instanceof BatchPlanError) return batch;
  const capacity = scanOutcomeSets(
    [opp.set],
    books,
    {
      navUsd: Number.MAX_SAFE_INTEGER,
      capitalUsd: Number.MAX_SAFE_INTEGER,
      exposure: emptyExposure(),
      now: at,
    },
    { ...options.arb, caps: { perMarket: 1, perEvent: 1, perCluster: { default: 1 }, total: 1 } },
  ).opportunities.find((o) => o.strategy === opp.strategy);
  return {
    source,
    group,
    strategy: opp.strategy,
    at,
    legs: opp.set.legs.length,
    sets: Number(batch.sets) / USD,
    costUsd: Number(batch.cost) / USD,
    profitUsd: Number(batch.profit) / USD,
    priceSum: opp.walk.legs.reduce((s, l) => s + (l.levels[0]?.price ?? 0), 0),
    capacitySets: capacity?.sets ?? opp.sets,
    capacityProfitUsd: capacity?.profitUsd ?? opp.profitUsd,
    boundBy: opp.cappedBy,
  };
}

const aprilMarket = z
  .object({
    market_id: z.string(),
    question: z.string(),
    yes_token_id: z.string().regex(/^\d{1,80}$/),
    no_token_id: z.string().regex(/^\d{1,80}$/),
    yes_bid: z.number().nullable(),
    yes_ask: z.number().nullable(),
    no_bid: z.number().nullable(),
    no_ask: z.number().nullable(),
    end_date_iso: z.string().nullable(),
    negrisk_group_id: z.string().nullable(),
    category: z.string().nullable(),
    fee_rate_bps: z.number().int().min(0).max(10_000),
    volume_24h: z.number().nullish(),
    fetched_at: z.number(),
  })
  .loose();

/**
 * Replays the April 2026 snapshot: every binary market as a YES/NO set on its recorded best bid /
 * ask (the ladder behind the best price is the stated model: the snapshot records no sizes) and fee
 * rate; every negRisk group as the snapshot records it. The snapshot has no event market lists, so
 * a negRisk group is a set only if the venue's list were known: the replay lists what the snapshot
 * holds and marks the list unrecorded, which the keeper refuses by name.
 */
export type AprilSnapshotMarket = z.output<typeof aprilMarket>;

/** The April 2026 engine snapshot's markets that parse (the rest are left out). */
export async function loadAprilSnapshot(dataDir: string): Promise<AprilSnapshotMarket[]> {
  const file = path.join(dataDir, "polymarket/engine-snapshots-2026-04/market_snapshot.json.gz");
  const decoded = JSON.parse(gunzipSync(await readFile(file)).toString("utf8")) as { markets?: unknown[] };
  return (decoded.markets ?? []).flatMap((raw) => {
    const r = aprilMarket.safeParse(raw);
    return r.success ? [r.data] : [];
  });
}

/** The condition id the replay gives a snapshot market (the snapshot records none). */
export const aprilConditionId = (marketId: string) => hexId(`apr:${marketId}`);

/**
 * A snapshot market's YES and NO books: the stated ladder behind its recorded best ask and best bid
 * (one tick worse per level, USD per level as the ladder states); an absent quote is an empty side.
 */
export function aprilBooks(
  r: AprilSnapshotMarket,
  ladder: DepthLadder = DEFAULT_LADDER,
): { yes: { asks: BookLevel[]; bids: BookLevel[] }; no: { asks: BookLevel[]; bids: BookLevel[] } } {
  const step = (price: number, i: number, dir: 1 | -1) => Number((price + dir * i * ladder.tick).toFixed(6));
  const side = (bid: number | null, ask: number | null) => ({
    asks:
      ask === null
        ? []
        : ladder.levelsUsd
            .map((usd, i) => ({
              price: step(ask, i, 1),
              size: Math.floor((usd / step(ask, i, 1)) * 100) / 100,
            }))
            .filter((l) => l.price < 1),
    bids:
      bid === null
        ? []
        : ladder.levelsUsd
            .map((usd, i) => ({
              price: step(bid, i, -1),
              size: Math.floor((usd / Math.max(step(bid, i, -1), 1e-6)) * 100) / 100,
            }))
            .filter((l) => l.price > 0),
  });
  return { yes: side(r.yes_bid, r.yes_ask), no: side(r.no_bid, r.no_ask) };
}

export async function replayAprilSnapshot(options: OutcomeReplayOptions): Promise<{
  trades: ReplayedTrade[];
  rejected: (OpportunityRejection & { source: string; at: number | null })[];
  markets: number;
  sets: number;
}> {
  const ladder = options.ladder ?? DEFAULT_LADDER;
  const rows = await loadAprilSnapshot(options.dataDir);
  const markets: VenueMarket[] = rows.map((r, i) => ({
    conditionId: aprilConditionId(r.market_id),
    questionId: r.negrisk_group_id
      ? `${r.negrisk_group_id.slice(0, 64)}${(i % 256).toString(16).padStart(2, "0")}`
      : null,
    slug: r.market_id,
    question: r.question,
    yesTokenId: r.yes_token_id,
    noTokenId: r.no_token_id,
    negRiskMarketId: r.negrisk_group_id,
    eventId: r.negrisk_group_id ?? r.market_id,
    resolutionSource: null,
    endDate: r.end_date_iso ? Date.parse(r.end_date_iso) : null,
    status: "open",
    feeRateBps: r.fee_rate_bps,
    tickSize: ladder.tick,
  }));
  const groupIds = [...new Set(markets.flatMap((m) => (m.negRiskMarketId ? [m.negRiskMarketId] : [])))];
  const events: VenueEvent[] = groupIds.map((g) => ({
    id: g,
    negRisk: true,
    negRiskMarketId: g,
    negRiskAugmented: false,
    marketConditionIds: [
      ...markets.filter((m) => m.negRiskMarketId === g).map((m) => m.conditionId),
      hexId(`${g}:unrecorded`),
    ],
  }));
  const onChain = new Map(
    groupIds.map((g) => [
      g,
      {
        questionCount: events.find((e) => e.id === g)!.marketConditionIds.length,
        feeBips: 0,
        determined: false,
      },
    ]),
  );
  const { sets, refused } = candidateSets({ markets, events, onChain });
  const rejected: (OpportunityRejection & { source: string; at: number | null })[] = refused.map((r) => ({
    setId: r.id,
    strategy: "set" as const,
    reason: r.reason,
    detail: `${r.detail} (the snapshot records no event market lists)`,
    source: "apr-2026",
    at: null,
  }));
  const books = new Map<string, LegBook>();
  for (const r of rows) {
    const at = Math.round(r.fetched_at * 1000);
    const { yes, no } = aprilBooks(r, ladder);
    books.set(r.yes_token_id, { tokenId: r.yes_token_id, ...yes, quotedAt: at });
    books.set(r.no_token_id, { tokenId: r.no_token_id, ...no, quotedAt: at });
  }
  const now = Math.max(...rows.map((r) => r.fetched_at * 1000));
  const scan = scanOutcomeSets(
    sets,
    books,
    { navUsd: options.bankrollUsd, capitalUsd: options.bankrollUsd, exposure: emptyExposure(), now },
    options.arb,
  );
  const trades: ReplayedTrade[] = [];
  for (const r of scan.rejected) rejected.push({ ...r, source: "apr-2026", at: now });
  for (const opp of scan.opportunities) {
    const trade = tradeOf("apr-2026", opp.set.id, opp, books, now, options);
    if ("reason" in trade)
      rejected.push({
        setId: opp.set.id,
        strategy: opp.strategy,
        reason: "below-min-profit",
        detail: `${trade.reason}: ${trade.message}`,
        source: "apr-2026",
        at: now,
      });
    else trades.push({ ...trade, settledAsSet: null });
  }
  return { trades, rejected, markets: rows.length, sets: sets.length };
}

export async function runOutcomeReplay(options: OutcomeReplayOptions): Promise<OutcomeReplayReport> {
  const jan = await replayJanuaryGroups(options);
  const apr = await replayAprilSnapshot(options);
  return {
    trades: [...jan.trades, ...apr.trades],
    rejected: [...jan.rejected, ...apr.rejected],
    hoursScanned: jan.hours,
    groups: jan.groups,
    aprilMarkets: apr.markets,
    aprilSets: apr.sets,
    januaryNoEdge: jan.noEdge,
  };
}

/** One leg of a recorded group at one hour: its mid and the books the replay builds around it. */
export interface RecordedGroupLeg {
  readonly slug: string;
  readonly question: string;
  readonly mid: number;
  readonly won: boolean;
  readonly yes: { readonly asks: BookLevel[]; readonly bids: BookLevel[] };
  readonly no: { readonly asks: BookLevel[]; readonly bids: BookLevel[] };
}

/**
 * The books of a recorded January 2026 group at the hour starting `hourMs`, built exactly as the
 * replay builds them (the spread model around each mid, the depth ladder): what the done-when test
 * and `npm start` seed on the local CLOB.
 */
export async function recordedGroupBooks(
  dataDir: string,
  group: string,
  hourMs: number,
  spreads: SpreadModel,
  ladder: DepthLadder = DEFAULT_LADDER,
): Promise<RecordedGroupLeg[]> {
  const dir = path.join(dataDir, RESOLVED_DIR);
  const found = (await readOutcomeGroups(dir)).find((g) => g.group === group);
  if (!found) throw new Error(`no recorded group ${group}`);
  const index = csvRecords(await readFile(path.join(dir, "markets_index.csv"), "utf8"));
  const info = new Map(index.map((r) => [Number(r.market_idx), r]));
  const hour = Math.floor(hourMs / 3_600_000);
  const mids = new Map<number, number>();
  for (const row of await readHourlyPrices(dir))
    if (found.marketIndexes.includes(row.market) && Math.floor(row.t / 3_600_000) === hour)
      mids.set(row.market, row.p);
  return found.marketIndexes.map((m) => {
    const mid = mids.get(m);
    if (mid === undefined)
      throw new Error(`${group}: market ${m} has no price in hour ${new Date(hourMs).toISOString()}`);
    const r = info.get(m);
    return {
      slug: String(r?.market_slug ?? m),
      question: String(r?.question ?? m),
      mid,
      won: r?.outcome_yes === "1",
      yes: ladderAround(mid, halfSpreadOf(spreads, mid, true), ladder),
      no: ladderAround(1 - mid, halfSpreadOf(spreads, 1 - mid, true), ladder),
    };
  });
}
