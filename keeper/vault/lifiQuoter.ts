import { createClient, getQuote } from "@lifi/sdk";
import type { Address, Hex } from "viem";

/** A swap quote: the LI.FI calldata the swap handler forwards, and the amounts it promises. */
export interface SwapQuote {
  readonly calldata: Hex;
  readonly toAmount: bigint;
  /** The minimum the calldata itself enforces (after the quote's slippage). */
  readonly toAmountMin: bigint;
}

export interface SwapQuoter {
  quote(request: {
    readonly chainId: number;
    readonly tokenIn: Address;
    readonly tokenOut: Address;
    readonly amountIn: bigint;
    /** the vault's swap handler, which pulls the input and calls the LI.FI Diamond */
    readonly fromAddress: Address;
    /** the connector receiving the output */
    readonly toAddress: Address;
  }): Promise<SwapQuote>;
}

/**
 * Quotes through `@lifi/sdk` (`getQuote`) against `apiUrl`: the LI.FI API, or the local quote
 * service of the local stack (deploy/local/lifiQuoteService.ts). Every quote is validated: calldata
 * present, amounts positive integers.
 */
export class LiFiQuoter implements SwapQuoter {
  private readonly client;
  constructor(
    options: { readonly apiUrl: string; readonly integrator?: string },
    private readonly slippage = 0.003,
  ) {
    this.client = createClient({
      integrator: options.integrator ?? "agent-vault",
      apiUrl: options.apiUrl,
      preloadChains: false,
      disableVersionCheck: true,
    });
  }

  async quote(request: Parameters<SwapQuoter["quote"]>[0]): Promise<SwapQuote> {
    const quote = await getQuote(this.client, {
      fromChain: request.chainId,
      toChain: request.chainId,
      fromToken: request.tokenIn,
      toToken: request.tokenOut,
      fromAmount: request.amountIn.toString(),
      fromAddress: request.fromAddress,
      toAddress: request.toAddress,
      slippage: this.slippage,
    });
    const calldata = quote.transactionRequest?.data;
    if (typeof calldata !== "string" || !/^0x[0-9a-fA-F]*$/.test(calldata))
      throw new Error("LI.FI quote has no transactionRequest.data");
    const amount = (name: string, value: unknown) => {
      if (typeof value !== "string" || !/^[0-9]+$/.test(value) || BigInt(value) === 0n)
        throw new Error(`LI.FI quote ${name} is not a positive integer: ${String(value)}`);
      return BigInt(value);
    };
    return {
      calldata: calldata as Hex,
      toAmount: amount("estimate.toAmount", quote.estimate.toAmount),
      toAmountMin: amount("estimate.toAmountMin", quote.estimate.toAmountMin),
    };
  }
}
