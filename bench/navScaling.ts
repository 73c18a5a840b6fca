import { type Address, maxUint256, parseEther, parseUnits, zeroAddress } from "viem";
import { deploy, projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployMockFeed } from "../deploy/protocols/chainlink.js";
import { deployMockToken, mintMockToken } from "../deploy/protocols/tokens.js";
import { deployErc4626Connector, deployNavProbe, measureNavGas } from "../deploy/product/connectors.js";
import {
  ETH_UNIT,
  USD_UNIT,
  chainlinkHop,
  configureValueOracle,
  deployValueOracle,
} from "../deploy/product/oracle.js";

/** NAV gas by connector count. */
export type NavScaling = readonly { connectors: number; gas: bigint }[];

const USDC = (amount: string) => parseUnits(amount, 6);

/**
 * NAV gas over 1..max real ERC4626Connectors, each holding two tokens: idle USDC (the base asset) and
 * WETH priced by the ValueOracle through two Chainlink hops (ETH/USD, then USD/USDC inverted), the
 * valuation issue's NAV scenario. With `vaultPosition`, each connector also holds shares of a plain
 * OpenZeppelin ERC-4626 vault over USDC (a live position valued through convertToAssets). Each count
 * is read through the ConnectorValueSum probe, the same loop the AccountingManager's totalAssets runs.
 * `governance` owns the registry; `keeper` stands as the vault's keeper gate; `vault` is an address
 * standing for the AccountingManager (connectors only report to it here).
 */
export async function measureNavScaling(
  roles: { governance: Clients; keeper: Clients; vault: Address },
  counts: readonly number[],
  options: { vaultPosition: boolean },
): Promise<NavScaling> {
  const g = roles.governance;
  const registryAbi = projectArtifact("Registry").abi;
  const usdc = await deployMockToken(g, "USD Coin", "USDC", 6);
  const weth = await deployMockToken(g, "Wrapped Ether", "WETH", 18);
  const usdcFeed = await deployMockFeed(g, 8, 100_000_000n);
  const ethFeed = await deployMockFeed(g, 8, 3_000n * 10n ** 8n);
  const registry = await deploy(g, projectArtifact("Registry"), [g.wallet.account.address]);
  const oracle = await deployValueOracle(g, { registry, baseAsset: usdc });
  await send(g, {
    address: registry,
    abi: registryAbi,
    functionName: "registerVault",
    args: [
      roles.vault,
      {
        asset: usdc,
        valueOracle: oracle,
        swapHandler: zeroAddress,
        keeperGate: roles.keeper.wallet.account.address,
        guardian: g.wallet.account.address,
        registered: true,
      },
    ],
  });
  await configureValueOracle(g, oracle, {
    units: [{ token: weth, unit: ETH_UNIT }],
    feeds: [
      {
        feed: usdcFeed,
        base: usdc,
        quote: USD_UNIT,
        heartbeat: 86_400,
        minAnswer: 1n,
        maxAnswer: 10n ** 12n,
      },
      {
        feed: ethFeed,
        base: ETH_UNIT,
        quote: USD_UNIT,
        heartbeat: 86_400,
        minAnswer: 1n,
        maxAnswer: 10n ** 14n,
      },
    ],
    routes: [{ token: weth, primary: [chainlinkHop(ethFeed), chainlinkHop(usdcFeed, true)] }],
  });
  const target = await deploy(g, projectArtifact("PlainERC4626"), [usdc]);
  const connectorAbi = projectArtifact("ERC4626Connector").abi;
  const probe = await deployNavProbe(g);

  const connectors: Address[] = [];
  const max = Math.max(...counts);
  for (let i = 0; i < max; i++) {
    const connector = await deployErc4626Connector(g, {
      registry,
      vault: roles.vault,
      target,
      maxLossBps: 10,
    });
    await send(g, {
      address: registry,
      abi: registryAbi,
      functionName: "addConnector",
      args: [roles.vault, connector, maxUint256],
    });
    await send(g, {
      address: registry,
      abi: registryAbi,
      functionName: "setConnectorToken",
      args: [connector, weth, true],
    });
    await mintMockToken(g, usdc, connector, USDC("20000"));
    await mintMockToken(g, weth, connector, parseEther("2"));
    if (options.vaultPosition) {
      await send(roles.keeper, {
        address: connector,
        abi: connectorAbi,
        functionName: "deposit",
        args: [usdc, USDC("10000"), 0n],
      });
    }
    await send(roles.keeper, {
      address: connector,
      abi: connectorAbi,
      functionName: "trackToken",
      args: [weth],
    });
    connectors.push(connector);
  }
  const result: { connectors: number; gas: bigint }[] = [];
  for (const count of counts) {
    result.push({ connectors: count, gas: await measureNavGas(g, probe, connectors.slice(0, count)) });
  }
  return result;
}
