import {
  type Address,
  type Hex,
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  maxUint256,
  numberToHex,
  pad,
  zeroAddress,
  zeroHash,
} from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { buildSafeTx, execSafeTx } from "../protocols/safe.js";

/** Fee settings of a vault: receiver and rates in basis points (management per year, performance of gains). */
export interface FeeConfig {
  readonly receiver: Address;
  readonly managementFeeBps: number;
  readonly performanceFeeBps: number;
}

/** Deposit cap, minimum request (assets) and pause flags. */
export interface VaultLimits {
  readonly depositCap: bigint;
  readonly minRequestAssets: bigint;
  readonly depositsPaused: boolean;
  readonly redeemsPaused: boolean;
}

/** Price band (basis points, fixed plus annualised rates) and settlement deadline (seconds). */
export interface Guardrails {
  readonly toleranceBps: number;
  readonly maxIncreaseBpsPerYear: number;
  readonly maxDecreaseBpsPerYear: number;
  readonly settlementDeadline: bigint;
}

/** The AccountingManager's constructor configuration. */
export interface VaultInitialConfig {
  readonly fees: FeeConfig;
  readonly limits: VaultLimits;
  readonly guardrails: Guardrails;
}

/** Defaults for a local vault: 2%/yr management, 20% performance, 1% + 100%/yr up, 1% + 20%/yr down. */
export function defaultVaultConfig(feeReceiver: Address, overrides: Partial<VaultInitialConfig> = {}) {
  const config: VaultInitialConfig = {
    fees: { receiver: feeReceiver, managementFeeBps: 200, performanceFeeBps: 2_000 },
    limits: {
      depositCap: maxUint256 >> 128n,
      minRequestAssets: 0n,
      depositsPaused: false,
      redeemsPaused: false,
    },
    guardrails: {
      toleranceBps: 100,
      maxIncreaseBpsPerYear: 10_000,
      maxDecreaseBpsPerYear: 2_000,
      settlementDeadline: 3n * 24n * 3600n,
    },
  };
  return { ...config, ...overrides };
}

/** One call the timelock makes. */
export interface TimelockCall {
  readonly target: Address;
  readonly data: Hex;
  readonly value?: bigint;
}

/** Gets calls executed by the timelock: schedules them as one batch, waits the delay, executes. */
export type GovernanceRunner = (calls: readonly TimelockCall[]) => Promise<void>;

const timelockAbi = () => projectArtifact("TimelockController").abi;
const registryAbi = () => projectArtifact("Registry").abi;
export const vaultAbi = () => projectArtifact("AccountingManager").abi;

function batchArgs(calls: readonly TimelockCall[]) {
  return [calls.map((c) => c.target), calls.map((c) => c.value ?? 0n), calls.map((c) => c.data)] as const;
}

/** Calldata of `TimelockController.scheduleBatch` for `calls` (what a proposer such as a Safe sends). */
export function scheduleBatchData(calls: readonly TimelockCall[], salt: Hex, delay: bigint): Hex {
  return encodeFunctionData({
    abi: timelockAbi(),
    functionName: "scheduleBatch",
    args: [...batchArgs(calls), zeroHash, salt, delay],
  });
}

/** The timelock's operation id of a batch, as `hashOperationBatch` computes it. */
export function timelockBatchId(calls: readonly TimelockCall[], salt: Hex): Hex {
  const [targets, values, payloads] = batchArgs(calls);
  return keccak256(
    encodeAbiParameters(
      [
        { type: "address[]" },
        { type: "uint256[]" },
        { type: "bytes[]" },
        { type: "bytes32" },
        { type: "bytes32" },
      ],
      [targets, values, payloads, zeroHash, salt],
    ),
  );
}

/** Executes a scheduled batch whose delay has passed. */
export async function executeTimelockBatch(
  executor: Clients,
  timelock: Address,
  calls: readonly TimelockCall[],
  salt: Hex,
): Promise<Hex> {
  return send(executor, {
    address: timelock,
    abi: timelockAbi(),
    functionName: "executeBatch",
    args: [...batchArgs(calls), zeroHash, salt],
  });
}

/** Local chains only: moves the clock forward by `seconds` and mines a block. */
export async function advanceTime(clients: Pick<Clients, "public">, seconds: bigint): Promise<void> {
  const rpc = clients.public.request as unknown as (args: {
    method: string;
    params: unknown[];
  }) => Promise<unknown>;
  await rpc({ method: "evm_increaseTime", params: [numberToHex(seconds)] });
  await rpc({ method: "evm_mine", params: [] });
}

let saltCounter = 0n;
function nextSalt(): Hex {
  saltCounter += 1n;
  return pad(numberToHex(BigInt(Date.now()) * 1_000_000n + saltCounter), { size: 32 });
}

/**
 * Governance through an EOA proposer on a local chain: schedule, advance the clock past `minDelay`,
 * execute (the proposer must also be an executor, or executors must be open).
 */
export function eoaGovernance(proposer: Clients, timelock: Address, minDelay: bigint): GovernanceRunner {
  return async (calls) => {
    const salt = nextSalt();
    await send(proposer, {
      address: timelock,
      abi: timelockAbi(),
      functionName: "scheduleBatch",
      args: [...batchArgs(calls), zeroHash, salt, minDelay],
    });
    await advanceTime(proposer, minDelay);
    await executeTimelockBatch(proposer, timelock, calls, salt);
  };
}

/**
 * Governance through a Safe proposer on a local chain: the Safe's owners sign `scheduleBatch`, the
 * clock advances past `minDelay`, and `executor` executes.
 */
export function safeGovernance(
  executor: Clients,
  safe: Address,
  owners: readonly Clients["wallet"][],
  timelock: Address,
  minDelay: bigint,
): GovernanceRunner {
  return async (calls) => {
    const salt = nextSalt();
    const tx = await buildSafeTx(executor, safe, timelock, scheduleBatchData(calls, salt, minDelay));
    await execSafeTx(executor, safe, tx, owners);
    await advanceTime(executor, minDelay);
    await executeTimelockBatch(executor, timelock, calls, salt);
  };
}

/** Deploys an OpenZeppelin TimelockController administering itself (no admin account). */
export async function deployTimelock(
  clients: Clients,
  params: { proposers: readonly Address[]; executors: readonly Address[]; minDelay: bigint },
): Promise<Address> {
  return deploy(clients, projectArtifact("TimelockController"), [
    params.minDelay,
    params.proposers,
    params.executors,
    zeroAddress,
  ]);
}

/** Deploys the Registry owned by `governance`. */
export async function deployRegistry(clients: Clients, governance: Address): Promise<Address> {
  return deploy(clients, projectArtifact("Registry"), [governance]);
}

/** Deploys an AccountingManager over `asset` reading its roles from `registry`. */
export async function deployVault(
  clients: Clients,
  params: { registry: Address; asset: Address; name: string; symbol: string; config: VaultInitialConfig },
): Promise<Address> {
  return deploy(clients, projectArtifact("AccountingManager"), [
    params.registry,
    params.asset,
    params.name,
    params.symbol,
    params.config,
  ]);
}

/** Roles and modules of a vault as the Registry stores them. */
export interface VaultRoles {
  readonly keeperGate: Address;
  readonly guardian: Address;
  readonly valueOracle: Address;
  readonly swapHandler: Address;
}

/** Calldata of `Registry.registerVault` (a governance call). */
export function registerVaultCall(
  registry: Address,
  vault: Address,
  asset: Address,
  roles: VaultRoles,
): TimelockCall {
  return {
    target: registry,
    data: encodeFunctionData({
      abi: registryAbi(),
      functionName: "registerVault",
      args: [vault, { asset, ...roles, registered: true }],
    }),
  };
}

/** Builds the calldata of any governance-only function of the Registry or the vault. */
export function governanceCall(
  target: Address,
  contract: "Registry" | "AccountingManager",
  functionName: string,
  args: readonly unknown[],
): TimelockCall {
  return { target, data: encodeFunctionData({ abi: projectArtifact(contract).abi, functionName, args }) };
}

export interface CoreDeployment {
  readonly timelock: Address;
  readonly registry: Address;
  readonly vault: Address;
}

export interface CoreParams {
  readonly proposers: readonly Address[];
  readonly executors: readonly Address[];
  readonly minDelay: bigint;
  readonly asset: Address;
  readonly name: string;
  readonly symbol: string;
  readonly config: VaultInitialConfig;
  readonly roles: VaultRoles;
}

/**
 * Deploys governance (TimelockController), the Registry it owns and an AccountingManager, then
 * registers the vault through the timelock with `runnerFor(timelock)`.
 */
export async function deployCore(
  clients: Clients,
  params: CoreParams,
  runnerFor: (timelock: Address) => GovernanceRunner,
): Promise<CoreDeployment> {
  const timelock = await deployTimelock(clients, params);
  const registry = await deployRegistry(clients, timelock);
  const vault = await deployVault(clients, { ...params, registry });
  await runnerFor(timelock)([registerVaultCall(registry, vault, params.asset, params.roles)]);
  return { timelock, registry, vault };
}

/** The controller address used for the i-th synthetic request of `seedPendingDeposits`. */
export function syntheticController(index: number): Address {
  return pad(numberToHex(0x10000n + BigInt(index)), { size: 20 });
}

/**
 * Benchmark setup: creates `count` pending deposit requests of `assets` each, funded by `clients`'
 * account (which must hold count * assets of the asset), each for a distinct controller, so that
 * settlement cost can be measured against the number of pending requests.
 */
export async function seedPendingDeposits(
  clients: Clients,
  params: { vault: Address; asset: Address; count: number; assets: bigint },
): Promise<readonly Address[]> {
  const owner = clients.wallet.account.address;
  await send(clients, {
    address: params.asset,
    abi: projectArtifact("MockERC20").abi,
    functionName: "approve",
    args: [params.vault, params.assets * BigInt(params.count)],
  });
  const controllers: Address[] = [];
  for (let i = 0; i < params.count; i++) {
    const controller = syntheticController(i);
    await send(clients, {
      address: params.vault,
      abi: vaultAbi(),
      functionName: "requestDeposit",
      args: [params.assets, controller, owner],
    });
    controllers.push(controller);
  }
  return controllers;
}
