import { z } from "zod";
import type { VenueEvent, VenueMarket, VenueMarketStatus } from "../strategy/outcomes/sets.js";

/**
 * Venue metadata for the outcome-arbitrage strategies from a Gamma `/events` payload: each event's
 * negRisk flags and market list, and each market's condition, question and CLOB token ids,
 * resolution source, end date, fee rate and tick size. Validated item by item: a market that does
 * not parse is reported (with its event and the reason) and left out, so its event's list no longer
 * matches and the strategy refuses the group rather than trading an incomplete one.
 */

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 32 bytes of hex");
const tokenIds = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "clobTokenIds is not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.tuple([z.string().regex(/^\d{1,80}$/), z.string().regex(/^\d{1,80}$/)]));

const gammaMarket = z
  .object({
    conditionId: hex32,
    questionID: hex32.nullish(),
    slug: z.string().min(1),
    question: z.string().default(""),
    clobTokenIds: tokenIds,
    outcomes: z.string().optional(),
    negRisk: z.boolean().nullish(),
    negRiskMarketID: hex32.nullish(),
    resolutionSource: z.string().nullish(),
    endDate: z.string().nullish(),
    closed: z.boolean().nullish(),
    active: z.boolean().nullish(),
    acceptingOrders: z.boolean().nullish(),
    umaResolutionStatus: z.string().nullish(),
    orderPriceMinTickSize: z.number().positive().max(0.1).nullish(),
    takerBaseFee: z.number().int().min(0).max(10_000).nullish(),
  })
  .loose();

const gammaEvent = z
  .object({
    id: z.union([z.string().min(1), z.number()]),
    negRisk: z.boolean().nullish(),
    negRiskMarketID: hex32.nullish(),
    negRiskAugmented: z.boolean().nullish(),
    resolutionSource: z.string().nullish(),
    markets: z.array(z.unknown()),
  })
  .loose();

export interface GammaOutcomeMetadata {
  readonly markets: VenueMarket[];
  readonly events: VenueEvent[];
  readonly rejected: { readonly item: string; readonly reason: string }[];
}

function statusOf(m: z.output<typeof gammaMarket>): VenueMarketStatus {
  const uma = m.umaResolutionStatus?.toLowerCase() ?? "";
  if (uma === "disputed" || uma === "challenged") return "disputed";
  if (uma === "resolved") return "resolved";
  if (m.closed) return "closed";
  if (m.acceptingOrders === false || m.active === false) return "paused";
  return "open";
}

/** Parses a Gamma `/events` payload (an array of events with their markets). */
export function parseGammaOutcomeEvents(payload: unknown): GammaOutcomeMetadata {
  const markets: VenueMarket[] = [];
  const events: VenueEvent[] = [];
  const rejected: { item: string; reason: string }[] = [];
  if (!Array.isArray(payload)) {
    rejected.push({ item: "events", reason: "expected an array of Gamma events" });
    return { markets, events, rejected };
  }
  payload.forEach((raw, i) => {
    const e = gammaEvent.safeParse(raw);
    if (!e.success) {
      rejected.push({ item: `events[${i}]`, reason: e.error.issues.map((x) => x.message).join("; ") });
      return;
    }
    const eventId = String(e.data.id);
    const listed: string[] = [];
    e.data.markets.forEach((rawMarket, j) => {
      const m = gammaMarket.safeParse(rawMarket);
      const conditionId = (rawMarket as { conditionId?: unknown } | null)?.conditionId;
      if (typeof conditionId === "string") listed.push(conditionId);
      if (!m.success) {
        rejected.push({
          item: `events[${i}].markets[${j}]`,
          reason: m.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; "),
        });
        return;
      }
      const [yes, no] = m.data.clobTokenIds;
      const negRiskMarketId =
        m.data.negRisk || e.data.negRisk ? (m.data.negRiskMarketID ?? e.data.negRiskMarketID ?? null) : null;
      const end = m.data.endDate ? Date.parse(m.data.endDate) : Number.NaN;
      markets.push({
        conditionId: m.data.conditionId,
        questionId: m.data.questionID ?? null,
        slug: m.data.slug,
        question: m.data.question,
        yesTokenId: yes,
        noTokenId: no,
        negRiskMarketId,
        eventId,
        resolutionSource: m.data.resolutionSource || e.data.resolutionSource || null,
        endDate: Number.isFinite(end) ? end : null,
        status: statusOf(m.data),
        feeRateBps: m.data.takerBaseFee ?? 0,
        tickSize: m.data.orderPriceMinTickSize ?? 0.01,
      });
    });
    events.push({
      id: eventId,
      negRisk: e.data.negRisk === true,
      negRiskMarketId: e.data.negRiskMarketID ?? null,
      negRiskAugmented: e.data.negRiskAugmented === true,
      marketConditionIds: listed,
    });
  });
  return { markets, events, rejected };
}
