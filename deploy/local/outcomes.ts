import { type Address, type Hex, getAddress, keccak256, parseUnits, toHex } from "viem";
import type { Clients } from "../lib/clients.js";
import {
  createFpmm,
  deployFpmmFactory,
  fundFpmm,
  prepareCondition,
} from "../protocols/fixedProductMarketMaker.js";
import { mintMockToken } from "../protocols/tokens.js";
import type { LocalProtocols } from "./protocols.js";

/** A binary USDC market on the local Conditional Tokens with a funded FixedProductMarketMaker. */
export interface LocalOutcomeMarket {
  readonly conditionalTokens: Address;
  readonly fpmmFactory: Address;
  /** the market's collateral: the local USDC */
  readonly collateral: Address;
  /** the account that reports the condition's payouts (the deployer on the local chain) */
  readonly oracle: Address;
  readonly questionId: Hex;
  readonly conditionId: Hex;
  readonly outcomeSlotCount: number;
  readonly pool: Address;
  /** pool fee, 18 decimals */
  readonly fee: bigint;
}

export const LOCAL_OUTCOME_QUESTION = "local: will the local stack resolve YES?";
/** 2 %, the fee Omen pools use. */
export const LOCAL_POOL_FEE = parseUnits("0.02", 18);
export const LOCAL_POOL_LIQUIDITY = parseUnits("100000", 6);

/**
 * Deploys the real FixedProductMarketMakerFactory, prepares a condition answered by the deployer,
 * creates its pool in USDC and funds it at even odds with freshly minted local USDC.
 */
export async function deployLocalOutcomeMarket(
  clients: Clients,
  protocols: Pick<LocalProtocols, "conditionalTokens" | "tokens">,
  options: { question?: string; outcomeSlotCount?: number; liquidity?: bigint } = {},
): Promise<LocalOutcomeMarket> {
  const deployer = getAddress(clients.wallet.account.address);
  const questionId = keccak256(toHex(options.question ?? LOCAL_OUTCOME_QUESTION));
  const outcomeSlotCount = options.outcomeSlotCount ?? 2;
  const liquidity = options.liquidity ?? LOCAL_POOL_LIQUIDITY;
  const fpmmFactory = await deployFpmmFactory(clients);
  const conditionId = await prepareCondition(clients, protocols.conditionalTokens, {
    oracle: deployer,
    questionId,
    outcomeSlotCount,
  });
  const pool = await createFpmm(clients, fpmmFactory, {
    conditionalTokens: protocols.conditionalTokens,
    collateral: protocols.tokens.usdc,
    conditionId,
    fee: LOCAL_POOL_FEE,
  });
  await mintMockToken(clients, protocols.tokens.usdc, deployer, liquidity);
  await fundFpmm(clients, pool, protocols.tokens.usdc, liquidity);
  return {
    conditionalTokens: protocols.conditionalTokens,
    fpmmFactory,
    collateral: getAddress(protocols.tokens.usdc),
    oracle: deployer,
    questionId,
    conditionId,
    outcomeSlotCount,
    pool,
    fee: LOCAL_POOL_FEE,
  };
}
