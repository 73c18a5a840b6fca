import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { keccak256, toHex } from "viem";
import type { MarketSnapshot } from "../../../keeper/signals/types.js";
import { computeAllocation, partialMove, type AllocationState } from "../../../keeper/strategy/allocation.js";
import { parsePolicy, readPolicyFile, type AllocationPolicy } from "../../../keeper/strategy/policy.js";
import { canonicalJson, snapshotHash } from "../../../keeper/strategy/snapshotHash.js";
import { EXAMPLE_POLICY, EXAMPLE_POLICY_FILE } from "./helpers/examplePolicy.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const DEPEG_MARKET = "0x00000000000000000000000000000000000000000000000000000000000000aa";

function policy(): AllocationPolicy {
  const parsed = parsePolicy(EXAMPLE_POLICY);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

function depegSnapshot(price: number, overrides: Partial<MarketSnapshot> = {}): MarketSnapshot {
  return {
    venue: "polymarket",
    marketId: DEPEG_MARKET,
    tokenId: "111",
    eventId: "usdc-depeg",
    exclusiveGroup: null,
    question: "USDC below $0.99 this quarter?",
    outcome: "Yes",
    price,
    bestBid: Math.round((price - 0.01) * 1e6) / 1e6,
    bestAsk: Math.round((price + 0.01) * 1e6) / 1e6,
    depth: null,
    liquidityUsd: 50_000,
    volumeUsd: null,
    endDate: NOW + 30 * 86_400_000,
    status: "open",
    resolvedValue: null,
    settlement: { source: "Circle attestation", rules: null },
    fee: null,
    category: "stablecoin",
    fetchedAt: NOW,
    ...overrides,
  };
}

const BASE = { "aave-usdc": 4000, "morpho-usdc": 3500, "uniswap-usdc-weth": 2000, idle: 500 };
const NONE_ACTIVE = { "usdc-depeg-market": -1, "usdc-oracle-peg": -1, "eth-drawdown": -1 };

describe("strategy: allocation policy file", function () {
  it("the shipped example policy validates (docs/strategy.md walks through it)", async function () {
    const result = await readPolicyFile(EXAMPLE_POLICY_FILE);
    expect(result.ok).to.equal(true);
  });

  it("every mistake comes back with its JSON path", function () {
    const base = structuredClone(EXAMPLE_POLICY) as Record<string, unknown> & {
      rules: Record<string, unknown>[];
    };
    const errors = (mutate: (p: typeof base) => void) => {
      const copy = structuredClone(base);
      mutate(copy);
      const result = parsePolicy(copy);
      return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(errors((p) => ((p.baseWeightsBps as Record<string, number>).idle = 499))).to.deep.equal([
      "baseWeightsBps: weights sum to 9999, expected 10000",
    ]);
    expect(
      errors((p) => {
        const level = (p.rules[0] as { levels: { moves: { to: string }[] }[] }).levels[1];
        if (level?.moves[0]) level.moves[0].to = "compound-usdc";
      }),
    ).to.deep.equal(['rules[0].levels[1].moves[0]: unknown connector "compound-usdc"']);
    expect(
      errors((p) => {
        const level = (p.rules[0] as { levels: { exit: number }[] }).levels[0];
        if (level) level.exit = 0.2;
      }),
    ).to.deep.equal(["rules[0].levels[0].exit: exit must be ≤ enter (hysteresis)"]);
    expect(errors((p) => (p.maxTurnoverBps = 12_000))[0]).to.match(/^maxTurnoverBps: /);
    expect(errors((p) => (p.extra = 1))[0]).to.match(/^<root>: Unrecognized key/);
    expect(errors((p) => (p.rules[1] = { ...p.rules[1], id: "usdc-depeg-market" }))).to.deep.equal([
      'rules[1].id: duplicate rule id "usdc-depeg-market"',
    ]);
  });

  it("a file with broken JSON is reported, not thrown", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "policy-"));
    const file = path.join(dir, "broken.json");
    await writeFile(file, '{"version": 1,');
    const result = await readPolicyFile(file);
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.errors[0]?.path).to.equal("<root>");
  });
});

describe("strategy: event probabilities → connector weights", function () {
  it("no signals: base weights, every rule reports its missing input, hash of the empty set", function () {
    const a = computeAllocation([], policy(), {}, NOW);
    expect(a.weightsBps).to.deep.equal(BASE);
    expect(a.ruleLevels).to.deep.equal(NONE_ACTIVE);
    expect(a.reasons).to.have.length(3);
    expect(a.snapshotHash).to.equal(keccak256(toHex("[]")));
  });

  it("P(depeg) = 0.20 climbs watch → reduce: half of each USDC lending weight moves to idle", function () {
    const snapshot = depegSnapshot(0.2);
    const a = computeAllocation([snapshot], policy(), {}, NOW);
    // aave 4000 → 2000 moves; morpho 3500 → 1750 moves; idle 500 + 3750 = 4250. Sum 10000.
    expect(a.weightsBps).to.deep.equal({
      "aave-usdc": 2000,
      "morpho-usdc": 1750,
      "uniswap-usdc-weth": 2000,
      idle: 4250,
    });
    expect(a.ruleLevels["usdc-depeg-market"]).to.equal(1);
    expect(a.evidence[0]).to.include({
      marketId: DEPEG_MARKET,
      metric: 0.2,
      bestBid: 0.19,
      bestAsk: 0.21,
      level: 1,
    });
    expect(a.snapshotHash).to.equal(snapshotHash([snapshot]));
  });

  it("turnover from the previous weights is capped at 2000 bps and still sums to 10000", function () {
    const previous: AllocationState = { weightsBps: BASE, ruleLevels: NONE_ACTIVE };
    const a = computeAllocation([depegSnapshot(0.2)], policy(), { previous }, NOW);
    // Target turnover (2000 + 1750 + 3750)/2 = 3750 > 2000 → scale 2000/3750:
    // aave −2000 × 0.5333 = −1066, morpho −1750 × 0.5333 = −933, idle +3750 × 0.5333 = +2000;
    // the sum is 10001, so the residual −1 goes to idle (largest increase): 2934 / 2567 / 2000 / 2499.
    expect(a.weightsBps).to.deep.equal({
      "aave-usdc": 2934,
      "morpho-usdc": 2567,
      "uniswap-usdc-weth": 2000,
      idle: 2499,
    });
    expect(a.turnoverBps).to.equal(1999);
    expect(a.reasons.some((r) => r.startsWith("turnover 3750 bps limited to 2000 bps"))).to.equal(true);
  });

  it("hysteresis: reduce stays on at 0.12 (between exit 0.10 and enter 0.15) and drops to watch at 0.09", function () {
    const p = policy();
    const reduced = computeAllocation([depegSnapshot(0.2)], p, {}, NOW);
    const hold = computeAllocation([depegSnapshot(0.12)], p, { previous: reduced }, NOW);
    expect(hold.ruleLevels["usdc-depeg-market"]).to.equal(1);
    expect(hold.weightsBps).to.deep.equal(reduced.weightsBps);
    expect(hold.turnoverBps).to.equal(0);
    // From scratch 0.12 would only be "watch": the level depends on the path, which is the point.
    expect(computeAllocation([depegSnapshot(0.12)], p, {}, NOW).ruleLevels["usdc-depeg-market"]).to.equal(0);
    const eased = computeAllocation([depegSnapshot(0.09)], p, { previous: reduced }, NOW);
    expect(eased.ruleLevels["usdc-depeg-market"]).to.equal(0);
    // Back toward base, limited to 2000 bps of turnover.
    expect(eased.turnoverBps).to.equal(2000);
  });

  it("noise and staleness: a wide-spread or old signal is ignored and the rule keeps its level", function () {
    const p = policy();
    const reduced = computeAllocation([depegSnapshot(0.2)], p, {}, NOW);
    const noisy = computeAllocation(
      [depegSnapshot(0.02, { bestBid: 0.01, bestAsk: 0.3 })],
      p,
      { previous: reduced },
      NOW,
    );
    expect(noisy.ruleLevels["usdc-depeg-market"]).to.equal(1);
    expect(noisy.reasons[0]).to.equal(
      "usdc-depeg-market: signal spread 0.2900 > 0.05 (noise); keeping level reduce",
    );
    expect(noisy.snapshotHash).to.equal(keccak256(toHex("[]")));
    const stale = computeAllocation(
      [depegSnapshot(0.02, { fetchedAt: NOW - 901_000 })],
      p,
      { previous: reduced },
      NOW,
    );
    expect(stale.ruleLevels["usdc-depeg-market"]).to.equal(1);
    const closed = computeAllocation(
      [depegSnapshot(0.02, { status: "resolved" })],
      p,
      { previous: reduced },
      NOW,
    );
    expect(closed.reasons[0]).to.match(/signal market resolved/);
  });

  it("an urgent exit level is not slowed by the turnover cap", function () {
    const previous: AllocationState = { weightsBps: BASE, ruleLevels: NONE_ACTIVE };
    const a = computeAllocation([depegSnapshot(0.5)], policy(), { previous }, NOW);
    expect(a.weightsBps).to.deep.equal({
      "aave-usdc": 0,
      "morpho-usdc": 0,
      "uniswap-usdc-weth": 0,
      idle: 10000,
    });
    expect(a.turnoverBps).to.equal(9500);
    expect(a.reasons.some((r) => r.startsWith("urgent level"))).to.equal(true);
  });

  it("oracle depeg bands: |1 − 0.975| = 2.5 % is 'reduce'; 0.7 % is 'watch' with no move", function () {
    const reduce = computeAllocation([], policy(), { pegPrices: { USDC: 0.975 } }, NOW);
    expect(reduce.ruleLevels["usdc-oracle-peg"]).to.equal(1);
    expect(reduce.weightsBps).to.deep.equal({
      "aave-usdc": 2000,
      "morpho-usdc": 1750,
      "uniswap-usdc-weth": 2000,
      idle: 4250,
    });
    const watch = computeAllocation([], policy(), { pegPrices: { USDC: 1.007 } }, NOW);
    expect(watch.ruleLevels["usdc-oracle-peg"]).to.equal(0);
    expect(watch.weightsBps).to.deep.equal(BASE);
  });

  it("Kalshi signal addressed as Yes: P(ETH < 2000) = 0.45 moves 75 % of the LP weight to Aave", function () {
    const eth: MarketSnapshot = {
      ...depegSnapshot(0.45),
      venue: "kalshi",
      marketId: "KXETHMAXMON-26DEC31-T2000",
      tokenId: "KXETHMAXMON-26DEC31-T2000:yes",
      outcome: "$2,000 or below",
    };
    const a = computeAllocation([eth], policy(), {}, NOW);
    // uniswap 2000 × 75 % = 1500 → aave 5500.
    expect(a.weightsBps).to.deep.equal({
      "aave-usdc": 5500,
      "morpho-usdc": 3500,
      "uniswap-usdc-weth": 500,
      idle: 500,
    });
  });

  it("changes below minChangeBps are skipped (no churn)", function () {
    const nearlyBase = { "aave-usdc": 4030, "morpho-usdc": 3480, "uniswap-usdc-weth": 1990, idle: 500 };
    const a = computeAllocation(
      [],
      policy(),
      { previous: { weightsBps: nearlyBase, ruleLevels: NONE_ACTIVE } },
      NOW,
    );
    expect(a.weightsBps).to.deep.equal(nearlyBase);
    expect(a.turnoverBps).to.equal(0);
  });

  it("previous weights over a different connector set are not used as a turnover base, and it says so", function () {
    const a = computeAllocation(
      [depegSnapshot(0.2)],
      policy(),
      { previous: { weightsBps: { idle: 10000 }, ruleLevels: {} } },
      NOW,
    );
    expect(a.weightsBps).to.deep.equal({
      "aave-usdc": 2000,
      "morpho-usdc": 1750,
      "uniswap-usdc-weth": 2000,
      idle: 4250,
    });
    expect(a.reasons.at(-1)).to.equal("previous weights name other connectors: turnover not limited");
  });

  it("partialMove keeps integer weights summing to 10000 for any scale", function () {
    for (const scale of [0, 0.1, 0.33, 0.5, 0.999, 1]) {
      const w = partialMove(
        BASE,
        { "aave-usdc": 0, "morpho-usdc": 3333, "uniswap-usdc-weth": 3333, idle: 3334 },
        scale,
      );
      expect(Object.values(w).reduce((a, b) => a + b, 0)).to.equal(10000);
      expect(Object.values(w).every(Number.isInteger)).to.equal(true);
    }
  });
});

describe("strategy: provenance hash", function () {
  it("canonical JSON sorts keys at every level, so key order never changes the hash", function () {
    expect(canonicalJson({ b: 1, a: [1, { d: null, c: "x" }] })).to.equal(
      '{"a":[1,{"c":"x","d":null}],"b":1}',
    );
    const s = depegSnapshot(0.2);
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    expect(snapshotHash([reordered])).to.equal(snapshotHash([s]));
    expect(snapshotHash([depegSnapshot(0.2001)])).to.not.equal(snapshotHash([s]));
    expect(snapshotHash([s])).to.equal(keccak256(toHex(canonicalJson([s]))));
    expect(() => canonicalJson({ p: Number.NaN })).to.throw(TypeError);
  });
});
