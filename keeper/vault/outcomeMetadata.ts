import { readFile } from "node:fs/promises";
import { parseGammaOutcomeEvents } from "../signals/gammaOutcomeSets.js";
import { buildUrl, getJson } from "../signals/http.js";
import { emptyStats } from "../signals/types.js";
import type { VenueEvent, VenueMarket } from "../strategy/outcomes/index.js";

/**
 * The outcome task's venue metadata: a recorded Gamma `/events` payload (`metadataFile`, re-read
 * each cycle so a refreshed file takes effect) and/or live Gamma events by slug. A source that
 * cannot be read becomes a rejection, never an exception: its markets are simply absent.
 */
export class GammaOutcomeMetadata {
  constructor(
    private readonly o: {
      readonly metadataFile?: string;
      readonly gammaUrl: string;
      readonly eventSlugs: readonly string[];
      readonly timeoutMs?: number;
    },
  ) {}

  async load(): Promise<{
    markets: VenueMarket[];
    events: VenueEvent[];
    rejected: { item: string; reason: string }[];
  }> {
    const markets: VenueMarket[] = [];
    const events: VenueEvent[] = [];
    const rejected: { item: string; reason: string }[] = [];
    const add = (payload: unknown, source: string) => {
      const parsed = parseGammaOutcomeEvents(payload);
      markets.push(...parsed.markets);
      events.push(...parsed.events);
      rejected.push(...parsed.rejected.map((r) => ({ item: `${source} ${r.item}`, reason: r.reason })));
    };
    if (this.o.metadataFile) {
      try {
        add(JSON.parse(await readFile(this.o.metadataFile, "utf8")) as unknown, this.o.metadataFile);
      } catch (error) {
        rejected.push({ item: this.o.metadataFile, reason: (error as Error).message });
      }
    }
    for (const slug of this.o.eventSlugs) {
      const url = buildUrl(this.o.gammaUrl, "/events", { slug });
      const result = await getJson(
        url,
        { baseUrl: this.o.gammaUrl, timeoutMs: this.o.timeoutMs },
        emptyStats(),
      );
      if (result.ok) add(result.body, `gamma ${slug}`);
      else rejected.push({ item: `gamma ${slug}`, reason: result.reason });
    }
    return { markets, events, rejected };
  }
}
