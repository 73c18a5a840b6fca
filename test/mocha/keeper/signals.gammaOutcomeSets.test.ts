import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "chai";
import { parseGammaOutcomeEvents } from "../../../keeper/signals/gammaOutcomeSets.js";
import { candidateSets } from "../../../keeper/strategy/outcomes/index.js";
import { DATA_DIR } from "./helpers/recordedServer.js";

const SAMPLES = path.join(DATA_DIR, "polymarket/api-samples");

describe("signals: Gamma events → outcome-set metadata", function () {
  it("parses real Gamma /events: token ids, fee rate, tick size, status from closed / UMA resolution", async function () {
    const payload = JSON.parse(
      await readFile(path.join(SAMPLES, "pmvl_polymarket_events.json"), "utf8"),
    ) as unknown;
    const meta = parseGammaOutcomeEvents(payload);
    // the sample's fourth Kraken market has no condition or tokens yet (not deployed): reported, left out
    expect(meta.rejected.map((r) => r.item)).to.deep.equal(["events[0].markets[3]"]);
    expect(meta.rejected[0]!.reason).to.contain("conditionId");
    expect(meta.events.length).to.equal(2);
    const kraken = meta.markets.find((m) => m.slug === "kraken-ipo-in-2025")!;
    expect(kraken).to.include({
      conditionId: "0x5b70123b2c37355840b38bc60752919dae7ca5fe11d5e5184aa69be01b9db458",
      feeRateBps: 1000,
      tickSize: 0.001,
      status: "resolved",
      negRiskMarketId: null,
    });
    expect(kraken.yesTokenId).to.match(/^1062296681/);
    // a resolved binary market is not a candidate set: the strategy refuses it by name
    const { refused } = candidateSets({ markets: [kraken], events: meta.events, onChain: new Map() });
    expect(refused.map((r) => r.reason)).to.deep.equal(["leg-not-open"]);
  });

  it("a market that does not parse is reported and left out, so its negRisk event no longer matches its list", function () {
    const market = (i: number, tokens: string) => ({
      conditionId: `0x${i.toString(16).padStart(64, "0")}`,
      questionID: `0x${"ef".repeat(31)}0${i}`,
      slug: `m${i}`,
      question: `q${i}`,
      clobTokenIds: tokens,
      negRisk: true,
      negRiskMarketID: `0x${"ef".repeat(31)}00`,
      orderPriceMinTickSize: 0.01,
    });
    const meta = parseGammaOutcomeEvents([
      {
        id: 7,
        negRisk: true,
        negRiskMarketID: `0x${"ef".repeat(31)}00`,
        markets: [market(0, '["1","2"]'), market(1, "not json"), market(2, '["5","6"]')],
      },
    ]);
    expect(meta.rejected.map((r) => r.item)).to.deep.equal(["events[0].markets[1]"]);
    expect(meta.events[0]!.marketConditionIds).to.have.length(3);
    const { refused } = candidateSets({
      markets: meta.markets,
      events: meta.events,
      onChain: new Map([[`0x${"ef".repeat(31)}00`, { questionCount: 3, feeBips: 0, determined: false }]]),
    });
    expect(refused.map((r) => r.reason)).to.deep.equal(["event-list-mismatch"]);
    expect(parseGammaOutcomeEvents({ not: "a list" }).rejected).to.have.length(1);
  });
});
