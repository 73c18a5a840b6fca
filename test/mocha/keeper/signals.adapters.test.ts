import { expect } from "chai";
import { createClobClient, withBook } from "../../../keeper/signals/polymarketClob.js";
import { createGammaClient } from "../../../keeper/signals/polymarketGamma.js";
import { createKalshiClient } from "../../../keeper/signals/kalshi.js";
import { readRecorded, startRecordedServer, type RecordedServer } from "./helpers/recordedServer.js";

const PM = "polymarket/api-samples/";
const KX = "kalshi/api-samples/";

type Json = Record<string, unknown>;

describe("signal adapters against recorded payloads on a local server", function () {
  let server: RecordedServer;
  let failuresLeft = 0;
  const routes = {
    "/markets": () => ({ body: readRecorded(PM + "drmanhattan_gamma_markets.json") }),
    "/resolved/markets": () => ({
      body: readRecorded(PM + "sjmagill01_gamma_markets_resolved_negrisk_2024.json"),
    }),
    "/events": () => ({ body: readRecorded(PM + "pmvl_polymarket_events.json") }),
    "/book": (url: URL) => ({
      body: readRecorded(
        PM +
          (url.searchParams.get("token_id")?.startsWith("1054")
            ? "pmvl_ext_polymarket-book.json"
            : "pmvl_polymarket_book.json"),
      ),
    }),
    // The recorded book for this token has best ask 0.07: /price?side=BUY answers what a buyer pays.
    "/price": () => ({ body: { price: "0.07" } }),
    // btc-15m price files are the CLOB /prices-history series of the Up token, recorded.
    "/prices-history": () => ({
      body: {
        history: (
          readRecorded("polymarket/btc-15m-updown-jan2026/prices/prices_0x00008da1971617.json") as Json
        ).up,
      },
    }),
    "/kalshi/markets": () => ({ body: readRecorded(KX + "pmvl_kalshi_markets.json") }),
    "/kalshi/events": () => ({ body: readRecorded(KX + "pmvl_kalshi_events.json") }),
    "/kalshi/markets/KXBTCD-26JUL2502-T74299.99/orderbook": () => ({
      body: readRecorded(KX + "pmvl_kalshi_orderbook.json"),
    }),
    "/kalshi/markets/KXMLBGAME-26AUG092020HOUSD-SD/orderbook": () => ({
      body: readRecorded(KX + "pmvl_ext_kalshi-orderbook.json"),
    }),
    "/flaky/markets": () =>
      failuresLeft-- > 0
        ? { status: 503, body: { error: "busy" } }
        : { body: readRecorded(PM + "pmvl_polymarket_markets.json") },
    "/slow/markets": () => ({ body: [], delayMs: 400 }),
    "/html/markets": () => ({ body: null, raw: "<html>maintenance</html>" }),
  };

  before(async function () {
    server = await startRecordedServer(routes);
  });
  after(async function () {
    await server.close();
  });

  it("Gamma V1 /markets: every recorded market parses, YES/NO quotes are complementary", async function () {
    const gamma = createGammaClient({ baseUrl: server.baseUrl });
    const page = await gamma.fetchMarkets();
    // drmanhattan_gamma_markets.json: 5 binary markets → 10 outcome snapshots, nothing rejected.
    expect(page.rejected).to.deep.equal([]);
    expect(page.items).to.have.length(10);
    const [yes, no] = page.items;
    // First market: bestBid 0.50 / bestAsk 0.52, outcomePrices ["0.51","0.49"], feeSchedule rate 0.05.
    expect(yes).to.include({
      outcome: "Yes",
      price: 0.51,
      bestBid: 0.5,
      bestAsk: 0.52,
      status: "open",
      eventId: "23784",
    });
    // NO bid = 1 − YES ask = 0.48, NO ask = 1 − YES bid = 0.50.
    expect(no).to.include({ outcome: "No", price: 0.49, bestBid: 0.48, bestAsk: 0.5 });
    expect(yes?.fee).to.deep.equal({ model: "polymarket", takerRate: 0.05, makerRate: 0, exponent: 1 });
    expect(yes?.settlement.source).to.equal(
      "official information from Rockstar Games or its parent company, Take-Two Interactive",
    );
    expect(gamma.stats).to.include({ requests: 1, itemsSeen: 5, accepted: 5, rejected: 0 });
  });

  it("Gamma resolved negRisk markets: status, winner and exclusive group come from the payload", async function () {
    const gamma = createGammaClient({ baseUrl: `${server.baseUrl}/resolved` });
    const page = await gamma.fetchMarkets({ closed: true, limit: 2 });
    expect(server.hits).to.include("/resolved/markets?closed=true&limit=2");
    expect(page.rejected).to.deep.equal([]);
    const [trumpYes, trumpNo] = page.items;
    // outcomePrices ["1","0"], closed, umaResolutionStatus "resolved", negRiskMarketID 0xe3b1…f00.
    expect(trumpYes).to.include({ status: "resolved", resolvedValue: 1, outcome: "Yes", eventId: "903193" });
    expect(trumpYes?.exclusiveGroup).to.equal(
      "0xe3b1bc389210504ebcb9cffe4b0ed06ccac50561e0f24abb6379984cec030f00",
    );
    expect(trumpNo).to.include({ outcome: "No", resolvedValue: 0 });
    expect(trumpYes?.settlement.source).to.equal("the Associated Press, Fox News, and NBC");
  });

  it("Gamma /events: the one real broken nested market is rejected with its path, the rest parse", async function () {
    const gamma = createGammaClient({ baseUrl: server.baseUrl });
    const page = await gamma.fetchEvents();
    // events[0].markets[3] ("Kraken IPO by June 30, 2026?") has an empty conditionId and no prices.
    expect(page.rejected.map((r) => r.path)).to.deep.equal(["events[0].markets[3].conditionId"]);
    expect(page.rejected[0]?.reason).to.equal("expected a 32-byte hex id");
    expect(page.items).to.have.length(14);
    expect(gamma.stats.rejected).to.equal(1);
  });

  it("Gamma V2 shape: positionIds array replaces the clobTokenIds string; a V2 market without them is refused", async function () {
    const { parseGammaMarkets } = await import("../../../keeper/signals/polymarketGamma.js");
    const v1 = (readRecorded(PM + "drmanhattan_gamma_markets.json") as Json[])[0] as Json;
    const tokens = JSON.parse(v1.clobTokenIds as string) as string[];
    const { clobTokenIds: _dropped, ...rest } = v1;
    const v2 = { ...rest, version: "v2", positionIds: tokens };
    const parsed = parseGammaMarkets([v2, { ...rest, version: "v2" }], 0);
    expect(parsed.items.map((s) => s.tokenId)).to.deep.equal(tokens);
    expect(parsed.rejected.map((r) => [r.path, r.reason])).to.deep.equal([
      ["markets[1].positionIds", "V2 market without positionIds"],
    ]);
  });

  it("one malformed market does not stop the rest of the page", async function () {
    const { parseGammaMarkets } = await import("../../../keeper/signals/polymarketGamma.js");
    const page = readRecorded(PM + "pmvl_polymarket_markets.json") as Json[];
    const broken = { ...page[1], outcomePrices: '["0.5"' };
    const parsed = parseGammaMarkets([page[0], broken, page[2]], 0);
    expect(parsed.items).to.have.length(4);
    expect(parsed.rejected.map((r) => [r.path, r.reason])).to.deep.equal([
      ["markets[1].outcomePrices", "not valid JSON"],
    ]);
  });

  it("CLOB /book, /price and /prices-history; the book agrees with the recorded Gamma quote of the same token", async function () {
    const clob = createClobClient({ baseUrl: server.baseUrl });
    const gammaMarket = readRecorded(PM + "pmvl_ext_polymarket-market.json");
    const { parseGammaMarkets } = await import("../../../keeper/signals/polymarketGamma.js");
    const snapshot = parseGammaMarkets(gammaMarket, 0).items[0];
    if (!snapshot) throw new Error("fixture did not parse");
    const book = await clob.fetchBook(snapshot.tokenId);
    if (!book.ok) throw book.rejection;
    // Recorded book: highest bid 0.06, lowest ask 0.07 (levels arrive worst-first); Gamma says 0.06 / 0.07.
    expect([book.value.bestBid, book.value.bestAsk]).to.deep.equal([snapshot.bestBid, snapshot.bestAsk]);
    expect(book.value.mid).to.be.closeTo(0.065, 1e-12);
    // Bids within 0.02 of the 0.065 mid: levels 0.05 (545718.75) and 0.06 (100885.17) → 27285.94 + 6053.11.
    expect(book.value.depth.bidUsd).to.be.closeTo(27285.94 + 6053.11, 0.02);
    const merged = withBook(snapshot, book.value);
    expect(merged.ok && merged.value.depth?.bidUsd).to.equal(book.value.depth.bidUsd);
    const mismatched = withBook({ ...snapshot, tokenId: "1" }, book.value);
    expect(mismatched.ok).to.equal(false);

    const price = await clob.fetchPrice(snapshot.tokenId, "BUY");
    expect(price.ok && price.value).to.equal(0.07);
    const history = await clob.fetchPriceHistory(snapshot.tokenId, { interval: "1d", fidelity: 1 });
    expect(history.rejected).to.deep.equal([]);
    expect(history.items).to.have.length(17);
    expect(history.items[0]).to.deep.equal({ t: 1768012153000, p: 0.495 });
    expect(server.hits.some((h) => h.startsWith("/prices-history?market="))).to.equal(true);
  });

  it("Kalshi /markets and /events: dollar strings, exclusivity and settlement sources", async function () {
    const kalshi = createKalshiClient({ baseUrl: `${server.baseUrl}/kalshi` });
    const markets = await kalshi.fetchMarkets({ limit: 3 });
    expect(markets.rejected).to.deep.equal([]);
    expect(markets.items).to.have.length(6);
    expect(markets.cursor).to.be.a("string").and.not.equal("");
    // KXBTCD-…-T74299.99: yes_bid "0.0000" (none), yes_ask "0.0100".
    expect(markets.items[0]).to.include({
      marketId: "KXBTCD-26JUL2502-T74299.99",
      bestBid: null,
      bestAsk: 0.01,
      price: 0.01,
    });
    const events = await kalshi.fetchEvents({ with_nested_markets: true });
    expect(events.rejected).to.deep.equal([]);
    const nato = events.items.filter((s) => s.eventId === "KXNEXTNATOSECGEN-99");
    expect(nato).to.have.length(16);
    expect(nato.every((s) => s.exclusiveGroup === "KXNEXTNATOSECGEN-99")).to.equal(true);
    expect(nato[0]?.settlement.source).to.equal("North Atlantic Treaty Organization");
    // Mars: bid 0.12 / ask 0.13 → mid 0.125; the NO side is bid 0.87 / ask 0.88 as sent.
    const mars = events.items.filter((s) => s.marketId === "KXELONMARS-99");
    expect(mars.map((s) => [s.price, s.bestBid, s.bestAsk])).to.deep.equal([
      [0.125, 0.12, 0.13],
      [0.875, 0.87, 0.88],
    ]);
  });

  it("Kalshi bids-only order book: YES ask = 1 − best NO bid, matching the recorded market quote", async function () {
    const kalshi = createKalshiClient({ baseUrl: `${server.baseUrl}/kalshi` });
    const game = await kalshi.fetchOrderbook("KXMLBGAME-26AUG092020HOUSD-SD");
    if (!game.ok) throw game.rejection;
    // yes_dollars best 0.53; no_dollars best 0.46 → YES ask 0.54. The recorded market says 0.53 / 0.54.
    const market = (readRecorded(KX + "pmvl_ext_kalshi-market.json") as { market: Json }).market;
    expect(game.value.bestBid).to.equal(Number(market.yes_bid_dollars));
    expect(game.value.bestAsk).to.equal(Number(market.yes_ask_dollars));
    const btc = await kalshi.fetchOrderbook("KXBTCD-26JUL2502-T74299.99");
    if (!btc.ok) throw btc.rejection;
    // No YES bids at all; the 0.99 NO bid (73469 contracts) is a 0.01 YES ask, as the market page says.
    expect(btc.value.bestBid).to.equal(null);
    expect(btc.value.bestAsk).to.equal(0.01);
    expect(btc.value.asks[0]).to.deep.equal({ price: 0.01, size: 73469 });
  });

  it("retries 503s with backoff, does not retry 404s, and turns timeouts and non-JSON into rejections", async function () {
    failuresLeft = 2;
    const flaky = createGammaClient({ baseUrl: `${server.baseUrl}/flaky`, retries: 2, backoffMs: 1 });
    const page = await flaky.fetchMarkets();
    expect(page.items).to.have.length(6);
    expect(flaky.stats).to.include({ requests: 3, retries: 2, httpErrors: 0 });

    failuresLeft = 5;
    const exhausted = createGammaClient({ baseUrl: `${server.baseUrl}/flaky`, retries: 1, backoffMs: 1 });
    const failed = await exhausted.fetchMarkets();
    expect(failed.items).to.deep.equal([]);
    expect(failed.rejected[0]?.reason).to.equal("HTTP 503");
    expect(exhausted.stats).to.include({ requests: 2, retries: 1, httpErrors: 1 });

    const missing = createGammaClient({ baseUrl: `${server.baseUrl}/nowhere`, retries: 3, backoffMs: 1 });
    expect((await missing.fetchMarkets()).rejected[0]?.reason).to.equal("HTTP 404");
    expect(missing.stats.requests).to.equal(1);

    const slow = createGammaClient({ baseUrl: `${server.baseUrl}/slow`, timeoutMs: 50, retries: 0 });
    expect((await slow.fetchMarkets()).rejected[0]?.reason).to.equal("timeout after 50 ms");

    const html = createGammaClient({ baseUrl: `${server.baseUrl}/html`, retries: 0 });
    expect((await html.fetchMarkets()).rejected[0]?.reason).to.equal("response is not JSON");
  });
});
