import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, custom, parseUnits, type Address, type Hex, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";
import { composeLocalKeeper } from "../../../deploy/local/keeperConfig.js";
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
import { DEFAULT_DEPTH } from "../../../deploy/local/clob/localClob.js";
import { aprilSpreadModel, januaryGroupQuotes } from "../../../deploy/local/clob/recordedQuotes.js";
import { seedMarketBook } from "../../../deploy/local/clob/seedBooks.js";
import { resumeProposals, signAsOperators } from "../../../keeper/cycle/cycle.js";
import type { Keeper } from "../../../keeper/cycle/keeper.js";
import { runOutcomeStep } from "../../../keeper/cycle/outcomeCycle.js";
import type { OutcomeBatch } from "../../../keeper/planning/outcomeOrders.js";
import { outcomeStatus } from "../../../keeper/service/tasks.js";
import {
  DEMO_GROUP,
  type DemoClob,
  demoGammaEvents,
  demoMarketCalls,
  startDemoClob,
} from "../../../scripts/demo/clob.js";
import { localChain } from "../helpers/chain.js";

// The done-when test of outcome arbitrage, through the keeper as `keeper run` composes it (config →
// composeKeeper → the outcome step of the one cycle): the recorded RBA Feb-2026 negRisk group at
// 2026-01-28 13:59 UTC (Jan-2026 mids with the April-2026 spread model, seeded on the local CLOB as signed
// maker orders, as `npm start` seeds it), registered in the vault's PolymarketConnector by governance.
// A non-exhaustive listing, the same questions as standalone markets (a pseudo-set) and a stale book trade
// nothing and leave positions and NAV unchanged; the exhaustive group's asks sum below 1 net of fees, so
// the keeper buys every leg with the connector's POLY_1271 orders through the 2-of-3 gate, the CLOB
// matches them on the NegRisk CTF Exchange, and the YES set (guaranteed to pay 1 by the adapter's question
// count) raises the vault's NAV by at least the locked profit.

const { connection, clientsFor } = await localChain();
const accounts = Array.from({ length: 20 }, (_, i) => clientsFor(i));
const deployer = accounts[0]!;
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const USDC = (amount: string) => parseUnits(amount, 6);
const AT = Date.parse("2026-01-28T13:59:59Z");

describe("outcome arbitrage through the keeper: connector orders on the local venue, NAV up by the locked profit", function () {
  this.timeout(240_000);
  let local: LocalStack;
  let demo: DemoClob;
  let keeper: Keeper;
  let client: PublicClient;
  let connector: Address;
  const dir = mkdtempSync(path.join(tmpdir(), "outcome-keeper-"));
  const metadataFile = path.join(dir, "events.json");

  const nav = () =>
    read<bigint>(deployer, {
      address: local.stack.vault,
      abi: projectArtifact("AccountingManager").abi,
      functionName: "totalAssets",
    });
  const groupTokens = () => demo.markets.filter((m) => m.negRisk).flatMap((m) => [m.tokens[0], m.tokens[1]]);
  const holdings = () =>
    read<readonly bigint[]>(deployer, {
      address: local.stack.polymarket!.venue.conditionalTokens,
      abi: conditionalTokensArtifact().abi,
      functionName: "balanceOfBatch",
      args: [groupTokens().map(() => connector), groupTokens()],
    });
  const openOrderHashes = () =>
    read<readonly Hex[]>(deployer, {
      address: connector,
      abi: projectArtifact("PolymarketConnector").abi,
      functionName: "openOrderHashes",
    });
  const writeEvents = (events: unknown[]) => writeFileSync(metadataFile, JSON.stringify(events));
  let solo: Keeper | undefined;

  before(async function () {
    local = await deployLocalStack(deployer, { accounts, governance: "eoa", polymarket: true });
    connector = local.stack.polymarket!.connector;
    demo = await startDemoClob(accounts, local.protocols, { atMs: AT, venue: local.stack.polymarket!.venue });
    await stackGovernanceRunner(local.stack, accounts)(demoMarketCalls(connector, demo).map(asCall));
    await fundAndRequestDeposit(deployer, accounts[9]!, local.stack, USDC("20000"));
    await gateExecute(local.stack, accounts, [stackCalls.settle(local.stack)], provenanceHash("settle"));
    writeEvents(demoGammaEvents(demo));
    client = createPublicClient({
      transport: custom(connection.provider),
      cacheTime: 0,
    }) as PublicClient;
    keeper = await composeLocalKeeper(local, {
      client,
      transport: custom(connection.provider),
      operators: DEFAULT_ROLE_INDICES.operators.map(key),
      submitter: key(DEFAULT_ROLE_INDICES.strategist),
      storePath: path.join(dir, "state.sqlite"),
      outcomes: { clobUrl: demo.clob.url, metadataFile, limits: { minLegDepthUsd: 1 } },
    });
  });

  after(async function () {
    await solo?.close();
    await keeper?.close();
    await demo?.clob.close();
  });

  async function expectNothingTraded(step: Awaited<ReturnType<typeof runOutcomeStep>>) {
    expect(step.placed).to.deep.equal([]);
    expect(await keeper.store.listOutcomeBatches({})).to.deep.equal([]);
    expect((await holdings()).every((b) => b === 0n)).to.equal(true);
  }

  it("composes the outcome task from the config, checked against the connector on chain", function () {
    expect(keeper.outcomes?.chain.addresses.connector).to.equal(connector);
    expect(keeper.config.gate.allowedTargets).to.include(connector);
  });

  it("a listing that leaves out one of the group's questions is not exhaustive: refused by name, nothing traded", async function () {
    const events = demoGammaEvents(demo) as { markets: unknown[] }[];
    writeEvents([{ ...events[0]!, markets: events[0]!.markets.slice(0, 2) }, ...events.slice(1)]);
    const before = await nav();
    const step = await runOutcomeStep(keeper, keeper.outcomes!, new Date());
    // the adapter counts 3 questions where the event lists 2: the group is not exhaustive as listed
    expect(step.rejected.map((r) => r.reason)).to.include("question-count-mismatch");
    await expectNothingTraded(step);
    expect(await nav()).to.equal(before);
  });

  it("the same questions listed as standalone markets are a pseudo-set: no set across them, nothing traded", async function () {
    const group = demo.markets.filter((m) => m.negRisk);
    const events = (demoGammaEvents(demo) as { markets: Record<string, unknown>[] }[])[0]!.markets.map(
      (market, i) => ({
        id: `standalone-${i}`,
        negRisk: false,
        markets: [{ ...market, negRisk: false, negRiskMarketID: null }],
      }),
    );
    expect(events).to.have.length(group.length);
    writeEvents(events);
    const before = await nav();
    const step = await runOutcomeStep(keeper, keeper.outcomes!, new Date());
    expect(step.opportunities).to.deep.equal([]);
    await expectNothingTraded(step);
    expect(await nav()).to.equal(before);
  });

  it("a stale book trades nothing: the quote guard refuses every leg's quote", async function () {
    writeEvents(demoGammaEvents(demo));
    const before = await nav();
    const step = await runOutcomeStep(keeper, keeper.outcomes!, new Date(Date.now() + 10 * 60_000));
    expect(step.rejected.map((r) => r.reason)).to.include("stale");
    await expectNothingTraded(step);
    expect(await nav()).to.equal(before);
  });

  it("the exhaustive group: every leg bought through the gate and the venue, the YES set held, NAV up by the locked profit", async function () {
    writeEvents(demoGammaEvents(demo));
    const before = await nav();
    const step = await runOutcomeStep(keeper, keeper.outcomes!, new Date());
    expect(step.placed, JSON.stringify(step.rejected)).to.have.length(1);
    expect(step.locked.map((l) => l.id)).to.deep.equal(step.placed);
    const [record] = await keeper.store.listOutcomeBatches({});
    expect(record).to.include({ status: "locked", strategy: "dutch-book" });
    const batch = JSON.parse(record!.batchJson) as OutcomeBatch;
    expect(batch.setKind).to.equal("negRisk");
    expect(new Set(batch.orders.map((o) => o.leg)).size).to.equal(3);
    const profit = BigInt(batch.profit);
    expect(profit > 0n).to.equal(true);

    // every YES of the group is held at least `sets` times: one full set per unit, paying 1 at resolution
    const held = await holdings();
    const sets = BigInt(batch.sets);
    for (const [i, amount] of held.entries()) {
      if (i % 2 === 0) expect(amount >= sets, `YES of question ${i / 2}`).to.equal(true);
      else expect(amount).to.equal(0n);
    }
    const rise = (await nav()) - before;
    expect(rise >= profit, `NAV rose ${rise}, locked ${profit}`).to.equal(true);
    // no more than the profit plus the tokens beyond the full set, each at most par
    const excess = held.filter((_, i) => i % 2 === 0).reduce((s, a) => s + (a - sets), 0n);
    expect(rise <= profit + excess).to.equal(true);

    console.log(
      `      RBA 2026-01-28 13:59: ${Number(sets) / 1e6} sets for ${Number(batch.cost) / 1e6} USDC through the connector, ` +
        `locked ${Number(profit) / 1e6} USDC, NAV +${Number(rise) / 1e6} USDC`,
    );

    // provenance: the placing batch went through the gate as an executed 2-of-3 proposal
    const proposals = await keeper.store.listProposals({ statuses: ["executed"] });
    expect(proposals.length).to.be.greaterThan(0);
    const status = await outcomeStatus(keeper.store);
    expect(status.positions.filter((p) => p.valuation === "set")).to.have.length(3);

    // filled: no allowance is left; a held set sends no lock transaction, so the filled orders stay
    // recorded until someone closes them after expiry (anyone may)
    expect(await openOrderHashes()).to.have.length(batch.orders.length);
    const allowance = await read<bigint>(deployer, {
      address: local.stack.asset,
      abi: projectArtifact("MockERC20").abi,
      functionName: "allowance",
      args: [connector, local.stack.polymarket!.venue.negRiskExchange],
    });
    expect(allowance).to.equal(0n);

    // the next cycle neither trades the same opportunity again nor touches the locked set
    const again = await runOutcomeStep(keeper, keeper.outcomes!, new Date());
    expect(again.locked).to.deep.equal([]);
    expect(await holdings()).to.deep.equal(held);
  });

  it("a 2-of-3 batch this process cannot finish stays placing; once the other operators execute it, the next step posts and locks it", async function () {
    // the group's books as seeded again, at the same recorded quotes
    const quotes = await januaryGroupQuotes({
      group: DEMO_GROUP,
      atMs: AT,
      spread: await aprilSpreadModel(),
    });
    const chainId = await client.getChainId();
    for (const [i, market] of demo.markets.filter((m) => m.negRisk).entries())
      await seedMarketBook(deployer, demo.clob.makers[0]!, {
        venue: local.stack.polymarket!.venue,
        chainId,
        market,
        quote: quotes[i]!,
        depth: DEFAULT_DEPTH,
      });
    // another operator's host on the shared store: it holds only the strategist's key, no gate signer's
    solo = await composeLocalKeeper(local, {
      client,
      transport: custom(connection.provider),
      operators: [],
      submitter: key(DEFAULT_ROLE_INDICES.strategist),
      storePath: path.join(dir, "state.sqlite"),
      outcomes: { clobUrl: demo.clob.url, metadataFile, limits: { minLegDepthUsd: 1 } },
    });
    const held = await holdings();
    const before = await nav();
    const first = await runOutcomeStep(solo, solo.outcomes!, new Date());
    expect(first.placed).to.deep.equal([]);
    const [placing] = await solo.store.listOutcomeBatches({ statuses: ["placing"] });
    expect(placing?.statusReason).to.match(/awaits the other operators' signatures/);
    // nothing on chain yet: no open order on the connector, no token bought, NAV unchanged
    expect(await openOrderHashes()).to.have.length(6);
    expect(await holdings()).to.deep.equal(held);
    expect(await nav()).to.equal(before);

    // the other operators' keepers review, sign and submit the pending proposal
    const [pending] = await keeper.store.listProposals({ statuses: ["proposed"] });
    expect(await signAsOperators(keeper, pending!.id)).to.equal(true);
    const [submitted] = await resumeProposals(keeper);
    expect(submitted).to.include({ id: pending!.id, status: "executed" });

    // the next step finds the orders on the connector, posts them (matched at once) and locks the set
    const second = await runOutcomeStep(solo, solo.outcomes!, new Date());
    const record = await solo.store.getOutcomeBatch(placing!.id);
    expect(record?.status, record?.statusReason).to.equal("locked");
    expect(second.locked.map((l) => l.id)).to.deep.equal([placing!.id]);
    expect(await keeper.store.listProposals({ statuses: ["proposed", "signed"] })).to.deep.equal([]);
    const rise = (await nav()) - before;
    expect(rise >= BigInt(record!.profit), `NAV +${rise}`).to.equal(true);
  });
});
