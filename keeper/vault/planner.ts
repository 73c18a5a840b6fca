import { getAddress, type Address, type PublicClient } from "viem";
import { encodePlan, type GateCall } from "../planning/actions.js";
import {
  PRICE_UNIT,
  planRebalance,
  type LpPosition,
  type PlanInputs,
  type PlanSettings,
  type PlannedConnector,
  type RebalancePlan,
} from "../planning/rebalance.js";
import type { TargetAllocation } from "../strategy/index.js";
import { productAbis } from "./abis.js";
import type { SwapQuoter } from "./lifiQuoter.js";

export interface ChainPlannerOptions extends Omit<
  PlanSettings,
  "idleKey" | "settle" | "swaps" | "vault" | "asset" | "connectors"
> {
  readonly client: PublicClient;
  readonly vault: Address;
  readonly registry: Address;
  readonly oracle: Address;
  /** The vault's base asset (USDC). */
  readonly asset: Address;
  /** Policy connector key → connector; the key `idleKey` is the vault's own idle balance. */
  readonly connectors: Readonly<Record<string, PlannedConnector>>;
  readonly idleKey?: string;
  /** Wrapped native token, to value gas in base asset through the oracle. */
  readonly nativeToken: Address;
  /** Quotes LI.FI swaps for connectors with a `swapShare`; the connector calls the Diamond itself. */
  readonly swaps?: {
    readonly quoter: SwapQuoter;
    readonly chainId: number;
    /** a quote whose minimum output is worth less than the input minus this (oracle) is refused */
    readonly maxSlippageBps: bigint;
  };
  /** Settle pending requests inside the rebalance batch (see `PlanSettings.settle`). */
  readonly settle?: boolean;
}

/**
 * The keeper's planner on the chain, in three steps: read the plan's inputs at one block (two
 * rounds of concurrent reads: `readInputs`), run the pure plan (keeper/planning/rebalance.ts), answering
 * each swap it asks for through the LI.FI quoter, and encode its actions into gate calls through
 * the action table. `undefined` means on target; a plan without actions lists the legs skipped.
 */
export class ChainPlanner {
  readonly settings: PlanSettings;
  constructor(private readonly o: ChainPlannerOptions) {
    this.settings = {
      vault: o.vault,
      asset: o.asset,
      connectors: o.connectors,
      idleKey: o.idleKey ?? "idle",
      minMoveAmount: o.minMoveAmount,
      benefitBps: o.benefitBps,
      gasBudgetPerBatch: o.gasBudgetPerBatch,
      maxSlippageBps: o.maxSlippageBps,
      ...(o.swaps ? { swaps: { maxSlippageBps: o.swaps.maxSlippageBps } } : {}),
      settle: o.settle ?? false,
    };
  }

  async plan(allocation: TargetAllocation): Promise<{ plan: RebalancePlan; calls: GateCall[] } | undefined> {
    const inputs = await this.readInputs();
    const planning = planRebalance(this.settings, inputs, allocation);
    let step = planning.next();
    while (!step.done) {
      const swaps = this.o.swaps;
      if (!swaps) throw new Error("the plan asked for a swap quote, but no swaps are configured");
      const request = step.value;
      // the connector calls the LI.FI Diamond itself and receives the output
      const quote = await swaps.quoter.quote({
        chainId: swaps.chainId,
        tokenIn: request.tokenIn,
        tokenOut: request.tokenOut,
        amountIn: request.amountIn,
        fromAddress: request.connector,
        toAddress: request.connector,
      });
      step = planning.next(quote);
    }
    const plan = step.value;
    return plan && { plan, calls: encodePlan(plan) };
  }

  /**
   * Everything the plan needs, read at one block: the vault's NAV and pending requests, each
   * connector's value, loose base asset and Registry cap, ERC-4626 previews, each LP connector's
   * pool price and first position, oracle prices of the swap tokens and the native token, and
   * the gas price. Two rounds of concurrent reads, all at one block number: the second for what
   * depends on the first (an LP position, the pending redemptions' value, the ERC-4626 previews of
   * the NAV after settlement).
   */
  async readInputs(): Promise<PlanInputs> {
    const { vault, registry, asset, oracle } = this.o;
    const client = this.o.client;
    const entries = Object.entries(this.o.connectors);
    const blockNumber = await client.getBlockNumber({ cacheTime: 0 });
    const at = { blockNumber } as const;
    const tokens = [
      this.o.nativeToken,
      ...new Set(entries.flatMap(([, c]) => (c.swapShare ? [getAddress(c.swapShare.token)] : []))),
    ];
    const erc4626 = entries.filter(([, c]) => c.kind === "erc4626");
    const lps = entries.filter(([, c]) => c.kind === "uniswapLp" && c.liquidity);
    const [gasPrice, nav, pending, holdings, prices, pools] = await Promise.all([
      client.getGasPrice(),
      client.readContract({ address: vault, abi: productAbis.vault, functionName: "totalAssets", ...at }),
      client.readContract({ address: vault, abi: productAbis.vault, functionName: "pendingTotals", ...at }),
      Promise.all(
        entries.map(async ([key, c]) => {
          const [[value], loose, config] = await Promise.all([
            client.readContract({
              address: c.address,
              abi: productAbis.connector,
              functionName: "totalValue",
              ...at,
            }),
            client.readContract({
              address: asset,
              abi: productAbis.erc20,
              functionName: "balanceOf",
              args: [c.address],
              ...at,
            }),
            client.readContract({
              address: registry,
              abi: productAbis.registry,
              functionName: "connectorConfig",
              args: [c.address],
              ...at,
            }),
          ]);
          return { key, value, loose, cap: config.enabled ? config.cap : value };
        }),
      ),
      Promise.all(
        tokens.map(async (token) => {
          const [ok, value] = await client.readContract({
            address: oracle,
            abi: productAbis.oracle,
            functionName: "tryValueOf",
            args: [token, PRICE_UNIT],
            ...at,
          });
          return [token.toLowerCase(), ok ? value : undefined] as const;
        }),
      ),
      Promise.all(
        lps.map(async ([key, c]) => {
          const [ids, manager, [sqrtPriceX96, tick]] = await Promise.all([
            client.readContract({
              address: c.address,
              abi: productAbis.uniswap,
              functionName: "positionIds",
              ...at,
            }),
            client.readContract({
              address: c.address,
              abi: productAbis.uniswap,
              functionName: "positionManager",
              ...at,
            }),
            client.readContract({
              address: c.liquidity!.pool,
              abi: productAbis.uniswapPool,
              functionName: "slot0",
              ...at,
            }),
          ]);
          return { key, tokenId: ids[0], manager, sqrtPriceX96, tick };
        }),
      ),
    ]);
    // the second round: what depends on the first
    const previewAssets = nav + pending.depositAssets > 0n ? nav + pending.depositAssets : 1n;
    const [redeems, previews, lp] = await Promise.all([
      this.o.settle && pending.redeemShares > 0n
        ? client.readContract({
            address: vault,
            abi: productAbis.vault,
            functionName: "convertToAssets",
            args: [pending.redeemShares],
            ...at,
          })
        : 0n,
      Promise.all(
        erc4626.map(async ([key, c]) => {
          if (!c.target)
            throw new Error(
              `connector ${c.address} is an ERC-4626 connector without its target vault configured`,
            );
          const preview = (functionName: "previewDeposit" | "previewWithdraw") =>
            client.readContract({
              address: c.target!,
              abi: productAbis.erc4626Target,
              functionName,
              args: [previewAssets],
              ...at,
            });
          const [depositShares, withdrawShares] = await Promise.all([
            preview("previewDeposit"),
            preview("previewWithdraw"),
          ]);
          return [key, { assets: previewAssets, depositShares, withdrawShares }] as const;
        }),
      ),
      Promise.all(
        pools.map(async ({ key, tokenId, manager, sqrtPriceX96, tick }) => {
          if (tokenId === undefined) return [key, { sqrtPriceX96, tick }] as const;
          const [, , token0, , , tickLower, tickUpper, liquidity] = await client.readContract({
            address: manager,
            abi: productAbis.positionManager,
            functionName: "positions",
            args: [tokenId],
            ...at,
          });
          const position: LpPosition = { tokenId, token0, tickLower, tickUpper, liquidity };
          return [key, { sqrtPriceX96, tick, position }] as const;
        }),
      ),
    ]);
    const priced = Object.fromEntries(
      prices.flatMap(([token, value]) => (value === undefined ? [] : [[token, value]])),
    );
    const nativePrice = priced[this.o.nativeToken.toLowerCase()];
    return {
      nav,
      holdings,
      ...(this.o.settle
        ? { pending: { deposits: pending.depositAssets, redeems, redeemShares: pending.redeemShares } }
        : {}),
      gasCostPerUnit: nativePrice === undefined ? undefined : (gasPrice * nativePrice) / PRICE_UNIT,
      prices: priced,
      erc4626: Object.fromEntries(previews),
      lp: Object.fromEntries(lp),
    };
  }
}
