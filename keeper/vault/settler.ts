import { encodeFunctionData, type Address, type PublicClient } from "viem";
import type { EpochSettler, SettlementPlan } from "./ports.js";
import { productAbis } from "./abis.js";
import { readGuardrailState } from "./lens.js";

/**
 * Settles pending deposit and redeem requests. Before the vault's settlement deadline the keeper
 * gate settles at live NAV (a proposal the operators co-sign); once `settlementDueAt()` has passed,
 * anyone may call `settle()` directly, which this keeper does with its own key.
 */
export class ChainEpochSettler implements EpochSettler {
  constructor(
    private readonly o: {
      readonly client: PublicClient;
      readonly vault: Address;
      /** Connectors by policy key, each checked for a value before a settlement is proposed. */
      readonly connectors?: Readonly<Record<string, Address>>;
    },
  ) {}

  /** Connectors whose value the vault cannot read now (reverts or reports unhealthy), by key. */
  async unvalued(): Promise<string[]> {
    const failing: string[] = [];
    for (const [key, address] of Object.entries(this.o.connectors ?? {})) {
      try {
        const [, healthy] = await this.o.client.readContract({
          address,
          abi: productAbis.connector,
          functionName: "totalValue",
        });
        if (!healthy) failing.push(`${key} (${address}) reports unhealthy`);
      } catch (error) {
        failing.push(`${key} (${address}) cannot be valued: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    return failing;
  }

  async next(): Promise<SettlementPlan | undefined> {
    const { client, vault } = this.o;
    const abi = productAbis.vault;
    const pending = await client.readContract({ address: vault, abi, functionName: "pendingTotals" });
    if (pending.depositAssets === 0n && pending.redeemShares === 0n) return undefined;
    const [dueAt, block] = await Promise.all([
      client.readContract({ address: vault, abi, functionName: "settlementDueAt" }),
      client.getBlock(),
    ]);
    const data = encodeFunctionData({ abi, functionName: "settle" });
    if (dueAt !== 0n && block.timestamp >= dueAt) {
      return { route: "direct", intent: { id: `settle:${vault}:${dueAt}`, to: vault, data } };
    }
    const decimals = await client.readContract({ address: vault, abi, functionName: "decimals" });
    const [ppsNow, supply, book] = await Promise.all([
      client.readContract({
        address: vault,
        abi,
        functionName: "convertToAssets",
        args: [10n ** BigInt(decimals)],
      }),
      client.readContract({ address: vault, abi, functionName: "totalSupply" }),
      client.readContract({ address: vault, abi, functionName: "assetBook" }),
    ]);
    const previous =
      supply > 0n && book.lastTotalAssets > 0n
        ? (book.lastTotalAssets * 10n ** BigInt(decimals)) / supply
        : ppsNow;
    const [{ guardrails, lastNavAt }, liveNav] = await Promise.all([
      readGuardrailState(client, vault),
      client.readContract({ address: vault, abi, functionName: "totalAssets" }),
    ]);
    const nav = {
      vault,
      previousPricePerShare: previous,
      currentPricePerShare: ppsNow,
      // GuardrailMath compares NAVs only once shares exist (the vault's first settlement is free)
      ...(supply > 0n
        ? {
            chain: {
              lastNav: book.lastTotalAssets,
              nav: liveNav,
              elapsedSeconds: block.timestamp - lastNavAt,
              guardrails,
            },
          }
        : {}),
    };
    return {
      route: "gate",
      calls: [{ target: vault, data }],
      plan: {
        kind: "settle",
        vault,
        pending: { depositAssets: pending.depositAssets, redeemShares: pending.redeemShares },
        dueAt,
      },
      snapshot: { kind: "settlement", vault, blockNumber: block.number, nav },
      nav,
      unvalued: await this.unvalued(),
    };
  }
}
