import { createClobClient, withBook } from "../signals/polymarketClob.js";
import { createGammaClient } from "../signals/polymarketGamma.js";
import { createKalshiClient } from "../signals/kalshi.js";
import type { SignalRejection } from "../signals/validation.js";
import type { MarketSnapshot } from "../signals/types.js";
import type { SnapshotSource } from "./ports.js";

/** Where the live adapters fetch from and which markets (`product.liveSignals` in the config). */
export interface LiveSignalsConfig {
  readonly timeoutMs: number;
  readonly retries: number;
  readonly polymarket?: {
    readonly gammaUrl: string;
    readonly clobUrl: string;
    /** Gamma market slugs. */
    readonly slugs: readonly string[];
    /** Replace each market's Gamma bid/ask with its CLOB order book (depth within the band). */
    readonly books: boolean;
  };
  readonly kalshi?: {
    readonly baseUrl: string;
    /** Kalshi event tickers; every market of each event is fetched. */
    readonly eventTickers: readonly string[];
  };
}

type Rejected = { readonly source: string; readonly reason: string };

const asRejected = (r: SignalRejection): Rejected => ({
  source: r.adapter,
  reason: `${r.path}: ${r.reason}`,
});

/**
 * Signals fetched live at each `load` through the keeper/signals adapters (Polymarket Gamma markets,
 * optionally their CLOB books, Kalshi event markets). Every payload is validated by its adapter;
 * a rejected payload or item, a failed request or an unexpected error becomes a `rejected` entry
 * (the strategy task counts them in `keeper_rejected_inputs_total`) and the rest is still used:
 * `load` never throws.
 */
export class LiveSnapshotSource implements SnapshotSource {
  private readonly gamma;
  private readonly clob;
  private readonly kalshi;

  constructor(private readonly config: LiveSignalsConfig) {
    const http = { timeoutMs: config.timeoutMs, retries: config.retries };
    this.gamma = config.polymarket && createGammaClient({ ...http, baseUrl: config.polymarket.gammaUrl });
    this.clob = config.polymarket && createClobClient({ ...http, baseUrl: config.polymarket.clobUrl });
    this.kalshi = config.kalshi && createKalshiClient({ ...http, baseUrl: config.kalshi.baseUrl });
  }

  async load(): Promise<{ snapshots: MarketSnapshot[]; rejected: Rejected[] }> {
    const parts = await Promise.all([
      ...(this.config.polymarket?.slugs ?? []).map((slug) =>
        this.guard(`polymarket ${slug}`, () => this.polymarket(slug)),
      ),
      ...(this.config.kalshi?.eventTickers ?? []).map((ticker) =>
        this.guard(`kalshi ${ticker}`, () => this.kalshiEvent(ticker)),
      ),
    ]);
    return {
      snapshots: parts.flatMap((p) => p.snapshots),
      rejected: parts.flatMap((p) => p.rejected),
    };
  }

  private async polymarket(slug: string): Promise<{ snapshots: MarketSnapshot[]; rejected: Rejected[] }> {
    const markets = await this.gamma!.fetchMarkets({ slug });
    const rejected = markets.rejected.map(asRejected);
    if (!this.config.polymarket!.books) return { snapshots: markets.items, rejected };
    const snapshots: MarketSnapshot[] = [];
    for (const snapshot of markets.items) {
      const book = await this.clob!.fetchBook(snapshot.tokenId);
      const joined = book.ok ? withBook(snapshot, book.value) : book;
      if (joined.ok) snapshots.push(joined.value);
      else rejected.push(asRejected(joined.rejection));
    }
    return { snapshots, rejected };
  }

  private async kalshiEvent(
    eventTicker: string,
  ): Promise<{ snapshots: MarketSnapshot[]; rejected: Rejected[] }> {
    const markets = await this.kalshi!.fetchMarkets({ event_ticker: eventTicker });
    return { snapshots: markets.items, rejected: markets.rejected.map(asRejected) };
  }

  /** Adapters report bad payloads as values; anything they throw is reported the same way. */
  private async guard(
    source: string,
    fetch: () => Promise<{ snapshots: MarketSnapshot[]; rejected: Rejected[] }>,
  ): Promise<{ snapshots: MarketSnapshot[]; rejected: Rejected[] }> {
    try {
      return await fetch();
    } catch (error) {
      return { snapshots: [], rejected: [{ source, reason: (error as Error).message }] };
    }
  }
}
