import { expect } from "chai";
import { keeperConfigSchema } from "../../../keeper/config/schema.js";
import { LiveSnapshotSource } from "../../../keeper/vault/liveSnapshots.js";
import { PM, NO, SLUG, YES, liveConfig, liveRoutes } from "./helpers/liveSignals.js";
import { readRecorded, startRecordedServer, type RecordedServer } from "./helpers/recordedServer.js";

describe("live signals: LiveSnapshotSource over the keeper/signals adapters on a local server", function () {
  let server: RecordedServer;
  before(async function () {
    server = await startRecordedServer(liveRoutes());
  });
  after(async function () {
    await server.close();
  });

  it("fetches Gamma markets with their CLOB books and Kalshi event markets; a malformed book is rejected with where and why", async function () {
    const source = new LiveSnapshotSource(liveConfig(server.baseUrl));
    const { snapshots, rejected } = await source.load();
    const polymarket = snapshots.filter((s) => s.venue === "polymarket");
    expect(polymarket.map((s) => s.tokenId)).to.deep.equal([YES]);
    // the recorded book's best levels replace Gamma's quotes
    const book = readRecorded(PM + "pmvl_ext_polymarket-book.json") as { bids: { price: string }[] };
    const bestBid = Math.max(...book.bids.map((b) => Number(b.price)));
    expect(polymarket[0]!.bestBid).to.equal(bestBid);
    expect(polymarket[0]!.depth).to.not.equal(null);
    const kalshi = snapshots.filter((s) => s.venue === "kalshi");
    expect(kalshi).to.have.length(6); // YES and NO of each market
    expect([...new Set(kalshi.map((s) => s.marketId))]).to.deep.equal([
      "KXBTCD-26JUL2502-T74299.99",
      "KXBTCD-26JUL2502-T74199.99",
      "KXBTCD-26JUL2502-T74099.99",
    ]);
    expect(rejected).to.have.length(1);
    expect(rejected[0]!.source).to.equal("polymarket-clob");
    expect(rejected[0]!.reason).to.match(/^book\.bids: /);
    expect(server.hits).to.include(`/gamma/markets?slug=${SLUG}`);
    expect(server.hits).to.include(`/clob/book?token_id=${NO}`);
  });

  it("an HTML answer and a dead venue are rejected entries, never a throw; the other venue's markets still arrive", async function () {
    const source = new LiveSnapshotSource(liveConfig(server.baseUrl, ["KXBTCD-26JUL2502", "DOWN-EVENT"]));
    const { snapshots, rejected } = await source.load();
    expect(snapshots.filter((s) => s.venue === "kalshi")).to.have.length(6);
    expect(rejected.map((r) => r.source)).to.deep.equal(["polymarket-clob", "kalshi"]);
    expect(rejected[1]!.reason).to.match(/^\/markets: .*json/i);
    const dead = new LiveSnapshotSource({
      timeoutMs: 500,
      retries: 0,
      kalshi: { baseUrl: "http://127.0.0.1:1", eventTickers: ["X"] },
    });
    const none = await dead.load();
    expect(none.snapshots).to.deep.equal([]);
    expect(none.rejected).to.have.length(1);
    expect(none.rejected[0]!.source).to.equal("kalshi");
  });

  it("config: base URLs must be http(s), at least one venue and non-empty market lists, not together with signalsFile", function () {
    const live = keeperConfigSchema.shape.product.unwrap().shape.liveSignals.unwrap();
    const issues = (input: unknown) => {
      const parsed = live.safeParse(input);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ polymarket: { gammaUrl: "ftp://x", slugs: ["a"] } })).to.deep.equal([
      "polymarket.gammaUrl: must be an http:// or https:// URL",
    ]);
    expect(issues({ kalshi: { eventTickers: [] } })[0]).to.match(/^kalshi\.eventTickers: /);
    expect(issues({})).to.deep.equal([": configure at least one venue (polymarket or kalshi)"]);
    const defaults = live.parse({ kalshi: { eventTickers: ["E"] } });
    expect(defaults.kalshi!.baseUrl).to.equal("https://external-api.kalshi.com/trade-api/v2");
    const product = {
      registry: "0x0000000000000000000000000000000000000001",
      oracle: "0x0000000000000000000000000000000000000002",
      asset: "0x0000000000000000000000000000000000000003",
      nativeToken: "0x0000000000000000000000000000000000000004",
      connectors: {},
      signalsFile: "signals.json",
      liveSignals: { kalshi: { eventTickers: ["E"] } },
    };
    const both = keeperConfigSchema.shape.product.unwrap().safeParse(product);
    expect(both.success).to.equal(false);
    expect(both.error!.issues[0]!.path).to.deep.equal(["liveSignals"]);
  });
});
