import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Address, type Hex, type LocalAccount, encodeFunctionData, getAddress, parseUnits } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployGateTestbed } from "../deploy/local/gateTestbed.js";
import { ReliableSender } from "../keeper/chain/sender.js";
import { type CheckResult, GateCallSimulator, ViemGateReader } from "../keeper/multisig/gate.js";
import { computeProvenance } from "../keeper/multisig/provenance.js";
import { MultisigWorkflow } from "../keeper/multisig/workflow.js";
import { parseGammaMarkets } from "../keeper/signals/polymarketGamma.js";
import type { MarketSnapshot } from "../keeper/signals/types.js";
import { SqliteStore } from "../keeper/store/sqlite.js";
import { defaultStrategyConfig } from "../keeper/strategy/config.js";
import { evaluate } from "../keeper/strategy/evaluate.js";
import { parsePolicy } from "../keeper/strategy/policy.js";
import { REPO_ROOT } from "../deploy/lib/artifacts.js";

/** Hardhat's default development mnemonic: the funded local accounts, as keys the keeper can hold. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const GAMMA_SAMPLES = ["drmanhattan_gamma_markets.json", "pmvl_ext_polymarket-market.json"];
/** The vault notional the bench planner spreads over the allocation (USDC, 6 decimals). */
const PLAN_NOTIONAL = parseUnits("100000", 6);

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
 * Median/p95 material for one local keeper cycle against a real KeeperGate (2 of 3 signers) on the
 * EDR chain: signals (recorded Gamma API payloads through the keeper's adapter and validation) →
 * strategy `evaluate` with the example policy → a plan of gate calls (a bench planner: one
 * `act(usdc, amount, 0)` per connector weight, since the product planner is not built) → the keeper's
 * MultisigWorkflow: propose (stored in SQLite), two signers co-sign (each re-simulates the calls and
 * re-checks the plan), submit through the ReliableSender (simulate, estimate, sign, broadcast) until
 * mined. Every cycle executes at the next gate nonce.
 */
export async function measureKeeperCycle(
  accounts: readonly Clients[],
  options: { dataDir: string; cycles: number },
): Promise<CycleLatency> {
  const tb = await deployGateTestbed(accounts, { signerCount: 3, threshold: 2n });
  const indexOf = (c: Clients) =>
    accounts.findIndex((a) => a.wallet.account.address === c.wallet.account.address);
  const signerKeys = tb.signers.slice(0, 2).map((s) => localKey(accounts, indexOf(s)));
  const submitterKey = localKey(accounts, indexOf(tb.keeper));
  const client = tb.keeper.public;
  const chainId = await client.getChainId();
  const store = SqliteStore.open({ path: ":memory:" });
  const notionalCap: { check: (p: unknown, plan: unknown) => Promise<CheckResult> } = {
    async check(_proposal, plan) {
      const notional = BigInt((plan as { notional: string }).notional);
      return notional <= PLAN_NOTIONAL
        ? { ok: true }
        : { ok: false, reasons: [`notional ${notional} above cap`] };
    },
  };
  const workflow = new MultisigWorkflow({
    store,
    chainId,
    gate: tb.gate,
    vault: tb.vault,
    threshold: 2,
    signers: tb.signers.map((s) => s.wallet.account.address),
    proposalTtlSeconds: 3_600,
    reader: new ViemGateReader(client, tb.gate),
    simulator: new GateCallSimulator(client),
    checker: notionalCap,
    operatorId: "bench",
  });
  const sender = new ReliableSender({
    client,
    account: submitterKey,
    chainId,
    store,
    retry: { maxRetries: 2, baseDelayMs: 50, maxDelayMs: 500, rpcTimeoutMs: 10_000 },
    stuckAfterMs: 60_000,
    feeBumpPercent: 15,
    maxReplacements: 3,
    pollIntervalMs: 20,
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
  const config = defaultStrategyConfig();
  const actAbi = projectArtifact("MockActionConnector").abi;

  const samplesMs: number[] = [];
  let callsPerBatch = 0;
  let snapshotCount = 0;
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    const started = performance.now();
    const now = Date.now();
    const snapshots: MarketSnapshot[] = payloads.flatMap((p) => parseGammaMarkets(p, now).items);
    const { allocation } = evaluate(snapshots, policyResult.policy, config, now);
    const weights = Object.entries(allocation.weightsBps).filter(([, bps]) => bps > 0);
    const calls = weights.map(([, bps], i) => ({
      target: tb.actionConnector as Address,
      // the cycle index keeps every batch distinct, as every real rebalance is
      data: encodeFunctionData({
        abi: actAbi,
        functionName: "act",
        args: [tb.usdc, (PLAN_NOTIONAL * BigInt(bps)) / 10_000n + BigInt(cycle * 10 + i), 0n],
      }) as Hex,
    }));
    const plan = { cycle, notional: PLAN_NOTIONAL.toString(), weightsBps: allocation.weightsBps };
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
    callsPerBatch = calls.length;
    snapshotCount = snapshots.length;
  }
  store.close?.();
  return { samplesMs, callsPerBatch, snapshots: snapshotCount };
}
