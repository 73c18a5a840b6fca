import { writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
  decodeErrorResult,
  getAddress,
  keccak256,
  parseUnits,
  toHex,
  zeroHash,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  aprilBooks,
  recordedGroupBooks,
  type AprilSnapshotMarket,
  type ReplayedTrade,
} from "../../keeper/backtest/outcomeReplay.js";
import type { SpreadModel } from "../../keeper/backtest/spreads.js";
import type { Keeper } from "../../keeper/cycle/keeper.js";
import { createLogger } from "../../keeper/log/logger.js";
import { runOutcomeStep } from "../../keeper/cycle/outcomeCycle.js";
import type { OutcomeBatch } from "../../keeper/planning/outcomeOrders.js";
import type { BookLevel } from "../../keeper/signals/types.js";
import type { OpportunityRejection } from "../../keeper/strategy/outcomes/index.js";
import { projectArtifact, read, type Write } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import {
  DEFAULT_ROLE_INDICES,
  asCall,
  gateExecute,
  provenanceHash,
  stackCalls,
  stackGovernanceRunner,
} from "../product/stack.js";
import { mintMockToken } from "../protocols/tokens.js";
import type { ClobMarket } from "./clob/clobEngine.js";
import { gammaEventsPayload } from "./clob/gammaEvents.js";
import { type LocalClob, startLocalClob } from "./clob/localClob.js";
import { PRICE_SCALE, type TickSize } from "./clob/orders.js";
import type { SeedLevel } from "./clob/seedBooks.js";
import { fundAndRequestDeposit } from "./deposits.js";
import { composeLocalKeeper, type LocalKeeperOptions } from "./keeperConfig.js";
import {
  type PolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
  withVenueOperator,
} from "./polymarketVenue.js";
import { deployLocalStack, type LocalStack } from "./productStack.js";

/**
 * Recorded market states replayed through the real keeper path on the local chain: each recorded
 * event (a negRisk group, its books replaced hour by hour, or a set of binary markets) is prepared on
 * the local Polymarket venue, listed on the local CLOB with the recorded books as signed maker orders,
 * registered in the vault's PolymarketConnector by governance (which holds at most `MAX_CONDITIONS`
 * conditions, never dropping one: a caller gives each group its own stack) and written as the keeper's
 * Gamma metadata; then the keeper's outcome step runs (composed once per stack, as `keeper run`
 * composes it). What it placed, the vault's NAV change, the exchange's fees on its fills, its gas and
 * every refusal are read back from the chain and the keeper's store.
 *
 * Clocks: the CLOB stamps books with the wall clock and the keeper ages quotes against the wall clock;
 * orders expire by the chain's block time; the recorded hour is only the data's label.
 */

const MNEMONIC = "test test test test test test test test test test test junk";
const devKey = (index: number): LocalAccount => mnemonicToAccount(MNEMONIC, { addressIndex: index });
/** Development account of the CLOB's operator key (after the stack's roles and depositors). */
const CLOB_OPERATOR = 14;
const DEPOSITOR = 9;

/** Both sides of one outcome token's recorded book. */
export interface RecordedBook {
  readonly asks: readonly BookLevel[];
  readonly bids: readonly BookLevel[];
}

export interface RecordedMarket {
  readonly question: string;
  readonly slug: string;
  readonly source: string;
  readonly feeRateBps: bigint;
  readonly yes: RecordedBook;
  readonly no: RecordedBook;
}

/**
 * Which recorded levels become maker orders. On the venue a YES bid at p is a NO ask at 1 − p (one
 * book per market), so a recording that prices both sides of both outcomes independently cannot be
 * seeded whole: `yes-book` seeds the YES asks and bids (the NO book is their complement), `asks` the
 * YES and NO asks (the bids are their complements).
 */
export type SeedSides = "yes-book" | "asks";

export interface RecordedEvent {
  readonly id: string;
  /** a negRisk group (one adapter market) or independent binary markets */
  readonly negRisk: boolean;
  readonly markets: readonly RecordedMarket[];
  readonly seed: SeedSides;
  readonly tickSize: TickSize;
  readonly resolutionSource: string;
  readonly endDate: string;
  /** members the recording does not hold: the Gamma event lists them by condition id only */
  readonly unrecordedMembers?: number;
}

export interface ListedEvent {
  readonly event: RecordedEvent;
  readonly markets: readonly ClobMarket[];
  /** the adapter's market id (negRisk) */
  readonly marketId: Hex | null;
  readonly questionIds: ReadonlyMap<Hex, Hex>;
  /** governance's calls registering the event's markets in the connector */
  readonly registration: readonly Write[];
}

export interface OutcomeReplayChain {
  /** the chain's development accounts (#0 the deployer) */
  readonly accounts: readonly Clients[];
  readonly local: LocalStack;
  readonly venue: PolymarketVenue;
  readonly clob: LocalClob;
  readonly keeper: Keeper;
  readonly connector: Address;
  readonly metadataFile: string;
  readonly submitter: Address;
  /** the keeper's warnings and errors, one parsed JSON log line each, oldest first */
  readonly warnings: readonly Record<string, unknown>[];
  nav(): Promise<bigint>;
  /** conditions the connector can still register (MAX_CONDITIONS less those registered; none is ever dropped) */
  conditionRoom(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Deploys the local stack with the Polymarket venue and connector, starts the CLOB in front of the
 * connector's venue, deposits `depositUsd` into the vault (settled, so it is idle capital) and composes
 * the keeper once through `composeLocalKeeper` with the outcome task on that CLOB and metadata file.
 */
export async function startOutcomeReplayChain(options: {
  readonly accounts: readonly Clients[];
  readonly client: PublicClient;
  readonly transport: Transport;
  readonly dir: string;
  readonly depositUsd: number;
  readonly limits?: NonNullable<LocalKeeperOptions["outcomes"]>["limits"];
}): Promise<OutcomeReplayChain> {
  const { accounts } = options;
  const deployer = accounts[0]!;
  const local = await deployLocalStack(deployer, { accounts, governance: "eoa", polymarket: true });
  const polymarket = local.stack.polymarket!;
  const operator = accounts[CLOB_OPERATOR];
  if (!operator) throw new Error(`the local chain has no development account #${CLOB_OPERATOR}`);
  const venue = await withVenueOperator(deployer, polymarket.venue, operator.wallet.account.address);
  const clob = await startLocalClob({ deployer, operator: operator.wallet, venue });
  const deposit = parseUnits(String(options.depositUsd), 6);
  await mintMockToken(deployer, local.stack.asset, deployer.wallet.account.address, deposit);
  await fundAndRequestDeposit(deployer, accounts[DEPOSITOR]!, local.stack, deposit);
  await gateExecute(local.stack, accounts, [stackCalls.settle(local.stack)], provenanceHash("settle"));
  const metadataFile = path.join(options.dir, "events.json");
  await writeFile(metadataFile, "[]");
  const submitter = devKey(DEFAULT_ROLE_INDICES.strategist);
  const warnings: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "warn",
    write: (line) => warnings.push(JSON.parse(line) as Record<string, unknown>),
  });
  const keeper = await composeLocalKeeper(local, {
    logger,
    client: options.client,
    transport: options.transport,
    operators: DEFAULT_ROLE_INDICES.operators.map(devKey),
    submitter,
    storePath: path.join(options.dir, "state.sqlite"),
    outcomes: {
      clobUrl: clob.url,
      metadataFile,
      ...(options.limits ? { limits: options.limits } : {}),
    },
  });
  return {
    accounts,
    local,
    venue,
    clob,
    keeper,
    connector: polymarket.connector,
    metadataFile,
    submitter: getAddress(submitter.address),
    warnings,
    nav: () =>
      read<bigint>(deployer, {
        address: local.stack.vault,
        abi: projectArtifact("AccountingManager").abi,
        functionName: "totalAssets",
      }),
    async conditionRoom() {
      const abi = projectArtifact("PolymarketConnector").abi;
      const [max, ids] = await Promise.all([
        read<bigint>(deployer, { address: polymarket.connector, abi, functionName: "MAX_CONDITIONS" }),
        read<readonly Hex[]>(deployer, { address: polymarket.connector, abi, functionName: "conditionIds" }),
      ]);
      return Number(max) - ids.length;
    },
    async close() {
      await keeper.close();
      await clob.close();
    },
  };
}

const priceUnits = (price: number) => BigInt(Math.round(price * Number(PRICE_SCALE)));
const shareUnits = (size: number) => BigInt(Math.round(size * 1_000_000));

/** The maker orders that put `market`'s recorded books on the CLOB (see SeedSides). */
export function seedLevelsOf(recorded: RecordedMarket, sides: SeedSides, market: ClobMarket): SeedLevel[] {
  const [yes, no] = market.tokens;
  const levels = (tokenId: bigint, side: "BUY" | "SELL", book: readonly BookLevel[]): SeedLevel[] =>
    book.map((l) => ({ tokenId, side, price: priceUnits(l.price), shares: shareUnits(l.size) }));
  return sides === "yes-book"
    ? [...levels(yes, "SELL", recorded.yes.asks), ...levels(yes, "BUY", recorded.yes.bids)]
    : [...levels(yes, "SELL", recorded.yes.asks), ...levels(no, "SELL", recorded.no.asks)];
}

/**
 * Prepares each event's markets on the venue (a negRisk group on the adapter, or binary conditions)
 * and lists them on the CLOB with the recorded books; `registerListed` adds them to the connector.
 */
export async function listRecordedEvents(
  chain: OutcomeReplayChain,
  events: readonly RecordedEvent[],
): Promise<ListedEvent[]> {
  const deployer = chain.accounts[0]!;
  const abi = projectArtifact("PolymarketConnector").abi;
  const listed: ListedEvent[] = [];
  for (const event of events) {
    const listing = (m: RecordedMarket) => ({
      question: m.question,
      slug: m.slug,
      source: m.source,
      tickSize: event.tickSize,
      feeRateBps: m.feeRateBps,
    });
    if (event.negRisk) {
      const group = await preparePolymarketNegRiskGroup(
        deployer,
        chain.venue,
        event.markets.map((m) => m.question),
        { metadata: event.id },
      );
      const markets: ClobMarket[] = [];
      for (const [i, m] of event.markets.entries())
        markets.push(
          await chain.clob.addMarketWithLevels(
            group.questions[i]!,
            listing(m),
            (market) => seedLevelsOf(m, event.seed, market),
            { negRiskMarketId: group.marketId },
          ),
        );
      listed.push({
        event,
        markets,
        marketId: group.marketId,
        questionIds: new Map(group.questions.map((q) => [q.conditionId, q.questionId])),
        registration: [
          {
            address: chain.connector,
            abi,
            functionName: "addNegRiskMarket",
            args: [group.marketId, keccak256(toHex(event.id))],
          },
        ],
      });
    } else {
      const markets: ClobMarket[] = [];
      const calls: Write[] = [];
      for (const m of event.markets) {
        const prepared = await preparePolymarketBinary(deployer, chain.venue, m.question);
        const market = await chain.clob.addMarketWithLevels(prepared, listing(m), (x) =>
          seedLevelsOf(m, event.seed, x),
        );
        markets.push(market);
        calls.push({
          address: chain.connector,
          abi,
          functionName: "addBinaryMarket",
          args: [market.conditionId, market.tokens[0], market.tokens[1], zeroHash],
        });
      }
      listed.push({ event, markets, marketId: null, questionIds: new Map(), registration: calls });
    }
  }
  return listed;
}

/**
 * Registers each listed event's markets in the vault's PolymarketConnector (one governance batch per
 * event). Returns, per event, the connector's refusal (its custom error) or null.
 */
export async function registerListed(
  chain: OutcomeReplayChain,
  listed: readonly ListedEvent[],
): Promise<(string | null)[]> {
  const governance = stackGovernanceRunner(chain.local.stack, chain.accounts);
  const refusals: (string | null)[] = [];
  for (const l of listed)
    try {
      await governance(l.registration.map(asCall));
      refusals.push(null);
    } catch (error) {
      refusals.push(revertReason(error));
    }
  return refusals;
}

/**
 * The Gamma `/events` payload of `listed`: a negRisk group as one event, each binary market its own
 * event; a group's unrecorded members appear by condition id only (Gamma lists them, the recording
 * does not hold them), which the keeper's metadata parser rejects and its set check refuses by name.
 */
export function recordedGammaEvents(listed: readonly ListedEvent[]): unknown[] {
  const events: unknown[] = [];
  for (const l of listed) {
    if (l.event.negRisk) {
      const [payload] = gammaEventsPayload([
        {
          id: l.event.id,
          markets: l.markets,
          questionIds: l.questionIds,
          resolutionSource: l.event.resolutionSource,
          endDate: l.event.endDate,
        },
      ]) as { markets: unknown[] }[];
      const unrecorded = Array.from({ length: l.event.unrecordedMembers ?? 0 }, (_, i) => ({
        conditionId: keccak256(toHex(`${l.event.id}:unrecorded:${i}`)),
      }));
      events.push({ ...payload, markets: [...payload!.markets, ...unrecorded] });
    } else
      events.push(
        ...gammaEventsPayload(
          l.markets.map((m) => ({
            id: m.slug,
            markets: [m],
            resolutionSource: l.event.resolutionSource,
            endDate: l.event.endDate,
          })),
        ),
      );
  }
  return events;
}

/** What one keeper outcome step did on the chain. */
export interface ChainStepRecord {
  readonly placed: readonly {
    readonly id: Hex;
    readonly strategy: string;
    readonly setId: string;
    readonly status: string;
    /** why the keeper failed or unwound the batch, as its store records it */
    readonly statusReason: string | null;
    readonly sets: bigint;
    readonly cost: bigint;
    /** the batch's exact locked profit as the keeper planned it (collateral units) */
    readonly plannedProfit: bigint;
    readonly orders: number;
    /** the exchange's `fee` over every fill of the batch's orders */
    readonly fees: bigint;
  }[];
  readonly rejected: readonly OpportunityRejection[];
  /** batches of earlier steps this step unwound (orders closed after expiry), with the loss booked */
  readonly unwound: readonly { readonly id: Hex; readonly loss: bigint }[];
  readonly opportunities: number;
  readonly sets: number;
  /** the vault's totalAssets after − before the step (collateral units) */
  readonly navChange: bigint;
  /** gas of the keeper's transactions (the 2-of-3 gate's executions), and of the CLOB operator's matches */
  readonly keeperGas: bigint;
  readonly keeperTxs: number;
  readonly clobGas: bigint;
  /** what the keeper logged as a warning or error during the step */
  readonly warnings: readonly Record<string, unknown>[];
  readonly durationMs: number;
}

/**
 * Writes `listed` as the keeper's Gamma metadata, runs the keeper's outcome step once (at the wall
 * clock the CLOB stamps its books with) and reads back what it placed, the NAV change, the fees of
 * its fills and the gas of every transaction mined meanwhile.
 */
export async function runRecordedStep(
  chain: OutcomeReplayChain,
  listed: readonly ListedEvent[],
): Promise<ChainStepRecord> {
  const started = performance.now();
  const client = chain.accounts[0]!.public;
  await writeFile(chain.metadataFile, JSON.stringify(recordedGammaEvents(listed)));
  const fromBlock = (await client.getBlockNumber()) + 1n;
  const before = await chain.nav();
  const known = new Set((await chain.keeper.store.listOutcomeBatches({})).map((b) => b.id));
  const warned = chain.warnings.length;
  const parts = chain.keeper.outcomes;
  if (!parts) throw new Error("the keeper has no outcome task");
  const step = await runOutcomeStep(chain.keeper, parts, new Date());
  const navChange = (await chain.nav()) - before;
  const placed: ChainStepRecord["placed"][number][] = [];
  for (const record of await chain.keeper.store.listOutcomeBatches({})) {
    if (known.has(record.id)) continue;
    const batch = JSON.parse(record.batchJson) as OutcomeBatch;
    const exchange =
      batch.setKind === "negRisk" ? parts.chain.addresses.negRiskExchange : parts.chain.addresses.exchange;
    const hashes = batch.orders.map((t) => parts.actions.orderHash(t, exchange));
    const fills = await parts.chain.fills(exchange, hashes);
    placed.push({
      id: record.id,
      strategy: batch.strategy,
      setId: batch.setId,
      status: record.status,
      statusReason: record.statusReason ?? null,
      sets: BigInt(batch.sets),
      cost: BigInt(batch.cost),
      plannedProfit: BigInt(batch.profit),
      orders: batch.orders.length,
      fees: fills.reduce((s, f) => s + f.fee, 0n),
    });
  }
  const gas = await gasSince(client, fromBlock, chain.submitter, chain.clob.operator);
  return {
    placed,
    rejected: step.rejected,
    unwound: step.unwound.map((u) => ({ id: u.id, loss: BigInt(u.loss) })),
    opportunities: step.opportunities.length,
    sets: step.sets,
    navChange,
    ...gas,
    warnings: chain.warnings.slice(warned).map(decodedWarning),
    durationMs: performance.now() - started,
  };
}

async function gasSince(
  client: Clients["public"],
  fromBlock: bigint,
  keeper: Address,
  clobOperator: Address,
): Promise<{ keeperGas: bigint; keeperTxs: number; clobGas: bigint }> {
  let keeperGas = 0n;
  let keeperTxs = 0;
  let clobGas = 0n;
  const latest = await client.getBlockNumber();
  for (let n = fromBlock; n <= latest; n++) {
    const block = await client.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      const from = getAddress(tx.from);
      if (from !== getAddress(keeper) && from !== getAddress(clobOperator)) continue;
      const { gasUsed } = await client.getTransactionReceipt({ hash: tx.hash });
      if (from === getAddress(keeper)) {
        keeperGas += gasUsed;
        keeperTxs += 1;
      } else clobGas += gasUsed;
    }
  }
  return { keeperGas, keeperTxs, clobGas };
}

const HOUR_MS = 3_600_000;
const onCentTick = (levels: readonly BookLevel[]) =>
  levels.every((l) => Math.abs(Math.round(l.price * 100) - l.price * 100) < 1e-6);
/** "0.01" when every level sits on the cent grid, else Polymarket's fine tick near the extremes. */
function tickOf(markets: readonly RecordedMarket[]): TickSize {
  return markets.every((m) => [m.yes.asks, m.yes.bids, m.no.asks, m.no.bids].every(onCentTick))
    ? "0.01"
    : "0.001";
}

/** A recorded trade of the off-chain replay, as replayed through the connector. */
export interface ChainTrade {
  readonly group: string;
  readonly at: number;
  /** the off-chain replay's plan (the reference column) */
  readonly planned: {
    readonly strategy: string;
    readonly sets: number;
    readonly costUsd: number;
    readonly profitUsd: number;
  };
  readonly step: ChainStepRecord;
}

export type PlannedTrade = Pick<
  ReplayedTrade,
  "group" | "at" | "strategy" | "sets" | "costUsd" | "profitUsd"
>;

/**
 * The trades of one recorded January group, in order, through the connector: the group's questions
 * prepared once as a negRisk market on the adapter, listed on the CLOB and registered in the connector
 * (a refusal there is returned, and the keeper still runs on the listed group to show what it does);
 * then for each trade the books of its recorded hour, built exactly as the off-chain replay builds
 * them (recordedGroupBooks), replace the group's books (the sides the trade takes: the NO asks for a
 * NO-set conversion, else the YES book), and one keeper outcome step runs.
 */
export async function replayJanuaryGroupOnChain(
  chain: OutcomeReplayChain,
  trades: readonly PlannedTrade[],
  options: { readonly dataDir: string; readonly spreads: SpreadModel; readonly feeRateBps: number },
): Promise<{
  readonly registrationError: string | null;
  readonly trades: ChainTrade[];
  /** the step after the last trade's orders expired, when a batch was still open: its unwind */
  readonly expiry: ChainStepRecord | null;
}> {
  const group = trades[0]?.group;
  if (!group || trades.some((t) => t.group !== group))
    throw new Error("trades of one recorded group, at least one");
  const booksAt = async (trade: PlannedTrade) => {
    const hourMs = Math.floor(trade.at / HOUR_MS) * HOUR_MS;
    const legs = await recordedGroupBooks(options.dataDir, group, hourMs, options.spreads);
    return legs.map((l): RecordedMarket => ({
      question: l.question,
      slug: l.slug,
      source: `resolved-markets-timeseries-jan2026 ${group} at ${new Date(hourMs).toISOString()}`,
      feeRateBps: BigInt(options.feeRateBps),
      yes: l.yes,
      no: l.no,
    }));
  };
  const seedOf = (trade: PlannedTrade): SeedSides =>
    trade.strategy === "no-conversion" ? "asks" : "yes-book";
  const hours: RecordedMarket[][] = [];
  for (const trade of trades) hours.push(await booksAt(trade));
  const [listed] = await listRecordedEvents(chain, [
    {
      id: group,
      negRisk: true,
      markets: hours[0]!,
      seed: seedOf(trades[0]!),
      // listed once for every hour replayed: the fine tick if any hour's levels need it
      tickSize: tickOf(hours.flat()),
      resolutionSource: "Polymarket (UMA optimistic oracle)",
      endDate: new Date(trades[trades.length - 1]!.at + 30 * 24 * HOUR_MS).toISOString(),
    },
  ]);
  const [registrationError = null] = await registerListed(chain, [listed!]);
  const results: ChainTrade[] = [];
  for (const [i, trade] of trades.entries()) {
    if (i > 0)
      for (const [j, market] of listed!.markets.entries())
        await chain.clob.reseedMarket(market, seedLevelsOf(hours[i]![j]!, seedOf(trade), market));
    const step = await runRecordedStep(chain, [listed!]);
    results.push({
      group,
      at: trade.at,
      planned: {
        strategy: trade.strategy,
        sets: trade.sets,
        costUsd: trade.costUsd,
        profitUsd: trade.profitUsd,
      },
      step,
    });
  }
  const open = await chain.keeper.store.listOutcomeBatches({ statuses: ["placed"] });
  let expiry: ChainStepRecord | null = null;
  if (open.length > 0) {
    // the exchange's clock passes the orders' expiry; the keeper's next step closes and unwinds them
    const client = chain.accounts[0]!.public as unknown as {
      request(args: { method: string; params?: unknown[] }): Promise<unknown>;
    };
    await client.request({
      method: "evm_increaseTime",
      params: [chain.keeper.outcomes!.config.orderTtlSeconds + 1],
    });
    await client.request({ method: "evm_mine" });
    expiry = await runRecordedStep(chain, []);
  }
  return { registrationError, trades: results, expiry };
}

/**
 * A keeper warning with the connector's custom errors it quotes as `unknown error 0x…` decoded
 * (`decoded`: the error's name and arguments), so a report names why the connector refused.
 */
function decodedWarning(w: Record<string, unknown>): Record<string, unknown> {
  const hex = /unknown error (0x[0-9a-fA-F]+) \((0x[0-9a-fA-F]+)\)/.exec(String(w.error ?? ""));
  if (!hex) return w;
  try {
    const e = decodeErrorResult({ abi: projectArtifact("PolymarketConnector").abi, data: hex[2] as Hex });
    return { ...w, decoded: `${e.errorName}(${(e.args ?? []).map(String).join(", ")})` };
  } catch {
    return w;
  }
}

/** The custom error (or first line) a reverted transaction reports. */
function revertReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const custom = /custom error '([^']+)'/.exec(text) ?? /reverted with reason string '([^']+)'/.exec(text);
  return custom ? custom[1]! : text.split("\n")[0]!;
}

/** One set of the April sample and what the keeper did with it on the chain. */
export interface ChainAprilSet {
  /** the snapshot's market id (binary) or negRisk group id */
  readonly recordedId: string;
  readonly kind: "binary" | "negRisk";
  readonly legs: number;
  /** the keeper's refusals of the set on the chain, by strategy */
  readonly reasons: readonly {
    readonly strategy: string;
    readonly reason: string;
    readonly detail: string;
  }[];
  readonly placed: number;
  /** the connector's refusal to register the set's markets, if any */
  readonly registrationError: string | null;
}

/**
 * A sample of the April 2026 snapshot through the connector in one keeper step: each binary market
 * prepared as a CTF condition, each negRisk group's recorded members as questions of one adapter
 * market (the Gamma event also lists the member the snapshot lacks, as the off-chain replay marks it),
 * the recorded best bid / ask with the stated ladder seeded as maker asks of both outcomes.
 */
export async function replayAprilSampleOnChain(
  chain: OutcomeReplayChain,
  sample: {
    readonly binary: readonly AprilSnapshotMarket[];
    readonly groups: readonly AprilSnapshotMarket[][];
  },
): Promise<{ sets: ChainAprilSet[]; step: ChainStepRecord }> {
  const recorded = (r: AprilSnapshotMarket): RecordedMarket => ({
    question: r.question,
    slug: `april-2026-${r.market_id}`,
    source: `engine-snapshots-2026-04 market ${r.market_id}`,
    feeRateBps: BigInt(r.fee_rate_bps),
    ...aprilBooks(r),
  });
  const binaryMarkets = sample.binary.map(recorded);
  const binaryEvent: RecordedEvent[] =
    binaryMarkets.length === 0
      ? []
      : [
          {
            id: "april-2026-binary-sample",
            negRisk: false,
            markets: binaryMarkets,
            seed: "asks",
            tickSize: tickOf(binaryMarkets),
            resolutionSource: "Polymarket (UMA optimistic oracle)",
            endDate: "2026-06-30T00:00:00Z",
          },
        ];
  const events: RecordedEvent[] = [
    ...binaryEvent,
    ...sample.groups.map((members): RecordedEvent => {
      const markets = members.map(recorded);
      return {
        id: members[0]!.negrisk_group_id!,
        negRisk: true,
        markets,
        seed: "asks",
        tickSize: tickOf(markets),
        resolutionSource: "Polymarket (UMA optimistic oracle)",
        endDate: "2026-06-30T00:00:00Z",
        unrecordedMembers: 1,
      };
    }),
  ];
  const listed = await listRecordedEvents(chain, events);
  const refusals = await registerListed(chain, listed);
  const step = await runRecordedStep(chain, listed);
  const of = (setId: string) =>
    step.rejected
      .filter((r) => r.setId.toLowerCase() === setId.toLowerCase())
      .map((r) => ({ strategy: r.strategy, reason: r.reason, detail: r.detail }));
  const placedOn = (setId: string) =>
    step.placed.filter((p) => p.setId.toLowerCase() === setId.toLowerCase()).length;
  const first = binaryEvent.length;
  const sets: ChainAprilSet[] = [
    ...(first ? listed[0]!.markets : []).map((m, i) => ({
      recordedId: sample.binary[i]!.market_id,
      kind: "binary" as const,
      legs: 2,
      reasons: of(m.conditionId),
      placed: placedOn(m.conditionId),
      registrationError: refusals[0] ?? null,
    })),
    ...listed.slice(first).map((l, i) => ({
      recordedId: sample.groups[i]![0]!.negrisk_group_id!,
      kind: "negRisk" as const,
      legs: l.markets.length,
      reasons: of(l.marketId!),
      placed: placedOn(l.marketId!),
      registrationError: refusals[first + i] ?? null,
    })),
  ];
  return { sets, step };
}
