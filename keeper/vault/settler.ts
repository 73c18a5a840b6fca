import { encodeFunctionData, type Address, type PublicClient } from "viem";
import type { EpochSettler, SettlementPlan } from "../service/ports.js";
import { productAbis } from "./abis.js";

/**
 * Settles pending deposit and redeem requests. Before the vault's settlement deadline the keeper
 * gate settles at live NAV (a proposal the operators co-sign); once `settlementDueAt()` has passed,
 * anyone may call `settle()` directly, which this keeper does with its own key.
 */
export class ChainEpochSettler implements EpochSettler {
  constructor(private readonly o: { readonly client: PublicClient; readonly vault: Address }) {}

  async next(): Promise<SettlementPlan | undefined> {
    const { client, vault } = this.o;
    const abi = productAbis.vault();
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      client.readContract({ address: vault, abi, functionName, args }) as Promise<T>;
    const pending = await read<{ depositAssets: bigint; redeemShares: bigint }>("pendingTotals");
    if (pending.depositAssets === 0n && pending.redeemShares === 0n) return undefined;
    const [dueAt, block] = await Promise.all([read<bigint>("settlementDueAt"), client.getBlock()]);
    const data = encodeFunctionData({ abi, functionName: "settle", args: [] });
    if (dueAt !== 0n && block.timestamp >= dueAt) {
      return { route: "direct", intent: { id: `settle:${vault}:${dueAt}`, to: vault, data } };
    }
    const decimals = await read<number>("decimals");
    const [ppsNow, supply, book] = await Promise.all([
      read<bigint>("convertToAssets", [10n ** BigInt(decimals)]),
      read<bigint>("totalSupply"),
      read<{ lastTotalAssets: bigint }>("assetBook"),
    ]);
    const previous =
      supply > 0n && book.lastTotalAssets > 0n
        ? (book.lastTotalAssets * 10n ** BigInt(decimals)) / supply
        : ppsNow;
    const nav = { vault, previousPricePerShare: previous, currentPricePerShare: ppsNow };
    return {
      route: "gate",
      calls: [{ target: vault, data }],
      plan: { kind: "settle", vault, pending, dueAt },
      snapshot: { kind: "settlement", vault, blockNumber: block.number, nav },
      nav,
    };
  }
}
