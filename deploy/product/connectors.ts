import { type Address, encodeFunctionData } from "viem";
import { deploy, projectArtifact, read } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import type { MorphoMarketParams } from "../protocols/morphoBlue.js";

/** Shared by every connector: the registry holding roles and the vault (AccountingManager) it serves. */
export interface ConnectorBase {
  readonly registry: Address;
  readonly vault: Address;
}

/** Deploys an AaveV3Connector; `minHealthFactor` has 18 decimals (at least 1.05e18). */
export async function deployAaveV3Connector(
  clients: Clients,
  params: ConnectorBase & { pool: Address; minHealthFactor: bigint },
): Promise<Address> {
  return deploy(clients, projectArtifact("AaveV3Connector"), [
    params.registry,
    params.vault,
    params.pool,
    params.minHealthFactor,
  ]);
}

/** Deploys an ERC4626Connector in front of `target`; `maxLossBps` at most 500. */
export async function deployErc4626Connector(
  clients: Clients,
  params: ConnectorBase & { target: Address; maxLossBps: number },
): Promise<Address> {
  return deploy(clients, projectArtifact("ERC4626Connector"), [
    params.registry,
    params.vault,
    params.target,
    params.maxLossBps,
  ]);
}

/** Deploys a UniswapV3Connector using the real NonfungiblePositionManager. */
export async function deployUniswapV3Connector(
  clients: Clients,
  params: ConnectorBase & { positionManager: Address },
): Promise<Address> {
  return deploy(clients, projectArtifact("UniswapV3Connector"), [
    params.registry,
    params.vault,
    params.positionManager,
  ]);
}

/** Deploys a ConditionalTokensConnector on the real Gnosis ConditionalTokens contract. */
export async function deployConditionalTokensConnector(
  clients: Clients,
  params: ConnectorBase & { conditionalTokens: Address },
): Promise<Address> {
  return deploy(clients, projectArtifact("ConditionalTokensConnector"), [
    params.registry,
    params.vault,
    params.conditionalTokens,
  ]);
}

/** Deploys the ERC-4626 vault that lends into one Morpho Blue market. */
export async function deployMorphoBlueSupplyVault(
  clients: Clients,
  params: { morpho: Address; market: MorphoMarketParams; name: string; symbol: string },
): Promise<Address> {
  return deploy(clients, projectArtifact("MorphoBlueSupplyVault"), [
    params.morpho,
    params.market,
    params.name,
    params.symbol,
  ]);
}

/** Risk settings of the product's three connectors, shared by the local stack and network deployments. */
export const ERC4626_MAX_LOSS_BPS = 10;
export const AAVE_MIN_HEALTH_FACTOR = 1_200_000_000_000_000_000n;

/** The product's three connectors for one vault, and the Morpho supply vault behind the ERC-4626 one. */
export interface VaultConnectors {
  readonly morphoSupplyVault: Address;
  readonly connectors: { readonly aave: Address; readonly morpho: Address; readonly uniswap: Address };
}

/**
 * Deploys the Aave, ERC-4626 (over a Morpho Blue supply vault) and Uniswap v3 connectors of `vault`.
 * Connectors read the vault's asset from the Registry when constructed, so the vault must be registered.
 */
export async function deployVaultConnectors(
  clients: Clients,
  params: ConnectorBase & {
    aavePool: Address;
    morpho: Address;
    morphoMarket: MorphoMarketParams;
    morphoSupplyVaultName: string;
    positionManager: Address;
  },
): Promise<VaultConnectors> {
  const { registry, vault } = params;
  const morphoSupplyVault = await deployMorphoBlueSupplyVault(clients, {
    morpho: params.morpho,
    market: params.morphoMarket,
    name: params.morphoSupplyVaultName,
    symbol: "mbUSDC",
  });
  return {
    morphoSupplyVault,
    connectors: {
      aave: await deployAaveV3Connector(clients, {
        registry,
        vault,
        pool: params.aavePool,
        minHealthFactor: AAVE_MIN_HEALTH_FACTOR,
      }),
      morpho: await deployErc4626Connector(clients, {
        registry,
        vault,
        target: morphoSupplyVault,
        maxLossBps: ERC4626_MAX_LOSS_BPS,
      }),
      uniswap: await deployUniswapV3Connector(clients, {
        registry,
        vault,
        positionManager: params.positionManager,
      }),
    },
  };
}

/** A connector's `totalValue()`: value in base units and whether every part could be priced. */
export async function connectorValue(
  clients: Pick<Clients, "public">,
  connector: Address,
): Promise<{ value: bigint; healthy: boolean }> {
  const [value, healthy] = await read<readonly [bigint, boolean]>(clients, {
    address: connector,
    abi: projectArtifact("BaseConnector").abi,
    functionName: "totalValue",
  });
  return { value, healthy };
}

const INTRINSIC_GAS = 21_000n;

/** Calldata cost (EIP-2028): 4 gas per zero byte, 16 per non-zero byte. */
function calldataGas(data: `0x${string}`): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/**
 * Execution gas of a view function, measured as the gas a real transaction calling it uses, minus
 * the intrinsic and calldata cost. (estimateGas is not used: functions that catch inner failures,
 * like tryValueOf and totalValue, can "succeed" with less gas by reporting a failure.)
 */
export async function measureViewGas(
  clients: Clients,
  call: { address: Address; data: `0x${string}` },
): Promise<bigint> {
  const hash = await clients.wallet.sendTransaction({
    account: clients.wallet.account,
    chain: clients.wallet.chain,
    to: call.address,
    data: call.data,
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`measured call to ${call.address} reverted (tx ${hash})`);
  return receipt.gasUsed - INTRINSIC_GAS - calldataGas(call.data);
}

/** Gas of one connector's `totalValue()`. */
export async function measureConnectorValueGas(clients: Clients, connector: Address): Promise<bigint> {
  const data = encodeFunctionData({ abi: projectArtifact("BaseConnector").abi, functionName: "totalValue" });
  return measureViewGas(clients, { address: connector, data });
}

/** Gas of `ValueOracle.valueOf(token, amount)`. */
export async function measureValueOfGas(
  clients: Clients,
  oracle: Address,
  token: Address,
  amount: bigint,
): Promise<bigint> {
  const data = encodeFunctionData({
    abi: projectArtifact("ValueOracle").abi,
    functionName: "valueOf",
    args: [token, amount],
  });
  return measureViewGas(clients, { address: oracle, data });
}

/**
 * Gas of a full NAV read over `connectors` in one call, through a ConnectorValueSum probe (deployed
 * once by the caller with `deployNavProbe`): the same loop the AccountingManager's totalAssets runs.
 */
export async function measureNavGas(
  clients: Clients,
  probe: Address,
  connectors: readonly Address[],
): Promise<bigint> {
  const data = encodeFunctionData({
    abi: projectArtifact("ConnectorValueSum").abi,
    functionName: "sum",
    args: [connectors],
  });
  return measureViewGas(clients, { address: probe, data });
}

/** Deploys the NAV probe used by `measureNavGas`. */
export async function deployNavProbe(clients: Clients): Promise<Address> {
  return deploy(clients, projectArtifact("ConnectorValueSum"));
}
