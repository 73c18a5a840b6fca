import {
  ExchangeOrderBuilder,
  OrderSide,
  type SignatureType,
  type SignedOrder,
} from "@polymarket/clob-client";
import { type Address, type Hex, getAddress, parseUnits, zeroAddress } from "viem";
import { POLY_1271 } from "../../planning/outcomeActions.js";

/**
 * CTF Exchange orders for the vault's PolymarketConnector: a contract maker, so the order carries
 * signature type POLY_1271 (3), maker == signer == the connector and an empty signature (`0x`); the
 * exchange asks the connector's `isValidSignature(orderHash, 0x)`, which accepts only the hashes the
 * keeper placed through `placeOrders`. Amounts follow the exchange's units: 6 decimals for collateral
 * and outcome tokens; a BUY pays `makerAmount` collateral for `takerAmount` tokens, a SELL the reverse.
 */

export { POLY_1271 };

export type TickSize = "0.1" | "0.01" | "0.001" | "0.0001";

/** The exchange's `Order` struct with viem types (what `placeOrders` and `matchOrders` take). */
export interface ConnectorOrder {
  readonly salt: bigint;
  readonly maker: Address;
  readonly signer: Address;
  readonly taker: Address;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  readonly expiration: bigint;
  readonly nonce: bigint;
  readonly feeRateBps: bigint;
  readonly side: 0 | 1;
  readonly signatureType: typeof POLY_1271;
  readonly signature: Hex;
}

export interface ConnectorOrderRequest {
  readonly connector: Address;
  readonly tokenId: bigint;
  readonly side: "BUY" | "SELL";
  /** limit price as a decimal string on the market's tick ("0.42") */
  readonly price: string;
  /** outcome tokens as a decimal string, at most 2 decimals like clob-client's orders ("25", "12.5") */
  readonly size: string;
  readonly tickSize: TickSize;
  /** the market's fee rate (`GET /fee-rate`): the CLOB refuses any other */
  readonly feeRateBps: bigint;
  /** unix seconds after which the order cannot fill (the connector requires one) */
  readonly expiration: bigint;
  /** the connector's exchange nonce (`nonces(connector)`), 0 unless it was incremented */
  readonly nonce?: bigint;
  /** entropy; random by default, like clob-client's salts (kept below 2^53: the API sends it as a JSON number) */
  readonly salt?: bigint;
}

/** A request the builder refuses: the order would be refused by the CLOB or the exchange. */
export class OrderBuildError extends Error {
  override readonly name = "OrderBuildError";
}

const TICK_DECIMALS: Readonly<Record<TickSize, number>> = { "0.1": 1, "0.01": 2, "0.001": 3, "0.0001": 4 };

function decimalsOf(text: string): number {
  return text.includes(".") ? (text.split(".")[1]?.length ?? 0) : 0;
}

/** Builds the POLY_1271 order (signature `0x`) for `placeOrders` and `POST /order`. */
export function buildConnectorOrder(request: ConnectorOrderRequest): ConnectorOrder {
  const { price, size, tickSize } = request;
  if (!/^\d+(\.\d+)?$/.test(price) || !/^\d+(\.\d+)?$/.test(size))
    throw new OrderBuildError(`price and size must be decimal strings, got price ${price}, size ${size}`);
  if (decimalsOf(price) > TICK_DECIMALS[tickSize])
    throw new OrderBuildError(`price ${price} is not on the market's tick ${tickSize}`);
  if (decimalsOf(size) > 2) throw new OrderBuildError(`size ${size} has more than 2 decimals`);
  const priceUnits = parseUnits(price, 4);
  const tick = parseUnits(tickSize, 4);
  if (priceUnits % tick !== 0n || priceUnits < tick || priceUnits > 10_000n - tick)
    throw new OrderBuildError(
      `price ${price} must be a multiple of ${tickSize} in [${tickSize}, 1 - ${tickSize}]`,
    );
  const tokens = parseUnits(size, 6);
  if (tokens === 0n) throw new OrderBuildError("size must be positive");
  // tokens (6 decimals, 2 significant) × price (4 decimals) / 10^4 is a whole number of collateral units
  const collateral = (tokens * priceUnits) / 10_000n;
  const connector = getAddress(request.connector);
  const buying = request.side === "BUY";
  return {
    salt: request.salt ?? BigInt(Math.round(Math.random() * Date.now())),
    maker: connector,
    signer: connector,
    taker: zeroAddress,
    tokenId: request.tokenId,
    makerAmount: buying ? collateral : tokens,
    takerAmount: buying ? tokens : collateral,
    expiration: request.expiration,
    nonce: request.nonce ?? 0n,
    feeRateBps: request.feeRateBps,
    side: buying ? 0 : 1,
    signatureType: POLY_1271,
    signature: "0x",
  };
}

/** The order as @polymarket/clob-client's `SignedOrder` (decimal strings), for `postOrder(s)`. */
export function toSignedOrder(order: ConnectorOrder): SignedOrder {
  return {
    salt: order.salt.toString(),
    maker: order.maker,
    signer: order.signer,
    taker: order.taker,
    tokenId: order.tokenId.toString(),
    makerAmount: order.makerAmount.toString(),
    takerAmount: order.takerAmount.toString(),
    expiration: order.expiration.toString(),
    nonce: order.nonce.toString(),
    feeRateBps: order.feeRateBps.toString(),
    side: order.side === 0 ? OrderSide.BUY : OrderSide.SELL,
    // clob-client's SignatureType enum stops at POLY_GNOSIS_SAFE (2); it sends the number as it is
    signatureType: order.signatureType as number as SignatureType,
    signature: order.signature,
  };
}

/**
 * The order's EIP-712 hash (its CLOB order id and the hash `isValidSignature` is asked about), computed
 * by clob-client's ExchangeOrderBuilder for the exchange at `exchange` on `chainId` (the NegRisk CTF
 * Exchange for negRisk markets).
 */
export function connectorOrderHash(order: ConnectorOrder, chainId: number, exchange: Address): Hex {
  // The builder only signs with its signer; hashing needs none.
  const builder = new ExchangeOrderBuilder(exchange, chainId, undefined as never);
  const { signature: _signature, ...unsigned } = toSignedOrder(order);
  return builder.buildOrderHash(builder.buildOrderTypedData(unsigned)) as Hex;
}
