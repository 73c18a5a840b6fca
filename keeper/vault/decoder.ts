import type { Abi, Address, PublicClient } from "viem";
import { ChainDecoder, type KnownContract, type KnownToken } from "../chain/decode.js";
import { productAbis } from "./abis.js";

/** Where the product's contracts are, as far as the caller knows them. */
export interface ProductAddresses {
  readonly vault: Address;
  readonly gate?: Address;
  readonly registry?: Address;
  readonly oracle?: Address;
  /** connector name (e.g. `aave`, `aave-usdc`) → address */
  readonly connectors?: Readonly<Record<string, Address>>;
  /** further tokens whose amounts should print in units */
  readonly tokens?: readonly Address[];
}

/** Every product ABI whose custom errors a revert may carry. */
export function productErrorAbis(): Abi[] {
  return [
    productAbis.vault,
    productAbis.registry,
    productAbis.oracle,
    productAbis.gate,
    productAbis.connector,
    productAbis.aave,
    productAbis.erc4626,
    productAbis.uniswap,
    productAbis.outcomes,
    productAbis.polymarket,
    // the venue's own errors bubble up through the PolymarketConnector (validateOrder, cancel, convert)
    productAbis.ctfExchange,
    productAbis.negRiskAdapter,
    productAbis.swapHandler,
    productAbis.erc20,
  ];
}

async function tokenInfo(client: PublicClient, address: Address): Promise<KnownToken | undefined> {
  const erc20 = productAbis.erc20;
  try {
    const [symbol, decimals] = await Promise.all([
      client.readContract({ address, abi: erc20, functionName: "symbol" }),
      client.readContract({ address, abi: erc20, functionName: "decimals" }),
    ]);
    return { address, symbol, decimals: Number(decimals) };
  } catch {
    return undefined;
  }
}

/**
 * The decoder for one deployed vault: names the vault, gate, registry, oracle and connectors,
 * prints amounts in the base asset's and the share token's units (read from the chain).
 */
export async function productDecoder(client: PublicClient, at: ProductAddresses): Promise<ChainDecoder> {
  const asset = await client.readContract({
    address: at.vault,
    abi: productAbis.vault,
    functionName: "asset",
  });
  const [baseToken, share, ...others] = await Promise.all([
    tokenInfo(client, asset),
    tokenInfo(client, at.vault),
    ...(at.tokens ?? []).map((t) => tokenInfo(client, t)),
  ]);
  const shareToken = share ? { ...share, symbol: "shares" } : undefined;
  return new ChainDecoder({
    abis: productErrorAbis(),
    contracts: knownContracts(at),
    tokens: others.filter((t): t is KnownToken => t !== undefined),
    ...(baseToken ? { baseToken } : {}),
    ...(shareToken ? { shareToken } : {}),
  });
}

function knownContracts(at: ProductAddresses): KnownContract[] {
  const contracts: KnownContract[] = [{ name: "vault", address: at.vault, abi: productAbis.vault }];
  if (at.gate) contracts.push({ name: "gate", address: at.gate, abi: productAbis.gate });
  if (at.registry) contracts.push({ name: "registry", address: at.registry, abi: productAbis.registry });
  if (at.oracle) contracts.push({ name: "oracle", address: at.oracle, abi: productAbis.oracle });
  for (const [name, address] of Object.entries(at.connectors ?? {})) {
    const abi = /uniswap/i.test(name)
      ? productAbis.uniswap
      : /aave/i.test(name)
        ? productAbis.aave
        : /morpho|4626/i.test(name)
          ? productAbis.erc4626
          : productAbis.connector;
    contracts.push({ name: `${name} connector`, address, abi });
  }
  return contracts;
}

/** A decoder that names the given product contracts, without reading units from the chain. */
export function namedProductDecoder(at: ProductAddresses): ChainDecoder {
  return new ChainDecoder({ abis: productErrorAbis(), contracts: knownContracts(at) });
}

/** A decoder that knows the product's errors but no addresses (no chain needed). */
export function productErrorDecoder(): ChainDecoder {
  return new ChainDecoder({ abis: productErrorAbis() });
}
