import { erc20Abi, parseAbi, parseAbiItem, type Address, type Hex, type PublicClient } from "viem";
import type { OnChainNegRiskMarket, VerifiedResolution, VenueMarket } from "../strategy/outcomes/index.js";

/**
 * The chain side of the outcome-arbitrage task: what the strategies must verify on chain rather
 * than take from the venue (a negRisk market's question count and fee, a resolution's payout),
 * and what the order tracker reads back (order status on the exchange, the connector's balances).
 * All reads at one block per call.
 */

export const NEG_RISK_ADAPTER_READS = parseAbi([
  "function getQuestionCount(bytes32 marketId) view returns (uint256)",
  "function getFeeBips(bytes32 marketId) view returns (uint256)",
  "function getDetermined(bytes32 marketId) view returns (bool)",
]);

export const CONDITIONAL_TOKENS_READS = parseAbi([
  "function payoutDenominator(bytes32 conditionId) view returns (uint256)",
  "function payoutNumerators(bytes32 conditionId, uint256 index) view returns (uint256)",
  "function balanceOf(address owner, uint256 id) view returns (uint256)",
  "function balanceOfBatch(address[] owners, uint256[] ids) view returns (uint256[])",
]);

export const CTF_EXCHANGE_READS = parseAbi([
  "function nonces(address maker) view returns (uint256)",
  "function getOrderStatus(bytes32 orderHash) view returns ((bool isFilledOrCancelled, uint256 remaining))",
  "function paused() view returns (bool)",
]);

export const POLYMARKET_CONNECTOR_ORDER_READS = parseAbi([
  "struct OpenOrder { uint256 tokenId; uint128 makerAmount; uint128 takerAmount; uint64 expiration; uint8 side; bool negRisk; }",
  "function openOrder(bytes32 orderHash) view returns (OpenOrder)",
  "function openOrderHashes() view returns (bytes32[])",
]);

export const ORDER_FILLED = parseAbiItem(
  "event OrderFilled(bytes32 indexed orderHash, address indexed maker, address indexed taker, uint256 makerAssetId, uint256 takerAssetId, uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 fee)",
);

/** How far back the fills of an open order are looked up (blocks): orders live minutes, not days. */
export const FILL_LOOKBACK_BLOCKS = 50_000n;

/** One fill of one of the connector's orders, as the exchange's `OrderFilled` event reports it. */
export interface ExchangeFill {
  readonly id: string;
  readonly orderHash: Hex;
  readonly makerAmountFilled: bigint;
  readonly takerAmountFilled: bigint;
  readonly fee: bigint;
  readonly txHash: Hex;
}

export interface OutcomeChainAddresses {
  readonly connector: Address;
  readonly vault: Address;
  readonly exchange: Address;
  readonly negRiskExchange: Address;
  readonly negRiskAdapter: Address;
  readonly conditionalTokens: Address;
  readonly collateral: Address;
}

export class OutcomeChainReader {
  constructor(
    private readonly client: PublicClient,
    readonly addresses: OutcomeChainAddresses,
  ) {}

  /** The latest block's timestamp (seconds): the clock the exchange checks order expirations by. */
  async blockTime(): Promise<number> {
    return Number((await this.client.getBlock({ blockTag: "latest" })).timestamp);
  }

  /** The adapter's view of each negRisk market: question count, conversion fee, determined. */
  async negRiskMarkets(marketIds: readonly string[]): Promise<Map<string, OnChainNegRiskMarket>> {
    const blockNumber = await this.client.getBlockNumber();
    const adapter = this.addresses.negRiskAdapter;
    const out = new Map<string, OnChainNegRiskMarket>();
    await Promise.all(
      marketIds.map(async (id) => {
        const args = [id as Hex] as const;
        const [count, fee, determined] = await Promise.all([
          this.client.readContract({
            address: adapter,
            abi: NEG_RISK_ADAPTER_READS,
            functionName: "getQuestionCount",
            args,
            blockNumber,
          }),
          this.client.readContract({
            address: adapter,
            abi: NEG_RISK_ADAPTER_READS,
            functionName: "getFeeBips",
            args,
            blockNumber,
          }),
          this.client.readContract({
            address: adapter,
            abi: NEG_RISK_ADAPTER_READS,
            functionName: "getDetermined",
            args,
            blockNumber,
          }),
        ]);
        // a market the adapter does not know has no questions: the strategy refuses it by count
        out.set(id, { questionCount: Number(count), feeBips: Number(fee), determined });
      }),
    );
    return out;
  }

  /**
   * Resolutions the CTF has recorded (payoutDenominator > 0) for markets the venue reports as no
   * longer open; the winning token is the one whose outcome index has the whole payout (index 0 =
   * YES, 1 = NO, as Polymarket prepares conditions). Split payouts are not resolution arbitrage.
   */
  async verifiedResolutions(markets: readonly VenueMarket[]): Promise<Map<string, VerifiedResolution>> {
    const ctf = this.addresses.conditionalTokens;
    const out = new Map<string, VerifiedResolution>();
    for (const m of markets) {
      if (m.status === "open") continue;
      const conditionId = m.conditionId as Hex;
      const denominator = await this.client.readContract({
        address: ctf,
        abi: CONDITIONAL_TOKENS_READS,
        functionName: "payoutDenominator",
        args: [conditionId],
      });
      if (denominator === 0n) continue;
      const [yes, no] = await Promise.all(
        [0n, 1n].map((i) =>
          this.client.readContract({
            address: ctf,
            abi: CONDITIONAL_TOKENS_READS,
            functionName: "payoutNumerators",
            args: [conditionId, i],
          }),
        ),
      );
      const winner = yes === denominator ? m.yesTokenId : no === denominator ? m.noTokenId : null;
      if (winner)
        out.set(m.conditionId.toLowerCase(), {
          conditionId: m.conditionId,
          winningTokenId: winner,
          source: m.negRiskMarketId ? "negrisk-adapter" : "ctf-payout",
        });
    }
    return out;
  }

  /**
   * The connector's collateral, the vault's idle collateral (what a batch can move to the connector
   * first), the vault's NAV and the connector's nonce on the exchange.
   */
  async accounts(
    negRisk: boolean,
  ): Promise<{ collateral: bigint; idle: bigint; nav: bigint; nonce: bigint; paused: boolean }> {
    const { collateral, connector, vault } = this.addresses;
    const exchange = negRisk ? this.addresses.negRiskExchange : this.addresses.exchange;
    const [balance, idle, nav, nonce, paused] = await Promise.all([
      this.client.readContract({
        address: collateral,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [connector],
      }),
      this.client.readContract({
        address: collateral,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [vault],
      }),
      this.client.readContract({
        address: vault,
        abi: parseAbi(["function totalAssets() view returns (uint256)"]),
        functionName: "totalAssets",
      }),
      this.client.readContract({
        address: exchange,
        abi: CTF_EXCHANGE_READS,
        functionName: "nonces",
        args: [connector],
      }),
      this.client.readContract({ address: exchange, abi: CTF_EXCHANGE_READS, functionName: "paused" }),
    ]);
    return { collateral: balance, idle, nav, nonce, paused };
  }

  /**
   * Every `OrderFilled` of `hashes` on `exchange` in the last FILL_LOOKBACK_BLOCKS: what each fill
   * moved, to the unit. (`getOrderStatus` alone cannot tell a filled order from one cancelled before
   * any fill: both read `isFilledOrCancelled` with nothing remaining.)
   */
  async fills(exchange: Address, hashes: readonly Hex[], blockNumber?: bigint): Promise<ExchangeFill[]> {
    if (hashes.length === 0) return [];
    const latest = blockNumber ?? (await this.client.getBlockNumber());
    const logs = await this.client.getLogs({
      address: exchange,
      event: ORDER_FILLED,
      args: { orderHash: [...hashes] },
      fromBlock: latest > FILL_LOOKBACK_BLOCKS ? latest - FILL_LOOKBACK_BLOCKS : 0n,
      toBlock: latest,
    });
    return logs.map((log) => ({
      id: `${log.transactionHash}:${log.logIndex}`,
      orderHash: log.args.orderHash!,
      makerAmountFilled: log.args.makerAmountFilled!,
      takerAmountFilled: log.args.takerAmountFilled!,
      fee: log.args.fee!,
      txHash: log.transactionHash,
    }));
  }

  /**
   * Whether the connector placed the order `hash`: open on the connector, or known to the exchange
   * (filled, partly filled or cancelled) after the connector closed it.
   */
  async isPlaced(exchange: Address, hash: Hex): Promise<boolean> {
    const [open, status] = await Promise.all([
      this.client.readContract({
        address: this.addresses.connector,
        abi: POLYMARKET_CONNECTOR_ORDER_READS,
        functionName: "openOrder",
        args: [hash],
      }),
      this.orderStatus(exchange, hash),
    ]);
    return open.expiration !== 0n || status.isFilledOrCancelled || status.remaining !== 0n;
  }

  /** The exchange's record of an order: filled or cancelled, and what is left of makerAmount. */
  async orderStatus(
    exchange: Address,
    hash: Hex,
    blockNumber?: bigint,
  ): Promise<{ isFilledOrCancelled: boolean; remaining: bigint }> {
    return this.client.readContract({
      address: exchange,
      abi: CTF_EXCHANGE_READS,
      functionName: "getOrderStatus",
      args: [hash],
      ...(blockNumber !== undefined ? { blockNumber } : {}),
    });
  }

  /** The latest block number: pin a group of reads that must agree (fills and statuses) to it. */
  async blockNumber(): Promise<bigint> {
    return this.client.getBlockNumber();
  }

  /** Hashes (lower case) of the orders the connector records as open: placed and not closed, filled or not. */
  async openOrderHashes(): Promise<Set<string>> {
    const hashes = await this.client.readContract({
      address: this.addresses.connector,
      abi: POLYMARKET_CONNECTOR_ORDER_READS,
      functionName: "openOrderHashes",
    });
    return new Set(hashes.map((h) => h.toLowerCase()));
  }

  /** The connector's CTF balances of `tokenIds`. */
  async balances(tokenIds: readonly string[]): Promise<Map<string, bigint>> {
    if (tokenIds.length === 0) return new Map();
    const amounts = await this.client.readContract({
      address: this.addresses.conditionalTokens,
      abi: CONDITIONAL_TOKENS_READS,
      functionName: "balanceOfBatch",
      args: [tokenIds.map(() => this.addresses.connector), tokenIds.map((t) => BigInt(t))],
    });
    return new Map(tokenIds.map((t, i) => [t, amounts[i] ?? 0n]));
  }
}
