import { readFile } from "node:fs/promises";
import path from "node:path";
import { type LocalAccount, getAddress, parseUnits } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { REPO_ROOT, projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployLocalProtocols } from "../deploy/local/protocols.js";
import {
  DEFAULT_ROLE_INDICES,
  deployProductStack,
  gateExecute,
  provenanceHash,
  stackCalls,
} from "../deploy/product/stack.js";
import { ReliableSender } from "../keeper/chain/sender.js";
import { keeperConfigSchema } from "../keeper/config/schema.js";
import { GateCallSimulator, type RiskChecker, ViemGateReader } from "../keeper/multisig/gate.js";
import { computeProvenance } from "../keeper/multisig/provenance.js";
import { MultisigWorkflow } from "../keeper/multisig/workflow.js";
import { parseGammaMarkets } from "../keeper/signals/polymarketGamma.js";
import type { MarketSnapshot } from "../keeper/signals/types.js";
import { SqliteStore } from "../keeper/store/sqlite.js";
import { defaultStrategyConfig } from "../keeper/strategy/config.js";
import { evaluate } from "../keeper/strategy/evaluate.js";
import { parsePolicy } from "../keeper/strategy/policy.js";
import { configRiskChecker } from "../keeper/service/runtime.js";

/** Hardhat's default development mnemonic: the funded local accounts, as keys the keeper can hold. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const GAMMA_SAMPLES = ["drmanhattan_gamma_markets.json", "pmvl_ext_polymarket-market.json"];
/** USDC moved into Aave per cycle at a 100% Aave weight (6 decimals); the policy's weight scales it. */
const PLAN_NOTIONAL = parseUnits("1000", 6);
/** The strategy-side risk limit the bench plan is checked against before each signature. */
const MAX_NOTIONAL = 2n * PLAN_NOTIONAL;
const DEPOSIT = parseUnits("500000", 6);
/** The depositor account: outside the stack's roles (0 deployer, 1-3 Safe owners, 4-6 operators, 7, 8). */
const DEPOSITOR = 10;
/** Deploys the stack: an account whose ETH no other measurement spent (the local protocols wrap 5,000 ETH). */
const STACK_DEPLOYER = 12;

export interface CycleLatency {
  /** Wall time of each cycle, milliseconds. */
  readonly samplesMs: readonly number[];
  /** Calls per submitted batch (the planner's output). */
  readonly callsPerBatch: number;
  readonly snapshots: number;
}

/** The local key of the hardhat account at `index`, checked against the chain's own account. */
function localKey(accounts: readonly Clients[], index: number): LocalAccount {
  const account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
  const expected = accounts[index]?.wallet.account.address;
  if (!expected || getAddress(expected) !== account.address)
    throw new Error(`hardhat account #${index} is not derived from the default mnemonic`);
  return account;
}

/**
 * Median/p95 material for one local keeper cycle on the full product stack (deploy/product/stack.ts on
 * the local Uniswap, Aave, Morpho and Safe deployments; KeeperGate 2 of 3 operators; real
 * AccountingManager and AaveV3Connector): signals (recorded Gamma API payloads through the keeper's
 * adapter and validation) → strategy `evaluate` with the example policy → a plan (a bench planner, the
 * product planner is not built: the Aave weight of the allocation sizes a move of idle vault USDC into
 * Aave) → the keeper's MultisigWorkflow: propose (stored in SQLite), two operators co-sign (each
 * re-simulates the calls and re-checks the plan) → submit through the ReliableSender (simulate,
 * estimate, sign, broadcast) until mined. Each batch supplies to Aave what the previous batch moved to
 * the connector and moves the next amount, so each call simulates on its own, as the workflow checks.
 */
export async function measureKeeperCycle(
  accounts: readonly Clients[],
  options: { dataDir: string; cycles: number },
): Promise<CycleLatency> {
  const deployer = accounts[STACK_DEPLOYER];
  if (!deployer) throw new Error(`keeper cycle needs funded account #${STACK_DEPLOYER}`);
  const stack = await deployProductStack(deployer, await deployLocalProtocols(deployer), {
    accounts,
    governance: "eoa",
    roles: { ...DEFAULT_ROLE_INDICES, deployer: STACK_DEPLOYER },
  });
  const depositor = accounts[DEPOSITOR];
  if (!depositor) throw new Error(`keeper cycle needs funded account #${DEPOSITOR}`);
  const me = depositor.wallet.account.address;
  const erc20 = projectArtifact("MockERC20").abi;
  const vaultAbi = projectArtifact("AccountingManager").abi;
  await send(deployer, { address: stack.asset, abi: erc20, functionName: "transfer", args: [me, DEPOSIT] });
  await send(depositor, {
    address: stack.asset,
    abi: erc20,
    functionName: "approve",
    args: [stack.vault, DEPOSIT],
  });
  await send(depositor, {
    address: stack.vault,
    abi: vaultAbi,
    functionName: "requestDeposit",
    args: [DEPOSIT, me, me],
  });
  await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("bench: settle the deposit"));

  const signerKeys = stack.roles.operators.slice(0, 2).map((i) => localKey(accounts, i));
  const submitterKey = localKey(accounts, stack.roles.strategist);
  const client = deployer.public;
  const chainId = await client.getChainId();
  // The keeper's own configuration schema and defaults (retries, fees, TTL, batch limits), with the
  // operator's target allowlist set to the two contracts the plan calls.
  const config = keeperConfigSchema.parse({
    operator: { id: "bench" },
    chain: { rpcUrl: "http://127.0.0.1:8545", chainId },
    gate: {
      address: stack.gate,
      vault: stack.vault,
      threshold: 2,
      signers: stack.addresses.operators,
      allowedTargets: [stack.vault, stack.connectors.aave],
    },
  });
  const store = SqliteStore.open({ path: ":memory:" });
  const notionalCap: RiskChecker = {
    async check(_proposal, plan) {
      const notional = BigInt((plan as { notional: string }).notional);
      return notional <= MAX_NOTIONAL
        ? { ok: true }
        : { ok: false, reasons: [`notional ${notional} above cap`] };
    },
  };
  const workflow = new MultisigWorkflow({
    store,
    chainId,
    gate: stack.gate,
    vault: stack.vault,
    threshold: config.gate.threshold,
    signers: config.gate.signers,
    proposalTtlSeconds: config.gate.proposalTtlSeconds,
    reader: new ViemGateReader(client, stack.gate),
    simulator: new GateCallSimulator(client),
    checker: configRiskChecker(config, notionalCap),
    operatorId: config.operator.id,
  });
  const sender = new ReliableSender({
    client,
    account: submitterKey,
    chainId,
    store,
    retry: config.sender,
    stuckAfterMs: config.sender.stuckAfterMs,
    feeBumpPercent: config.sender.feeBumpPercent,
    maxReplacements: config.sender.maxReplacements,
    pollIntervalMs: config.chain.pollingIntervalMs,
    confirmations: config.chain.confirmations,
  });

  const payloads = await Promise.all(
    GAMMA_SAMPLES.map(
      async (file) =>
        JSON.parse(
          await readFile(path.join(options.dataDir, "polymarket/api-samples", file), "utf8"),
        ) as unknown,
    ),
  );
  const policyResult = parsePolicy(
    JSON.parse(await readFile(path.join(REPO_ROOT, "keeper/strategy/policies/example.policy.json"), "utf8")),
  );
  if (!policyResult.ok) throw new Error("example policy does not parse");
  const strategyConfig = defaultStrategyConfig();

  const samplesMs: number[] = [];
  let callsPerBatch = 0;
  let snapshotCount = 0;
  let atConnector = 0n;
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    const started = performance.now();
    const now = Date.now();
    const snapshots: MarketSnapshot[] = payloads.flatMap((p) => parseGammaMarkets(p, now).items);
    const { allocation } = evaluate(snapshots, policyResult.policy, strategyConfig, now);
    const aaveBps = BigInt(allocation.weightsBps["aave-usdc"] ?? 0);
    // a distinct amount per cycle, as every real rebalance is
    const amount = (PLAN_NOTIONAL * aaveBps) / 10_000n + BigInt(cycle + 1);
    const calls = [
      ...(atConnector > 0n ? [stackCalls.aaveSupply(stack, stack.asset, atConnector)] : []),
      stackCalls.transferToConnector(stack, stack.connectors.aave, amount),
    ];
    const plan = { cycle, notional: amount.toString(), weightsBps: allocation.weightsBps };
    const proposal = await workflow.propose({
      plan,
      snapshot: snapshots,
      calls,
      provenance: computeProvenance(snapshots, plan),
    });
    for (const key of signerKeys) await workflow.sign(proposal.id, key);
    const done = await workflow.submit(proposal.id, sender);
    if (done.status !== "executed") throw new Error(`cycle ${cycle}: proposal ended ${done.status}`);
    samplesMs.push(performance.now() - started);
    atConnector = amount;
    callsPerBatch = Math.max(callsPerBatch, calls.length);
    snapshotCount = snapshots.length;
  }
  store.close?.();
  return { samplesMs, callsPerBatch, snapshots: snapshotCount };
}
