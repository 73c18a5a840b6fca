import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
  erc20Abi,
} from "viem";
import { projectArtifact } from "../../lib/artifacts.js";
import { conditionalTokensArtifact } from "../../protocols/conditionalTokens.js";
import { BUY, type ExchangeOrder } from "./orders.js";

/**
 * The CLOB's chain side: reads of the CTF Exchange (validateOrder, paused, order status) and of the
 * makers' funds, by eth_call, and the operator's `matchOrders` transactions.
 */

export interface ExchangeInfo {
  readonly address: Address;
  readonly collateral: Address;
  readonly ctf: Address;
}

export interface MatchCall {
  readonly exchange: Address;
  readonly taker: ExchangeOrder;
  readonly makers: readonly ExchangeOrder[];
  readonly takerFillAmount: bigint;
  readonly makerFillAmounts: readonly bigint[];
}

const exchangeAbi = (): Abi => projectArtifact("ICtfExchange").abi;
const ctfAbi = (): Abi => conditionalTokensArtifact().abi;

/** The named custom error a call reverted with ("InvalidSignature"), else the first line of the failure. */
export function revertReason(error: unknown): string {
  if (error instanceof BaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      return reverted.data?.errorName ?? reverted.reason ?? reverted.shortMessage;
    }
    return error.shortMessage;
  }
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

const asStruct = (o: ExchangeOrder) => ({ ...o });

export class ExchangeGateway {
  private readonly abi = exchangeAbi();
  private readonly ctf = ctfAbi();

  constructor(
    readonly client: PublicClient,
    readonly operator: WalletClient<Transport, Chain, Account>,
  ) {}

  async describe(exchange: Address): Promise<ExchangeInfo> {
    const [collateral, ctf] = await Promise.all([
      this.client.readContract({ address: exchange, abi: this.abi, functionName: "getCollateral" }),
      this.client.readContract({ address: exchange, abi: this.abi, functionName: "getCtf" }),
    ]);
    return { address: exchange, collateral: collateral as Address, ctf: ctf as Address };
  }

  async chainTime(): Promise<bigint> {
    return (await this.client.getBlock({ blockTag: "latest" })).timestamp;
  }

  async paused(exchange: Address): Promise<boolean> {
    return (await this.client.readContract({
      address: exchange,
      abi: this.abi,
      functionName: "paused",
    })) as boolean;
  }

  /** `validateOrder` by eth_call: undefined when valid, else the exchange's error name. */
  async validateOrder(exchange: Address, order: ExchangeOrder): Promise<string | undefined> {
    try {
      await this.client.readContract({
        address: exchange,
        abi: this.abi,
        functionName: "validateOrder",
        args: [asStruct(order)],
      });
      return undefined;
    } catch (error) {
      return revertReason(error);
    }
  }

  async hashOrder(exchange: Address, order: ExchangeOrder): Promise<Hex> {
    return (await this.client.readContract({
      address: exchange,
      abi: this.abi,
      functionName: "hashOrder",
      args: [asStruct(order)],
    })) as Hex;
  }

  /** The maker amount still fillable on chain (the whole makerAmount before the first fill; 0 when done). */
  async remainingOnChain(exchange: Address, order: ExchangeOrder, hash: Hex): Promise<bigint> {
    const status = (await this.client.readContract({
      address: exchange,
      abi: this.abi,
      functionName: "getOrderStatus",
      args: [hash],
    })) as { isFilledOrCancelled: boolean; remaining: bigint };
    if (status.isFilledOrCancelled) return 0n;
    return status.remaining === 0n ? order.makerAmount : status.remaining;
  }

  /**
   * What the maker can put behind an order now: its balance of the maker asset and what the exchange
   * may move (the collateral allowance for a BUY; for a SELL the whole balance if the exchange is an
   * approved CTF operator, else 0).
   */
  async funds(info: ExchangeInfo, order: ExchangeOrder): Promise<{ balance: bigint; spendable: bigint }> {
    if (order.side === BUY) {
      const [balance, allowance] = await Promise.all([
        this.client.readContract({
          address: info.collateral,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [order.maker],
        }),
        this.client.readContract({
          address: info.collateral,
          abi: erc20Abi,
          functionName: "allowance",
          args: [order.maker, info.address],
        }),
      ]);
      return { balance, spendable: allowance };
    }
    const [balance, approved] = await Promise.all([
      this.client.readContract({
        address: info.ctf,
        abi: this.ctf,
        functionName: "balanceOf",
        args: [order.maker, order.tokenId],
      }) as Promise<bigint>,
      this.client.readContract({
        address: info.ctf,
        abi: this.ctf,
        functionName: "isApprovedForAll",
        args: [order.maker, info.address],
      }) as Promise<boolean>,
    ]);
    return { balance, spendable: approved ? balance : 0n };
  }

  private matchArgs(call: MatchCall) {
    return [
      asStruct(call.taker),
      call.makers.map(asStruct),
      call.takerFillAmount,
      [...call.makerFillAmounts],
    ] as const;
  }

  /** `matchOrders` by eth_call from the operator: undefined when it would succeed, else why not. */
  async simulateMatch(call: MatchCall): Promise<string | undefined> {
    try {
      await this.client.simulateContract({
        account: this.operator.account,
        address: call.exchange,
        abi: this.abi,
        functionName: "matchOrders",
        args: this.matchArgs(call),
      });
      return undefined;
    } catch (error) {
      return revertReason(error);
    }
  }

  /** Sends `matchOrders` from the operator; resolves with the transaction hash once it is submitted. */
  async sendMatch(call: MatchCall): Promise<Hex> {
    return this.operator.writeContract({
      address: call.exchange,
      abi: this.abi,
      functionName: "matchOrders",
      args: this.matchArgs(call),
    });
  }
}
