import { expect } from "chai";
import { parseUnits } from "viem";
import {
  assessDepeg,
  chainNavGuardrail,
  depegLevel,
  navFindings,
  navGuardrail,
  oracleDeviation,
} from "../../../keeper/ops/monitors.js";

const bands = { watchBps: 50, reduceBps: 200, exitBps: 500 };
const ONE = parseUnits("1", 18);
const price = (text: string) => parseUnits(text, 18);

describe("keeper/ops: monitors (pure)", function () {
  it("depeg bands: watch above 0.5%, reduce above 2%, exit above 5%, boundaries exclusive", function () {
    const level = (text: string) => depegLevel({ token: "USDC", price: price(text), peg: ONE }, bands).level;
    expect(level("1")).to.equal("ok");
    expect(level("0.995")).to.equal("ok", "exactly 0.5% is not above the band");
    expect(level("0.9949")).to.equal("watch");
    expect(level("1.0051")).to.equal("watch", "a premium counts too");
    expect(level("0.98")).to.equal("watch");
    expect(level("0.9799")).to.equal("reduce");
    expect(level("0.95")).to.equal("reduce");
    expect(level("0.9499")).to.equal("exit");
    expect(level("0.61")).to.equal("exit", "the USR case: -39%");
    expect(depegLevel({ token: "USR", price: price("0.61"), peg: ONE }, bands).bps).to.equal(3900);
  });

  it("depeg across venues: median level, uniform vs local dislocation", function () {
    const venues = (...p: string[]) => p.map((v, i) => ({ venue: `v${i}`, price: price(v) }));
    const uniform = assessDepeg("USR", ONE, venues("0.62", "0.61", "0.60"), bands);
    expect(uniform).to.include({ level: "exit", uniform: true, venuesOff: 3, severity: "critical" });
    const local = assessDepeg("USDC", ONE, venues("0.97", "1.0", "0.9999"), bands);
    expect(local).to.include({ level: "ok", uniform: false, venuesOff: 1, severity: "ok" });
    expect(local.message).to.include("local dislocation");
    expect(assessDepeg("DAI", ONE, venues("0.99", "0.993"), bands)).to.include({
      level: "watch",
      severity: "warn",
    });
    expect(() => assessDepeg("X", ONE, [], bands)).to.throw(RangeError, "no prices");
  });

  it("NAV guardrail: inside the band passes, beyond it is critical, in both directions", function () {
    const ok = navGuardrail(
      { vault: "v", previousPricePerShare: ONE, currentPricePerShare: price("1.004") },
      50,
    );
    expect(ok).to.include({ withinBand: true, severity: "ok", bps: 40 });
    const edge = navGuardrail(
      { vault: "v", previousPricePerShare: ONE, currentPricePerShare: price("0.995") },
      50,
    );
    expect(edge).to.include({ withinBand: true, bps: -50 });
    const drop = navGuardrail(
      { vault: "v", previousPricePerShare: ONE, currentPricePerShare: price("0.99") },
      50,
    );
    expect(drop).to.include({ withinBand: false, severity: "critical", bps: -100 });
    expect(() =>
      navGuardrail({ vault: "v", previousPricePerShare: 0n, currentPricePerShare: ONE }, 50),
    ).to.throw(RangeError, "previousPricePerShare");
  });

  it("the vault's NAV rule, as GuardrailMath: tolerance plus an asymmetric annual rate over the elapsed time, NAVs offset by one", function () {
    const guardrails = { toleranceBps: 50, maxIncreaseBpsPerYear: 2_000, maxDecreaseBpsPerYear: 500 };
    const YEAR = 365n * 86_400n;
    const at = (lastNav: bigint, nav: bigint, elapsedSeconds: bigint) =>
      chainNavGuardrail("v", { lastNav, nav, elapsedSeconds, guardrails }).withinBand;
    const last = 1_000_000n - 1n; // lastNav + 1 = 1,000,000
    // no time elapsed: the tolerance, exactly, both ways
    expect(at(last, 1_005_000n - 1n, 0n)).to.equal(true);
    expect(at(last, 1_005_000n, 0n)).to.equal(false);
    expect(at(last, 995_000n - 1n, 0n)).to.equal(true);
    expect(at(last, 995_000n - 2n, 0n)).to.equal(false);
    // half a year: +50 + 1000 bps up, but only +50 + 250 bps down (asymmetric)
    expect(at(last, 1_105_000n - 1n, YEAR / 2n)).to.equal(true);
    expect(at(last, 1_105_000n, YEAR / 2n)).to.equal(false);
    expect(at(last, 970_000n - 1n, YEAR / 2n)).to.equal(true);
    expect(at(last, 970_000n - 2n, YEAR / 2n)).to.equal(false);
    // a down band of 100 % or more accepts any fall
    const wide = { ...guardrails, maxDecreaseBpsPerYear: 10_000 };
    expect(
      chainNavGuardrail("v", { lastNav: last, nav: 0n, elapsedSeconds: YEAR, guardrails: wide }).withinBand,
    ).to.equal(true);
    const breach = chainNavGuardrail("v", { lastNav: last, nav: 900_000n, elapsedSeconds: 0n, guardrails });
    expect(breach).to.include({ severity: "critical", withinBand: false });
    expect(breach.message).to.match(/outside the vault's band -50 bps .* would pause the vault/);
    // the operator's band is a second, separate finding only when configured
    const reading = { vault: "v", previousPricePerShare: ONE, currentPricePerShare: price("1.004") };
    expect(
      navFindings(
        { ...reading, chain: { lastNav: last, nav: 1_004_000n, elapsedSeconds: 0n, guardrails } },
        undefined,
      ),
    ).to.have.length(1);
    expect(
      navFindings(
        { ...reading, chain: { lastNav: last, nav: 1_004_000n, elapsedSeconds: 0n, guardrails } },
        30,
      ).map((f) => f.withinBand),
    ).to.deep.equal([true, false]);
  });

  it("oracle deviation relative to the primary source", function () {
    const within = oracleDeviation({ token: "WETH", primary: price("3000"), secondary: price("3029") }, 100);
    expect(within).to.include({ severity: "ok" });
    expect(within.bps).to.be.closeTo(96.66, 0.01);
    const off = oracleDeviation({ token: "WETH", primary: price("3000"), secondary: price("2960") }, 100);
    expect(off).to.include({ severity: "critical" });
    expect(() => oracleDeviation({ token: "X", primary: 1n, secondary: 0n }, 100)).to.throw(RangeError);
  });
});
