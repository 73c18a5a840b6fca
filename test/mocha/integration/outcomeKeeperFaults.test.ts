import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  createPublicClient,
  custom,
  erc20Abi,
  keccak256,
  parseUnits,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deploy, projectArtifact, read, send, type Write } from "../../../deploy/lib/artifacts.js";
import type { ClobMarket } from "../../../deploy/local/clob/clobEngine.js";
import { gammaEventsPayload } from "../../../deploy/local/clob/gammaEvents.js";
import {
  aprilSpreadModel,
  januaryGroupQuotes,
  type SeedQuote,
} from "../../../deploy/local/clob/recordedQuotes.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";
import { composeLocalKeeper, type LocalKeeperOptions } from "../../../deploy/local/keeperConfig.js";
import {
  type PolymarketNegRiskGroup,
  preparePolymarketNegRiskGroup,
} from "../../../deploy/local/polymarketVenue.js";
import { deployLocalStack, type LocalStack } from "../../../deploy/local/productStack.js";
import {
  DEFAULT_ROLE_INDICES,
  asCall,
  gateExecute,
  provenanceHash,
  stackCalls,
  stackGovernanceRunner,
} from "../../../deploy/product/stack.js";
import { conditionalTokensArtifact } from "../../../deploy/protocols/conditionalTokens.js";
import { ConfigError } from "../../../keeper/config/load.js";
import type { Keeper } from "../../../keeper/cycle/keeper.js";
import {
  runOutcomeStep,
  type OutcomeParts,
  type OutcomeStepResult,
  type PlacedOrder,
} from "../../../keeper/cycle/outcomeCycle.js";
import {
  connectorOrder,
  connectorOrderHash,
  polymarketStepActions,
} from "../../../keeper/planning/outcomeActions.js";
import type { OutcomeBatch } from "../../../keeper/planning/outcomeOrders.js";
import type { LegBook } from "../../../keeper/strategy/outcomes/index.js";
import { DEMO_GROUP, type DemoClob, demoMarketCalls, startDemoClob } from "../../../scripts/demo/clob.js";
import { localChain } from "../helpers/chain.js";

// The "Bad input" cases of outcome arbitrage, at the keeper level, through the path `keeper run` composes
// (config → composeKeeper → the outcome step) on the local stack: the local CLOB seeded with signed maker
// orders, the vault's PolymarketConnector on the NegRisk CTF Exchange, the 2-of-3 gate. The cases trade the
// recorded RBA Feb-2026 negRisk group at 2026-01-28 13:59 (a Dutch book); the two that change it for good
// (a leg's makers gone, a question resolved) each get the same quotes re-listed as a fresh group (the
// connector registers at most 16 conditions), the others leave it as they found it. Each asserts the named
// refusal and that positions and NAV did not move, or, where orders were on chain when the fault hit, that
// the unwind stayed within the batch's maxLoss; and in every case that nothing is left open (no order in the
// connector, no allowance to the exchanges, no batch in flight, no proposal pending).

const { connection, clientsFor, networkHelpers } = await localChain();
const accounts = Array.from({ length: 20 }, (_, i) => clientsFor(i));
const deployer = accounts[0]!;
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const USDC = (amount: string) => parseUnits(amount, 6);
const AT = Date.parse("2026-01-28T13:59:59Z");
const ERC1271_MAGIC = "0x1626ba7e";

interface Group {
  readonly tag: string;
  readonly group: PolymarketNegRiskGroup;
  readonly markets: readonly ClobMarket[];
  readonly tokens: readonly bigint[];
}

describe("outcome arbitrage through the keeper: bad input is refused by name and loses nothing", function () {
  this.timeout(240_000);
  let local: LocalStack;
  let demo: DemoClob;
  let keeper: Keeper;
  let parts: OutcomeParts;
  let connector: Address;
  let legs: readonly SeedQuote[];
  /** the demo's RBA group, left as found by every case that uses it */
  let rba: Group;
  let keeperOptions: LocalKeeperOptions;
  const dir = mkdtempSync(path.join(tmpdir(), "outcome-faults-"));
  const metadataFile = path.join(dir, "events.json");
  const connectorAbi = () => projectArtifact("PolymarketConnector").abi;
  const exchangeAbi = () => projectArtifact("CtfExchange").abi;
  const governance = (writes: Write[]) => stackGovernanceRunner(local.stack, accounts)(writes.map(asCall));

  const nav = () =>
    read<bigint>(deployer, {
      address: local.stack.vault,
      abi: projectArtifact("AccountingManager").abi,
      functionName: "totalAssets",
    });
  const holdings = (g: Group) =>
    read<readonly bigint[]>(deployer, {
      address: local.stack.polymarket!.venue.conditionalTokens,
      abi: conditionalTokensArtifact().abi,
      functionName: "balanceOfBatch",
      args: [g.tokens.map(() => connector), g.tokens],
    });
  const openOrders = () =>
    read<readonly Hex[]>(deployer, {
      address: connector,
      abi: connectorAbi(),
      functionName: "openOrderHashes",
    });
  const allowances = async () => {
    const venue = local.stack.polymarket!.venue;
    return Promise.all(
      [venue.exchange, venue.negRiskExchange].map((spender) =>
        read<bigint>(deployer, {
          address: venue.collateral,
          abi: erc20Abi,
          functionName: "allowance",
          args: [connector, spender],
        }),
      ),
    );
  };
  /** The batches of the group this case recorded. */
  let seen = new Set<Hex>();
  const batchesOf = async (g: Group) =>
    (await keeper.store.listOutcomeBatches({})).filter(
      (b) => b.setId.toLowerCase() === g.group.marketId.toLowerCase() && !seen.has(b.id),
    );
  const writeEvents = (events: unknown[]) => writeFileSync(metadataFile, JSON.stringify(events));
  const eventsOf = (g: Group, edit: (market: Record<string, unknown>, i: number) => object = (m) => m) => {
    const questionIds = new Map(g.group.questions.map((q) => [q.conditionId, q.questionId]));
    const [event] = gammaEventsPayload([
      {
        id: g.tag,
        markets: g.markets,
        questionIds,
        resolutionSource: "Reserve Bank of Australia",
        endDate: "2026-02-03T03:30:00Z",
      },
    ]) as { markets: Record<string, unknown>[] }[];
    return [{ ...event!, markets: event!.markets.map(edit) }];
  };

  /**
   * The recorded RBA quotes listed again as a fresh negRisk group (prepared on the adapter, its questions
   * registered on the NegRisk exchange and seeded by the CLOB's makers), registered in the vault's
   * connector by governance under its own correlated-group tag.
   */
  let groups = 0;
  async function freshGroup(): Promise<Group> {
    const tag = `${DEMO_GROUP}-fault-${groups}`;
    const venue = local.stack.polymarket!.venue;
    // the stack's own three-question group is registered already and never listed: it is the first fresh
    // group, so the connector's MAX_CONDITIONS (10) holds the stack's markets, the RBA group and one more
    const reused = groups++ === 0;
    const group = reused
      ? local.stack.polymarket!.group
      : await preparePolymarketNegRiskGroup(
          deployer,
          venue,
          legs.map((q) => `${tag}: ${q.question}`),
        );
    const markets: ClobMarket[] = [];
    for (const [i, quote] of legs.entries())
      markets.push(
        await demo.clob.addMarket(
          group.questions[i]!,
          { ...quote, slug: `${tag}-${quote.slug}`, question: `${tag}: ${quote.question}` },
          { negRiskMarketId: group.marketId },
        ),
      );
    if (!reused)
      await governance([
        {
          address: connector,
          abi: connectorAbi(),
          functionName: "addNegRiskMarket",
          args: [group.marketId, keccak256(toHex(tag))],
        },
      ]);
    return { tag, group, markets, tokens: markets.flatMap((m) => [m.tokens[0], m.tokens[1]]) };
  }

  const restoreFees = (g: Group) => {
    for (const m of g.markets) demo.clob.engine.setFeeRate(m.conditionId, m.feeRateBps);
  };

  /**
   * The outcome parts with the CLOB seen through `hooks` (a venue whose state changes mid-cycle). A hook's
   * own failed assertion would read as a CLOB failure to the keeper, so it is kept for `expectNothingOpen`.
   */
  let hookErrors: unknown[] = [];
  function through(hooks: {
    books?: (books: LegBook[]) => Promise<LegBook[]> | LegBook[];
    post?: (orders: readonly PlacedOrder[]) => Promise<{ ok: boolean; error?: string }[] | undefined>;
  }): OutcomeParts {
    const kept = async <T>(run: () => Promise<T> | T): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        hookErrors.push(error);
        throw error;
      }
    };
    return {
      ...parts,
      venue: {
        feeRates: (ids) => parts.venue.feeRates(ids),
        books: async (ids) => {
          const books = await parts.venue.books(ids);
          return hooks.books ? kept(() => hooks.books!(books)) : books;
        },
        postOrders: async (orders) =>
          (hooks.post ? await kept(() => hooks.post!(orders)) : undefined) ?? parts.venue.postOrders(orders),
      },
    };
  }

  /** Nothing of the group traded: no batch placed, no token held, NAV unchanged, no proposal pending. */
  async function expectUntouched(g: Group, step: OutcomeStepResult, navBefore: bigint) {
    expect(step.placed).to.deep.equal([]);
    expect((await holdings(g)).every((b) => b === 0n)).to.equal(true);
    expect(await nav()).to.equal(navBefore);
    await expectNothingOpen();
  }

  /** No order open in the connector, no allowance to either exchange, no proposal or batch in flight. */
  async function expectNothingOpen() {
    expect(hookErrors).to.deep.equal([]);
    expect(await openOrders()).to.deep.equal([]);
    expect(await allowances()).to.deep.equal([0n, 0n]);
    expect(await keeper.store.listProposals({ statuses: ["proposed", "signed", "submitted"] })).to.deep.equal(
      [],
    );
    expect(await keeper.store.listOutcomeBatches({ statuses: ["placing", "placed"] })).to.deep.equal([]);
  }

  /** The batch the keeper recorded for the group, which must end `status` with a reason matching `reason`. */
  async function onlyBatch(g: Group, status: string, reason: RegExp) {
    const records = await batchesOf(g);
    expect(records).to.have.length(1);
    const [record] = records;
    expect(record!.status).to.equal(status);
    expect(record!.statusReason ?? "", record!.statusReason).to.match(reason);
    return { record: record!, batch: JSON.parse(record!.batchJson) as OutcomeBatch };
  }

  before(async function () {
    local = await deployLocalStack(deployer, { accounts, governance: "eoa", polymarket: true });
    connector = local.stack.polymarket!.connector;
    demo = await startDemoClob(accounts, local.protocols, { atMs: AT, venue: local.stack.polymarket!.venue });
    // the RBA group only: the connector's MAX_CONDITIONS leaves room for a fresh group the cases list
    await governance(demoMarketCalls(connector, demo).filter((c) => c.functionName === "addNegRiskMarket"));
    const markets = demo.markets.filter((m) => m.negRisk);
    rba = {
      tag: DEMO_GROUP,
      group: demo.group,
      markets,
      tokens: markets.flatMap((m) => [m.tokens[0], m.tokens[1]]),
    };
    legs = await januaryGroupQuotes({ group: DEMO_GROUP, atMs: AT, spread: await aprilSpreadModel() });
    await fundAndRequestDeposit(deployer, accounts[9]!, local.stack, USDC("20000"));
    await gateExecute(local.stack, accounts, [stackCalls.settle(local.stack)], provenanceHash("settle"));
    writeEvents([]);
    const client = createPublicClient({
      transport: custom(connection.provider),
      cacheTime: 0,
    }) as PublicClient;
    keeperOptions = {
      client,
      transport: custom(connection.provider),
      operators: DEFAULT_ROLE_INDICES.operators.map(key),
      submitter: key(DEFAULT_ROLE_INDICES.strategist),
      storePath: path.join(dir, "state.sqlite"),
      outcomes: { clobUrl: demo.clob.url, metadataFile, limits: { minLegDepthUsd: 1 } },
    };
    keeper = await composeLocalKeeper(local, keeperOptions);
    parts = keeper.outcomes!;
  });

  beforeEach(async function () {
    seen = new Set((await keeper.store.listOutcomeBatches({})).map((b) => b.id));
    hookErrors = [];
    // a batch's id is its plan, expiring at chain time + TTL: a case in the same second as the previous
    // one's batch would plan that batch again, which the keeper skips as already recorded
    await networkHelpers.time.increase(1);
  });

  afterEach(function () {
    // the next case lists only its own group
    writeEvents([]);
  });

  after(async function () {
    await keeper?.close();
    await demo?.clob.close();
  });

  it("a crossed book (a leg's best bid at or above its best ask) is refused as crossed-book: nothing placed", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const crossedToken = g.markets[1]!.tokens[0].toString();
    const step = await runOutcomeStep(
      keeper,
      through({
        // the CLOB's answer for one leg with a bid above its ask, as a glitched or lagging feed serves it
        books: (books) =>
          books.map((b) =>
            b.tokenId === crossedToken
              ? { ...b, bids: [{ price: b.asks[0]!.price + 0.01, size: 50 }, ...b.bids] }
              : b,
          ),
      }),
      new Date(),
    );
    const refusal = step.rejected.find((r) => r.setId === g.group.marketId && r.strategy === "set");
    expect(refusal, JSON.stringify(step.rejected)).to.include({ reason: "crossed-book" });
    expect(refusal!.detail).to.contain(crossedToken);
    await expectUntouched(g, step, navBefore);
    expect(await batchesOf(g)).to.deep.equal([]);
  });

  it("a leg that does not fill: its order rests, on expiry the tracker closes it and holds the rest, loss within maxLoss", async function () {
    const g = await freshGroup();
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const dry = g.markets[2]!;
    const step = await runOutcomeStep(
      keeper,
      through({
        // the leg's makers pull their asks after the keeper read the books, before its orders arrive
        post: async () => {
          for (const maker of demo.clob.makers)
            await maker.clob.cancelMarketOrders({
              market: dry.conditionId,
              asset_id: dry.tokens[0].toString(),
            });
          return undefined;
        },
      }),
      new Date(),
    );
    expect(step.placed, JSON.stringify(step.rejected)).to.have.length(1);
    expect(step.locked).to.deep.equal([]);
    const { batch } = await onlyBatch(g, "placed", /^$/);
    const dryHashes = batch.orders
      .filter((o) => o.tokenId === dry.tokens[0].toString())
      .map((o) => parts.actions.orderHash(o, local.stack.polymarket!.venue.negRiskExchange).toLowerCase());
    expect(dryHashes).to.not.deep.equal([]);
    // the leg's orders rest on chain, signed by the connector until they expire
    expect((await openOrders()).map((h) => h.toLowerCase())).to.include.members(dryHashes);
    const other = await holdings(g);
    expect(other[4]).to.equal(0n);
    expect(other[0]! > 0n && other[2]! > 0n).to.equal(true);

    // still resting on the next cycle: the tracker waits
    const waiting = await runOutcomeStep(keeper, parts, new Date());
    expect(waiting.unwound).to.deep.equal([]);

    await networkHelpers.time.increase(parts.config.orderTtlSeconds + 1);
    const expired = await runOutcomeStep(keeper, parts, new Date());
    expect(expired.unwound.map((u) => u.id)).to.deep.equal([batch.id]);
    const loss = BigInt(expired.unwound[0]!.loss);
    expect(loss > 0n && loss <= BigInt(batch.maxLoss), `loss ${loss}, maxLoss ${batch.maxLoss}`).to.equal(
      true,
    );
    const { record } = await onlyBatch(
      g,
      "unwound",
      new RegExp(`^${dryHashes.length} unfilled orders closed, 0 full sets locked, 2 legs held at 0$`),
    );
    expect(record.realized).to.equal((-loss).toString());
    // the filled legs are held (valued at no more than they cost), nothing else moved
    expect(await holdings(g)).to.deep.equal(other);
    const drop = navBefore - (await nav());
    expect(drop >= 0n && drop <= loss, `NAV fell ${drop}, loss ${loss}`).to.equal(true);
    const orders = await keeper.store.listOutcomeOrders(batch.id);
    for (const o of orders)
      expect(o.status, o.hash).to.equal(dryHashes.includes(o.hash.toLowerCase()) ? "cancelled" : "filled");
    await expectNothingOpen();
  });

  it("an exchange paused before the cycle is refused as leg-not-open: nothing placed", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const negRiskExchange = local.stack.polymarket!.venue.negRiskExchange;
    await send(deployer, { address: negRiskExchange, abi: exchangeAbi(), functionName: "pauseTrading" });
    try {
      const step = await runOutcomeStep(keeper, parts, new Date());
      expect(
        step.rejected.find((r) => r.setId === g.group.marketId && r.strategy === "dutch-book"),
        JSON.stringify(step.rejected),
      ).to.include({
        reason: "leg-not-open",
        detail: "the exchange is paused",
      });
      await expectUntouched(g, step, navBefore);
      expect(await batchesOf(g)).to.deep.equal([]);
    } finally {
      await send(deployer, { address: negRiskExchange, abi: exchangeAbi(), functionName: "unpauseTrading" });
    }
  });

  it("an exchange paused mid-batch (after the orders are placed, before the CLOB sees them): refused, closed at once, NAV unchanged", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const negRiskExchange = local.stack.polymarket!.venue.negRiskExchange;
    try {
      const step = await runOutcomeStep(
        keeper,
        through({
          post: async (orders) => {
            // placed on chain by the connector: signed and open
            expect(await openOrders()).to.have.length(orders.length);
            await send(deployer, {
              address: negRiskExchange,
              abi: exchangeAbi(),
              functionName: "pauseTrading",
            });
            return undefined;
          },
        }),
        new Date(),
      );
      expect(step.placed).to.have.length(1);
      expect(step.unwound).to.deep.equal([{ id: step.placed[0], loss: "0" }]);
      await onlyBatch(g, "unwound", /Trading is currently disabled/);
      expect((await holdings(g)).every((b) => b === 0n)).to.equal(true);
      expect(await nav()).to.equal(navBefore);
      await expectNothingOpen();
    } finally {
      await send(deployer, { address: negRiskExchange, abi: exchangeAbi(), functionName: "unpauseTrading" });
    }
  });

  it("a market resolved between the keeper's checks and its orders: the connector refuses with MarketIsResolved, nothing placed", async function () {
    const g = await freshGroup();
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const step = await runOutcomeStep(
      keeper,
      through({
        books: async (books) => {
          // the oracle reports the first question while the keeper prices the set
          await send(deployer, {
            address: local.stack.polymarket!.venue.negRiskAdapter,
            abi: projectArtifact("NegRiskAdapter").abi,
            functionName: "reportOutcome",
            args: [g.group.questions[0]!.questionId, true],
          });
          return books;
        },
      }),
      new Date(),
    );
    await onlyBatch(g, "failed", /MarketIsResolved/);
    await expectUntouched(g, step, navBefore);
  });

  it("a disputed resolution (Gamma umaResolutionStatus) is not traded: refused as leg-not-open", async function () {
    const g = rba;
    writeEvents(eventsOf(g, (m, i) => (i === 1 ? { ...m, umaResolutionStatus: "disputed" } : m)));
    const navBefore = await nav();
    const step = await runOutcomeStep(keeper, parts, new Date());
    const refusal = step.rejected.find((r) => r.setId === g.group.marketId && r.strategy === "set");
    expect(refusal, JSON.stringify(step.rejected)).to.include({ reason: "leg-not-open" });
    expect(refusal!.detail).to.match(/ is disputed$/);
    await expectUntouched(g, step, navBefore);
    expect(await batchesOf(g)).to.deep.equal([]);
  });

  it("a frozen market (governance setFrozen): the connector refuses with MarketIsFrozen, nothing placed", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const conditionId = g.group.questions[1]!.conditionId;
    const freeze = (frozen: boolean): Write => ({
      address: connector,
      abi: connectorAbi(),
      functionName: "setFrozen",
      args: [conditionId, frozen],
    });
    await governance([freeze(true)]);
    const navBefore = await nav();
    const step = await runOutcomeStep(keeper, parts, new Date());
    try {
      await onlyBatch(g, "failed", /MarketIsFrozen/);
      await expectUntouched(g, step, navBefore);
    } finally {
      await governance([freeze(false)]);
    }
  });

  it("a fee rate above the connector's bound: refused with FeeRateAboveBound, nothing placed", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    for (const m of g.markets) demo.clob.engine.setFeeRate(m.conditionId, 10n);
    const bound = (bps: number): Write => ({
      address: connector,
      abi: connectorAbi(),
      functionName: "setMaxFeeRateBps",
      args: [bps],
    });
    const max = await read<number>(deployer, {
      address: connector,
      abi: connectorAbi(),
      functionName: "maxFeeRateBps",
    });
    await governance([bound(5)]);
    try {
      const navBefore = await nav();
      const step = await runOutcomeStep(keeper, parts, new Date());
      await onlyBatch(g, "failed", /FeeRateAboveBound/);
      await expectUntouched(g, step, navBefore);
    } finally {
      await governance([bound(max)]);
      restoreFees(g);
    }
  });

  it("a fee change between the keeper reading the rate and posting: the CLOB refuses every order, closed at once, NAV unchanged", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    try {
      const step = await runOutcomeStep(
        keeper,
        through({
          // the rates were read (feeRates runs before books); the venue raises them before the orders arrive
          books: (books) => {
            for (const m of g.markets) demo.clob.engine.setFeeRate(m.conditionId, 10n);
            return books;
          },
        }),
        new Date(),
      );
      expect(step.placed).to.have.length(1);
      expect(step.unwound).to.deep.equal([{ id: step.placed[0], loss: "0" }]);
      await onlyBatch(g, "unwound", /Fee rate \(0 bps\) is not the market's fee rate: 10 bps/);
      expect((await holdings(g)).every((b) => b === 0n)).to.equal(true);
      expect(await nav()).to.equal(navBefore);
      await expectNothingOpen();
    } finally {
      restoreFees(g);
    }
  });

  it("orders signed for another connector are refused by the connector (InvalidOrderSigner): nothing placed", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const foreign = polymarketStepActions({
      connector: local.stack.connectors.aave,
      collateral: parts.config.collateral,
      chainId: keeper.config.chain.chainId,
    });
    const step = await runOutcomeStep(
      keeper,
      {
        ...parts,
        actions: {
          ...parts.actions,
          // orders made and signed by another connector, sent to the vault's connector to sign
          placeOrders: (orders, exchange) => {
            const action = foreign.placeOrders(orders, exchange);
            return action.kind === "pmPlaceOrders" ? { ...action, connector } : action;
          },
        },
      },
      new Date(),
    );
    await onlyBatch(g, "failed", /InvalidOrderSigner/);
    await expectUntouched(g, step, navBefore);
  });

  it("an order hashed for another chain or exchange, or made by another connector, is not the connector's: refused on chain and by the CLOB", async function () {
    const g = rba;
    writeEvents(eventsOf(g));
    const navBefore = await nav();
    const { negRiskExchange, exchange } = local.stack.polymarket!.venue;
    const chainId = keeper.config.chain.chainId;
    const isValid = (hash: Hex) =>
      read<Hex>(deployer, {
        address: connector,
        abi: connectorAbi(),
        functionName: "isValidSignature",
        args: [hash, "0x"],
      });
    const otherConnector = local.stack.connectors.aave;
    let answers: { ok: boolean; error?: string }[] = [];
    const step = await runOutcomeStep(
      keeper,
      through({
        post: async (orders) => {
          const terms = orders[0]!.terms;
          // the connector signs exactly the hash the exchange computes for this chain and this exchange
          expect(await isValid(orders[0]!.hash)).to.equal(ERC1271_MAGIC);
          expect(await isValid(connectorOrderHash(terms, connector, 1, negRiskExchange))).to.not.equal(
            ERC1271_MAGIC,
          );
          expect(await isValid(connectorOrderHash(terms, connector, chainId, exchange))).to.not.equal(
            ERC1271_MAGIC,
          );
          // the exchange refuses the same order made by another connector of the vault
          let refused: unknown;
          await read(deployer, {
            address: negRiskExchange,
            abi: exchangeAbi(),
            functionName: "validateOrder",
            args: [{ ...connectorOrder(terms, otherConnector) }],
          }).catch((error: unknown) => (refused = error));
          expect(String(refused)).to.match(/InvalidSignature/);
          // what reaches the CLOB are orders the connector never signed (other salts: other hashes)
          answers = await parts.venue.postOrders(
            orders.map((o) => ({
              ...o,
              terms: { ...o.terms, salt: (BigInt(o.terms.salt) + 1n).toString() },
            })),
          );
          return answers;
        },
      }),
      new Date(),
    );
    expect(hookErrors).to.deep.equal([]);
    expect(step.placed, JSON.stringify(step.rejected)).to.have.length(1);
    expect(answers.length).to.be.greaterThan(0);
    for (const a of answers) expect(a).to.deep.equal({ ok: false, error: "invalid signature" });
    expect(step.unwound).to.deep.equal([{ id: step.placed[0], loss: "0" }]);
    await onlyBatch(g, "unwound", /invalid signature/);
    expect((await holdings(g)).every((b) => b === 0n)).to.equal(true);
    expect(await nav()).to.equal(navBefore);
    await expectNothingOpen();
  });

  it("a config whose outcomes.connector is another vault's, or whose outcomes.exchange is another exchange, is refused at compose time by field", async function () {
    // a second vault in the Registry with its own connector
    const otherVault = accounts[17]!.wallet.account.address;
    const otherConnector = await deploy(deployer, projectArtifact("MockConnector"), [
      otherVault,
      local.stack.asset,
    ]);
    await governance([
      {
        address: local.stack.registry,
        abi: projectArtifact("Registry").abi,
        functionName: "registerVault",
        args: [
          otherVault,
          {
            asset: local.stack.asset,
            valueOracle: zeroAddress,
            swapHandler: zeroAddress,
            keeperGate: zeroAddress,
            guardian: zeroAddress,
            registered: false,
          },
        ],
      },
      {
        address: local.stack.registry,
        abi: projectArtifact("Registry").abi,
        functionName: "addConnector",
        args: [otherVault, otherConnector, USDC("1000")],
      },
    ]);
    const composeWith = async (edit: Record<string, string>) => {
      try {
        const other = await composeLocalKeeper(local, {
          ...keeperOptions,
          storePath: ":memory:",
          // the operator lists the connector in the gate allowlist too (the schema requires it)
          configure: (input) => ({
            ...input,
            gate: {
              ...input.gate,
              allowedTargets: [
                ...(input.gate.allowedTargets ?? []),
                ...(edit.connector ? [edit.connector] : []),
              ],
            },
            outcomes: { ...input.outcomes!, ...edit },
          }),
        });
        await other.close();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const foreign = await composeWith({ connector: otherConnector });
    expect(foreign).to.be.instanceOf(ConfigError);
    const [issue, ...more] = (foreign as ConfigError).issues;
    expect(more).to.deep.equal([]);
    expect(issue).to.include({ path: "outcomes.connector", source: "chain" });
    expect(issue!.message.toLowerCase()).to.equal(
      `${otherConnector} belongs to vault ${otherVault} in the Registry, not ${local.stack.vault}`.toLowerCase(),
    );
    const { exchange, negRiskExchange } = local.stack.polymarket!.venue;
    const wrongExchange = await composeWith({ exchange: negRiskExchange });
    expect(wrongExchange).to.be.instanceOf(ConfigError);
    expect((wrongExchange as ConfigError).issues).to.deep.equal([
      {
        path: "outcomes.exchange",
        source: "chain",
        message: `the connector trades through ${exchange}, not ${negRiskExchange}`,
      },
    ]);
  });
});
