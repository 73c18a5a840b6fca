/**
 * Exhaustive outcome sets from venue metadata only. A set is something the venue itself says pays
 * exactly 1 in total: the YES and NO tokens of one binary condition, or the YES tokens of every
 * question of a negRisk market (Gamma `negRiskMarketID`, the event's market list) when that list
 * and the adapter's on-chain question count agree. Groups assembled any other way (slug patterns,
 * outcome names that look complementary, markets with different resolution sources or dates) are
 * pseudo-sets and are refused with a named reason; prices never decide membership.
 */

/** Lifecycle of one market as the venue and the chain report it. */
export type VenueMarketStatus = "open" | "closed" | "paused" | "resolved" | "disputed";

/** One binary market (condition) as the venue lists it: Gamma market + CLOB token ids. */
export interface VenueMarket {
  /** CTF condition id (0x + 64 hex). */
  readonly conditionId: string;
  /** negRisk question id, null for a plain binary market. */
  readonly questionId: string | null;
  readonly slug: string;
  readonly question: string;
  readonly yesTokenId: string;
  readonly noTokenId: string;
  /** Gamma `negRiskMarketID`, null when the market is not part of a negRisk market. */
  readonly negRiskMarketId: string | null;
  /** Gamma event id the market is listed under. */
  readonly eventId: string;
  /** The resolution source named in the market's rules, null when none. */
  readonly resolutionSource: string | null;
  /** Scheduled end, ms since epoch, or null. */
  readonly endDate: number | null;
  readonly status: VenueMarketStatus;
  /** The fee rate the exchange charges on this market (bps). */
  readonly feeRateBps: number;
  /** Price grid (e.g. 0.01). */
  readonly tickSize: number;
}

/** A Gamma event: its negRisk flags and the markets it lists. */
export interface VenueEvent {
  readonly id: string;
  readonly negRisk: boolean;
  readonly negRiskMarketId: string | null;
  /** Placeholder outcomes can still be added: the listed markets need not cover every outcome. */
  readonly negRiskAugmented: boolean;
  /** Condition ids of the markets the event lists. */
  readonly marketConditionIds: readonly string[];
}

/** What the chain says about a negRisk market (NegRiskAdapter views). */
export interface OnChainNegRiskMarket {
  readonly questionCount: number;
  /** The adapter's conversion fee (`getFeeBips`). */
  readonly feeBips: number;
  readonly determined: boolean;
}

/** One leg of an exhaustive set: the token that pays 1 when its outcome happens. */
export interface SetLeg {
  readonly conditionId: string;
  readonly tokenId: string;
  /** The other token of the same condition (NO of a YES leg, YES of a NO leg). */
  readonly complementTokenId: string;
  readonly outcome: string;
  /** Position of the question in the negRisk market (index-set bit), null for a binary set. */
  readonly questionIndex: number | null;
  readonly feeRateBps: number;
  readonly tickSize: number;
}

/** An exhaustive set: exactly one leg pays 1. */
export interface OutcomeSet {
  /** conditionId for a binary set, negRiskMarketId for a negRisk set. */
  readonly id: string;
  readonly kind: "binary" | "negRisk";
  readonly eventId: string;
  readonly legs: readonly SetLeg[];
  /** negRisk only: the adapter's question count when the set was built, and its conversion fee. */
  readonly questionCount: number | null;
  readonly convertFeeBips: number;
  /** Where exhaustiveness comes from (for the report). */
  readonly source: string;
}

export const SET_REFUSALS = [
  /** grouped by slug pattern, outcome names or an operator's list, not by the venue */
  "pseudo-set",
  /** a negRisk event that can still gain outcomes (Gamma `negRiskAugmented`) */
  "augmented",
  /** the event's market list and the markets known for the negRisk market differ */
  "event-list-mismatch",
  /** the adapter's on-chain question count differs from the listed markets */
  "question-count-mismatch",
  /** the on-chain question count could not be read */
  "question-count-unknown",
  /** a leg is closed, paused, resolved or disputed */
  "leg-not-open",
  /** legs name different resolution sources: not one event */
  "mixed-resolution-source",
  /** legs end at different times: not one event */
  "mixed-end-date",
  /** legs carry different fee rates or tick sizes than the market reports */
  "inconsistent-metadata",
] as const;
export type SetRefusalReason = (typeof SET_REFUSALS)[number];

export interface SetRefusal {
  readonly id: string;
  readonly reason: SetRefusalReason;
  readonly detail: string;
}

/** A group someone proposes from outside the venue's metadata (slug patterns, a recorded grouping). */
export interface ProposedGroup {
  readonly id: string;
  readonly conditionIds: readonly string[];
  /** How the group was formed, for the refusal's detail. */
  readonly basis: string;
}

export interface CandidateSets {
  readonly sets: OutcomeSet[];
  readonly refused: SetRefusal[];
}

const refusal = (id: string, reason: SetRefusalReason, detail: string): SetRefusal => ({
  id,
  reason,
  detail,
});

/**
 * The exhaustive sets among `markets`: every open binary market's YES/NO pair, and every negRisk
 * market whose event lists exactly the markets known for it, is not augmented, agrees with the
 * adapter's question count (`onChain`, keyed by negRiskMarketId), and whose legs share one
 * resolution source and end date. `proposed` groups that are not exactly a venue negRisk market are
 * refused as pseudo-sets. Pure: the caller reads the chain and the venue.
 */
export function candidateSets(input: {
  readonly markets: readonly VenueMarket[];
  readonly events: readonly VenueEvent[];
  readonly onChain: ReadonlyMap<string, OnChainNegRiskMarket>;
  readonly proposed?: readonly ProposedGroup[];
}): CandidateSets {
  const sets: OutcomeSet[] = [];
  const refused: SetRefusal[] = [];
  const byCondition = new Map(input.markets.map((m) => [m.conditionId.toLowerCase(), m]));
  for (const m of input.markets) {
    if (m.negRiskMarketId !== null) continue;
    if (m.status !== "open") {
      refused.push(refusal(m.conditionId, "leg-not-open", `${m.slug} is ${m.status}`));
      continue;
    }
    sets.push({
      id: m.conditionId,
      kind: "binary",
      eventId: m.eventId,
      legs: [binaryLeg(m, m.yesTokenId, m.noTokenId, "Yes"), binaryLeg(m, m.noTokenId, m.yesTokenId, "No")],
      questionCount: null,
      convertFeeBips: 0,
      source: "binary condition (YES + NO)",
    });
  }
  const negRiskIds = new Set(input.markets.flatMap((m) => (m.negRiskMarketId ? [m.negRiskMarketId] : [])));
  for (const marketId of negRiskIds) {
    const result = negRiskSet(marketId, input.markets, input.events, input.onChain.get(marketId));
    if ("reason" in result) refused.push(result);
    else sets.push(result);
  }
  const venueGroups = new Map(
    sets.filter((s) => s.kind === "negRisk").map((s) => [s.id, new Set(s.legs.map((l) => l.conditionId))]),
  );
  for (const group of input.proposed ?? []) {
    const ids = group.conditionIds.map((c) => c.toLowerCase());
    const known = ids.map((c) => byCondition.get(c));
    const marketIds = new Set(known.map((m) => m?.negRiskMarketId ?? null));
    const only = marketIds.size === 1 ? [...marketIds][0] : null;
    const venue = only ? venueGroups.get(only) : undefined;
    const same =
      venue !== undefined && venue.size === ids.length && ids.every((c) => venue.has(c.toLowerCase()));
    if (same) continue;
    const sources = new Set(known.map((m) => m?.resolutionSource ?? null));
    const ends = new Set(known.map((m) => m?.endDate ?? null));
    const why =
      sources.size > 1
        ? "; its markets name different resolution sources"
        : ends.size > 1
          ? "; its markets end at different times"
          : "";
    refused.push(
      refusal(
        group.id,
        "pseudo-set",
        `${group.basis}: ${ids.length} markets that are not one venue negRisk market${why}`,
      ),
    );
  }
  return { sets, refused };
}

function binaryLeg(m: VenueMarket, tokenId: string, complement: string, outcome: string): SetLeg {
  return {
    conditionId: m.conditionId,
    tokenId,
    complementTokenId: complement,
    outcome,
    questionIndex: null,
    feeRateBps: m.feeRateBps,
    tickSize: m.tickSize,
  };
}

/**
 * A negRisk question's index in its market: NegRiskIdLib makes a question id the market id with
 * the index in its last byte. Null without a question id.
 */
export function questionIndexOf(m: Pick<VenueMarket, "questionId">): number | null {
  if (m.questionId === null || !/^0x[0-9a-fA-F]{64}$/.test(m.questionId)) return null;
  return Number.parseInt(m.questionId.slice(-2), 16);
}

function negRiskSet(
  marketId: string,
  markets: readonly VenueMarket[],
  events: readonly VenueEvent[],
  chain: OnChainNegRiskMarket | undefined,
): OutcomeSet | SetRefusal {
  const members = markets.filter((m) => m.negRiskMarketId === marketId);
  const event = events.find((e) => e.negRisk && e.negRiskMarketId === marketId);
  if (!event)
    return refusal(marketId, "event-list-mismatch", "no negRisk event lists this market: membership unknown");
  if (event.negRiskAugmented)
    return refusal(marketId, "augmented", "the event is augmented: outcomes can still be added");
  const listed = new Set(event.marketConditionIds.map((c) => c.toLowerCase()));
  const have = new Set(members.map((m) => m.conditionId.toLowerCase()));
  const missing = [...listed].filter((c) => !have.has(c)).length;
  const extra = [...have].filter((c) => !listed.has(c)).length;
  if (missing > 0 || extra > 0)
    return refusal(
      marketId,
      "event-list-mismatch",
      `the event lists ${listed.size} markets; ${members.length} known (${missing} missing, ${extra} not listed)`,
    );
  if (!chain) return refusal(marketId, "question-count-unknown", "the adapter's question count was not read");
  if (chain.questionCount !== members.length)
    return refusal(
      marketId,
      "question-count-mismatch",
      `the adapter counts ${chain.questionCount} questions, the event lists ${members.length}`,
    );
  const closed = members.find((m) => m.status !== "open");
  if (closed || chain.determined)
    return refusal(
      marketId,
      "leg-not-open",
      closed ? `${closed.slug} is ${closed.status}` : "the adapter has determined the market",
    );
  if (new Set(members.map((m) => m.resolutionSource ?? "")).size > 1)
    return refusal(marketId, "mixed-resolution-source", "legs name different resolution sources");
  if (new Set(members.map((m) => m.endDate ?? 0)).size > 1)
    return refusal(marketId, "mixed-end-date", "legs end at different times");
  if (new Set(members.map((m) => `${m.feeRateBps}/${m.tickSize}`)).size > 1)
    return refusal(marketId, "inconsistent-metadata", "legs carry different fee rates or tick sizes");
  const indexes = members.map(questionIndexOf);
  if (indexes.some((i) => i === null || i >= members.length) || new Set(indexes).size !== members.length)
    return refusal(
      marketId,
      "inconsistent-metadata",
      "question ids do not number the questions 0 … n − 1 (NegRiskIdLib)",
    );
  const questionIndex = (m: VenueMarket): number => questionIndexOf(m) as number;
  const legs = [...members]
    .sort((a, b) => questionIndex(a) - questionIndex(b))
    .map((m) => ({
      conditionId: m.conditionId,
      tokenId: m.yesTokenId,
      complementTokenId: m.noTokenId,
      outcome: m.question,
      questionIndex: questionIndex(m),
      feeRateBps: m.feeRateBps,
      tickSize: m.tickSize,
    }));
  return {
    id: marketId,
    kind: "negRisk",
    eventId: event.id,
    legs,
    questionCount: chain.questionCount,
    convertFeeBips: chain.feeBips,
    source: `negRisk market: event lists ${members.length} markets = adapter question count`,
  };
}
