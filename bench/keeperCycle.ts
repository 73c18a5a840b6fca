import { readFile } from "node:fs/promises";
import path from "node:path";
import { type LocalAccount, custom, getAddress, parseUnits } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { fundAndRequestDeposit } from "../deploy/local/deposits.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { DEFAULT_ROLE_INDICES } from "../deploy/product/stack.js";
import { composeLocalKeeper } from "../deploy/local/keeperConfig.js";
import { runKeeperCycle } from "../keeper/cycle/cycle.js";
import { settleOnce } from "../keeper/service/tasks.js";
import { parseGammaMarkets } from "../keeper/signals/polymarketGamma.js";
import type { MarketSnapshot } from "../keeper/signals/types.js";
import type { SnapshotSource } from "../keeper/vault/ports.js";

/** Hardhat's default development mnemonic: the funded local accounts, as keys the keeper can hold. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const GAMMA_SAMPLES = ["drmanhattan_gamma_markets.json", "pmvl_ext_polymarket-market.json"];
const DEPOSIT = parseUnits("500000", 6);
/**
 * Base asset added to the Uniswap connector before each cycle (outside the timed part): its value
 * rises above the policy's 20 % weight, so every cycle has a real rebalance to plan and execute.
 */
const DRIFT_PER_CYCLE = parseUnits("20000", 6);
/** The depositor account: outside the stack's roles (0 deployer, 1-3 Safe owners, 4-6 operators, 7, 8). */
const DEPOSITOR = 10;
/** Deploys the stack: an account whose ETH no other measurement spent (the local protocols wrap 5,000 ETH). */
const STACK_DEPLOYER = 12;
/** The example policy's USDC-depeg market (keeper/strategy/policies/example.policy.json). */
const DEPEG_MARKET = "0x00000000000000000000000000000000000000000000000000000000000000aa";

export interface CycleLatency {
  /** Wall time of each cycle, milliseconds. */
  readonly samplesMs: readonly number[];
  /** Calls per submitted batch (the largest the planner made). */
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

/** The policy's depeg market at a quiet 2 %, as the Polymarket adapter would have fetched it at `now`. */
function depegSnapshot(now: number): MarketSnapshot {
  return {
    venue: "polymarket",
    marketId: DEPEG_MARKET,
    tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563",
    eventId: "usdc-depeg-q1",
    exclusiveGroup: null,
    question: "USDC below $0.99 this quarter?",
    outcome: "Yes",
    price: 0.02,
    bestBid: 0.015,
    bestAsk: 0.025,
    depth: { bidUsd: 20_000, askUsd: 18_000, bandAbs: 0.02 },
    liquidityUsd: 250_000,
    volumeUsd: 1_200_000,
    endDate: now + 60 * 86_400_000,
    status: "open",
    resolvedValue: null,
    settlement: { source: "Circle attestation", rules: "Resolves YES if USDC trades below $0.99." },
    fee: null,
    category: "crypto",
    fetchedAt: now,
  };
}

/**
 * Signals as a live source delivers them: the recorded Gamma API payloads parsed and validated by the
 * keeper's adapter at each call, plus the policy's depeg market, all fetched "now".
 */
function recordedGammaSource(payloads: readonly unknown[]): SnapshotSource & { last: number } {
  return {
    last: 0,
    async load(now: Date) {
      const t = now.getTime();
      const snapshots = [...payloads.flatMap((p) => parseGammaMarkets(p, t).items), depegSnapshot(t)];
      this.last = snapshots.length;
      return { snapshots, rejected: [] };
    },
  };
}

/**
 * The in-process compute of one keeper cycle: median/p95 material timed around the real keeper's
 * `runKeeperCycle` against the in-process EDR chain of this process (automine: no network, no block
 * interval, no other process waited for)
 * (keeper/cycle/cycle.ts), on `composeLocalKeeper` (the one composition root) over `deployLocalStack` (the full product stack on
 * the local Uniswap v3, Aave v3, Morpho Blue and Safe deployments, KeeperGate 2 of 3): chain readings
 * → signals → `evaluate` with the example policy → `ChainPlanner` (inputs read at one block, the pure
 * plan, ordered withdraw/transfer/deposit calls) → propose (SQLite) → two operators re-simulate, re-check
 * (`ChainRiskChecker`) and sign → submit through the `ReliableSender` → mined. Before each cycle
 * (not timed) base asset lands on the Uniswap connector, so each cycle rebalances it.
 */
export async function measureKeeperCycle(
  accounts: readonly Clients[],
  options: { dataDir: string; cycles: number },
): Promise<CycleLatency> {
  const deployer = accounts[STACK_DEPLOYER];
  if (!deployer) throw new Error(`keeper cycle needs funded account #${STACK_DEPLOYER}`);
  const depositor = accounts[DEPOSITOR];
  if (!depositor) throw new Error(`keeper cycle needs funded account #${DEPOSITOR}`);
  const roles = { ...DEFAULT_ROLE_INDICES, deployer: STACK_DEPLOYER };
  const local = await deployLocalStack(deployer, { accounts, governance: "eoa", roles });
  const { stack } = local;
  const me = depositor.wallet.account.address;
  const erc20 = projectArtifact("MockERC20").abi;
  const vaultAbi = projectArtifact("AccountingManager").abi;
  const drift = DRIFT_PER_CYCLE * BigInt(options.cycles);
  await fundAndRequestDeposit(deployer, depositor, stack, DEPOSIT);

  const payloads = await Promise.all(
    GAMMA_SAMPLES.map(
      async (file) =>
        JSON.parse(
          await readFile(path.join(options.dataDir, "polymarket/api-samples", file), "utf8"),
        ) as unknown,
    ),
  );
  const signals = recordedGammaSource(payloads);
  const client = deployer.public;
  const keeper = await composeLocalKeeper(local, {
    client,
    transport: custom(client),
    operators: roles.operators.slice(0, 2).map((i) => localKey(accounts, i)),
    submitter: localKey(accounts, roles.strategist),
    snapshots: signals,
  });
  try {
    if (!(await settleOnce(keeper))?.txHash) throw new Error("the deposit epoch did not settle");
    await send(depositor, {
      address: stack.vault,
      abi: vaultAbi,
      functionName: "deposit",
      args: [DEPOSIT, me, me],
    });
    await send(deployer, { address: stack.asset, abi: erc20, functionName: "transfer", args: [me, drift] });

    const samplesMs: number[] = [];
    let callsPerBatch = 0;
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      if (cycle > 0) {
        await send(depositor, {
          address: stack.asset,
          abi: erc20,
          functionName: "transfer",
          args: [stack.connectors.uniswap, DRIFT_PER_CYCLE],
        });
      }
      const started = performance.now();
      const result = await runKeeperCycle(keeper, new Date());
      samplesMs.push(performance.now() - started);
      if (result.status !== "executed") throw new Error(`cycle ${cycle}: ${result.status}`);
      callsPerBatch = Math.max(callsPerBatch, result.calls?.length ?? 0);
    }
    return { samplesMs, callsPerBatch, snapshots: signals.last };
  } finally {
    await keeper.close();
  }
}
