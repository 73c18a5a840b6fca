import { type Address, encodeFunctionData, getAddress, zeroAddress } from "viem";
import { deploy, projectArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import type { NetworkConfig } from "../networks/schema.js";
import { createSafe } from "../protocols/safe.js";
import type { MorphoMarketParams } from "../protocols/morphoBlue.js";
import { sortTokens, uniswapArtifacts } from "../protocols/uniswapV3.js";
import {
  type GovernanceRunner,
  type TimelockCall,
  defaultVaultConfig,
  deployRegistry,
  deployTimelock,
  deployVault,
  registerVaultCall,
} from "./core.js";
import { deployVaultConnectors } from "./connectors.js";
import { deployKeeperGate } from "./gate.js";
import { EXACT_INPUT, EXACT_INPUT_SINGLE, liFiSwapHandlerArtifact } from "./lifi.js";
import {
  ETH_UNIT,
  type OracleConfig,
  USD_UNIT,
  chainlinkHop,
  deployValueOracle,
  oracleConfigWrites,
  twapHop,
} from "./oracle.js";
import { type ConnectorCaps, DEFAULT_CAPS, DEFAULT_TWAP_WINDOW, keeperAllowlist } from "./stack.js";

/**
 * Production deployment of the product against a network config (deploy/networks/*.json): the
 * deployer bootstraps every contract and the Registry configuration, then hands the Registry to a
 * TimelockController proposed to by a fresh Safe. The hand-over completes when the Safe has the
 * timelock run `Registry.acceptOwnership()` (Ownable2Step): `acceptOwnershipCall` is that batch.
 */

export interface NetworkDeployParams {
  readonly safeOwners: readonly Address[];
  readonly safeThreshold: bigint;
  /** keeper gate signers (k-of-n) */
  readonly operators: readonly Address[];
  readonly gateThreshold: bigint;
  readonly guardian: Address;
  /** seconds every later governance change waits */
  readonly timelockDelay: bigint;
  /** the USDC-loan Morpho Blue market the supply vault lends to (must exist on the network) */
  readonly morphoMarket: MorphoMarketParams;
  readonly twapWindow?: number;
  readonly caps?: ConnectorCaps;
  readonly swapSlippageBps?: bigint;
  /** Uniswap fee tiers of the TWAP pools; default USDC/WETH 0.05 %, USDC/USDT 0.01 % */
  readonly poolFees?: { readonly usdcWeth: number; readonly usdcUsdt: number };
  /** grace period after an L2 sequencer comes back up, seconds (default one hour) */
  readonly sequencerGracePeriod?: number;
}

export interface NetworkDeployment {
  readonly chainId: number;
  readonly safe: Address;
  readonly timelock: Address;
  readonly registry: Address;
  readonly vault: Address;
  readonly oracle: Address;
  readonly gate: Address;
  readonly swapHandler: Address;
  readonly lifiDiamond: Address;
  readonly morphoSupplyVault: Address;
  readonly connectors: { readonly aave: Address; readonly morpho: Address; readonly uniswap: Address };
  readonly pools: { readonly usdcWeth: Address; readonly usdcUsdt: Address };
  /** the batch the Safe proposes to the timelock to take ownership of the Registry */
  readonly acceptOwnershipCall: TimelockCall;
}

/** What would be deployed and configured, without sending anything (for `--dry-run`). */
export interface DeploymentPlan {
  readonly contracts: readonly string[];
  readonly externals: Readonly<Record<string, Address>>;
  readonly governance: string;
}

const STABLE_MAX_ANSWER = 10n * 10n ** 8n;
const ETH_MAX_ANSWER = 1_000_000n * 10n ** 8n;
/** Uniswap v3 stores the observation ring's size in a uint16. */
const MAX_OBSERVATION_CARDINALITY = 65_535;
/** Observation slots added per transaction when a pool's ring must grow (~22k gas each). */
export const CARDINALITY_STEP = 1_000;
const WETH_DEVIATION_BPS = 200;
const USDT_DEVIATION_BPS = 100;
const DEFAULT_SEQUENCER_GRACE = 3_600;
export const DEFAULT_POOL_FEES = { usdcWeth: 500, usdcUsdt: 100 } as const;

/**
 * The observation cardinality a Uniswap v3 pool needs so that its ring always covers `window` seconds on a
 * chain with `blockTimeSeconds` blocks. A pool writes at most one observation per block, so `n` slots
 * span at least `(n - 1)` block intervals: nobody can overwrite a ring this size within one window, which
 * is what a TWAP flush needs (one tick-moving swap per block until `observe(window)` reverts). Throws when
 * the window cannot be covered on that chain (more slots than a pool can hold).
 */
export function twapCardinalityFor(window: number, blockTimeSeconds: number): number {
  if (!(blockTimeSeconds > 0)) throw new Error(`blockTimeSeconds must be positive, got ${blockTimeSeconds}`);
  const cardinality = Math.ceil(window / blockTimeSeconds) + 1;
  if (cardinality > MAX_OBSERVATION_CARDINALITY)
    throw new Error(
      `a ${window} s TWAP window needs ${cardinality} observations at ${blockTimeSeconds} s blocks, more than a Uniswap v3 pool holds (${MAX_OBSERVATION_CARDINALITY}): use a shorter window on this chain`,
    );
  return cardinality;
}

/** The ValueOracle configuration on a network: Chainlink primaries with their heartbeats, Uniswap TWAP checks. */
export function networkOracleConfig(
  config: NetworkConfig,
  pools: NetworkDeployment["pools"],
  twapWindow: number,
  sequencerGracePeriod = DEFAULT_SEQUENCER_GRACE,
): OracleConfig {
  const usdc = config.tokens.USDC.address;
  const usdt = config.tokens.USDT.address;
  const weth = config.tokens.WETH.address;
  const feeds = config.chainlink;
  const minCardinality = twapCardinalityFor(twapWindow, config.blockTimeSeconds);
  const usdcIs0InWeth = sortTokens(usdc, weth)[0] === getAddress(usdc);
  const usdcIs0InUsdt = sortTokens(usdc, usdt)[0] === getAddress(usdc);
  const feed = (address: Address, base: Address, heartbeat: number, maxAnswer: bigint) => ({
    feed: address,
    base,
    quote: USD_UNIT,
    heartbeat,
    minAnswer: 1n,
    maxAnswer,
  });
  return {
    units: [{ token: weth, unit: ETH_UNIT }],
    feeds: [
      feed(feeds["USDC/USD"].address, usdc, feeds["USDC/USD"].heartbeatSeconds, STABLE_MAX_ANSWER),
      feed(feeds["USDT/USD"].address, usdt, feeds["USDT/USD"].heartbeatSeconds, STABLE_MAX_ANSWER),
      feed(feeds["ETH/USD"].address, ETH_UNIT, feeds["ETH/USD"].heartbeatSeconds, ETH_MAX_ANSWER),
    ],
    pools: [
      { pool: pools.usdcWeth, window: twapWindow, minCardinality },
      { pool: pools.usdcUsdt, window: twapWindow, minCardinality },
    ],
    routes: [
      {
        token: weth,
        primary: [chainlinkHop(feeds["ETH/USD"].address), chainlinkHop(feeds["USDC/USD"].address, true)],
        secondary: [twapHop(pools.usdcWeth, usdcIs0InWeth)],
        maxDeviationBps: WETH_DEVIATION_BPS,
      },
      {
        token: usdt,
        primary: [chainlinkHop(feeds["USDT/USD"].address), chainlinkHop(feeds["USDC/USD"].address, true)],
        secondary: [twapHop(pools.usdcUsdt, usdcIs0InUsdt)],
        maxDeviationBps: USDT_DEVIATION_BPS,
      },
    ],
    ...(config.sequencerUptimeFeed
      ? { sequencer: { feed: config.sequencerUptimeFeed, gracePeriod: sequencerGracePeriod } }
      : {}),
  };
}

/** Lists what `deployToNetwork` will deploy and which external contracts it wires in. */
export function planDeployment(config: NetworkConfig, params: NetworkDeployParams): DeploymentPlan {
  const twapWindow = params.twapWindow ?? DEFAULT_TWAP_WINDOW;
  const cardinality = twapCardinalityFor(twapWindow, config.blockTimeSeconds);
  return {
    contracts: [
      `Safe 1.4.1 proxy (${params.safeThreshold}-of-${params.safeOwners.length})`,
      `TimelockController (delay ${params.timelockDelay} s, proposer: the Safe, executors: anyone)`,
      "Registry (bootstrapped by the deployer, then handed to the timelock)",
      "AccountingManager (USDC)",
      "ValueOracle",
      "LiFiSwapHandler",
      `KeeperGate (${params.gateThreshold}-of-${params.operators.length})`,
      "MorphoBlueSupplyVault",
      "AaveV3Connector",
      "ERC4626Connector (Morpho)",
      "UniswapV3Connector",
      `observation rings of the TWAP pools grown to ${cardinality} slots (${twapWindow} s window at ${config.blockTimeSeconds} s blocks)`,
    ],
    externals: {
      USDC: config.tokens.USDC.address,
      USDT: config.tokens.USDT.address,
      WETH: config.tokens.WETH.address,
      "Aave v3 pool": config.aaveV3.pool,
      "Uniswap v3 factory": config.uniswapV3.factory,
      "Uniswap v3 position manager": config.uniswapV3.positionManager,
      ...(config.uniswapV3.swapRouter ? { "Uniswap v3 swap router": config.uniswapV3.swapRouter } : {}),
      "Chainlink USDC/USD": config.chainlink["USDC/USD"].address,
      "Chainlink USDT/USD": config.chainlink["USDT/USD"].address,
      "Chainlink ETH/USD": config.chainlink["ETH/USD"].address,
      ...(config.sequencerUptimeFeed ? { "Sequencer uptime feed": config.sequencerUptimeFeed } : {}),
      "Morpho Blue": config.morphoBlue,
      "Safe singleton": config.safe.singleton,
      "Safe proxy factory": config.safe.proxyFactory,
      "LI.FI Diamond": config.lifiDiamond,
    },
    governance:
      "Safe -> TimelockController -> Registry (Ownable2Step; the Safe's first batch accepts ownership)",
  };
}

export async function poolOf(
  clients: Clients,
  factory: Address,
  a: Address,
  b: Address,
  fee: number,
): Promise<Address> {
  const [token0, token1] = sortTokens(a, b);
  const pool = await read<Address>(clients, {
    address: factory,
    abi: uniswapArtifacts.factory().abi,
    functionName: "getPool",
    args: [token0, token1, fee],
  });
  if (pool === zeroAddress)
    throw new Error(`no Uniswap v3 pool ${token0}/${token1} at fee ${fee} on ${factory}`);
  return getAddress(pool);
}

/**
 * Grows `pool`'s observation ring to at least `cardinality` slots (`increaseObservationCardinalityNext`,
 * open to anyone; the deployer pays), in steps that fit a block. Returns the slots it asked for, 0 if the
 * pool already had them. The ring reaches its new size as the pool writes observations; until then the
 * oracle reads the TWAP as unavailable and prices with the Chainlink primary alone.
 */
export async function ensureObservationCardinality(
  clients: Clients,
  pool: Address,
  cardinality: number,
): Promise<number> {
  const poolAbi = uniswapArtifacts.pool().abi;
  const slot0 = await read<readonly [bigint, number, number, number, number, number, boolean]>(clients, {
    address: pool,
    abi: poolAbi,
    functionName: "slot0",
  });
  const start = slot0[4];
  for (let next = start; next < cardinality;) {
    next = Math.min(cardinality, next + CARDINALITY_STEP);
    await send(clients, {
      address: pool,
      abi: poolAbi,
      functionName: "increaseObservationCardinalityNext",
      args: [next],
    });
  }
  return Math.max(0, cardinality - start);
}

/** Refuses to deploy against a config whose external contracts are missing on the connected chain. */
export async function checkExternals(clients: Clients, config: NetworkConfig): Promise<void> {
  const chainId = await clients.public.getChainId();
  if (chainId !== config.chainId)
    throw new Error(
      `the RPC serves chain ${chainId} but the network config is for chain ${config.chainId} (${config.name})`,
    );
  const required: [string, Address][] = [
    ["tokens.USDC", config.tokens.USDC.address],
    ["tokens.USDT", config.tokens.USDT.address],
    ["tokens.WETH", config.tokens.WETH.address],
    ["aaveV3.pool", config.aaveV3.pool],
    ["uniswapV3.factory", config.uniswapV3.factory],
    ["uniswapV3.positionManager", config.uniswapV3.positionManager],
    ["morphoBlue", config.morphoBlue],
    ["safe.singleton", config.safe.singleton],
    ["safe.proxyFactory", config.safe.proxyFactory],
    ["lifiDiamond", config.lifiDiamond],
    ...Object.entries(config.chainlink).map(
      ([pair, f]) => [`chainlink.${pair}`, f.address] as [string, Address],
    ),
  ];
  for (const [name, address] of required) {
    const code = await clients.public.getCode({ address });
    if (!code || code === "0x") throw new Error(`${name} (${address}) has no code on chain ${chainId}`);
  }
}

/** Sends `call` from the deployer while it still owns the Registry (bootstrap only). */
async function sendCall(clients: Clients, call: TimelockCall): Promise<void> {
  const hash = await clients.wallet.sendTransaction({
    account: clients.wallet.account,
    chain: clients.wallet.chain,
    to: call.target,
    data: call.data,
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`bootstrap call to ${call.target} reverted (tx ${hash})`);
}

const registryCall = (registry: Address, functionName: string, args: readonly unknown[]): TimelockCall => ({
  target: registry,
  data: encodeFunctionData({ abi: projectArtifact("Registry").abi, functionName, args }),
});

/**
 * Deploys and configures the product on the chain `clients` is connected to, wired to the external
 * protocols of `config`. `onStep` reports progress (never keys). Returns every address and the Safe's
 * pending `acceptOwnershipCall`; pass `governance` to run that batch at once (local chains, tests).
 */
export async function deployToNetwork(
  clients: Clients,
  config: NetworkConfig,
  params: NetworkDeployParams,
  options: {
    onStep?: (message: string) => void;
    governance?: (safe: Address, timelock: Address) => GovernanceRunner;
  } = {},
): Promise<NetworkDeployment> {
  const step = options.onStep ?? (() => undefined);
  // Checked before anything is read or sent: a window this chain's pools cannot cover is refused here.
  const twapWindow = params.twapWindow ?? DEFAULT_TWAP_WINDOW;
  const cardinality = twapCardinalityFor(twapWindow, config.blockTimeSeconds);
  await checkExternals(clients, config);
  const swapRouter = config.uniswapV3.swapRouter;
  if (!swapRouter)
    throw new Error(
      `uniswapV3.swapRouter is missing in the ${config.name} config: the swap handler allowlists the original SwapRouter's exactInput calls (SwapRouter02 support is not built)`,
    );
  const usdc = config.tokens.USDC.address;
  const usdt = config.tokens.USDT.address;
  const weth = config.tokens.WETH.address;
  const me = getAddress(clients.wallet.account.address);
  const fees = params.poolFees ?? DEFAULT_POOL_FEES;
  const pools = {
    usdcWeth: await poolOf(clients, config.uniswapV3.factory, usdc, weth, fees.usdcWeth),
    usdcUsdt: await poolOf(clients, config.uniswapV3.factory, usdc, usdt, fees.usdcUsdt),
  };
  if (getAddress(params.morphoMarket.loanToken) !== usdc)
    throw new Error(`morphoMarket.loanToken must be USDC (${usdc}), got ${params.morphoMarket.loanToken}`);

  const safe = await createSafe(clients, config.safe, params.safeOwners, params.safeThreshold);
  step(`Safe ${safe}`);
  const timelock = await deployTimelock(clients, {
    proposers: [safe],
    executors: [zeroAddress],
    minDelay: params.timelockDelay,
  });
  step(`TimelockController ${timelock}`);
  const registry = await deployRegistry(clients, me);
  const vault = await deployVault(clients, {
    registry,
    asset: usdc,
    name: "Agent Vault USDC",
    symbol: "avUSDC",
    config: defaultVaultConfig(safe),
  });
  const oracle = await deployValueOracle(clients, { registry, baseAsset: usdc });
  const swapHandler = await deploy(clients, liFiSwapHandlerArtifact(), [
    registry,
    config.lifiDiamond,
    params.swapSlippageBps ?? 100n,
  ]);
  const gate = await deployKeeperGate(clients, {
    registry,
    vault,
    signers: params.operators,
    threshold: params.gateThreshold,
  });
  step(`Registry ${registry}, vault ${vault}, oracle ${oracle}, swap handler ${swapHandler}, gate ${gate}`);

  for (const pool of [pools.usdcWeth, pools.usdcUsdt]) {
    const added = await ensureObservationCardinality(clients, pool, cardinality);
    if (added > 0) step(`pool ${pool}: observation ring grown by ${added} to ${cardinality} slots`);
  }
  const handlerAbi = liFiSwapHandlerArtifact().abi;
  const bootstrap: TimelockCall[] = [
    registerVaultCall(registry, vault, usdc, {
      keeperGate: gate,
      guardian: params.guardian,
      valueOracle: oracle,
      swapHandler,
    }),
    ...oracleConfigWrites(
      oracle,
      networkOracleConfig(config, pools, twapWindow, params.sequencerGracePeriod),
    ).map((write) => ({
      target: write.address,
      data: encodeFunctionData({ abi: write.abi, functionName: write.functionName, args: write.args ?? [] }),
    })),
    ...[EXACT_INPUT_SINGLE, EXACT_INPUT].map((selector) => ({
      target: swapHandler,
      data: encodeFunctionData({
        abi: handlerAbi,
        functionName: "setDexCallAllowed",
        args: [swapRouter, selector, true],
      }),
    })),
  ];
  for (const call of bootstrap) await sendCall(clients, call);
  step(`vault registered, oracle configured (${bootstrap.length} calls)`);

  const { morphoSupplyVault, connectors } = await deployVaultConnectors(clients, {
    registry,
    vault,
    aavePool: config.aaveV3.pool,
    morpho: config.morphoBlue,
    morphoMarket: params.morphoMarket,
    morphoSupplyVaultName: "Morpho Blue USDC supply",
    positionManager: config.uniswapV3.positionManager,
  });
  const caps = params.caps ?? DEFAULT_CAPS;
  const configure: TimelockCall[] = [
    registryCall(registry, "addConnector", [vault, connectors.aave, caps.aave]),
    registryCall(registry, "addConnector", [vault, connectors.morpho, caps.morpho]),
    registryCall(registry, "addConnector", [vault, connectors.uniswap, caps.uniswap]),
    registryCall(registry, "setConnectorToken", [connectors.aave, weth, true]),
    registryCall(registry, "setConnectorToken", [connectors.aave, usdt, true]),
    registryCall(registry, "setConnectorToken", [connectors.uniswap, weth, true]),
    ...keeperAllowlist(vault, connectors).map(({ target, selector }) =>
      registryCall(registry, "setAllowedCall", [vault, target, selector, true]),
    ),
    registryCall(registry, "transferOwnership", [timelock]),
  ];
  for (const call of configure) await sendCall(clients, call);
  step(`connectors added, keeper allowlist set, Registry ownership offered to the timelock`);

  const acceptOwnershipCall = registryCall(registry, "acceptOwnership", []);
  if (options.governance) {
    await options.governance(safe, timelock)([acceptOwnershipCall]);
    step("the Safe had the timelock accept the Registry");
  }
  return {
    chainId: config.chainId,
    safe,
    timelock,
    registry,
    vault,
    oracle,
    gate,
    swapHandler,
    lifiDiamond: config.lifiDiamond,
    morphoSupplyVault,
    connectors,
    pools,
    acceptOwnershipCall,
  };
}
