import { expect } from "chai";
import { parseCsv } from "../../../keeper/signals/replay/csv.js";
import {
  loadBtc15m,
  loadBtc5m,
  loadEnginePriceHistory,
  loadEngineSnapshots,
} from "../../../keeper/signals/replay/recordedMarkets.js";
import {
  clusterOf,
  eventOf,
  loadResolvedDataset,
} from "../../../keeper/signals/replay/resolvedTimeseries.js";
import { DATA_DIR } from "./helpers/recordedServer.js";

describe("replay readers of the recorded files", function () {
  it("Jan-2026 parquet: 379,634 points of 192 markets, time-ordered, outcomes 141 NO / 51 YES", async function () {
    const data = await loadResolvedDataset(DATA_DIR);
    expect(data.columns.length).to.equal(379_634);
    expect(data.markets).to.have.length(192);
    expect(data.rejected).to.deep.equal([]);
    expect(data.markets.filter((m) => m.outcome === 1)).to.have.length(51);
    expect(data.markets.reduce((a, m) => a + m.points, 0)).to.equal(379_634);
    let ordered = true;
    for (let k = 1; k < data.columns.length; k++)
      if ((data.columns.ts[k] as number) < (data.columns.ts[k - 1] as number)) ordered = false;
    expect(ordered).to.equal(true);
    // Data README: Jan 3 – Feb 3 2026.
    expect(new Date(data.columns.ts[0] as number).toISOString().slice(0, 10)).to.equal("2026-01-03");
    expect(new Date(data.columns.ts[data.columns.length - 1] as number).toISOString().slice(0, 10)).to.equal(
      "2026-02-03",
    );
    const groups = Object.fromEntries(
      data.groups.map((g) => [g.group, [g.marketIndexes.length, g.looksComplete]]),
    );
    expect(groups).to.deep.equal({
      "costa-rica-2026-most-seats": [25, true],
      "rba-feb-2026-decision": [3, true],
      "miami-high-temp-feb-2": [7, true],
      "buenos-aires-high-temp-feb-2": [7, true],
      "seattle-high-temp-feb-2": [3, false],
      "nyc-high-temp-feb-2": [3, false],
      "chicago-high-temp-feb-2": [5, true],
    });
  });

  it("events and clusters: a game's props share an event; themes come from the slug", function () {
    expect(eventOf("nba-phi-lac-2026-02-02-points-joel-embiid-28pt5", null)).to.equal(
      "nba-phi-lac-2026-02-02",
    );
    expect(eventOf("arg-aaj-bel-2026-02-02-draw", null)).to.equal("arg-aaj-bel-2026-02-02");
    expect(eventOf("highest-temperature-in-seoul-on-february-3-2026-1c", null)).to.equal(
      "highest-temperature-in-seoul-february-3",
    );
    expect(eventOf("anything", "rba-feb-2026-decision")).to.equal("rba-feb-2026-decision");
    expect(clusterOf("highest-temperature-in-miami-on-february-2-60-61f")).to.equal("weather");
    expect(clusterOf("will-the-us-strike-5-countries-in-january")).to.equal("geopolitics");
    expect(
      clusterOf(
        "will-the-reserve-bank-of-australia-increase-the-target-for-the-cash-rate-after-the-february-meeting",
      ),
    ).to.equal("macro");
  });

  it("BTC 15-minute set: 615 CLOB markets validated, 200 recorded series with a winner", async function () {
    const set = await loadBtc15m(DATA_DIR);
    expect(set.stats).to.include({ itemsSeen: 615, accepted: 615, rejected: 0 });
    expect(set.items).to.have.length(200);
    // Data README: 200 files × 17 + 17 points.
    expect(set.items.every((m) => m.series[0]?.length === 17 && m.series[1]?.length === 17)).to.equal(true);
    const first = set.items.find((m) => m.marketId.startsWith("0x00008da1971617"));
    expect(first?.outcomes[first.winner]).to.equal("Up");
  });

  it("BTC 5-minute jsonl.gz: 292 full Gamma objects parse; 140 Up / 152 Down winners; 18 without strike", async function () {
    const set = await loadBtc5m(DATA_DIR);
    expect(set.rejected).to.deep.equal([]);
    expect(set.items).to.have.length(292);
    const upWon = set.items.filter((m) => m.snapshots[0]?.resolvedValue === 1).length;
    const downWon = set.items.filter((m) => m.snapshots[1]?.resolvedValue === 1).length;
    expect([upWon, downWon]).to.deep.equal([140, 152]);
    expect(set.items.filter((m) => m.strike === null)).to.have.length(18);
    // The 2026 crypto fee schedule is carried by the Gamma objects: rate 0.07, exponent 1.
    expect(set.items[0]?.snapshots[0]?.fee).to.deep.equal({
      model: "polymarket",
      takerRate: 0.07,
      makerRate: 0,
      exponent: 1,
    });
  });

  it("engine snapshots: 1,146 live markets with bid/ask become YES/NO pairs", async function () {
    const set = await loadEngineSnapshots(DATA_DIR);
    expect(set.stats).to.include({ itemsSeen: 1146, accepted: 1146, rejected: 0 });
    const [yes, no] = set.items;
    // ETH above 2,240: yes bid 0.99 / ask 0.999 → NO bid 0.001 / ask 0.01.
    expect([yes?.bestBid, yes?.bestAsk, no?.bestBid, no?.bestAsk]).to.deep.equal([0.99, 0.999, 0.001, 0.01]);
  });

  it("engine polled history: 651 markets, 3,649 points, 2026-03-22 18:51 → 03-24 08:03 UTC", async function () {
    const set = await loadEnginePriceHistory(DATA_DIR);
    expect(set.rejected).to.deep.equal([]);
    expect(set.items).to.have.length(651);
    const points = set.items.flatMap((m) => m.points);
    expect(points).to.have.length(3649);
    const times = points.map((p) => p.t);
    expect(new Date(Math.min(...times)).toISOString().slice(0, 16)).to.equal("2026-03-22T18:51");
    expect(new Date(Math.max(...times)).toISOString().slice(0, 16)).to.equal("2026-03-24T08:03");
  });

  it("CSV parser handles quotes, doubled quotes, commas and CRLF", function () {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,2,3\n')).to.deep.equal([
      ["a", "b, c", 'say "hi"'],
      ["1", "2", "3"],
    ]);
  });
});
