import { type Abi, type Address, getAddress, toFunctionSelector, zeroAddress } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { expectRevert } from "../helpers/revert.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { deployMockFeed } from "../../../deploy/protocols/chainlink.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { defaultVaultConfig, deployVault } from "../../../deploy/product/core.js";
import {
  type ChainlinkFeedConfig,
  ETH_UNIT,
  type RouteConfig,
  USD_UNIT,
  chainlinkHop,
  configureValueOracle,
  deployValueOracle,
} from "../../../deploy/product/oracle.js";

export const abis = {
  oracle: () => projectArtifact("ValueOracle").abi,
  registry: () => projectArtifact("Registry").abi,
  erc20: () => projectArtifact("MockERC20").abi,
  feed: () => projectArtifact("MockV3Aggregator").abi,
  vault: () => projectArtifact("AccountingManager").abi,
};

/** Roles of a valuation test: governance (registry owner), the vault's keeper gate, its guardian, a stranger. */
export interface Actors {
  readonly governance: Clients;
  readonly keeper: Clients;
  readonly guardian: Clients;
  readonly stranger: Clients;
}

export function actors(clientsFor: (index: number) => Clients): Actors {
  return {
    governance: clientsFor(0),
    keeper: clientsFor(1),
    guardian: clientsFor(2),
    stranger: clientsFor(3),
  };
}

/**
 * Deploys a Registry owned by governance, a ValueOracle for `baseAsset` and a real AccountingManager over
 * `baseAsset` (so assets connectors send back are booked through `receiveFromConnector`), and registers it.
 */
export async function deployRegistryAndOracle(
  who: Actors,
  baseAsset: Address,
): Promise<{ registry: Address; oracle: Address; vault: Address }> {
  const registry = getAddress(
    await deploy(who.governance, projectArtifact("Registry"), [who.governance.wallet.account.address]),
  );
  const oracle = getAddress(await deployValueOracle(who.governance, { registry, baseAsset }));
  const vault = await deployVault(who.governance, {
    registry,
    asset: baseAsset,
    name: "Valuation test vault",
    symbol: "vTEST",
    config: defaultVaultConfig(who.governance.wallet.account.address),
  });
  await send(who.governance, {
    address: registry,
    abi: abis.registry(),
    functionName: "registerVault",
    args: [
      vault,
      {
        asset: baseAsset,
        valueOracle: oracle,
        swapHandler: zeroAddress,
        keeperGate: who.keeper.wallet.account.address,
        guardian: who.guardian.wallet.account.address,
        registered: true,
      },
    ],
  });
  return { registry, oracle, vault };
}

/** Assets the vault holds as idle in its own book (what `receiveFromConnector` credits). */
export async function vaultIdle(clients: Clients, vault: Address): Promise<bigint> {
  const book = await read<{ idle: bigint }>(clients, {
    address: vault,
    abi: abis.vault(),
    functionName: "assetBook",
  });
  return book.idle;
}

/** A mintable token and its Chainlink-style feed in one go. */
export async function tokenWithFeed(
  clients: Clients,
  symbol: string,
  decimals: number,
  feedDecimals: number,
  answer: bigint,
): Promise<{ token: Address; feed: Address }> {
  const token = getAddress(await deployMockToken(clients, symbol, symbol, decimals));
  const feed = getAddress(await deployMockFeed(clients, feedDecimals, answer));
  return { token, feed };
}

type TokenWithFeed = Awaited<ReturnType<typeof tokenWithFeed>>;

/** USDC at $1 and WETH at $3,000, each with an 8-decimal USD feed. */
export async function usdcAndWeth(clients: Clients): Promise<{ usdc: TokenWithFeed; weth: TokenWithFeed }> {
  const usdc = await tokenWithFeed(clients, "USDC", 6, 8, 100_000_000n);
  const weth = await tokenWithFeed(clients, "WETH", 18, 8, 3_000n * 10n ** 8n);
  return { usdc, weth };
}

/** The USDC/USD and ETH/USD feeds; `wethHeartbeat` is how stale the ETH/USD answer may get. */
export function usdcWethFeeds(
  usdc: TokenWithFeed,
  weth: TokenWithFeed,
  wethHeartbeat: number,
): ChainlinkFeedConfig[] {
  return [
    {
      feed: usdc.feed,
      base: usdc.token,
      quote: USD_UNIT,
      heartbeat: 86_400,
      minAnswer: 1n,
      maxAnswer: 10n ** 12n,
    },
    {
      feed: weth.feed,
      base: ETH_UNIT,
      quote: USD_UNIT,
      heartbeat: wethHeartbeat,
      minAnswer: 1n,
      maxAnswer: 10n ** 14n,
    },
  ];
}

/** WETH priced in USDC: WETH is ETH, through ETH/USD, then back through USDC/USD. */
export const wethInUsdcRoute = (usdc: TokenWithFeed, weth: TokenWithFeed): RouteConfig => ({
  token: weth.token,
  primary: [chainlinkHop(weth.feed), chainlinkHop(usdc.feed, true)],
});

/**
 * A vault over USDC (see deployRegistryAndOracle) whose oracle prices WETH through ETH/USD and USDC/USD,
 * with an hourly ETH/USD heartbeat.
 */
export async function usdcVaultPricingWeth(
  who: Actors,
  usdc: TokenWithFeed,
  weth: TokenWithFeed,
): Promise<{ registry: Address; oracle: Address; vault: Address }> {
  const deployed = await deployRegistryAndOracle(who, usdc.token);
  await configureValueOracle(who.governance, deployed.oracle, {
    units: [{ token: weth.token, unit: ETH_UNIT }],
    feeds: usdcWethFeeds(usdc, weth, 3_600),
    routes: [wethInUsdcRoute(usdc, weth)],
  });
  return deployed;
}

export async function mint(clients: Clients, token: Address, to: Address, amount: bigint): Promise<void> {
  await mintMockToken(clients, token, to, amount);
}

export async function balanceOf(clients: Clients, token: Address, owner: Address): Promise<bigint> {
  return read<bigint>(clients, {
    address: token,
    abi: abis.erc20(),
    functionName: "balanceOf",
    args: [owner],
  });
}

export async function allowConnectorToken(
  governance: Clients,
  registry: Address,
  connector: Address,
  token: Address,
): Promise<void> {
  await send(governance, {
    address: registry,
    abi: abis.registry(),
    functionName: "setConnectorToken",
    args: [connector, token, true],
  });
}

export async function addConnector(
  governance: Clients,
  registry: Address,
  vault: Address,
  connector: Address,
  cap: bigint,
): Promise<void> {
  await send(governance, {
    address: registry,
    abi: abis.registry(),
    functionName: "addConnector",
    args: [vault, connector, cap],
  });
}

/** The 4-byte selector of a custom error, as tryValueOf reports it. */
export const errorSelector = (signature: string): `0x${string}` =>
  toFunctionSelector(`function ${signature}`);

/** Each `[functionName, args]` call on `target` reverts with NotKeeperGate for governance, the guardian and a stranger. */
export async function expectKeeperGateOnly(
  who: Actors,
  target: { address: Address; abi: Abi },
  calls: readonly (readonly [string, readonly unknown[]])[],
): Promise<void> {
  for (const [functionName, args] of calls) {
    for (const caller of [who.governance, who.guardian, who.stranger]) {
      await expectRevert(send(caller, { ...target, functionName, args }), "NotKeeperGate");
    }
  }
}
