import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { expect } from "chai";
import {
  parseKalshiEvents,
  parseKalshiMarkets,
  parseKalshiOrderbook,
} from "../../../keeper/signals/kalshi.js";
import { parseClobBook, parseClobHistory, parseClobPrice } from "../../../keeper/signals/polymarketClob.js";
import { parseGammaEvents, parseGammaMarkets } from "../../../keeper/signals/polymarketGamma.js";
import {
  parseBtc5mLine,
  parseEnginePriceHistory,
  parseEngineSnapshots,
} from "../../../keeper/signals/replay/recordedMarkets.js";
import type { MarketSnapshot, OrderBookSummary } from "../../../keeper/signals/types.js";
import { SignalRejection } from "../../../keeper/signals/validation.js";
import { parsePolicy } from "../../../keeper/strategy/policy.js";
import { DATA_DIR, readRecorded } from "./helpers/recordedServer.js";
import { EXAMPLE_POLICY } from "./helpers/examplePolicy.js";

/** Mutated payloads per parser; DEEP=1 runs a long campaign. */
const CASES = process.env.DEEP === "1" ? 20_000 : 1_000;

/** mulberry32: small, seedable, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NASTY: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.0001,
  1e308,
  "",
  "abc",
  "NaN",
  "Infinity",
  "-0.5",
  "1.5",
  "1e999",
  "0x",
  "[",
  '["0.5"',
  '["x","y"]',
  '{"a":1}',
  "2026-13-45T99:99:99Z",
  "constructor",
  "__proto__",
  [],
  [[[]]],
  {},
  { toString: "x" },
  "9".repeat(200),
];

/** Every node path in a JSON value (capped), so a mutation can land anywhere. */
function nodePaths(
  value: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (out.length > 4000) return out;
  if (Array.isArray(value)) value.forEach((v, i) => nodePaths(v, [...prefix, i], out));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) nodePaths(v, [...prefix, k], out);
  return out;
}

function mutateString(s: string, rand: () => number): Json {
  const choice = Math.floor(rand() * 5);
  if (choice === 0) return s.slice(0, Math.floor(rand() * s.length));
  if (choice === 1 && /^-?\d+(\.\d+)?$/.test(s)) return String(Number(s) * -10);
  if (choice === 2) return s + (rand() < 0.5 ? "x" : "]");
  if (choice === 3) return Number.isNaN(Number(s)) ? s.length : Number(s);
  return s.replace(/\d/g, (d) => (rand() < 0.3 ? "z" : d));
}

/** Applies 1–3 random edits: delete, replace with a nasty value, retype, corrupt strings, truncate arrays. */
function mutate(input: Json, rand: () => number): Json {
  if (rand() < 0.03) return NASTY[Math.floor(rand() * NASTY.length)] as Json;
  const root = structuredClone(input) as Json;
  const edits = 1 + Math.floor(rand() * 3);
  let value = root;
  for (let e = 0; e < edits; e++) {
    const paths = nodePaths(value);
    const target = paths[Math.floor(rand() * paths.length)] ?? [];
    if (target.length === 0) {
      value = NASTY[Math.floor(rand() * NASTY.length)] as Json;
      continue;
    }
    let parent = value as Record<string | number, Json>;
    for (const key of target.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const key = target[target.length - 1] as string | number;
    const current = parent[key] as Json;
    const op = rand();
    if (op < 0.2) {
      if (Array.isArray(parent)) (parent as Json[]).splice(key as number, 1);
      else delete parent[key];
    } else if (op < 0.55) parent[key] = NASTY[Math.floor(rand() * NASTY.length)] as Json;
    else if (op < 0.8 && typeof current === "string") parent[key] = mutateString(current, rand);
    else if (op < 0.9 && Array.isArray(current)) parent[key] = current.concat(current.slice(0, 2));
    else if (typeof current === "number") parent[key] = rand() < 0.5 ? -current : current * 1e6;
    else
      parent[key] = typeof current === "string" ? Number(current) || current.length : JSON.stringify(current);
  }
  return value;
}

function checkSnapshot(s: MarketSnapshot): void {
  expect(s.price, "price").to.be.within(0, 1);
  for (const v of [s.bestBid, s.bestAsk]) if (v !== null) expect(v).to.be.within(0, 1);
  expect(Number.isFinite(s.fetchedAt)).to.equal(true);
  expect(s.marketId).to.be.a("string").and.not.equal("");
  expect(["open", "closed", "resolved", "disputed"]).to.include(s.status);
}

function checkBook(b: OrderBookSummary): void {
  for (const l of [...b.bids, ...b.asks]) {
    expect(l.price).to.be.within(0, 1);
    expect(l.size).to.be.at.least(0);
  }
  if (b.bestBid !== null && b.bestAsk !== null) expect(b.mid).to.be.within(0, 1);
}

function checkRejection(r: unknown, bases: readonly string[]): void {
  expect(r).to.be.instanceOf(SignalRejection);
  const rejection = r as SignalRejection;
  expect(rejection.path, "every rejection names a field path").to.be.a("string").and.not.equal("");
  expect(
    bases.some((b) => rejection.path.startsWith(b)),
    `path ${rejection.path} under ${bases.join("|")}`,
  ).to.equal(true);
  expect(rejection.reason).to.be.a("string").and.not.equal("");
}

interface Target {
  readonly name: string;
  readonly seeds: Json[];
  readonly bases: readonly string[];
  /** Runs the parser; returns accepted outputs and rejections. */
  readonly run: (payload: Json) => { accepted: number; rejected: unknown[] };
}

const list = (r: { items: MarketSnapshot[]; rejected: SignalRejection[] }) => {
  r.items.forEach(checkSnapshot);
  return { accepted: r.items.length, rejected: r.rejected };
};
const one = <T>(
  r: { ok: true; value: T } | { ok: false; rejection: SignalRejection },
  check: (v: T) => void,
) => {
  if (r.ok) check(r.value);
  return r.ok ? { accepted: 1, rejected: [] } : { accepted: 0, rejected: [r.rejection] };
};

const pm = (f: string) => readRecorded(`polymarket/api-samples/${f}`) as Json;
const kx = (f: string) => readRecorded(`kalshi/api-samples/${f}`) as Json;
const btc5mLines = gunzipSync(
  readFileSync(path.join(DATA_DIR, "polymarket/btc-5m-updown-2026-07-24/BTC-5m-markets-2026-07-24.jsonl.gz")),
)
  .toString("utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .slice(0, 3)
  .map((l) => JSON.parse(l) as Json);
const engine = JSON.parse(
  gunzipSync(
    readFileSync(path.join(DATA_DIR, "polymarket/engine-snapshots-2026-04/market_snapshot.json.gz")),
  ).toString("utf8"),
) as { markets: Json[] };

const TARGETS: Target[] = [
  {
    name: "Gamma /markets",
    seeds: [
      "drmanhattan_gamma_markets.json",
      "pmvl_polymarket_markets.json",
      "sjmagill01_gamma_markets_resolved_negrisk_2024.json",
      "pmvl_ext_polymarket-market.json",
    ].map(pm),
    bases: ["markets"],
    run: (p) => list(parseGammaMarkets(p, 1)),
  },
  {
    name: "Gamma /events",
    seeds: [pm("pmvl_polymarket_events.json")],
    bases: ["events"],
    run: (p) => list(parseGammaEvents(p, 1)),
  },
  {
    name: "CLOB /book",
    seeds: [pm("pmvl_polymarket_book.json"), pm("pmvl_ext_polymarket-book.json")],
    bases: ["book"],
    run: (p) => one(parseClobBook(p), checkBook),
  },
  {
    name: "CLOB /price",
    seeds: [{ price: "0.07" }, { price: 0.5 }],
    bases: ["price"],
    run: (p) => one(parseClobPrice(p), (v) => expect(v).to.be.within(0, 1)),
  },
  {
    name: "CLOB /prices-history",
    seeds: [
      {
        history: (
          readRecorded("polymarket/btc-15m-updown-jan2026/prices/prices_0x00008da1971617.json") as {
            up: Json;
          }
        ).up,
      },
    ],
    bases: ["payload", "history"],
    run: (p) => {
      const r = parseClobHistory(p);
      r.items.forEach((pt) => expect(pt.p).to.be.within(0, 1));
      return { accepted: r.items.length, rejected: r.rejected };
    },
  },
  {
    name: "Kalshi /markets",
    seeds: [kx("pmvl_kalshi_markets.json"), { markets: kx("drmanhattan_kalshi_markets.json"), cursor: "" }],
    bases: ["payload", "markets"],
    run: (p) => list(parseKalshiMarkets(p, 1)),
  },
  {
    name: "Kalshi /events",
    seeds: [kx("pmvl_kalshi_events.json")],
    bases: ["payload", "events"],
    run: (p) => list(parseKalshiEvents(p, 1)),
  },
  {
    name: "Kalshi orderbook",
    seeds: [kx("pmvl_kalshi_orderbook.json"), kx("pmvl_ext_kalshi-orderbook.json")],
    bases: ["orderbook"],
    run: (p) => one(parseKalshiOrderbook(p, "T", 1), checkBook),
  },
  {
    name: "BTC 5m jsonl line",
    seeds: btc5mLines,
    bases: ["line[0]"],
    run: (p) => one(parseBtc5mLine(JSON.stringify(p) ?? "", 0), (m) => m.snapshots.forEach(checkSnapshot)),
  },
  {
    name: "engine snapshots",
    seeds: [{ markets: engine.markets.slice(0, 5) }],
    bases: ["payload", "markets"],
    run: (p) => list(parseEngineSnapshots(p)),
  },
  {
    name: "engine polled history",
    seeds: [
      Object.fromEntries(
        Object.entries(
          readRecorded("polymarket/engine-snapshots-2026-04/price_history_polled.json") as Record<
            string,
            Json
          >,
        ).slice(0, 3),
      ),
    ],
    bases: ["payload", '["'],
    run: (p) => {
      const r = parseEnginePriceHistory(p);
      r.items.forEach((m) => m.points.forEach((pt) => expect(pt.p).to.be.within(0, 1)));
      return { accepted: r.items.length, rejected: r.rejected };
    },
  },
];

describe(`signal parsers under ${CASES} mutated payloads each (seeded)`, function () {
  // The deep campaign takes minutes per parser; the default run stays within mocha's timeout.
  if (process.env.DEEP === "1") this.timeout(0);
  for (const [t, target] of TARGETS.entries()) {
    it(`${target.name}: no exception escapes, every rejection names a field path`, function () {
      const rand = prng(0xc0ffee + t);
      let rejections = 0;
      let accepted = 0;
      for (let i = 0; i < CASES; i++) {
        const seed = target.seeds[i % target.seeds.length] as Json;
        const payload = mutate(seed, rand);
        let outcome: { accepted: number; rejected: unknown[] };
        try {
          outcome = target.run(payload);
        } catch (error) {
          throw new Error(`case ${i} threw\npayload: ${JSON.stringify(payload).slice(0, 400)}`, {
            cause: error,
          });
        }
        for (const r of outcome.rejected) checkRejection(r, target.bases);
        rejections += outcome.rejected.length;
        accepted += outcome.accepted;
      }
      // The mutations must actually bite, and the unmutated parts must still be accepted.
      expect(rejections, "mutations produced rejections").to.be.greaterThan(CASES / 10);
      expect(accepted, "valid remainder still parsed").to.be.greaterThan(0);
    });
  }

  it("allocation policy: mutated policies are refused with a JSON path, never thrown", function () {
    const rand = prng(7);
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const result = parsePolicy(mutate(EXAMPLE_POLICY as unknown as Json, rand));
      if (!result.ok) {
        refused++;
        for (const e of result.errors) expect(e.path).to.be.a("string").and.not.equal("");
      }
    }
    expect(refused).to.be.greaterThan(CASES / 2);
  });
});
