import { type Address, getAddress, toFunctionSelector, zeroAddress } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { deployMockFeed } from "../../../deploy/protocols/chainlink.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { defaultVaultConfig, deployVault } from "../../../deploy/product/core.js";
import { deployValueOracle } from "../../../deploy/product/oracle.js";

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
