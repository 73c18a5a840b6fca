import { OrderType } from "@polymarket/clob-client";
import type { Address } from "viem";
import { connectorOrder } from "../../planning/outcomeActions.js";
import type { OrderTerms } from "../../planning/outcomeOrders.js";
import type { LegBook } from "../../strategy/outcomes/index.js";
import type { PolymarketClob } from "./clobClient.js";

/** The CLOB accepts at most this many orders per `POST /orders`. */
export const ORDERS_PER_POST = 15;

/**
 * The outcome task's view of the CLOB through the keeper's client: books as best-first ladders with
 * the time the CLOB stamped them (the staleness guards read it), each token's required fee rate,
 * and posting the connector's placed orders (GTD: they expire with the order's own expiration).
 */
export function clobOutcomeVenue(clob: PolymarketClob, connector: Address) {
  return {
    async books(tokenIds: readonly string[]): Promise<LegBook[]> {
      const books = await clob.books(tokenIds.map((t) => BigInt(t)));
      return books.map((b) => ({
        tokenId: b.asset_id,
        asks: b.asks
          .map((l) => ({ price: Number(l.price), size: Number(l.size) }))
          .sort((x, y) => x.price - y.price),
        bids: b.bids
          .map((l) => ({ price: Number(l.price), size: Number(l.size) }))
          .sort((x, y) => y.price - x.price),
        quotedAt: Number(b.timestamp),
      }));
    },
    async feeRates(tokenIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
      const rates = await Promise.all(
        tokenIds.map(async (t) => [t, Number(await clob.feeRateBps(BigInt(t)))] as const),
      );
      return new Map(rates);
    },
    async postOrders(orders: readonly { readonly terms: OrderTerms }[]) {
      const results: { ok: boolean; error?: string }[] = [];
      for (let i = 0; i < orders.length; i += ORDERS_PER_POST) {
        const answers = await clob.postOrders(
          orders
            .slice(i, i + ORDERS_PER_POST)
            .map((o) => ({ order: connectorOrder(o.terms, connector), orderType: OrderType.GTD })),
        );
        for (const a of answers) results.push(a.success ? { ok: true } : { ok: false, error: a.errorMsg });
      }
      return results;
    },
  };
}
