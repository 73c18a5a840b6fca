import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  createPublicClient,
  custom,
  encodeFunctionData,
  parseUnits,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { LocalStack } from "../../../deploy/local/productStack.js";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { connectorValue } from "../../../deploy/product/connectors.js";
import { gateDomain, signMandate, sortSignatures, type Mandate } from "../../../deploy/product/gate.js";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import { updateFeed } from "../../../deploy/protocols/chainlink.js";
import { ViemGateReader } from "../../../keeper/multisig/gate.js";
import { computeProvenance, signalSnapshotHash } from "../../../keeper/multisig/provenance.js";
import type { MarketSnapshot } from "../../../keeper/signals/types.js";
import { composeLocalKeeper } from "../../../deploy/local/keeperConfig.js";
import { ConfigError } from "../../../keeper/config/load.js";
import { resumeProposals, runKeeperCycle } from "../../../keeper/cycle/cycle.js";
import type { Keeper } from "../../../keeper/cycle/keeper.js";
import { monitorOnce, settleOnce } from "../../../keeper/service/tasks.js";
import { RecordedSnapshotSource } from "../../../keeper/vault/snapshots.js";
import { encodeAction } from "../../../keeper/planning/actions.js";
import { MandateExecutor, type MandateTerms } from "../../../keeper/vault/mandate.js";
import { localChain } from "../helpers/chain.js";

// Keeper against the real local product stack (Safe + timelock governance, Registry, AccountingManager,
// ValueOracle, Aave / Morpho ERC-4626 / Uniswap connectors, 2-of-3 KeeperGate). Attack classes
// (../shared/research/attack-classes.md): AC20 (2-of-3 signed batches), AC17 (allowlisted calls only).

const { connection, publicClient, clientsFor } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const USDC = (amount: string) => parseUnits(amount, 6);
const alice = clientsFor(10);
const deployer = clientsFor(0);

/** The example policy's USDC-depeg market, as a recorded Polymarket snapshot (shape of keeper/signals). */
const DEPEG_MARKET = "0x00000000000000000000000000000000000000000000000000000000000000aa";
function depegSnapshot(price: number, fetchedAt: number): MarketSnapshot {
  return {
    venue: "polymarket",
    marketId: DEPEG_MARKET,
    tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563",
    eventId: "usdc-depeg-q1",
    exclusiveGroup: null,
    question: "USDC below $0.99 this quarter?",
    outcome: "Yes",
    price,
    bestBid: price - 0.005,
    bestAsk: price + 0.005,
    depth: { bidUsd: 20_000, askUsd: 18_000, bandAbs: 0.02 },
    liquidityUsd: 250_000,
    volumeUsd: 1_200_000,
    endDate: fetchedAt + 60 * 86_400_000,
    status: "open",
    resolvedValue: null,
    settlement: { source: "Circle attestation", rules: "Resolves YES if USDC trades below $0.99." },
    fee: null,
    category: "crypto",
    fetchedAt,
  };
}

const NOW = Date.UTC(2026, 0, 15, 12);
const MAX_AGE_MS = 15 * 60_000;

interface Webhook {
  readonly url: string;
  readonly bodies: { kind: string; severity: string; subject: string }[];
  close(): Promise<void>;
}
async function startWebhook(): Promise<Webhook> {
  const bodies: Webhook["bodies"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A transport over the in-process chain that can be told to fail or hang the next requests. */
function faultyTransport() {
  /** `failAt`: the request number (counted from arming) that fails, as an HTTP 503 or a timeout. */
  const faults = { seen: 0, failAt: -1, kind: "error" as "error" | "timeout", failed: 0 };
  const provider = connection.provider;
  const transport = custom({
    async request(args: { method: string; params?: unknown }) {
      if (faults.seen++ === faults.failAt) {
        faults.failed++;
        if (faults.kind === "timeout") {
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error("request timed out after 50 ms");
        }
        throw Object.assign(new Error("upstream 503: connection reset (ECONNRESET)"), { status: 503 });
      }
      return provider.request(args as never);
    },
  });
  const arm = (failAt: number, kind: "error" | "timeout") => Object.assign(faults, { seen: 0, failAt, kind });
  return { transport, faults, arm };
}

const vaultRead = <T>(local: LocalStack, functionName: string, args: readonly unknown[] = []) =>
  read<T>(deployer, {
    address: local.stack.vault,
    abi: projectArtifact("AccountingManager").abi,
    functionName,
    args,
  });

describe("Keeper on the local product stack: signals → plan → 2-of-3 → executed", function () {
  let local: LocalStack;
  let webhook: Webhook;
  let client: PublicClient;
  let net: ReturnType<typeof faultyTransport>;
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-int-"));
  /** The store the next keepers open; the depeg scenario starts a fresh one (no stored allocation). */
  let storePath = path.join(dir, "state.sqlite");
  const recorded = [depegSnapshot(0.02, NOW - 60_000)];

  const keeperFor = (snapshots: readonly MarketSnapshot[], mandates: readonly MandateTerms[] = []) =>
    composeLocalKeeper(local, {
      client,
      transport: net.transport,
      operators: DEFAULT_ROLE_INDICES.operators.map(key),
      submitter: key(DEFAULT_ROLE_INDICES.strategist),
      guardianAccount: key(DEFAULT_ROLE_INDICES.guardian),
      storePath,
      snapshots: new RecordedSnapshotSource(snapshots, MAX_AGE_MS),
      webhookUrl: webhook.url,
      mandates: mandates.map((m) => ({
        ...m,
        connectors: [...m.connectors],
        tokens: [...m.tokens],
        selectors: [...m.selectors],
      })),
      configure: (input) => ({
        ...input,
        alerts: { ...input.alerts, cooldownSeconds: 0 },
        sender: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 50, rpcTimeoutMs: 5_000, maxReplacements: 1 },
      }),
    });
  let keeper: Keeper;

  /** A 2-of-3 approved mandate for the strategist: Aave withdraw / supply of the vault asset. */
  async function approveMandate(
    maxNotionalPerAction: bigint,
    maxNotionalPerPeriod: bigint,
    nonce: bigint,
    selectorNames: readonly string[] = ["AaveV3Connector.withdraw"],
  ): Promise<{ id: Hex; terms: MandateTerms }> {
    const now = (await client.getBlock()).timestamp;
    const selectors = selectorNames.map(
      (name) => local.stack.allowedCalls.find((c) => c.name === name)!.selector,
    );
    const mandate: Mandate = {
      keeper: key(DEFAULT_ROLE_INDICES.strategist).address,
      connectors: [local.stack.connectors.aave],
      tokens: [local.stack.asset],
      selectors,
      maxNotionalPerAction,
      maxNotionalPerPeriod,
      period: 86_400n,
      maxSlippageBps: 50n,
      maxLossBps: 50n,
      lossWindow: 7n * 86_400n,
      expiry: now + 86_400n,
      nonce,
    };
    const domain = gateDomain(await client.getChainId(), local.stack.gate);
    const signatures = sortSignatures(
      await Promise.all(
        DEFAULT_ROLE_INDICES.operators
          .slice(0, 2)
          .map((i) => signMandate(clientsFor(i).wallet, domain, local.stack.vault, mandate)),
      ),
    );
    const gateAbi = projectArtifact("KeeperGate").abi;
    await send(clientsFor(DEFAULT_ROLE_INDICES.strategist), {
      address: local.stack.gate,
      abi: gateAbi,
      functionName: "approveMandate",
      args: [mandate, signatures],
    });
    const id = await read<Hex>(deployer, {
      address: local.stack.gate,
      abi: gateAbi,
      functionName: "mandateDigest",
      args: [mandate],
    });
    return { id, terms: { id, connectors: mandate.connectors, tokens: mandate.tokens, selectors } };
  }

  before(async function () {
    local = await deployLocalStack(deployer, { accounts });
    webhook = await startWebhook();
    net = faultyTransport();
    client = createPublicClient({ chain: publicClient.chain, transport: net.transport, cacheTime: 0 });
    const amount = USDC("1000000");
    const me = alice.wallet.account.address;
    const erc20 = projectArtifact("MockERC20").abi;
    await send(deployer, {
      address: local.stack.asset,
      abi: erc20,
      functionName: "transfer",
      args: [me, amount],
    });
    await send(alice, {
      address: local.stack.asset,
      abi: erc20,
      functionName: "approve",
      args: [local.stack.vault, amount],
    });
    await send(alice, {
      address: local.stack.vault,
      abi: projectArtifact("AccountingManager").abi,
      functionName: "requestDeposit",
      args: [amount, me, me],
    });
    keeper = await keeperFor(recorded);
  });
  after(async function () {
    await keeper?.close();
    await webhook?.close();
  });

  it("settles the pending deposit epoch through a 2-of-3 gate proposal", async function () {
    const settled = await settleOnce(keeper);
    expect(settled?.proposalId).to.be.a("string");
    expect((await keeper.store.getProposal(settled!.proposalId!))!.status).to.equal("executed");
    const me = alice.wallet.account.address;
    expect(await vaultRead(local, "claimableDepositRequest", [0n, me])).to.equal(USDC("1000000"));
    await send(alice, {
      address: local.stack.vault,
      abi: projectArtifact("AccountingManager").abi,
      functionName: "deposit",
      args: [USDC("1000000"), me, me],
    });
    expect(await vaultRead(local, "totalAssets")).to.equal(USDC("1000000"));
    expect(await settleOnce(keeper)).to.equal(undefined); // nothing pending: nothing to do
  });

  it("[AC20 signed batches] recorded signals → evaluate → plan → propose → 2 signers re-simulate and sign → submit → balances as planned, Executed carries the provenance", async function () {
    const result = await runKeeperCycle(keeper, new Date(NOW));
    expect(result.status).to.equal("executed");
    expect(result.signals).to.deep.equal(recorded);
    expect(result.snapshotHash).to.equal(signalSnapshotHash(recorded));
    expect(result.provenance).to.equal(computeProvenance(recorded, result.plan));
    // the example policy's base weights: aave 40 %, morpho 35 %, uniswap 20 %, idle 5 %
    expect((await connectorValue(deployer, local.stack.connectors.aave)).value).to.equal(USDC("400000"));
    const morpho = (await connectorValue(deployer, local.stack.connectors.morpho)).value;
    expect(morpho >= USDC("349999") && morpho <= USDC("350000")).to.equal(true);
    expect((await connectorValue(deployer, local.stack.connectors.uniswap)).value).to.equal(USDC("200000"));
    const event = await new ViemGateReader(client, local.stack.gate).executed(result.gateNonce!);
    expect(event?.provenance).to.equal(result.provenance);
    expect(event?.txHash).to.equal(result.txHash);
    const signatures = await keeper.store.listSignatures(result.proposalId!);
    expect(signatures).to.have.length(2);
  });

  it("[AC20 signed batches] a small action inside a 2-of-3 approved mandate is executed directly by one keeper; one above its limits is refused unsent", async function () {
    const strategist = key(DEFAULT_ROLE_INDICES.strategist);
    const { terms } = await approveMandate(USDC("50000"), USDC("80000"), 1n);
    const gateAbi = projectArtifact("KeeperGate").abi;
    const executor = new MandateExecutor({
      client,
      gate: local.stack.gate,
      oracle: local.stack.oracle,
      sender: keeper.sender!,
    });
    const small = encodeAction(local.stack.vault, {
      kind: "aaveWithdraw",
      connector: local.stack.connectors.aave,
      token: local.stack.asset,
      amount: USDC("10000").toString(),
    });
    const provenance = computeProvenance([], { kind: "mandate", action: small });
    const outcome = await executor.execute(terms, small, provenance);
    expect(outcome.status).to.equal("confirmed");
    const [executed] = await client.getContractEvents({
      address: local.stack.gate,
      abi: gateAbi,
      eventName: "MandateExecuted",
      fromBlock: 0n,
    });
    expect((executed as unknown as { args: { provenance: Hex; notional: bigint } }).args).to.include({
      provenance,
      notional: USDC("10000"),
    });
    const erc20 = projectArtifact("MockERC20").abi;
    expect(
      await read(deployer, {
        address: local.stack.asset,
        abi: erc20,
        functionName: "balanceOf",
        args: [local.stack.connectors.aave],
      }),
    ).to.equal(USDC("10000"));
    const nonce = await client.getTransactionCount({ address: strategist.address });
    const big = encodeAction(local.stack.vault, {
      kind: "aaveWithdraw",
      connector: local.stack.connectors.aave,
      token: local.stack.asset,
      amount: USDC("60000").toString(),
    });
    const refused = await executor
      .execute(terms, big, computeProvenance([], { kind: "mandate", action: big }))
      .catch((e: Error) => e);
    expect((refused as Error).message).to.match(/above the mandate's 50000000000 per action/);
    const supply = encodeAction(local.stack.vault, {
      kind: "aaveSupply",
      connector: local.stack.connectors.aave,
      token: local.stack.asset,
      amount: "1",
    });
    expect((await executor.check(terms, supply)).ok).to.equal(false); // supply is not one of its selectors
    expect(await client.getTransactionCount({ address: strategist.address })).to.equal(nonce);
  });

  it("replayed signals (same snapshot hash) make no new proposal; stale signals are rejected", async function () {
    const before = (await keeper.store.listProposals({})).length;
    const replay = await runKeeperCycle(keeper, new Date(NOW + 30_000));
    expect(replay.status).to.equal("replayed-signals");
    const stale = await runKeeperCycle(keeper, new Date(NOW + 2 * 3_600_000));
    expect(stale.rejected).to.have.length(1);
    expect(stale.rejected[0]!.reason).to.match(/stale, fetched 7260 s ago/);
    expect(stale.signals).to.deep.equal([]);
    expect(stale.status).to.equal("no-rebalance");
    expect(keeper.metrics.rejectedInputs.get({ source: "polymarket" })).to.equal(1);
    expect((await keeper.store.listProposals({})).length).to.equal(before);
  });

  it("depeg through the bands: reduce moves half of the lending connectors to idle; past the exit band everything leaves, the guardian pauses, revokes the live mandates and the webhook is alerted", async function () {
    const feed = local.protocols.feeds.usdcUsd;
    const fresh = [depegSnapshot(0.02, NOW + 3 * 3_600_000 - 30_000)];
    // a fresh store: no stored allocation, so the turnover limit does not apply to this first evaluation
    storePath = path.join(dir, "depeg.sqlite");
    // a mandate covering Aave withdrawals up to 250k per action and 300k per period, in k2's config
    const withdrawals = await approveMandate(USDC("250000"), USDC("300000"), 3n);
    const k2 = await keeperFor(fresh, [withdrawals.terms]);
    // 3 % off the peg: the "reduce" level
    await updateFeed(deployer, feed, 97_000_000n);
    await monitorOnce(k2);
    expect(webhook.bodies.filter((b) => b.kind === "depeg")).to.have.length(1);
    const pauses = () =>
      client.getContractEvents({
        address: local.stack.vault,
        abi: projectArtifact("AccountingManager").abi,
        eventName: "DepositsPauseSet",
        fromBlock: 0n,
      });
    expect(await pauses()).to.have.length(0); // the reduce band is the strategy's job, not the guardian's
    const reduce = await runKeeperCycle(k2, new Date(NOW + 3 * 3_600_000));
    expect(reduce.status).to.equal("executed");
    // both paths in one cycle: the Aave withdrawal went through the mandate, the rest through 2-of-3
    expect(reduce.direct?.map((d) => d.mandateId)).to.deep.equal([withdrawals.id]);
    const withdrawSelector = withdrawals.terms.selectors[0]!;
    expect(reduce.direct![0]!.call.target).to.equal(local.stack.connectors.aave);
    expect(reduce.direct![0]!.call.data.slice(0, 10)).to.equal(withdrawSelector);
    const proposed = await k2.store.getProposal(reduce.proposalId!);
    expect(proposed!.status).to.equal("executed");
    expect(proposed!.calls).to.deep.equal(reduce.calls);
    expect(reduce.calls!.some((c) => c.data.startsWith(withdrawSelector))).to.equal(false);
    const mandated = await client.getContractEvents({
      address: local.stack.gate,
      abi: projectArtifact("KeeperGate").abi,
      eventName: "MandateExecuted",
      args: { mandateId: withdrawals.id },
      fromBlock: 0n,
    });
    expect(mandated).to.have.length(1);
    expect((mandated[0] as unknown as { args: { provenance: Hex } }).args.provenance).to.equal(
      reduce.direct![0]!.provenance,
    );
    expect(reduce.allocation.reasons.join(" ")).to.match(/usdc-oracle-peg/);
    expect((await connectorValue(deployer, local.stack.connectors.aave)).value).to.equal(USDC("200000"));
    // 6 % off: the urgent "exit" level empties every USDC connector and the guardian pauses the vault
    await updateFeed(deployer, feed, 94_000_000n);
    const exit = await runKeeperCycle(k2, new Date(NOW + 3 * 3_600_000 + 60_000));
    expect(exit.status).to.equal("executed");
    expect(exit.direct).to.equal(undefined); // the next 200k withdrawal is above the period's headroom
    expect((await k2.store.getProposal(exit.proposalId!))!.calls).to.deep.equal(exit.calls);
    for (const connector of Object.values(local.stack.connectors))
      expect((await connectorValue(deployer, connector)).value).to.be.lessThan(USDC("1"));
    const live = await approveMandate(USDC("50000"), USDC("80000"), 2n);
    await monitorOnce(k2);
    const revoked = await client.getContractEvents({
      address: local.stack.gate,
      abi: projectArtifact("KeeperGate").abi,
      eventName: "MandateRevoked",
      fromBlock: 0n,
    });
    expect(revoked.map((e) => (e as unknown as { args: { mandateId: Hex } }).args.mandateId)).to.include(
      live.id,
    );
    const state = await read<{ revoked: boolean }>(deployer, {
      address: local.stack.gate,
      abi: projectArtifact("KeeperGate").abi,
      functionName: "mandateState",
      args: [live.id],
    });
    expect(state.revoked).to.equal(true); // past the exit band the guardian revokes the keeper's mandates
    const depegAlerts = webhook.bodies.filter((b) => b.kind === "depeg");
    expect(depegAlerts).to.have.length(2);
    expect(depegAlerts.map((b) => b.severity)).to.deep.equal(["critical", "critical"]);
    expect(await pauses()).to.have.length(1);
    const limits = await read<{ depositsPaused: boolean }>(deployer, {
      address: local.stack.lens,
      abi: projectArtifact("VaultLens").abi,
      functionName: "limits",
      args: [local.stack.vault],
    });
    expect(limits.depositsPaused).to.equal(true);
    await updateFeed(deployer, feed, 100_000_000n);
    await k2.close();
  });

  const executedCount = async () =>
    (
      await client.getContractEvents({
        address: local.stack.gate,
        abi: projectArtifact("KeeperGate").abi,
        eventName: "Executed",
        fromBlock: 0n,
      })
    ).length;
  const submitterNonce = () =>
    client.getTransactionCount({ address: key(DEFAULT_ROLE_INDICES.strategist).address });

  it("process killed between sign and submit: a fresh keeper on the same SQLite store submits once, never twice", async function () {
    const t = NOW + 4 * 3_600_000;
    const ka = await keeperFor([depegSnapshot(0.02, t - 10_000)]);
    const signed = await runKeeperCycle(ka, new Date(t), { submit: false });
    expect(signed.status).to.equal("signed");
    await ka.close(); // killed here: signatures stored, nothing sent
    const executedBefore = await executedCount();
    const kb = await keeperFor([]);
    const resumed = await resumeProposals(kb);
    expect(resumed).to.deep.equal([
      { id: signed.proposalId, status: "executed", txHash: resumed[0]!.txHash },
    ]);
    const nonce = await submitterNonce();
    expect(await resumeProposals(kb)).to.deep.equal([]);
    // a third process on the same store finds it executed and sends nothing
    const kc = await keeperFor([]);
    expect(await resumeProposals(kc)).to.deep.equal([]);
    expect((await kc.store.getProposal(signed.proposalId!))!.status).to.equal("executed");
    expect(await submitterNonce()).to.equal(nonce);
    expect(await executedCount()).to.equal(executedBefore + 1);
    await kb.close();
    await kc.close();
  });

  for (const [index, kind, failAt] of [
    [0, "error", 3],
    [1, "timeout", 12],
    [2, "error", 25],
  ] as const) {
    it(`RPC ${kind === "error" ? "failing (HTTP 503)" : "timing out"} at request ${failAt} of a cycle: the next run resumes the same proposal and executes it exactly once`, async function () {
      const t = NOW + (5 + index) * 3_600_000;
      const k = await keeperFor([depegSnapshot(0.02, t - 10_000)]);
      const executedBefore = await executedCount();
      net.arm(failAt, kind);
      const failedBefore = net.faults.failed;
      let result;
      let errors = 0;
      for (let attempt = 0; attempt < 4 && !result; attempt++) {
        try {
          result = await runKeeperCycle(k, new Date(t));
        } catch (error) {
          errors++;
          expect((error as Error).message).to.match(/503|ECONNRESET|timed out/);
        }
      }
      expect(net.faults.failed).to.equal(failedBefore + 1);
      expect(errors).to.be.at.most(1);
      expect(result?.status).to.equal("executed");
      expect(await executedCount()).to.equal(executedBefore + 1);
      expect(
        (await k.store.listProposals({ statuses: ["executed"] })).filter((p) => p.id === result!.proposalId),
      ).to.have.length(1);
      await k.close();
    });
  }

  it("nonce gap: a journaled transaction the node dropped is re-broadcast byte for byte on restart, and mined once", async function () {
    const k = await keeperFor([]);
    const erc20 = projectArtifact("MockERC20").abi;
    const intent = {
      id: "nonce-gap:approve",
      to: local.stack.asset,
      data: encodeFunctionData({ abi: erc20, functionName: "approve", args: [local.stack.vault, 0n] }),
    };
    const nonce = await submitterNonce();
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    let hash: Hex;
    try {
      hash = (await k.sender!.submit(intent)) as Hex;
      await connection.provider.request({ method: "hardhat_dropTransaction", params: [hash] });
    } finally {
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    expect(await client.getTransactionCount({ address: k.account!.address, blockTag: "pending" })).to.equal(
      nonce,
    );
    await k.close(); // the process dies with the send journaled but unknown to the node
    const restarted = await keeperFor([]);
    const report = await restarted.sender!.reconcile();
    expect(report.rebroadcast).to.deep.equal([hash]);
    const outcome = await restarted.sender!.send(intent);
    expect(outcome).to.include({ status: "confirmed", hash });
    expect(await submitterNonce()).to.equal(nonce + 1);
    expect((await restarted.sender!.send(intent)).hash).to.equal(hash);
    expect(await submitterNonce()).to.equal(nonce + 1);
    await restarted.close();
  });

  it("a batch that would revert at submission is marked failed and never sent, nor resent", async function () {
    const t = NOW + 9 * 3_600_000;
    const k = await keeperFor([depegSnapshot(0.02, t - 10_000)]);
    const signed = await runKeeperCycle(k, new Date(t), { submit: false });
    expect(signed.status).to.equal("signed");
    const transferTo = signed.plan!.actions.find((a) => a.kind === "transferToConnector")!.connector;
    await k.product!.guardian!.disableConnector(transferTo, "test: connector retired after signing");
    const nonce = await submitterNonce();
    const executedBefore = await executedCount();
    const [outcome] = await resumeProposals(k);
    expect(outcome!.status).to.equal("failed");
    expect((await k.store.getProposal(signed.proposalId!))!.statusReason).to.match(
      /ConnectorDisabled|revert/i,
    );
    expect(await resumeProposals(k)).to.deep.equal([]);
    expect(await submitterNonce()).to.equal(nonce);
    expect(await executedCount()).to.equal(executedBefore);
    await k.close();
  });

  it("refuses to start, naming each field, when the config disagrees with the chain: a connector the Registry does not know, another swap handler, a mandate the gate does not have", async function () {
    const error = await composeLocalKeeper(local, {
      client,
      transport: net.transport,
      operators: [],
      submitter: key(DEFAULT_ROLE_INDICES.strategist),
      storePath: ":memory:",
      swaps: { quoteUrl: "http://127.0.0.1:9" },
      mandates: [
        {
          id: `0x${"ab".repeat(32)}`,
          connectors: [local.stack.connectors.aave],
          tokens: [local.stack.asset],
          selectors: ["0x12345678"],
        },
      ],
      configure: (input) => ({
        ...input,
        product: {
          ...input.product!,
          connectors: { ...input.product!.connectors, stray: { address: local.stack.asset, kind: "aave" } },
          swaps: { ...input.product!.swaps!, handler: local.stack.gate },
        },
      }),
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    const byPath = Object.fromEntries((error as ConfigError).issues.map((i) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).to.deep.equal([
      "product.connectors.stray.address",
      "product.mandates.0.id",
      "product.swaps.handler",
    ]);
    expect(byPath["product.connectors.stray.address"]).to.include("not a connector the Registry knows");
    expect(byPath["product.mandates.0.id"]).to.include("the gate has no mandate");
    expect(byPath["product.swaps.handler"]).to.include(local.stack.swapHandler);
  });
});
