import { z } from "zod";

/** What a venue says about an exclusive outcome group (keeper/strategy reads it as `GroupMetadata`). */
export interface ExclusiveGroupInfo {
  /** Markets the venue lists in the group. */
  readonly legs: number;
  /** Exactly one leg wins: only then is buying every leg below 1 an arbitrage. */
  readonly exhaustive: boolean;
  readonly source: string;
}

const gammaEvent = z
  .object({
    id: z.union([z.string().min(1), z.number()]),
    negRisk: z.boolean().nullish(),
    negRiskMarketID: z.string().nullish(),
    negRiskAugmented: z.boolean().nullish(),
    markets: z.array(z.unknown()),
  })
  .loose();

const kalshiEvent = z
  .object({
    event_ticker: z.string().min(1),
    mutually_exclusive: z.boolean().nullish(),
    markets: z.array(z.unknown()).nullish(),
  })
  .loose();

/**
 * Exclusive groups of a Gamma `/events` page, keyed like the snapshots' `exclusiveGroup`. A negRisk
 * event is exhaustive unless it is augmented (placeholder outcomes such as "Other" can still be
 * added, so the listed legs need not cover every outcome). Events that do not parse are skipped
 * (`parseGammaEvents` reports them).
 */
export function gammaEventGroups(payload: unknown): Map<string, ExclusiveGroupInfo> {
  const out = new Map<string, ExclusiveGroupInfo>();
  for (const raw of Array.isArray(payload) ? payload : []) {
    const e = gammaEvent.safeParse(raw);
    if (!e.success || !e.data.negRisk) continue;
    const augmented = e.data.negRiskAugmented === true;
    out.set(e.data.negRiskMarketID ?? String(e.data.id), {
      legs: e.data.markets.length,
      exhaustive: !augmented,
      source: augmented ? "gamma negRisk event, augmented (not exhaustive)" : "gamma negRisk event",
    });
  }
  return out;
}

/**
 * Exclusive groups of a Kalshi `/events` page. `mutually_exclusive` means at most one market settles
 * YES, not exactly one, so these groups are never marked exhaustive from the venue's data alone.
 */
export function kalshiEventGroups(payload: unknown): Map<string, ExclusiveGroupInfo> {
  const out = new Map<string, ExclusiveGroupInfo>();
  const events = z
    .object({ events: z.array(z.unknown()) })
    .loose()
    .safeParse(payload);
  for (const raw of events.success ? events.data.events : []) {
    const e = kalshiEvent.safeParse(raw);
    if (!e.success || !e.data.mutually_exclusive) continue;
    out.set(e.data.event_ticker, {
      legs: e.data.markets?.length ?? 0,
      exhaustive: false,
      source: "kalshi mutually_exclusive event (at most one YES)",
    });
  }
  return out;
}
