import { type Abi, type Address, zeroAddress } from "viem";
import { type Artifact, deploy, npmAbi, npmArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

const AAVE = "@aave/core-v3/artifacts/contracts";
const RAY = 10n ** 27n;

/** Real Aave v3 artifacts from npm (@aave/core-v3 1.19.3). */
export const aaveArtifacts = {
  pool: (libraries: Record<string, Address>): Artifact =>
    npmArtifact(`${AAVE}/protocol/pool/Pool.sol/Pool.json`, libraries),
  poolAbi: (): Abi => npmAbi(`${AAVE}/protocol/pool/Pool.sol/Pool.json`),
  aToken: (): Artifact => npmArtifact(`${AAVE}/protocol/tokenization/AToken.sol/AToken.json`),
  variableDebtToken: (): Artifact =>
    npmArtifact(`${AAVE}/protocol/tokenization/VariableDebtToken.sol/VariableDebtToken.json`),
  priceOracle: (): Artifact => npmArtifact(`${AAVE}/mocks/oracle/PriceOracle.sol/PriceOracle.json`),
  dataProvider: (): Artifact =>
    npmArtifact(`${AAVE}/misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider.json`),
  configurator: (libraries: Record<string, Address>): Artifact =>
    npmArtifact(`${AAVE}/protocol/pool/PoolConfigurator.sol/PoolConfigurator.json`, libraries),
  configuratorAbi: (): Abi => npmAbi(`${AAVE}/protocol/pool/PoolConfigurator.sol/PoolConfigurator.json`),
};

const art = (file: string): Artifact => npmArtifact(`${AAVE}/${file}`);

/** One reserve to list: collateral parameters in basis points, price in USD with 8 decimals. */
export interface AaveReserve {
  readonly asset: Address;
  readonly decimals: number;
  readonly priceUsd8: bigint;
  readonly ltvBps?: bigint;
  readonly liquidationThresholdBps?: bigint;
  readonly borrowingEnabled: boolean;
}

export interface AaveV3Deployment {
  readonly pool: Address;
  readonly addressesProvider: Address;
  readonly configurator: Address;
  readonly priceOracle: Address;
  readonly dataProvider: Address;
  readonly aTokens: Record<Address, Address>;
  readonly variableDebtTokens: Record<Address, Address>;
}

/**
 * Deploys a minimal but real Aave v3 market: addresses provider, ACL, the Pool and
 * PoolConfigurator proxies with their linked logic libraries, Aave's own mock price oracle,
 * the data provider, token implementations and one rate strategy, then lists `reserves`.
 */
export async function deployAaveV3(
  clients: Clients,
  reserves: readonly AaveReserve[],
): Promise<AaveV3Deployment> {
  const admin = clients.wallet.account.address;
  const providerArt = art("protocol/configuration/PoolAddressesProvider.sol/PoolAddressesProvider.json");
  const addressesProvider = await deploy(clients, providerArt, ["Local", admin]);
  const onProvider = (functionName: string, args: readonly unknown[]) =>
    send(clients, { address: addressesProvider, abi: providerArt.abi, functionName, args });
  await onProvider("setACLAdmin", [admin]);
  const aclArt = art("protocol/configuration/ACLManager.sol/ACLManager.json");
  const acl = await deploy(clients, aclArt, [addressesProvider]);
  await onProvider("setACLManager", [acl]);
  await send(clients, { address: acl, abi: aclArt.abi, functionName: "addPoolAdmin", args: [admin] });

  const libraries: Record<string, Address> = {};
  for (const name of [
    "BorrowLogic",
    "BridgeLogic",
    "EModeLogic",
    "LiquidationLogic",
    "PoolLogic",
    "SupplyLogic",
    "ConfiguratorLogic",
  ]) {
    libraries[name] = await deploy(clients, art(`protocol/libraries/logic/${name}.sol/${name}.json`));
  }
  libraries.FlashLoanLogic = await deploy(
    clients,
    npmArtifact(`${AAVE}/protocol/libraries/logic/FlashLoanLogic.sol/FlashLoanLogic.json`, libraries),
  );
  const poolImpl = await deploy(clients, aaveArtifacts.pool(libraries), [addressesProvider]);
  await onProvider("setPoolImpl", [poolImpl]);
  const pool = await read<Address>(clients, {
    address: addressesProvider,
    abi: providerArt.abi,
    functionName: "getPool",
  });
  await onProvider("setPoolConfiguratorImpl", [await deploy(clients, aaveArtifacts.configurator(libraries))]);
  const configurator = await read<Address>(clients, {
    address: addressesProvider,
    abi: providerArt.abi,
    functionName: "getPoolConfigurator",
  });

  const priceOracle = await deploy(clients, aaveArtifacts.priceOracle());
  await onProvider("setPriceOracle", [priceOracle]);
  const dataProvider = await deploy(clients, aaveArtifacts.dataProvider(), [addressesProvider]);
  await onProvider("setPoolDataProvider", [dataProvider]);

  const aTokenImpl = await deploy(clients, aaveArtifacts.aToken(), [pool]);
  const stableImpl = await deploy(
    clients,
    art("protocol/tokenization/StableDebtToken.sol/StableDebtToken.json"),
    [pool],
  );
  const variableImpl = await deploy(clients, aaveArtifacts.variableDebtToken(), [pool]);
  // optimal usage 80%, base 0%, slopes 4% / 75% (variable), stable disabled in practice
  const rateStrategy = await deploy(
    clients,
    art("protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy.json"),
    [
      addressesProvider,
      (RAY * 8n) / 10n,
      0n,
      (RAY * 4n) / 100n,
      (RAY * 75n) / 100n,
      (RAY * 2n) / 100n,
      (RAY * 75n) / 100n,
      (RAY * 2n) / 100n,
      (RAY * 5n) / 100n,
      (RAY * 2n) / 10n,
    ],
  );

  const cfgAbi = aaveArtifacts.configuratorAbi();
  const onConfigurator = (functionName: string, args: readonly unknown[]) =>
    send(clients, { address: configurator, abi: cfgAbi, functionName, args });
  await onConfigurator("initReserves", [
    reserves.map((r) => ({
      aTokenImpl,
      stableDebtTokenImpl: stableImpl,
      variableDebtTokenImpl: variableImpl,
      underlyingAssetDecimals: r.decimals,
      interestRateStrategyAddress: rateStrategy,
      underlyingAsset: r.asset,
      treasury: admin,
      incentivesController: zeroAddress,
      aTokenName: "Aave local",
      aTokenSymbol: "aLOC",
      variableDebtTokenName: "Aave variable debt local",
      variableDebtTokenSymbol: "vdLOC",
      stableDebtTokenName: "Aave stable debt local",
      stableDebtTokenSymbol: "sdLOC",
      params: "0x",
    })),
  ]);
  const oracleAbi = aaveArtifacts.priceOracle().abi;
  const aTokens: Record<Address, Address> = {};
  const variableDebtTokens: Record<Address, Address> = {};
  for (const r of reserves) {
    await send(clients, {
      address: priceOracle,
      abi: oracleAbi,
      functionName: "setAssetPrice",
      args: [r.asset, r.priceUsd8],
    });
    if (r.ltvBps !== undefined && r.liquidationThresholdBps !== undefined) {
      await onConfigurator("configureReserveAsCollateral", [
        r.asset,
        r.ltvBps,
        r.liquidationThresholdBps,
        10500n,
      ]);
    }
    if (r.borrowingEnabled) await onConfigurator("setReserveBorrowing", [r.asset, true]);
    const [aToken, , variableDebt] = await read<readonly [Address, Address, Address]>(clients, {
      address: dataProvider,
      abi: aaveArtifacts.dataProvider().abi,
      functionName: "getReserveTokensAddresses",
      args: [r.asset],
    });
    aTokens[r.asset] = aToken;
    variableDebtTokens[r.asset] = variableDebt;
  }
  return { pool, addressesProvider, configurator, priceOracle, dataProvider, aTokens, variableDebtTokens };
}
