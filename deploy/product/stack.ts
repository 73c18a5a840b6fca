import {
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
  encodeFunctionData,
  getAbiItem,
  getAddress,
  keccak256,
  parseUnits,
  toFunctionSelector,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { type Write, deploy, projectArtifact, read } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { updateFeed } from "../protocols/chainlink.js";
import { createSafe } from "../protocols/safe.js";
import { sortTokens } from "../protocols/uniswapV3.js";
import type { LocalProtocols } from "../local/protocols.js";
import {
  type GovernanceRunner,
  type TimelockCall,
  advanceTime,
  defaultVaultConfig,
  deployRegistry,
  deployTimelock,
  deployVault,
  registerVaultCall,
  safeGovernance,
} from "./core.js";
import { keeperFunctions } from "../../keeper/planning/actions.js";
import { deployConditionalTokensConnector, deployVaultConnectors } from "./connectors.js";
import { type LocalOutcomeMarket, deployLocalOutcomeMarket } from "../local/outcomes.js";
import {
  type PolymarketStack,
  deployLocalPolymarket,
  polymarketMarketCalls,
} from "../local/polymarketConnector.js";
import { type GateCall, deployKeeperGate, executeSigned, keeperGateArtifact } from "./gate.js";
import { EXACT_INPUT, EXACT_INPUT_SINGLE, deployLocalLiFiDiamond, liFiSwapHandlerArtifact } from "./lifi.js";
import {
  ETH_UNIT,
  type OracleConfig,
  USD_UNIT,
  chainlinkHop,
  deployValueOracle,
  oracleConfigWrites,
  twapHop,
} from "./oracle.js";

/**
 * The whole product on top of `deployLocalProtocols`: governance (a 2-of-3 Safe proposing to a
 * TimelockController by default), Registry, a USDC AccountingManager, ValueOracle, three connectors,
 * the LI.FI swap path and a 2-of-3 KeeperGate, with the Registry allowlist the keeper needs.
 */

/** Indices into the funded accounts given to `deployProductStack`, one per role. */
export interface RoleIndices {
  /** deploys every contract; owns nothing afterwards */
  readonly deployer: number;
  /** the governance Safe's owners (2 of them sign); the EOA owner in the "eoa" mode is the first */
  readonly safeOwners: readonly [number, number, number];
  /** the keeper gate's signers (threshold 2) */
  readonly operators: readonly [number, number, number];
  /** may only de-risk: pause, disable a connector, forbid a call or token */
  readonly guardian: number;
  /** proposes rebalances and submits signed batches (any account may submit) */
  readonly strategist: number;
}

export const DEFAULT_ROLE_INDICES: RoleIndices = {
  deployer: 0,
  safeOwners: [1, 2, 3],
  operators: [4, 5, 6],
  guardian: 7,
  strategist: 8,
};

/** Connector caps, in base-asset units (USDC, 6 decimals). */
export interface ConnectorCaps {
  readonly aave: bigint;
  readonly morpho: bigint;
  readonly uniswap: bigint;
}

export interface ProductStackOptions {
  /** funded accounts; `roles` indexes into them */
  readonly accounts: readonly Clients[];
  readonly roles?: RoleIndices;
  /**
   * "safe-timelock" (default, the product's local stack): a 2-of-3 Safe 1.4.1 proposes to a
   * TimelockController that owns the Registry; each governance batch waits `timelockDelay` on the
   * local clock. "eoa": the first Safe owner account owns the Registry directly (fast, tests only).
   */
  readonly governance?: "safe-timelock" | "eoa";
  /** seconds; default one day */
  readonly timelockDelay?: bigint;
  /** Uniswap TWAP window of the oracle, seconds (30 minutes to 7 days); default 30 minutes */
  readonly twapWindow?: number;
  readonly caps?: ConnectorCaps;
  /** the swap handler's oracle-bounded slippage, basis points; default 100 */
  readonly swapSlippageBps?: bigint;
  /**
   * Also deploy a ConditionalTokensConnector with one registered binary market and its funded
   * FixedProductMarketMaker (`ProductStack.outcomes`); default false.
   */
  readonly outcomes?: boolean;
  /**
   * Also deploy the local Polymarket venue (CTF Exchange, NegRisk CTF Exchange, NegRiskAdapter) with one binary
   * market and a three-question negRisk group, and a PolymarketConnector registered for both
   * (`ProductStack.polymarket`); default false. The venue's operator is the deployer.
   */
  readonly polymarket?: boolean;
}

/** The outcome-position part of a stack deployed with `outcomes: true`. */
export interface OutcomeStack {
  /** the ConditionalTokensConnector, registered for the vault with cap `OUTCOMES_CAP` */
  readonly connector: Address;
  /** the market registered in the connector (its own correlated group) */
  readonly market: LocalOutcomeMarket;
}

export type StackGovernance =
  | {
      readonly kind: "safe-timelock";
      readonly safe: Address;
      readonly timelock: Address;
      readonly minDelay: bigint;
    }
  | { readonly kind: "eoa"; readonly owner: Address };

/** Every address of the deployed product, and which account plays which role. */
export interface ProductStack {
  readonly governance: StackGovernance;
  readonly registry: Address;
  readonly vault: Address;
  /** VaultLens: the vault's configuration, epoch records and valuation status (read-only) */
  readonly lens: Address;
  readonly asset: Address;
  readonly oracle: Address;
  readonly gate: Address;
  readonly swapHandler: Address;
  readonly lifiDiamond: Address;
  readonly connectors: {
    readonly aave: Address;
    readonly morpho: Address;
    readonly uniswap: Address;
  };
  /** the ERC-4626 MorphoBlueSupplyVault the Morpho connector deposits into */
  readonly morphoSupplyVault: Address;
  /** present when deployed with `outcomes: true` */
  readonly outcomes?: OutcomeStack;
  /** present when deployed with `polymarket: true` */
  readonly polymarket?: PolymarketStack;
  readonly caps: ConnectorCaps;
  readonly twapWindow: number;
  readonly roles: RoleIndices;
  readonly addresses: {
    readonly safeOwners: readonly Address[];
    readonly operators: readonly Address[];
    readonly guardian: Address;
    readonly strategist: Address;
  };
  /** every (target, selector) the keeper gate may call, as allowlisted in the Registry */
  readonly allowedCalls: readonly {
    readonly target: Address;
    readonly selector: Hex;
    readonly name: string;
  }[];
}

export const DEFAULT_CAPS: ConnectorCaps = {
  aave: parseUnits("5000000", 6),
  morpho: parseUnits("5000000", 6),
  uniswap: parseUnits("2000000", 6),
};
/** Cap of the outcome-position connector, in base-asset units. */
export const OUTCOMES_CAP = parseUnits("1000000", 6);
/** Cap of the Polymarket connector, in base-asset units. */
export const POLYMARKET_CAP = parseUnits("1000000", 6);
export const DEFAULT_TIMELOCK_DELAY = 86_400n;
export const DEFAULT_TWAP_WINDOW = 1_800;

const STABLE_MAX_ANSWER = 10n * 10n ** 8n;
const ETH_MAX_ANSWER = 1_000_000n * 10n ** 8n;
const STABLE_HEARTBEAT = 86_400;
const ETH_HEARTBEAT = 3_600;
const TWAP_MIN_CARDINALITY = 50;
/** Chainlink and the TWAP must agree within this for WETH and USDT to be priced. */
const WETH_DEVIATION_BPS = 200;
const USDT_DEVIATION_BPS = 100;

/**
 * Which functions of which contract the keeper gate may call: exactly the keeper's action table
 * (keeper/planning/actions.ts `ACTIONS`), so the allowlist holds what the keeper uses and nothing else.
 */
const KEEPER_FUNCTIONS = {
  vault: keeperFunctions("vault"),
  connector: keeperFunctions("connector"),
  AaveV3Connector: keeperFunctions("aave"),
  ERC4626Connector: keeperFunctions("erc4626"),
  UniswapV3Connector: keeperFunctions("uniswap"),
  ConditionalTokensConnector: keeperFunctions("outcomes"),
  PolymarketConnector: keeperFunctions("polymarket"),
} as const;

function selectorOf(abi: Abi, name: string): Hex {
  const item = getAbiItem({ abi, name });
  if (!item || item.type !== "function") throw new Error(`no function ${name} in the ABI`);
  return toFunctionSelector(item);
}

function accountAt(accounts: readonly Clients[], index: number, role: string): Clients {
  const clients = accounts[index];
  if (!clients) throw new Error(`deployProductStack: no funded account #${index} for the ${role}`);
  return clients;
}

/** A contract write as the calldata a governance batch carries. */
export function asCall(write: Write): TimelockCall {
  return {
    target: write.address,
    data: encodeFunctionData({ abi: write.abi, functionName: write.functionName, args: write.args ?? [] }),
  };
}

const registryWrite = (registry: Address, functionName: string, args: readonly unknown[]): Write => ({
  address: registry,
  abi: projectArtifact("Registry").abi,
  functionName,
  args,
});

/** Governance by one EOA that owns the Registry directly: each call is sent as it is. */
function eoaDirectGovernance(owner: Clients): GovernanceRunner {
  return async (calls) => {
    for (const call of calls) {
      const hash = await owner.wallet.sendTransaction({
        account: owner.wallet.account,
        chain: owner.wallet.chain,
        to: call.target,
        data: call.data,
        value: call.value ?? 0n,
      });
      const receipt = await owner.public.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success")
        throw new Error(`governance call to ${call.target} reverted (tx ${hash})`);
    }
  };
}

/** The ValueOracle configuration of the local stack: Chainlink primaries, Uniswap TWAPs as secondaries. */
export function localOracleConfig(protocols: LocalProtocols, twapWindow: number): OracleConfig {
  const { usdc, usdt, weth } = protocols.tokens;
  const { usdcUsd, usdtUsd, ethUsd } = protocols.feeds;
  // A TWAP hop prices token0 in token1; the inverse prices token1 in token0 (here: in USDC).
  const usdcIsToken0 = sortTokens(usdc, weth)[0] === getAddress(usdc);
  const usdcIsToken0InUsdt = sortTokens(usdc, usdt)[0] === getAddress(usdc);
  return {
    units: [{ token: weth, unit: ETH_UNIT }],
    feeds: [
      {
        feed: usdcUsd,
        base: usdc,
        quote: USD_UNIT,
        heartbeat: STABLE_HEARTBEAT,
        minAnswer: 1n,
        maxAnswer: STABLE_MAX_ANSWER,
      },
      {
        feed: usdtUsd,
        base: usdt,
        quote: USD_UNIT,
        heartbeat: STABLE_HEARTBEAT,
        minAnswer: 1n,
        maxAnswer: STABLE_MAX_ANSWER,
      },
      {
        feed: ethUsd,
        base: ETH_UNIT,
        quote: USD_UNIT,
        heartbeat: ETH_HEARTBEAT,
        minAnswer: 1n,
        maxAnswer: ETH_MAX_ANSWER,
      },
    ],
    pools: [
      { pool: protocols.uniswap.usdcWethPool, window: twapWindow, minCardinality: TWAP_MIN_CARDINALITY },
      { pool: protocols.uniswap.usdcUsdtPool, window: twapWindow, minCardinality: TWAP_MIN_CARDINALITY },
    ],
    routes: [
      {
        token: weth,
        primary: [chainlinkHop(ethUsd), chainlinkHop(usdcUsd, true)],
        secondary: [twapHop(protocols.uniswap.usdcWethPool, usdcIsToken0)],
        maxDeviationBps: WETH_DEVIATION_BPS,
      },
      {
        token: usdt,
        primary: [chainlinkHop(usdtUsd), chainlinkHop(usdcUsd, true)],
        secondary: [twapHop(protocols.uniswap.usdcUsdtPool, usdcIsToken0InUsdt)],
        maxDeviationBps: USDT_DEVIATION_BPS,
      },
    ],
  };
}

/** Pushes each feed's current answer again, so feeds stay fresh after the clock was moved forward. */
export async function refreshFeeds(clients: Clients, feeds: readonly Address[]): Promise<void> {
  for (const feed of feeds) {
    const answer = await read<bigint>(clients, {
      address: feed,
      abi: projectArtifact("MockV3Aggregator").abi,
      functionName: "latestAnswer",
    });
    await updateFeed(clients, feed, answer);
  }
}

/** Rebuilds the governance runner of a deployed stack (to change configuration later). */
export function stackGovernanceRunner(
  stack: Pick<ProductStack, "governance" | "roles">,
  accounts: readonly Clients[],
): GovernanceRunner {
  const [first, second] = stack.roles.safeOwners;
  if (stack.governance.kind === "eoa")
    return eoaDirectGovernance(accountAt(accounts, first, "governance owner"));
  const executor = accountAt(accounts, stack.roles.deployer, "timelock executor");
  return safeGovernance(
    executor,
    stack.governance.safe,
    [accountAt(accounts, first, "Safe owner").wallet, accountAt(accounts, second, "Safe owner").wallet],
    stack.governance.timelock,
    stack.governance.minDelay,
  );
}

const MIN_TWAP_WINDOW = 1_800;
const MAX_TWAP_WINDOW = 7 * 86_400;

/** Rejects options the contracts would refuse later with a less readable error (or mid-deployment). */
export function validateStackOptions(options: ProductStackOptions): void {
  const roles = options.roles ?? DEFAULT_ROLE_INDICES;
  const window = options.twapWindow ?? DEFAULT_TWAP_WINDOW;
  if (!Number.isInteger(window) || window < MIN_TWAP_WINDOW || window > MAX_TWAP_WINDOW) {
    throw new Error(
      `twapWindow must be whole seconds from ${MIN_TWAP_WINDOW} to ${MAX_TWAP_WINDOW}, got ${window}`,
    );
  }
  for (const [group, indices] of [
    ["safeOwners", roles.safeOwners],
    ["operators", roles.operators],
  ] as const) {
    if (new Set(indices).size !== indices.length) throw new Error(`roles.${group} must be distinct accounts`);
  }
  const used = [roles.deployer, ...roles.safeOwners, ...roles.operators, roles.guardian, roles.strategist];
  for (const index of used) accountAt(options.accounts, index, "role");
  if ((options.timelockDelay ?? DEFAULT_TIMELOCK_DELAY) < 0n)
    throw new Error("timelockDelay must not be negative");
}

/**
 * Deploys the product on `protocols` (from `deployLocalProtocols`). In the default "safe-timelock"
 * mode, the local clock moves forward by the timelock delay twice (two governance batches) and by the
 * TWAP window; the Chainlink mock feeds are re-pushed at their current answers afterwards so they are
 * fresh when this returns.
 */
export async function deployProductStack(
  clients: Clients,
  protocols: LocalProtocols,
  options: ProductStackOptions,
): Promise<ProductStack> {
  validateStackOptions(options);
  const roles = options.roles ?? DEFAULT_ROLE_INDICES;
  const mode = options.governance ?? "safe-timelock";
  const minDelay = options.timelockDelay ?? DEFAULT_TIMELOCK_DELAY;
  const twapWindow = options.twapWindow ?? DEFAULT_TWAP_WINDOW;
  const caps = options.caps ?? DEFAULT_CAPS;
  const at = (index: number, role: string) =>
    getAddress(accountAt(options.accounts, index, role).wallet.account.address);
  const safeOwners = roles.safeOwners.map((i) => at(i, "Safe owner"));
  const operators = roles.operators.map((i) => at(i, "operator"));
  const guardian = at(roles.guardian, "guardian");
  const strategist = at(roles.strategist, "strategist");
  const { usdc, usdt, weth } = protocols.tokens;

  let governance: StackGovernance;
  if (mode === "eoa") {
    governance = { kind: "eoa", owner: safeOwners[0]! };
  } else {
    const safe = await createSafe(clients, protocols.safe, safeOwners, 2n);
    // Execution is open: anyone may execute a batch once its delay has passed.
    const timelock = await deployTimelock(clients, { proposers: [safe], executors: [zeroAddress], minDelay });
    governance = { kind: "safe-timelock", safe, timelock, minDelay };
  }
  const owner = governance.kind === "eoa" ? governance.owner : governance.timelock;

  const registry = await deployRegistry(clients, owner);
  const vault = await deployVault(clients, {
    registry,
    asset: usdc,
    name: "Agent Vault USDC",
    symbol: "avUSDC",
    config: defaultVaultConfig(governance.kind === "eoa" ? governance.owner : governance.safe),
  });
  const lens = await deploy(clients, projectArtifact("VaultLens"), []);
  const oracle = await deployValueOracle(clients, { registry, baseAsset: usdc });
  const lifiDiamond = await deployLocalLiFiDiamond(clients, protocols.uniswap);
  const swapHandler = await deploy(clients, liFiSwapHandlerArtifact(), [
    registry,
    lifiDiamond,
    options.swapSlippageBps ?? 100n,
  ]);
  const gate = await deployKeeperGate(clients, { registry, vault, signers: operators, threshold: 2n });

  const partial: Omit<
    ProductStack,
    "connectors" | "morphoSupplyVault" | "allowedCalls" | "outcomes" | "polymarket"
  > = {
    governance,
    registry,
    vault,
    lens,
    asset: getAddress(usdc),
    oracle,
    gate,
    swapHandler,
    lifiDiamond,
    caps,
    twapWindow,
    roles,
    addresses: { safeOwners, operators, guardian, strategist },
  };
  const runGovernance = stackGovernanceRunner(partial, options.accounts);

  const handlerAbi = liFiSwapHandlerArtifact().abi;
  await runGovernance([
    registerVaultCall(registry, vault, usdc, {
      keeperGate: gate,
      guardian,
      valueOracle: oracle,
      swapHandler,
    }),
    ...oracleConfigWrites(oracle, localOracleConfig(protocols, twapWindow)).map(asCall),
    ...[EXACT_INPUT_SINGLE, EXACT_INPUT].map((selector) =>
      asCall({
        address: swapHandler,
        abi: handlerAbi,
        functionName: "setDexCallAllowed",
        args: [protocols.uniswap.swapRouter, selector, true],
      }),
    ),
  ]);

  const { morphoSupplyVault, connectors } = await deployVaultConnectors(clients, {
    registry,
    vault,
    aavePool: protocols.aave.pool,
    morpho: protocols.morpho.morpho,
    morphoMarket: protocols.morpho.usdcWethMarket,
    morphoSupplyVaultName: "Morpho Blue USDC/WETH supply",
    positionManager: protocols.uniswap.positionManager,
  });
  const connectorTokens: readonly [Address, Address][] = [
    [connectors.aave, weth],
    [connectors.aave, usdt],
    [connectors.uniswap, weth],
  ];
  const outcomes = options.outcomes ? await deployOutcomes(clients, protocols, registry, vault) : undefined;
  const polymarket = options.polymarket
    ? await deployLocalPolymarket(clients, protocols, { registry, vault })
    : undefined;
  const allowedCalls = keeperAllowlist(vault, connectors, outcomes?.connector, polymarket?.connector);
  await runGovernance([
    ...outcomesGovernance(registry, vault, outcomes),
    ...polymarketGovernance(registry, vault, polymarket),
    ...[
      registryWrite(registry, "addConnector", [vault, connectors.aave, caps.aave]),
      registryWrite(registry, "addConnector", [vault, connectors.morpho, caps.morpho]),
      registryWrite(registry, "addConnector", [vault, connectors.uniswap, caps.uniswap]),
      ...connectorTokens.map(([connector, token]) =>
        registryWrite(registry, "setConnectorToken", [connector, token, true]),
      ),
      ...allowedCalls.map(({ target, selector }) =>
        registryWrite(registry, "setAllowedCall", [vault, target, selector, true]),
      ),
    ].map(asCall),
  ]);

  // The TWAP needs a full window of pool history before it can price; then refresh the feeds it outlived.
  await advanceTime(clients, BigInt(twapWindow));
  await refreshFeeds(clients, [protocols.feeds.usdcUsd, protocols.feeds.usdtUsd, protocols.feeds.ethUsd]);

  return {
    ...partial,
    connectors,
    morphoSupplyVault,
    allowedCalls,
    ...(outcomes ? { outcomes } : {}),
    ...(polymarket ? { polymarket } : {}),
  };
}

async function deployOutcomes(
  clients: Clients,
  protocols: LocalProtocols,
  registry: Address,
  vault: Address,
): Promise<OutcomeStack> {
  const market = await deployLocalOutcomeMarket(clients, protocols);
  const connector = await deployConditionalTokensConnector(clients, {
    registry,
    vault,
    conditionalTokens: protocols.conditionalTokens,
  });
  return { connector, market };
}

/** Registers the outcome connector for the vault and its market in the connector (governance calls). */
function outcomesGovernance(
  registry: Address,
  vault: Address,
  outcomes: OutcomeStack | undefined,
): TimelockCall[] {
  if (!outcomes) return [];
  const { connector, market } = outcomes;
  return [
    asCall(registryWrite(registry, "addConnector", [vault, connector, OUTCOMES_CAP])),
    asCall({
      address: connector,
      abi: projectArtifact("ConditionalTokensConnector").abi,
      functionName: "addMarket",
      args: [market.conditionId, market.collateral, BigInt(market.outcomeSlotCount), zeroHash, market.pool],
    }),
  ];
}

/** Registers the Polymarket connector for the vault and its markets in the connector (governance calls). */
function polymarketGovernance(
  registry: Address,
  vault: Address,
  polymarket: PolymarketStack | undefined,
): TimelockCall[] {
  if (!polymarket) return [];
  return [
    asCall(registryWrite(registry, "addConnector", [vault, polymarket.connector, POLYMARKET_CAP])),
    ...polymarketMarketCalls(polymarket).map(asCall),
  ];
}

/**
 * Every (target, selector) the keeper needs on the vault, the three connectors, the outcome connector and the
 * Polymarket connector.
 */
export function keeperAllowlist(
  vault: Address,
  connectors: ProductStack["connectors"],
  outcomesConnector?: Address,
  polymarketConnector?: Address,
): { target: Address; selector: Hex; name: string }[] {
  const entries: { target: Address; selector: Hex; name: string }[] = [];
  const add = (target: Address, contract: string, names: readonly string[]) => {
    const abi = projectArtifact(contract).abi;
    for (const name of names)
      entries.push({ target, selector: selectorOf(abi, name), name: `${contract}.${name}` });
  };
  add(vault, "AccountingManager", KEEPER_FUNCTIONS.vault);
  const byContract = [
    [connectors.aave, "AaveV3Connector"],
    [connectors.morpho, "ERC4626Connector"],
    [connectors.uniswap, "UniswapV3Connector"],
  ] as const;
  for (const [target, contract] of byContract) {
    add(target, contract, KEEPER_FUNCTIONS.connector);
    add(target, contract, KEEPER_FUNCTIONS[contract]);
  }
  if (outcomesConnector) {
    add(outcomesConnector, "ConditionalTokensConnector", KEEPER_FUNCTIONS.connector);
    add(outcomesConnector, "ConditionalTokensConnector", KEEPER_FUNCTIONS.ConditionalTokensConnector);
  }
  if (polymarketConnector) {
    add(polymarketConnector, "PolymarketConnector", KEEPER_FUNCTIONS.connector);
    add(polymarketConnector, "PolymarketConnector", KEEPER_FUNCTIONS.PolymarketConnector);
  }
  return entries;
}

// ------------------------------------------------------------------------------ keeper helpers

/** One gate call to `functionName` of a product contract (`contract` names its artifact). */
export function productCall(
  target: Address,
  contract:
    | "AccountingManager"
    | "BaseConnector"
    | "AaveV3Connector"
    | "ERC4626Connector"
    | "UniswapV3Connector"
    | "ConditionalTokensConnector"
    | "PolymarketConnector",
  functionName: string,
  args: readonly unknown[],
): GateCall {
  return { target, data: encodeFunctionData({ abi: projectArtifact(contract).abi, functionName, args }) };
}

/** Typed builders of the gate calls the keeper makes on the stack. */
export const stackCalls = {
  settle: (stack: ProductStack): GateCall => productCall(stack.vault, "AccountingManager", "settle", []),
  transferToConnector: (stack: ProductStack, connector: Address, amount: bigint): GateCall =>
    productCall(stack.vault, "AccountingManager", "transferToConnector", [connector, amount]),
  sendToVault: (connector: Address, amount: bigint): GateCall =>
    productCall(connector, "BaseConnector", "sendToVault", [amount]),
  sendToConnector: (from: Address, to: Address, token: Address, amount: bigint): GateCall =>
    productCall(from, "BaseConnector", "sendToConnector", [to, token, amount]),
  trackToken: (connector: Address, token: Address): GateCall =>
    productCall(connector, "BaseConnector", "trackToken", [token]),
  swap: (connector: Address, tokenIn: Address, amountIn: bigint, lifiCalldata: Hex): GateCall =>
    productCall(connector, "BaseConnector", "swap", [tokenIn, amountIn, lifiCalldata]),
  aaveSupply: (stack: ProductStack, token: Address, amount: bigint): GateCall =>
    productCall(stack.connectors.aave, "AaveV3Connector", "supply", [token, amount]),
  aaveWithdraw: (stack: ProductStack, token: Address, amount: bigint): GateCall =>
    productCall(stack.connectors.aave, "AaveV3Connector", "withdraw", [token, amount]),
  morphoDeposit: (stack: ProductStack, amount: bigint, minShares: bigint): GateCall =>
    productCall(stack.connectors.morpho, "ERC4626Connector", "deposit", [stack.asset, amount, minShares]),
  morphoWithdraw: (stack: ProductStack, amount: bigint, maxShares: bigint): GateCall =>
    productCall(stack.connectors.morpho, "ERC4626Connector", "withdraw", [stack.asset, amount, maxShares]),
} as const;

/** A hash committing to the signal snapshot and plan behind a batch (what `Executed` records). */
export function provenanceHash(description: string): Hex {
  return keccak256(toHex(description));
}

export interface GateExecution {
  readonly hash: Hex;
  readonly receipt: TransactionReceipt;
  /** the gate nonce the batch consumed */
  readonly nonce: bigint;
}

/**
 * Has `signers` (default: the first two operators) sign `calls` as an EIP-712 batch and submits it
 * through the KeeperGate from `submitter` (default: the strategist). The deadline is ten minutes after
 * the latest block unless given.
 */
export async function gateExecute(
  stack: ProductStack,
  accounts: readonly Clients[],
  calls: readonly GateCall[],
  provenance: Hex,
  options: { signers?: readonly number[]; submitter?: number; deadline?: bigint } = {},
): Promise<GateExecution> {
  const submitter = accountAt(accounts, options.submitter ?? stack.roles.strategist, "submitter");
  const signerIndices = options.signers ?? stack.roles.operators.slice(0, 2);
  const signers = signerIndices.map((i) => accountAt(accounts, i, "operator").wallet);
  const deadline = options.deadline ?? (await submitter.public.getBlock()).timestamp + 600n;
  const nonce = await read<bigint>(submitter, {
    address: stack.gate,
    abi: keeperGateArtifact().abi,
    functionName: "nonce",
  });
  const hash = await executeSigned(
    submitter,
    stack.gate,
    { vault: stack.vault, calls, deadline, provenance },
    signers,
  );
  const receipt = await submitter.public.getTransactionReceipt({ hash });
  return { hash, receipt, nonce };
}

/** The account playing `role` in `stack`. */
export function stackAccount(
  stack: ProductStack,
  accounts: readonly Clients[],
  role: "deployer" | "guardian" | "strategist",
): Clients {
  return accountAt(accounts, stack.roles[role], role);
}
