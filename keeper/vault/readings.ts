import { getAbiItem, toFunctionSelector, type Abi, type Address, type Hex, type PublicClient } from "viem";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { NavReading, OracleReading } from "../ops/monitors.js";
import type { ReadingsSource, StablecoinReading } from "./ports.js";
import { productAbis } from "./abis.js";
import { readGuardrailState } from "./lens.js";

/** A stablecoin watched through its Chainlink USD feed (the venue the oracle itself trusts). */
export interface PegFeed {
  /** Symbol the strategy's `peg` rules name, e.g. "USDC". */
  readonly symbol: string;
  readonly token: Address;
  readonly feed: Address;
  /** Feed decimals (8 for the USD feeds). */
  readonly decimals: number;
}

export interface OracleProbe {
  readonly symbol: string;
  readonly token: Address;
  /** Amount valued (one whole token). */
  readonly amount: bigint;
}

export interface ChainReadingsOptions {
  readonly client: PublicClient;
  readonly vault: Address;
  readonly oracle: Address;
  readonly connectors: Readonly<Record<string, Address>>;
  readonly pegFeeds: readonly PegFeed[];
  readonly oracleProbes: readonly OracleProbe[];
  readonly logger?: Logger;
}

/** Everything read in one pass; the monitor port uses part of it, the planner and cycle the rest. */
export interface VaultReadings {
  readonly totalAssets: bigint;
  readonly pricePerShare: bigint;
  readonly lastTotalAssets: bigint;
  readonly totalSupply: bigint;
  readonly pending: { readonly depositAssets: bigint; readonly redeemShares: bigint };
  readonly connectors: Readonly<
    Record<string, { readonly address: Address; readonly value: bigint; readonly healthy: boolean }>
  >;
  /** `ValueOracle.tryValueOf` per probe; `reason` is the decoded error name when not ok. */
  readonly prices: Readonly<
    Record<string, { readonly ok: boolean; readonly value: bigint; readonly reason: string | undefined }>
  >;
  /** Feed price as a fraction of the peg, per symbol (e.g. { USDC: 0.9987 }): the strategy's `pegPrices`. */
  readonly pegPrices: Readonly<Record<string, number>>;
  readonly stablecoins: readonly StablecoinReading[];
}

/** Names the custom error behind a `tryValueOf` reason selector, from the oracle's ABI. */
export function decodeOracleReason(abi: Abi, reason: Hex): string | undefined {
  if (/^0x0{8}$/.test(reason)) return undefined;
  for (const item of abi) {
    if (item.type !== "error") continue;
    // an error's selector is that of a function with the same name and inputs
    const selector = toFunctionSelector({
      type: "function",
      name: item.name,
      inputs: item.inputs,
      outputs: [],
      stateMutability: "view",
    });
    if (selector === reason.toLowerCase()) return item.name;
  }
  return `unknown error ${reason}`;
}

/** Reads NAV, connector values, oracle prices and stablecoin pegs from the chain (the monitors' source). */
export class ChainReadingsSource implements ReadingsSource {
  private readonly logger: Logger;
  constructor(private readonly o: ChainReadingsOptions) {
    this.logger = o.logger ?? silentLogger;
  }

  async snapshot(): Promise<VaultReadings> {
    const { vault, oracle } = this.o;
    const client = this.o.client;
    const abi = productAbis.vault;
    const oracleAbi = productAbis.oracle;
    const blockNumber = await client.getBlockNumber({ cacheTime: 0 });
    const at = { blockNumber } as const;
    // one round of concurrent reads at one block, and the share price once the decimals are known
    const [decimals, totalAssets, book, totalSupply, pending, values, probes, feeds] = await Promise.all([
      client.readContract({ address: vault, abi, functionName: "decimals", ...at }),
      client.readContract({ address: vault, abi, functionName: "totalAssets", ...at }),
      client.readContract({ address: vault, abi, functionName: "assetBook", ...at }),
      client.readContract({ address: vault, abi, functionName: "totalSupply", ...at }),
      client.readContract({ address: vault, abi, functionName: "pendingTotals", ...at }),
      Promise.all(
        Object.values(this.o.connectors).map((address) =>
          client.readContract({ address, abi: productAbis.connector, functionName: "totalValue", ...at }),
        ),
      ),
      Promise.all(
        this.o.oracleProbes.map((probe) =>
          client.readContract({
            address: oracle,
            abi: oracleAbi,
            functionName: "tryValueOf",
            args: [probe.token, probe.amount],
            ...at,
          }),
        ),
      ),
      Promise.all(
        this.o.pegFeeds.map((peg) =>
          client.readContract({
            address: peg.feed,
            abi: productAbis.feed,
            functionName: "latestRoundData",
            ...at,
          }),
        ),
      ),
    ]);
    const pricePerShare = await client.readContract({
      address: vault,
      abi,
      functionName: "convertToAssets",
      args: [10n ** BigInt(decimals)],
      ...at,
    });
    const connectors: Record<string, { address: Address; value: bigint; healthy: boolean }> = {};
    Object.entries(this.o.connectors).forEach(([key, address], i) => {
      const [value, healthy] = values[i]!;
      connectors[key] = { address, value, healthy };
    });
    const prices: Record<string, { ok: boolean; value: bigint; reason: string | undefined }> = {};
    this.o.oracleProbes.forEach((probe, i) => {
      const [ok, value, reason] = probes[i]!;
      prices[probe.symbol] = { ok, value, reason: decodeOracleReason(oracleAbi, reason) };
      if (!ok)
        this.logger.warn("oracle cannot price", {
          token: probe.symbol,
          reason: prices[probe.symbol]!.reason,
        });
    });
    const pegPrices: Record<string, number> = {};
    const stablecoins: StablecoinReading[] = [];
    for (const [i, peg] of this.o.pegFeeds.entries()) {
      const [, answer] = feeds[i]!;
      const unit = 10n ** BigInt(peg.decimals);
      pegPrices[peg.symbol] = Number(answer) / Number(unit);
      stablecoins.push({ token: peg.symbol, peg: unit, venues: [{ venue: "chainlink", price: answer }] });
    }
    return {
      totalAssets,
      pricePerShare,
      lastTotalAssets: book.lastTotalAssets,
      totalSupply,
      pending,
      connectors,
      prices,
      pegPrices,
      stablecoins,
    };
  }

  async read(): Promise<{
    nav: NavReading[];
    oracles: OracleReading[];
    stablecoins: readonly StablecoinReading[];
  }> {
    const r = await this.snapshot();
    const nav: NavReading[] = [];
    if (r.totalSupply > 0n && r.lastTotalAssets > 0n && r.pricePerShare > 0n) {
      const decimals = await this.o.client.readContract({
        address: this.o.vault,
        abi: productAbis.vault,
        functionName: "decimals",
      });
      const previous = (r.lastTotalAssets * 10n ** BigInt(decimals)) / r.totalSupply;
      const [{ guardrails, lastNavAt }, block] = await Promise.all([
        readGuardrailState(this.o.client, this.o.vault),
        this.o.client.getBlock(),
      ]);
      if (previous > 0n)
        nav.push({
          vault: this.o.vault,
          previousPricePerShare: previous,
          currentPricePerShare: r.pricePerShare,
          chain: {
            lastNav: r.lastTotalAssets,
            nav: r.totalAssets,
            elapsedSeconds: block.timestamp - lastNavAt,
            guardrails,
          },
        });
    }
    return { nav, oracles: [], stablecoins: r.stablecoins };
  }
}

/** Selector of a function in an ABI (for allowlist and plan checks). */
export function selectorOf(abi: Abi, name: string): Hex {
  const item = getAbiItem({ abi, name });
  if (!item || item.type !== "function") throw new Error(`no function ${name} in the ABI`);
  return toFunctionSelector(item);
}
