import type { Hex } from "viem";
import type { ClobMarket } from "./clobEngine.js";

/** One event of the local CLOB's markets, as Gamma lists it. */
export interface LocalGammaEvent {
  readonly id: string;
  readonly markets: readonly ClobMarket[];
  /** each negRisk market's question id on the adapter (Gamma's `questionID`), by condition id */
  readonly questionIds?: ReadonlyMap<Hex, Hex>;
  /** the source the market's rules name for its resolution */
  readonly resolutionSource: string;
  /** ISO date the markets close */
  readonly endDate: string;
}

/**
 * A Gamma `/events` payload (the fields the keeper reads, named and typed as Gamma serves them) for
 * markets listed on the local CLOB: the keeper's `outcomes.metadataFile` on the local stack. An
 * event of negRisk markets carries the adapter's market id; its market list is what the keeper
 * checks against the adapter's question count before treating the group as exhaustive.
 */
export function gammaEventsPayload(events: readonly LocalGammaEvent[]): unknown[] {
  return events.map((event) => {
    const negRisk = event.markets.some((m) => m.negRisk);
    return {
      id: event.id,
      negRisk,
      negRiskMarketID: negRisk ? (event.markets[0]?.negRiskMarketId ?? null) : null,
      resolutionSource: event.resolutionSource,
      markets: event.markets.map((m) => ({
        conditionId: m.conditionId,
        questionID: event.questionIds?.get(m.conditionId) ?? null,
        slug: m.slug,
        question: m.question,
        clobTokenIds: JSON.stringify(m.tokens.map(String)),
        outcomes: JSON.stringify(m.outcomes),
        negRisk: m.negRisk,
        negRiskMarketID: m.negRiskMarketId,
        resolutionSource: event.resolutionSource,
        endDate: event.endDate,
        active: true,
        closed: false,
        acceptingOrders: true,
        orderPriceMinTickSize: Number(m.tickSize),
        takerBaseFee: Number(m.feeRateBps),
      })),
    };
  });
}
