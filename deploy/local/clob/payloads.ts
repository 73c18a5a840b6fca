import { type Address, type Hex, getAddress, isAddress, isHex } from "viem";
import { z } from "zod";
import type { ExchangeOrder, OrderType } from "./orders.js";

/** Request payloads of the CLOB API, as @polymarket/clob-client 5.8.1 sends them (`orderToJson`). */

const uint = z.union([
  z.string().regex(/^\d{1,78}$/, "must be a non-negative integer"),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
]);
const uintBig = uint.transform((v) => BigInt(v));
const address = z
  .string()
  .refine(isAddress, "must be a 0x-prefixed 20-byte address")
  .transform((a): Address => getAddress(a));
const hexBytes = z.string().refine((s) => isHex(s) && s.length % 2 === 0, "must be 0x-prefixed hex bytes");

export const orderJson = z.object({
  salt: uintBig,
  maker: address,
  signer: address,
  taker: address,
  tokenId: uintBig,
  makerAmount: uintBig,
  takerAmount: uintBig,
  side: z.enum(["BUY", "SELL"]),
  expiration: uintBig,
  nonce: uintBig,
  feeRateBps: uintBig,
  signatureType: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  signature: hexBytes,
});

export const postOrderBody = z.object({
  order: orderJson,
  owner: z.string().min(1),
  orderType: z.enum(["GTC", "GTD", "FOK", "FAK"]).default("GTC"),
  deferExec: z.boolean().optional(),
  postOnly: z.boolean().optional(),
});

export const postOrdersBody = z.array(postOrderBody).min(1);

export interface PostedOrder {
  readonly order: ExchangeOrder;
  readonly owner: string;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
}

export function toPostedOrder(body: z.output<typeof postOrderBody>): PostedOrder {
  const o = body.order;
  return {
    order: {
      salt: o.salt,
      maker: o.maker,
      signer: o.signer,
      taker: o.taker,
      tokenId: o.tokenId,
      makerAmount: o.makerAmount,
      takerAmount: o.takerAmount,
      expiration: o.expiration,
      nonce: o.nonce,
      feeRateBps: o.feeRateBps,
      side: o.side === "BUY" ? 0 : 1,
      signatureType: o.signatureType,
      signature: o.signature as Hex,
    },
    owner: body.owner,
    orderType: body.orderType,
    postOnly: body.postOnly ?? false,
  };
}

const orderId = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte order hash");

export const cancelOrderBody = z.object({ orderID: orderId });
export const cancelOrdersBody = z.array(orderId).min(1);
export const cancelMarketBody = z.object({
  market: z.string().optional(),
  asset_id: z.string().optional(),
});

export const tokenIdParam = z.string().regex(/^\d{1,78}$/);
export const bookParams = z.array(
  z.object({ token_id: tokenIdParam, side: z.enum(["BUY", "SELL"]).optional() }),
);
export { orderId };
