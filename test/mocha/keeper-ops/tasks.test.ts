import { expect } from "chai";
import {
  createPublicClient,
  custom,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseEther,
  parseUnits,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deploy, projectArtifact, read } from "../../../deploy/lib/artifacts.js";
import { ReliableSender, type SendOutcome, type TxIntent } from "../../../keeper/chain/sender.js";
import { keeperConfigSchema } from "../../../keeper/config/schema.js";
import { createKeeperMetrics } from "../../../keeper/http/keeperMetrics.js";
import { createLogger, silentLogger } from "../../../keeper/log/logger.js";
import { GateCallSimulator, type GateReader } from "../../../keeper/multisig/gate.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";
import { MultisigWorkflow, submitIntentId } from "../../../keeper/multisig/workflow.js";
import type { Alert, AlertSink } from "../../../keeper/ops/alerts.js";
import type { SettlementPlan } from "../../../keeper/vault/ports.js";
import { monitorTask, multisigTask, settleTask, type TaskContext } from "../../../keeper/service/tasks.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { localChain } from "../helpers/chain.js";

const { connection, networkHelpers, deployer, publicClient } = await localChain();
const chainId = await publicClient.getChainId();
const token = await deploy(deployer, projectArtifact("MockERC20"), ["USD Coin", "USDC", 6]);
const erc20 = projectArtifact("MockERC20").abi;
const operator = privateKeyToAccount(generatePrivateKey());
await networkHelpers.setBalance(operator.address, parseEther("10"));
const GATE = privateKeyToAccount(generatePrivateKey()).address;
const VAULT = privateKeyToAccount(generatePrivateKey()).address;
const ONE = parseUnits("1", 18);
const signal = new AbortController().signal;

const config = keeperConfigSchema.parse({
  operator: { id: "op-tasks" },
  chain: { rpcUrl: "http://127.0.0.1:8545", chainId },
  gate: { address: GATE, vault: VAULT, threshold: 1, signers: [operator.address] },
  monitors: { operatorNavBandBps: 50 },
});

class RecordingAlerts implements AlertSink {
  alerts: Alert[] = [];
  async send(alert: Alert) {
    this.alerts.push(alert);
  }
}

class FixedGate implements GateReader {
  async nonce() {
    return 0n;
  }
  async chainTime() {
    return (await publicClient.getBlock()).timestamp;
  }
  async executed() {
    return undefined;
  }
  async configuration() {
    return { vault: VAULT, threshold: 1, signers: [operator.address] };
  }
}

function context(overrides: Partial<typeof config> = {}) {
  const store = SqliteStore.open({ path: ":memory:" });
  const alerts = new RecordingAlerts();
  const ctx: TaskContext = {
    config: { ...config, ...overrides },
    logger: silentLogger,
    metrics: createKeeperMetrics(store),
    alerts,
    store,
    now: () => new Date("2026-11-22T00:00:00Z"),
  };
  const workflowOf = (operatorId: string) =>
    new MultisigWorkflow({
      store,
      chainId,
      gate: GATE,
      vault: VAULT,
      threshold: 1,
      signers: [operator.address],
      proposalTtlSeconds: 3_600,
      reader: new FixedGate(),
      simulator: new GateCallSimulator(publicClient),
      checker: { check: async () => ({ ok: true }) },
      operatorId,
    });
  return { ctx, store, alerts, workflow: workflowOf("op-tasks"), workflowOf };
}

const mint = (amount: bigint): Hex =>
  encodeFunctionData({ abi: erc20, functionName: "mint", args: [VAULT, amount] });

describe("keeper/service: scheduled tasks", function () {
  it("multisig: co-signs open proposals and submits them once the threshold is met", async function () {
    const { ctx, workflow } = context();
    const snapshot = { s: 1 };
    const plan = { p: 1 };
    const p = await workflow.propose({
      plan,
      snapshot,
      calls: [{ target: token, data: mint(2n) }],
      provenance: computeProvenance(snapshot, plan),
    });
    const sent: TxIntent[] = [];
    const sender = {
      address: operator.address,
      send: async (intent: TxIntent): Promise<SendOutcome> => {
        sent.push(intent);
        return { intentId: intent.id, status: "confirmed", hash: keccak256("0x01"), blockNumber: 1n };
      },
    };
    await multisigTask(ctx, { workflow, sender, account: operator }).run(signal);
    const view = await workflow.status(p.id);
    expect(view.signatures.map((s) => s.signer)).to.deep.equal([operator.address]);
    expect(view.proposal.status).to.equal("executed");
    expect(sent.map((i) => i.id)).to.deep.equal([submitIntentId(p.id, operator.address)]);
  });

  it("multisig: another operator's proposal it cannot sign is retried with exponential backoff and warned about once per reason", async function () {
    const { ctx, workflow, workflowOf } = context();
    const snapshot = { s: "backoff" };
    const plan = { p: "backoff" };
    // a call that reverts: the simulation refuses it at every attempt
    const reverting = encodeFunctionData({
      abi: erc20,
      functionName: "transferFrom",
      args: [VAULT, operator.address, 1n],
    });
    // proposed by another operator on the shared store (its own would be withdrawn at once)
    await workflowOf("op-other").propose({
      plan,
      snapshot,
      calls: [{ target: token, data: reverting }],
      provenance: computeProvenance(snapshot, plan),
    });
    const lines: string[] = [];
    let clock = Date.parse("2026-11-22T00:00:00Z");
    const task = multisigTask(
      {
        ...ctx,
        now: () => new Date(clock),
        logger: createLogger({ level: "debug", write: (line) => lines.push(line) }),
      },
      { workflow, sender: undefined, account: operator },
    );
    const attempts = () => lines.filter((l) => l.includes("not signed or submitted")).length;
    const warnings = () => lines.filter((l) => l.includes('"level":"warn"')).length;
    for (let i = 0; i < 20; i++) await task.run(signal); // 20 polls at the same instant
    expect(attempts()).to.equal(1);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = attempts();
      let waited = 0;
      while (attempts() === before) {
        clock += task.everyMs;
        waited += task.everyMs;
        await task.run(signal);
      }
      delays.push(waited);
    }
    expect(delays).to.deep.equal([2, 4, 8, 16].map((k) => k * task.everyMs));
    expect(warnings()).to.equal(1);
  });

  it("settle: direct route sends inside the NAV band, refuses and alerts outside it, simulates only in dry run", async function () {
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const intent = (id: string) => ({
      id,
      to: token,
      data: encodeFunctionData({ abi: erc20, functionName: "mint", args: [recipient, 1n] }),
    });
    const balance = () =>
      read<bigint>(deployer, { address: token, abi: erc20, functionName: "balanceOf", args: [recipient] });
    const { ctx, store, alerts, workflow } = context();
    const client = createPublicClient({ transport: custom(connection.provider), cacheTime: 0 });
    const sender = new ReliableSender({
      client,
      account: operator,
      chainId,
      store,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, rpcTimeoutMs: 1_000 },
      stuckAfterMs: 60_000,
      feeBumpPercent: 15,
      maxReplacements: 1,
      pollIntervalMs: 5,
    });
    const nav = (current: bigint) => ({
      vault: VAULT,
      previousPricePerShare: ONE,
      currentPricePerShare: current,
    });
    let next: SettlementPlan = {
      route: "direct",
      intent: intent("epoch-1"),
      nav: nav(parseUnits("1.001", 18)),
    };
    const deps = { settler: { next: async () => next }, workflow, sender, client, from: operator.address };
    await settleTask(ctx, deps).run(signal);
    expect(await balance()).to.equal(1n);
    expect((await store.getIntent("epoch-1"))!.status).to.equal("confirmed");

    next = { route: "direct", intent: intent("epoch-2"), nav: nav(parseUnits("0.97", 18)) };
    await settleTask(ctx, deps).run(signal);
    expect(await balance()).to.equal(1n);
    expect(await store.getIntent("epoch-2")).to.equal(undefined);
    expect(alerts.alerts.map((a) => [a.kind, a.severity])).to.deep.equal([["nav", "critical"]]);

    const dry = context({ dryRun: true });
    next = { route: "direct", intent: intent("epoch-3"), nav: nav(ONE) };
    await settleTask(dry.ctx, { ...deps, workflow: dry.workflow, sender: undefined }).run(signal);
    expect(await balance()).to.equal(1n);
  });

  it("settle: gate route turns the settlement into a proposal for the signers", async function () {
    const { ctx, store, workflow } = context();
    const client = createPublicClient({ transport: custom(connection.provider), cacheTime: 0 });
    const settle: SettlementPlan = {
      route: "gate",
      calls: [{ target: token, data: mint(9n) }],
      plan: { kind: "settle", vault: VAULT, pending: { depositAssets: 100n, redeemShares: 0n }, dueAt: 0n },
      snapshot: {
        kind: "settlement",
        vault: VAULT,
        blockNumber: 4n,
        nav: { vault: VAULT, previousPricePerShare: ONE, currentPricePerShare: ONE },
      },
      nav: { vault: VAULT, previousPricePerShare: ONE, currentPricePerShare: ONE },
      unvalued: [],
    };
    await settleTask(ctx, {
      settler: { next: async () => settle },
      workflow,
      sender: undefined,
      client,
      from: operator.address,
    }).run(signal);
    const [proposal] = await store.listProposals();
    expect(proposal!.status).to.equal("proposed");
    expect(proposal!.calls).to.deep.equal([{ target: getAddress(token), data: mint(9n) }]);
    expect(proposal!.provenance).to.equal(computeProvenance(settle.snapshot, settle.plan));
    // a connector the vault cannot value: no settlement is proposed, and the alert names it
    const blocked = context();
    await settleTask(blocked.ctx, {
      settler: { next: async () => ({ ...settle, unvalued: ["aave-usdc (0x01) reports unhealthy"] }) },
      workflow: blocked.workflow,
      sender: undefined,
      client,
      from: operator.address,
    }).run(signal);
    expect(await blocked.store.listProposals()).to.deep.equal([]);
    expect(blocked.alerts.alerts.map((a) => a.message)).to.deep.equal([
      "not settling: aave-usdc (0x01) reports unhealthy",
    ]);
  });

  it("monitor: alerts on warn and critical findings and pauses and revokes mandates through the guardian on critical only", async function () {
    const { ctx, alerts } = context();
    const pauses: string[] = [];
    const revocations: string[] = [];
    const readings = {
      read: async () => ({
        nav: [{ vault: VAULT, previousPricePerShare: ONE, currentPricePerShare: parseUnits("1.0001", 18) }],
        oracles: [{ token: "WETH", primary: parseUnits("3000", 18), secondary: parseUnits("2900", 18) }],
        stablecoins: [
          { token: "USDC", peg: ONE, venues: [{ venue: "a", price: parseUnits("0.993", 18) }] },
          { token: "DAI", peg: ONE, venues: [{ venue: "a", price: ONE }] },
        ],
      }),
    };
    await monitorTask(ctx, {
      readings,
      guardian: {
        pause: async (subject) => void pauses.push(subject),
        revokeMandates: async (subject) => {
          revocations.push(subject);
          return [];
        },
      },
    }).run(signal);
    expect(alerts.alerts.map((a) => [a.kind, a.subject, a.severity])).to.deep.equal([
      ["oracle", "WETH", "critical"],
      ["depeg", "USDC", "warn"],
    ]);
    expect(pauses).to.deep.equal(["WETH"]);
    expect(revocations).to.deep.equal(["WETH"]);
    expect(ctx.metrics.lastNav.get({ vault: VAULT })).to.be.closeTo(1.0001, 1e-9);
  });
});
