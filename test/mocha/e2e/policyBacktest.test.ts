import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

interface Report {
  market: { slug: string };
  epochs: {
    epoch: number;
    pricePerShare: number;
    idlePricePerShare: number;
    weightsBps: Record<string, number>;
  }[];
  rebalances: { epoch: number; gasUsed: string; movedUsdc: number }[];
  turnover: number;
  gasTotal: string;
  finalVsIdle: number;
}

describe("policy backtest: a strategist's policy file through the real keeper on the local chain, as a process", function () {
  it("writes NAV and price per share vs idle, turnover, gas and fees; a bad policy file is refused by path", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "policy-backtest-"));
    const out = path.join(dir, "out");
    await run(
      "npx",
      [
        "tsx",
        "scripts/policy-backtest.ts",
        "--policy",
        "scripts/demo/demo.policy.json",
        "--epochs",
        "3",
        "--out",
        out,
      ],
      { timeout: 240_000 },
    );
    const report = JSON.parse(await readFile(path.join(out, "report.json"), "utf8")) as Report;
    expect(report.market.slug).to.equal("microstrategy-announces-1000-btc-purchase-january-27-february-2");
    expect(report.epochs.map((e) => e.epoch)).to.deep.equal([0, 1, 2]);
    const start = report.epochs[0]!.pricePerShare;
    for (const e of report.epochs) {
      expect(e.idlePricePerShare).to.equal(start);
      expect(Object.values(e.weightsBps).reduce((a, b) => a + b, 0)).to.equal(10_000);
    }
    expect(report.finalVsIdle).to.be.closeTo(report.epochs[2]!.pricePerShare / start - 1, 1e-12);
    expect(report.rebalances.length).to.be.greaterThan(0);
    const gas = report.rebalances.reduce((a, r) => a + BigInt(r.gasUsed), 0n);
    expect(gas > 0n).to.equal(true);
    expect(report.gasTotal).to.equal(gas.toString());
    expect(report.turnover).to.be.greaterThan(0);
    const markdown = await readFile(path.join(out, "report.md"), "utf8");
    expect(markdown).to.include("| epoch | P(Yes) | NAV (USDC) | price/share | idle price/share |");
    expect(await readFile(path.join(out, "pps.svg"), "utf8")).to.match(/^<svg/);

    const bad = path.join(dir, "bad.policy.json");
    const demo = JSON.parse(await readFile("scripts/demo/demo.policy.json", "utf8")) as {
      baseWeightsBps: Record<string, number>;
    };
    await writeFile(bad, JSON.stringify({ ...demo, baseWeightsBps: { ...demo.baseWeightsBps, idle: 1499 } }));
    const refused = await run("npx", ["tsx", "scripts/policy-backtest.ts", "--policy", bad, "--out", out], {
      timeout: 240_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).to.equal(2);
    expect(refused?.stderr).to.include("baseWeightsBps: weights sum to 9999, expected 10000");
  });
});
