import { hashTypedData, zeroAddress, type Address, type Hex } from "viem";
import type { PlanAction, PmOrder } from "./actions.js";
import type { LockStep, OrderTerms } from "./outcomeOrders.js";

/** Polymarket's `SignatureType.POLY_1271`: a contract maker that answers ERC-1271 for its own orders. */
export const POLY_1271 = 3 as const;

/** The CTF Exchange's EIP-712 Order type, field for field (the exchange's ORDER_TYPEHASH). */
export const CTF_ORDER_TYPES = {
  Order: [
    { name: "salt", type: "uint256" },
    { name: "maker", type: "address" },
    { name: "signer", type: "address" },
    { name: "taker", type: "address" },
    { name: "tokenId", type: "uint256" },
    { name: "makerAmount", type: "uint256" },
    { name: "takerAmount", type: "uint256" },
    { name: "expiration", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "feeRateBps", type: "uint256" },
    { name: "side", type: "uint8" },
    { name: "signatureType", type: "uint8" },
  ],
} as const;

/** The exchange's `Order` struct for one of the connector's orders: maker = signer = connector, POLY_1271, no signature. */
export function connectorOrder(terms: OrderTerms, connector: Address) {
  return {
    salt: BigInt(terms.salt),
    maker: connector,
    signer: connector,
    taker: zeroAddress as Address,
    tokenId: BigInt(terms.tokenId),
    makerAmount: BigInt(terms.makerAmount),
    takerAmount: BigInt(terms.takerAmount),
    expiration: BigInt(terms.expiration),
    nonce: BigInt(terms.nonce),
    feeRateBps: BigInt(terms.feeRateBps),
    side: terms.side === "BUY" ? 0 : 1,
    signatureType: POLY_1271,
    signature: "0x" as Hex,
  } as const;
}

/** The CTF Exchange's EIP-712 domain on `exchange` (its name and version, as the exchange hashes them). */
export function ctfExchangeDomain(chainId: number, exchange: Address) {
  return { name: "Polymarket CTF Exchange", version: "1", chainId, verifyingContract: exchange } as const;
}

/** The order's EIP-712 hash on `exchange` (what `exchange.hashOrder` returns and the connector records). */
export function connectorOrderHash(
  terms: OrderTerms,
  connector: Address,
  chainId: number,
  exchange: Address,
): Hex {
  const { signature: _signature, ...message } = connectorOrder(terms, connector);
  return hashTypedData({
    domain: ctfExchangeDomain(chainId, exchange),
    types: CTF_ORDER_TYPES,
    primaryType: "Order",
    message,
  });
}

/** How the cycle turns orders and lock steps into the connector's plan actions. */
export interface OutcomeStepActions {
  orderHash(terms: OrderTerms, exchange: Address): Hex;
  placeOrders(orders: readonly OrderTerms[], exchange: Address): PlanAction;
  closeOrders(orders: readonly OrderTerms[], exchange: Address): PlanAction;
  steps(steps: readonly LockStep[]): PlanAction[];
}

/** The JSON-safe `PmOrder` of one of the connector's orders (what `pmPlaceOrders` and `pmCloseOrders` carry). */
export function connectorPmOrder(terms: OrderTerms, connector: Address): PmOrder {
  const o = connectorOrder(terms, connector);
  return {
    salt: o.salt.toString(),
    maker: o.maker,
    signer: o.signer,
    taker: o.taker,
    tokenId: o.tokenId.toString(),
    makerAmount: o.makerAmount.toString(),
    takerAmount: o.takerAmount.toString(),
    expiration: o.expiration.toString(),
    nonce: o.nonce.toString(),
    feeRateBps: o.feeRateBps.toString(),
    side: o.side,
    signatureType: o.signatureType,
    signature: o.signature,
  };
}

/**
 * The PolymarketConnector's plan actions for the cycle's orders and lock steps: orders as the
 * connector's POLY_1271 structs (the connector signs them by recording their hashes), `notional`
 * the sum of their maker amounts (the figure the connector checks and a mandate bounds), and each
 * lock step in the vault's base asset. A redemption must pay at least the winning tokens held.
 */
export function polymarketStepActions(p: {
  readonly connector: Address;
  readonly collateral: Address;
  readonly chainId: number;
}): OutcomeStepActions {
  const { connector, collateral: token } = p;
  return {
    orderHash: (terms, exchange) => connectorOrderHash(terms, connector, p.chainId, exchange),
    placeOrders: (orders) => ({
      kind: "pmPlaceOrders",
      connector,
      token,
      notional: orders.reduce((sum, o) => sum + BigInt(o.makerAmount), 0n).toString(),
      orders: orders.map((o) => connectorPmOrder(o, connector)),
    }),
    closeOrders: (orders) => ({
      kind: "pmCloseOrders",
      connector,
      orders: orders.map((o) => connectorPmOrder(o, connector)),
    }),
    steps: (steps) =>
      steps.map((s): PlanAction => {
        switch (s.kind) {
          case "pmMerge":
          case "pmSplit":
            return { kind: s.kind, connector, token, amount: s.amount, conditionId: s.conditionId as Hex };
          case "pmConvert":
            return {
              kind: "pmConvert",
              connector,
              token,
              amount: s.amount,
              marketId: s.marketId as Hex,
              indexSet: s.indexSet,
            };
          case "pmRedeem":
            return {
              kind: "pmRedeem",
              connector,
              token,
              minPayout: s.amount,
              conditionId: s.conditionId as Hex,
            };
        }
      }),
  };
}
