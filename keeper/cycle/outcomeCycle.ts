import type { Address, Hex } from "viem";
import type { OutcomesConfig } from "../config/schema.js";
import { WaitTimeoutError } from "../chain/sender.js";
import { computeProvenance } from "../multisig/provenance.js";
import { ProposalError } from "../multisig/workflow.js";
import { encodeAction, type PlanAction } from "../planning/actions.js";
import { applyOrderEvent, nextBatchStep, placedOrder, type TrackedOrder } from "../planning/orderTracking.js";
import {
  BatchPlanError,
  planOutcomeBatch,
  type OrderTerms,
  type OutcomeBatch,
} from "../planning/outcomeOrders.js";
import type { OutcomeStepActions } from "../planning/outcomeActions.js";
import type { GateCall, OutcomeOrderRecord, OutcomeOrderStatus } from "../store/types.js";
import {
  candidateSets,
  scanOutcomeSets,
  scanResolutions,
  type LegBook,
  type OpportunityRejection,
  type OutcomeArbConfig,
  type OutcomeOpportunity,
  type VenueEvent,
  type VenueMarket,
} from "../strategy/outcomes/index.js";
import { emptyExposure } from "../strategy/sizing.js";
import type { OutcomeChainReader } from "../vault/outcomeChain.js";
import { signAsOperators, requireProduct } from "./cycle.js";
import type { Keeper } from "./keeper.js";

/** Venue metadata for one cycle (Gamma events and their markets), with what did not parse. */
export interface OutcomeMetadataSource {
  load(): Promise<{
    readonly markets: readonly VenueMarket[];
    readonly events: readonly VenueEvent[];
    readonly rejected: readonly { readonly item: string; readonly reason: string }[];
  }>;
}

/** The CLOB as the cycle uses it: books of the legs, and posting the connector's placed orders. */
export interface OutcomeVenue {
  books(tokenIds: readonly string[]): Promise<LegBook[]>;
  /** The fee rate the CLOB requires on each token's orders (the exchange charges the order's rate). */
  feeRates(tokenIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Posts orders already placed on chain; one result per order, in order. */
  postOrders(orders: readonly PlacedOrder[]): Promise<{ readonly ok: boolean; readonly error?: string }[]>;
}

/** An order as placed: the terms, the full exchange struct (JSON-safe) and its EIP-712 hash. */
export interface PlacedOrder {
  readonly terms: OrderTerms;
  readonly hash: Hex;
  readonly exchange: Address;
}

/** What the outcome task needs besides the keeper (composed by keeper/service/compose.ts). */
export interface OutcomeParts {
  readonly config: OutcomesConfig;
  readonly chain: OutcomeChainReader;
  readonly venue: OutcomeVenue;
  readonly metadata: OutcomeMetadataSource;
  /** Turns lock steps and orders into the connector's plan actions, and hashes an order. */
  readonly actions: OutcomeStepActions;
}

export interface OutcomeStepResult {
  readonly sets: number;
  readonly opportunities: readonly OutcomeOpportunity[];
  readonly rejected: readonly OpportunityRejection[];
  /** Batches placed this cycle (with the transactions that placed them), and batches that locked or unwound. */
  readonly placed: readonly Hex[];
  readonly placements: readonly {
    readonly id: Hex;
    readonly txHashes: readonly Hex[];
    /** the provenance hash each gate transaction carries (keeper/multisig/provenance.ts) */
    readonly provenances: readonly Hex[];
  }[];
  readonly locked: readonly {
    readonly id: Hex;
    readonly realized: string;
    readonly txHashes: readonly Hex[];
  }[];
  readonly unwound: readonly { readonly id: Hex; readonly loss: string }[];
  /** The vault's NAV (base-asset units) when the step read the chain, and after its transactions. */
  readonly nav: { readonly before: string; readonly after: string };
  readonly timingsMs: Readonly<Record<string, number>>;
}

/** The strategy's limits from the `outcomes.limits` config (bps of NAV → fractions). */
export function arbConfigOf(config: OutcomesConfig): OutcomeArbConfig {
  const l = config.limits;
  return {
    guards: {
      minProfitPerSet: l.minProfitPerSet,
      maxQuoteAgeMs: l.maxQuoteAgeSeconds * 1_000,
      maxQuoteSkewMs: l.maxQuoteSkewSeconds * 1_000,
      maxDeviation: l.maxDeviation,
      minLegDepthUsd: l.minLegDepthUsd,
    },
    minProfitUsd: l.minProfitUsd,
    caps: {
      perMarket: l.perSetBps / 10_000,
      perEvent: l.perEventBps / 10_000,
      perCluster: { default: l.perGroupBps / 10_000 },
      total: l.totalBps / 10_000,
    },
    setStep: 0.01,
  };
}

const USD = 1_000_000;

/**
 * The outcome-arbitrage step of the one keeper cycle (`runKeeperCycle` runs it first when the keeper
 * has an `outcomes` section): first the open batches (orders read back from the
 * exchange; all filled → merge / convert / redeem; a leg missed its expiry → close the open orders,
 * lock the full sets, hold the rest at 0), then new opportunities on the candidate sets (venue
 * metadata → on-chain checks → books → strategies → exact batch → `pmPlaceOrders` under a mandate
 * or through the 2-of-3 gate → the orders posted to the CLOB → tracked at once). Every refusal is
 * returned, counted by reason and logged.
 */
export async function runOutcomeStep(
  keeper: Keeper,
  parts: OutcomeParts,
  now: Date,
): Promise<OutcomeStepResult> {
  const timingsMs: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const t = performance.now();
    timingsMs[name] = t - mark;
    mark = t;
  };
  const locked: { id: Hex; realized: string; txHashes: Hex[] }[] = [];
  const unwound: { id: Hex; loss: string }[] = [];
  // orders expire by the exchange's clock: expirations are set and checked against the chain's time,
  // quotes are aged against `now` (the CLOB stamps books with its own clock)
  const chainNow = await parts.chain.blockTime();
  await resolvePlacing(keeper, parts, chainNow);
  await trackOpenBatches(keeper, parts, now, chainNow, locked, unwound);
  lap("track");

  const meta = await parts.metadata.load();
  for (const r of meta.rejected) {
    keeper.metrics.rejectedInputs.inc({ source: "outcome-metadata" });
    keeper.logger.warn("outcome metadata rejected", r);
  }
  // orders carry the CLOB's fee rate, so the strategy prices with it rather than the metadata's
  const fees = await parts.venue.feeRates(
    meta.markets.filter((m) => m.status === "open").map((m) => m.yesTokenId),
  );
  const markets = meta.markets.map((m) => ({ ...m, feeRateBps: fees.get(m.yesTokenId) ?? m.feeRateBps }));
  const negRiskIds = [...new Set(markets.flatMap((m) => (m.negRiskMarketId ? [m.negRiskMarketId] : [])))];
  const [onChain, verified, accounts, negRiskAccounts] = await Promise.all([
    parts.chain.negRiskMarkets(negRiskIds),
    parts.chain.verifiedResolutions(markets),
    parts.chain.accounts(false),
    parts.chain.accounts(true),
  ]);
  const { sets, refused } = candidateSets({ markets, events: meta.events, onChain });
  const tokens = [
    ...new Set([
      ...sets.flatMap((s) => s.legs.flatMap((l) => [l.tokenId, l.complementTokenId])),
      ...[...verified.values()].map((v) => v.winningTokenId),
    ]),
  ];
  const books = new Map((tokens.length ? await parts.venue.books(tokens) : []).map((b) => [b.tokenId, b]));
  lap("books");

  const open = await keeper.store.listOutcomeBatches({ statuses: ["placing", "placed"] });
  const exposure = emptyExposure();
  const navUsd = Number(accounts.nav) / USD;
  for (const b of open) exposure.total += Number(b.cost) / USD / navUsd;
  // a batch moves what it lacks from the vault's idle cash first (placeBatch), so both are capital
  const capitalUsd = Number(accounts.collateral + accounts.idle) / USD;
  const ctx = { navUsd, capitalUsd, exposure, now: now.getTime() };
  const arb = arbConfigOf(parts.config);
  const scan = scanOutcomeSets(sets, books, ctx, arb);
  const resolutions = scanResolutions(markets, verified, books, ctx, arb);
  const rejected: OpportunityRejection[] = [
    ...refused.map((r) => ({ setId: r.id, strategy: "set" as const, reason: r.reason, detail: r.detail })),
    ...scan.rejected,
    ...resolutions.rejected,
  ];
  for (const r of rejected) keeper.metrics.outcomeRejections.inc({ reason: r.reason });
  const opportunities = [...scan.opportunities, ...resolutions.opportunities].sort(
    (a, b) => b.profitUsd - a.profitUsd,
  );
  for (const o of opportunities) keeper.metrics.outcomeOpportunities.inc({ strategy: o.strategy });
  lap("scan");

  const placed: Hex[] = [];
  const placements: { id: Hex; txHashes: Hex[]; provenances: Hex[] }[] = [];
  const sending = keeper.sender !== undefined && !keeper.config.dryRun;
  for (const opportunity of opportunities) {
    const paused = opportunity.set.kind === "negRisk" ? negRiskAccounts.paused : accounts.paused;
    if (paused) {
      rejected.push({
        setId: opportunity.set.id,
        strategy: opportunity.strategy,
        reason: "leg-not-open",
        detail: "the exchange is paused",
      });
      continue;
    }
    if (!sending || open.length + placed.length >= parts.config.maxOpenBatches) break;
    let batch: OutcomeBatch;
    try {
      batch = planOutcomeBatch(opportunity, {
        now: chainNow,
        ttlSeconds: parts.config.orderTtlSeconds,
        nonce: opportunity.set.kind === "negRisk" ? negRiskAccounts.nonce : accounts.nonce,
        books,
        sizeStep: 10_000n,
        minProfit: BigInt(Math.round(parts.config.limits.minProfitUsd * USD)),
      });
    } catch (error) {
      if (!(error instanceof BatchPlanError)) throw error;
      rejected.push({
        setId: opportunity.set.id,
        strategy: opportunity.strategy,
        reason: "below-min-profit",
        detail: `${error.reason}: ${error.message}`,
      });
      keeper.metrics.outcomeRejections.inc({ reason: error.reason });
      continue;
    }
    if (await keeper.store.getOutcomeBatch(batch.id)) continue;
    const placement = await placeBatch(keeper, parts, opportunity, batch);
    if (placement) {
      placed.push(placement.id);
      placements.push(placement);
    }
  }
  lap("place");
  if (placed.length > 0) await trackOpenBatches(keeper, parts, now, chainNow, locked, unwound);
  lap("lock");
  await recordPositions(keeper, parts);
  const acted = placed.length + locked.length + unwound.length > 0;
  const after = acted ? (await parts.chain.accounts(false)).nav : accounts.nav;
  return {
    sets: sets.length,
    opportunities,
    rejected,
    placed,
    placements,
    locked,
    unwound,
    nav: { before: accounts.nav.toString(), after: after.toString() },
    timingsMs,
  };
}

/**
 * Records the batch and its orders (`placing`), sends `[transferToConnector?, before…, pmPlaceOrders]`
 * (mandate or gate), then posts the orders to the CLOB and marks the batch `placed`. When sending
 * does not end in this process with the orders on chain (a proposal awaiting the other operators'
 * signatures, a transaction whose fate is unknown, a refusal), the batch stays `placing` and
 * {@link resolvePlacing} settles it from the chain: placed once its orders are on the connector,
 * `failed` once they expired without ever being placed. Nothing is left open either way.
 */
async function placeBatch(
  keeper: Keeper,
  parts: OutcomeParts,
  opportunity: OutcomeOpportunity,
  batch: OutcomeBatch,
): Promise<{ id: Hex; txHashes: Hex[]; provenances: Hex[] } | undefined> {
  const product = requireProduct(keeper);
  const negRisk = batch.setKind === "negRisk";
  const orders = placedOrdersOf(parts, batch);
  await keeper.store.insertOutcomeBatch({
    id: batch.id,
    vault: product.vault,
    connector: parts.config.connector,
    strategy: batch.strategy,
    setId: batch.setId,
    status: "placing",
    batchJson: JSON.stringify(batch),
    profit: batch.profit,
    cost: batch.cost,
  });
  for (const o of orders)
    await keeper.store.upsertOutcomeOrder(orderRecord(batch.id, placedOrder(o.hash, o.terms)));
  const { collateral } = await parts.chain.accounts(negRisk);
  const need = BigInt(batch.cost) > collateral ? BigInt(batch.cost) - collateral : 0n;
  const actions: PlanAction[] = [
    ...(need > 0n
      ? [{ kind: "transferToConnector" as const, connector: parts.config.connector, amount: need.toString() }]
      : []),
    ...parts.actions.steps(batch.before),
    parts.actions.placeOrders(batch.orders, orders[0]!.exchange),
  ];
  let sent: Sent;
  try {
    sent = await execute(keeper, actions, {
      batchId: batch.id,
      strategy: batch.strategy,
      reasons: opportunity.reasons,
    });
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]!;
    if (error instanceof AwaitingOperators || error instanceof WaitTimeoutError) {
      // the orders may still be placed (the other operators finish the proposal, the transaction
      // lands late): resolvePlacing settles the batch from the chain
      await keeper.store.transitionOutcomeBatch(batch.id, ["placing"], "placing", { reason });
      keeper.logger.warn("outcome batch not placed by this process yet; settled from the chain", {
        batchId: batch.id,
        expiration: batch.expiration,
        error: reason,
      });
      return undefined;
    }
    // refused before anything was placed (simulation, risk check, a reverted transaction)
    await keeper.store.transitionOutcomeBatch(batch.id, ["placing"], "failed", { reason });
    for (const o of orders)
      await keeper.store.upsertOutcomeOrder(
        orderRecord(batch.id, { ...placedOrder(o.hash, o.terms), status: "cancelled" }),
      );
    keeper.logger.warn("outcome batch not placed", { batchId: batch.id, error: reason });
    return undefined;
  }
  await postPlaced(keeper, parts, batch, orders);
  keeper.logger.info("outcome batch placed", {
    batchId: batch.id,
    strategy: batch.strategy,
    setId: batch.setId,
    orders: orders.length,
    cost: batch.cost,
    expectedProfit: batch.profit,
    txHashes: sent.txHashes,
    provenances: sent.provenances,
  });
  return { id: batch.id, ...sent };
}

/** The batch's orders with the exchange they live on and their EIP-712 hashes there. */
function placedOrdersOf(parts: OutcomeParts, batch: OutcomeBatch): PlacedOrder[] {
  const exchange =
    batch.setKind === "negRisk" ? parts.chain.addresses.negRiskExchange : parts.chain.addresses.exchange;
  return batch.orders.map((terms) => ({ terms, exchange, hash: parts.actions.orderHash(terms, exchange) }));
}

/**
 * Posts a batch whose orders are on chain to the CLOB and marks it `placed`, whatever the CLOB answers:
 * orders it refuses (or never receives, when the post fails) are closed at once (`closeRefused`), so
 * the tracker unwinds the batch this cycle instead of holding them signed while the other legs fill.
 */
async function postPlaced(
  keeper: Keeper,
  parts: OutcomeParts,
  batch: OutcomeBatch,
  orders: readonly PlacedOrder[],
): Promise<void> {
  let results: readonly { readonly ok: boolean; readonly error?: string }[];
  try {
    results = await parts.venue.postOrders(orders);
  } catch (error) {
    results = orders.map(() => ({ ok: false, error: (error as Error).message.split("\n")[0] }));
  }
  const refused = orders.filter((_, i) => results[i]?.ok !== true);
  const errors = [...new Set(results.filter((r) => !r.ok).map((r) => r.error ?? "refused"))];
  await keeper.store.transitionOutcomeBatch(
    batch.id,
    ["placing"],
    "placed",
    refused.length > 0 ? { reason: `the CLOB refused ${refused.length} orders: ${errors.join("; ")}` } : {},
  );
  if (refused.length > 0) await closeRefused(keeper, parts, batch.id, refused, errors);
}

/**
 * Batches left `placing` (here or by another operator's process on the shared store): one
 * `pmPlaceOrders` places all of a batch's orders or none, so its first order tells. On the
 * connector → posted and `placed` (a proposal the other operators executed, a send that landed
 * after this process gave up on it); not on chain and past its expiration → `failed`, its orders
 * `cancelled` (the connector refuses expired orders, so a late proposal cannot place them).
 */
async function resolvePlacing(keeper: Keeper, parts: OutcomeParts, chainNow: number): Promise<void> {
  for (const record of await keeper.store.listOutcomeBatches({ statuses: ["placing"] })) {
    const batch = JSON.parse(record.batchJson) as OutcomeBatch;
    const orders = placedOrdersOf(parts, batch);
    if (await parts.chain.isPlaced(orders[0]!.exchange, orders[0]!.hash)) {
      await postPlaced(keeper, parts, batch, orders);
      keeper.logger.info("outcome batch found placed on chain", { batchId: batch.id });
      continue;
    }
    if (chainNow < Number(batch.expiration)) continue;
    const reason = `never placed on chain before its orders expired${record.statusReason ? ` (${record.statusReason})` : ""}`;
    await keeper.store.transitionOutcomeBatch(batch.id, ["placing"], "failed", { reason });
    for (const o of orders)
      await keeper.store.upsertOutcomeOrder(
        orderRecord(batch.id, { ...placedOrder(o.hash, o.terms), status: "cancelled" }),
      );
    keeper.logger.warn("outcome batch failed", { batchId: batch.id, reason });
  }
}

/**
 * Closes orders the CLOB refused (or never received): no one matches them, yet the connector would hold
 * them signed, with their allowance, until they expire, while the batch's other legs fill. Closed, they
 * read cancelled on the exchange, so the tracker unwinds the batch in this cycle. A close that fails is
 * logged; the orders then expire and the tracker closes them.
 */
async function closeRefused(
  keeper: Keeper,
  parts: OutcomeParts,
  batchId: Hex,
  refused: readonly PlacedOrder[],
  errors: readonly string[],
): Promise<void> {
  keeper.logger.warn("the CLOB refused orders of a placed batch; closing them", {
    batchId,
    orders: refused.length,
    errors,
  });
  try {
    await execute(
      keeper,
      [
        parts.actions.closeOrders(
          refused.map((o) => o.terms),
          refused[0]!.exchange,
        ),
      ],
      {
        batchId,
        step: "close-refused",
      },
    );
  } catch (error) {
    keeper.logger.warn("closing the refused orders failed; they are unwound at expiry", {
      batchId,
      error: (error as Error).message.split("\n")[0],
    });
  }
}

/** Reads every placed batch's orders back from the exchange and runs the tracker's next step. */
async function trackOpenBatches(
  keeper: Keeper,
  parts: OutcomeParts,
  now: Date,
  chainNow: number,
  locked: { id: Hex; realized: string; txHashes: Hex[] }[],
  unwound: { id: Hex; loss: string }[],
): Promise<void> {
  for (const record of await keeper.store.listOutcomeBatches({ statuses: ["placed"] })) {
    const batch = JSON.parse(record.batchJson) as OutcomeBatch;
    const exchange =
      batch.setKind === "negRisk" ? parts.chain.addresses.negRiskExchange : parts.chain.addresses.exchange;
    const hashes = batch.orders.map((terms) => parts.actions.orderHash(terms, exchange));
    // fills and statuses at one block: a status read a block later than the fills would show an order
    // filled in between as "filled or cancelled" with its fill missing, i.e. cancelled short
    const atBlock = await parts.chain.blockNumber();
    const fills = await parts.chain.fills(exchange, hashes, atBlock);
    const tracked: TrackedOrder[] = [];
    for (const [i, terms] of batch.orders.entries()) {
      const hash = hashes[i]!;
      // replayed from the exchange's events each time: the tracker's state is a function of the chain
      let order = placedOrder(hash, terms);
      for (const fill of fills.filter((f) => f.orderHash.toLowerCase() === hash.toLowerCase())) {
        order = applyOrderEvent(order, {
          kind: "fill",
          makerFilled: fill.makerAmountFilled,
          taken: fill.takerAmountFilled,
        });
        await keeper.store.recordOutcomeFill({
          id: fill.id,
          orderHash: hash,
          makerFilled: fill.makerAmountFilled.toString(),
          taken: fill.takerAmountFilled.toString(),
          txHash: fill.txHash,
          at: now.getTime(),
        });
      }
      const status = await parts.chain.orderStatus(exchange, hash, atBlock);
      if (status.isFilledOrCancelled && order.status !== "filled")
        order = applyOrderEvent(order, { kind: "cancelled" });
      tracked.push(order);
      await keeper.store.upsertOutcomeOrder(orderRecord(record.id, order));
    }
    const step = nextBatchStep(batch, tracked, chainNow);
    if (step.kind === "wait") continue;
    // A lock or unwind sent as a 2-of-3 proposal may be finished by the other operators' keepers: it
    // is found in the shared store by its batch and step, awaited while open, taken as done once
    // executed, and only proposed again if it failed or expired.
    const earlier = await stepProposal(keeper, record.id, step.kind);
    if (earlier && OPEN_PROPOSAL.has(earlier.status)) continue;
    let txHashes: Hex[] = earlier?.status === "executed" && earlier.txHash ? [earlier.txHash] : [];
    if (earlier?.status !== "executed") {
      // every order the connector still records is closed, filled ones too: a filled order's record
      // keeps one of the connector's MAX_OPEN_ORDERS slots until it is dropped. An unwind closes them in
      // its transaction, a lock folds them into its own (merge, convert); a lock with nothing to send (a
      // held YES set) sends nothing, so its filled orders stay recorded until closed after expiry
      // (anyone may close an expired order)
      const recorded = await parts.chain.openOrderHashes();
      const closeOrders =
        step.kind === "unwind" || step.steps.length > 0
          ? batch.orders.filter((_, i) => recorded.has(hashes[i]!.toLowerCase()))
          : [];
      const actions: PlanAction[] = [
        ...(closeOrders.length > 0 ? [parts.actions.closeOrders(closeOrders, exchange)] : []),
        ...parts.actions.steps(step.steps),
      ];
      try {
        txHashes =
          actions.length > 0
            ? (await execute(keeper, actions, { batchId: record.id, step: step.kind })).txHashes
            : [];
      } catch (error) {
        // the batch stays `placed`: the next step finds the proposal (or retries), other batches go on
        keeper.logger.warn(`outcome batch ${step.kind} not finished by this process`, {
          batchId: record.id,
          error: (error as Error).message.split("\n")[0],
        });
        continue;
      }
    }
    if (step.kind === "lock") {
      const realized = batch.profit;
      await keeper.store.transitionOutcomeBatch(record.id, ["placed"], "locked", { realized });
      keeper.metrics.outcomeLockedProfit.inc({ strategy: batch.strategy }, Number(realized) / USD);
      keeper.logger.info("outcome batch locked", { batchId: record.id, realized, txHashes });
      locked.push({ id: record.id, realized, txHashes });
    } else {
      await keeper.store.transitionOutcomeBatch(record.id, ["placed"], "unwound", {
        realized: (-BigInt(step.loss)).toString(),
        reason: `${record.statusReason ? `${record.statusReason}; ` : ""}${step.close.length} unfilled orders closed, ${step.fullSets} full sets locked, ${step.held.length} legs held at 0`,
      });
      for (const o of tracked)
        if (step.close.includes(o.hash))
          await keeper.store.upsertOutcomeOrder(
            orderRecord(record.id, { ...o, status: o.status === "filled" ? "filled" : "cancelled" }),
          );
      keeper.logger.warn("outcome batch unwound", { batchId: record.id, loss: step.loss, held: step.held });
      unwound.push({ id: record.id, loss: step.loss });
    }
  }
}

const OPEN_PROPOSAL: ReadonlySet<string> = new Set(["proposed", "signed", "submitted"]);

/** The newest proposal this vault's keepers made for `step` of outcome batch `batchId`, if any. */
async function stepProposal(keeper: Keeper, batchId: Hex, step: string) {
  const proposals = await keeper.store.listProposals({ vault: keeper.config.gate.vault, limit: 200 });
  return proposals.find((p) => {
    const outcome = (JSON.parse(p.planJson) as { outcome?: { batchId?: string; step?: string } }).outcome;
    return outcome?.batchId === batchId && outcome.step === step;
  });
}

/** The connector's holdings of every token a batch traded, with how NAV values them. */
async function recordPositions(keeper: Keeper, parts: OutcomeParts): Promise<void> {
  const batches = await keeper.store.listOutcomeBatches({ limit: 100 });
  const tokenSets = batches.map((b) => (JSON.parse(b.batchJson) as OutcomeBatch).tokenIds);
  const tokens = [...new Set(tokenSets.flat())];
  const balances = await parts.chain.balances(tokens);
  for (const [i, ids] of tokenSets.entries()) {
    const amounts = ids.map((t) => balances.get(t) ?? 0n);
    const full = amounts.reduce((a, b) => (a < b ? a : b), amounts[0] ?? 0n);
    for (const [j, tokenId] of ids.entries()) {
      const amount = amounts[j] ?? 0n;
      await keeper.store.setOutcomePosition({
        connector: parts.config.connector,
        tokenId,
        amount: amount.toString(),
        valuation: full > 0n && amount === full && ids.length > 1 ? "set" : "unpaired",
        batchId: batches[i]!.id,
      });
    }
  }
}

function orderRecord(batchId: Hex, o: TrackedOrder): Omit<OutcomeOrderRecord, "updatedAt"> {
  return {
    hash: o.hash as Hex,
    batchId,
    tokenId: o.terms.tokenId,
    side: o.terms.side,
    makerAmount: o.terms.makerAmount,
    takerAmount: o.terms.takerAmount,
    price: o.terms.price,
    expiration: Number(o.terms.expiration),
    status: o.status as OutcomeOrderStatus,
    filled: o.filled,
    received: o.received,
  };
}

/**
 * Sends plan actions: the leading ones a mandate this keeper holds covers go directly
 * (`executeMandate`, checked on chain first), the rest as one 2-of-3 proposal, signed by this
 * process's operators and submitted once ready. Returns the transaction hashes; throws when a
 * proposal could not reach the threshold here (the multisig task finishes it).
 */
/** A 2-of-3 proposal this process signed that the other operators' keepers still have to sign. */
export class AwaitingOperators extends Error {
  override readonly name = "AwaitingOperators";
  constructor(readonly proposalId: Hex) {
    super(`proposal ${proposalId} awaits the other operators' signatures`);
  }
}

/** The transactions a plan went out in, and the provenance hash each carries. */
interface Sent {
  readonly txHashes: Hex[];
  readonly provenances: Hex[];
}

async function execute(
  keeper: Keeper,
  actions: readonly PlanAction[],
  context: Readonly<Record<string, unknown>>,
): Promise<Sent> {
  const product = requireProduct(keeper);
  const vault = product.vault;
  const calls: GateCall[] = actions.map((a) => encodeAction(vault, a));
  const plan = { kind: "rebalance", vault, actions, outcome: context };
  const snapshot = [context];
  const hashes: Hex[] = [];
  const provenances: Hex[] = [];
  let index = 0;
  const executor = product.mandateExecutor;
  for (; executor && index < calls.length; index++) {
    const call = calls[index]!;
    let covering: (typeof product.mandates)[number] | undefined;
    for (const terms of product.mandates)
      if ((await executor.check(terms, call)).ok) {
        covering = terms;
        break;
      }
    if (!covering) break;
    const provenance = computeProvenance(snapshot, { ...plan, index });
    const outcome = await executor.execute(covering, call, provenance);
    if (outcome.status !== "confirmed")
      throw new Error(`mandate action ${index} ${outcome.status} (tx ${outcome.hash})`);
    hashes.push(outcome.hash);
    provenances.push(provenance);
  }
  if (index === calls.length) return { txHashes: hashes, provenances };
  const rest = { ...plan, actions: actions.slice(index) };
  const restProvenance = computeProvenance(snapshot, rest);
  let proposal;
  try {
    proposal = await keeper.workflow.propose(
      { plan: rest, snapshot, calls: calls.slice(index), provenance: restProvenance },
      { exclusive: true },
    );
  } catch (error) {
    if (error instanceof ProposalError && error.proposalId !== undefined)
      throw new Error(`another proposal (${error.proposalId}) is open for the gate's nonce`, {
        cause: error,
      });
    throw error;
  }
  if (!(await signAsOperators(keeper, proposal.id))) throw new AwaitingOperators(proposal.id);
  const done = await keeper.workflow.submit(proposal.id, keeper.sender!);
  if (done.status !== "executed")
    throw new Error(
      `proposal ${proposal.id} ${done.status}${done.statusReason ? `: ${done.statusReason}` : ""}`,
    );
  hashes.push(done.txHash!);
  provenances.push(restProvenance);
  return { txHashes: hashes, provenances };
}
