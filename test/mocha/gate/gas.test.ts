import { expect } from "chai";
import {
  type GateOverhead,
  measureGateOverhead,
  measureSafeComparison,
  measureSwapHandlerOverhead,
} from "../../../bench/gateGas.js";
import { localChain } from "../helpers/chain.js";

// Gas of the keeper gate and the swap handler (issue budgets: gate <= 10k + 8k per signature over a direct
// call, the 2-of-3 at most 30k and below a Safe 1.4.1 2-of-3 measured in the same run, handler <= 45k over the
// same connector calling the Diamond unchecked). Met and asserted: the per-signature 8k, "below the Safe" and
// the handler's 45k. Not met (breakdown in docs/gate-and-swaps.md): the fixed 10k and the 2-of-3 30k, so
// those assertions are regression guards just above the measured level. The figures themselves are
// benchmarks (`npm run bench`); these guards only catch a regression.

const { wallets, clientsFor } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));

describe("Gas: keeper gate and swap handler overhead", function () {
  const gate: GateOverhead[] = [];

  it("gate: each extra signature costs under 7k (budget 8k); overheads stay at their measured levels", async function () {
    for (const config of [
      { threshold: 1, signers: 1 },
      { threshold: 2, signers: 3 },
      { threshold: 5, signers: 9 },
    ]) {
      gate.push(await measureGateOverhead(accounts, config));
    }
    console.table(
      gate.map((g) => ({
        "k-of-n": `${g.threshold}-of-${g.signers}`,
        direct: Number(g.direct),
        viaGate: Number(g.viaGate),
        overhead: Number(g.overhead),
        issueBudget: Number(g.budget),
      })),
    );
    const [one, two, five] = gate as [GateOverhead, GateOverhead, GateOverhead];
    expect(two.overhead > one.overhead && five.overhead > two.overhead).to.equal(true);
    expect((five.overhead - one.overhead) / 4n < 7_000n, "per-signature cost").to.equal(true);
    expect(one.overhead <= 31_500n, "1-of-1 overhead regression guard").to.equal(true);
    expect(two.overhead <= 38_000n, "2-of-3 overhead regression guard").to.equal(true);
    expect(five.overhead <= 57_500n, "5-of-9 overhead regression guard").to.equal(true);
  });

  it("gate 2-of-3 costs less than a real Safe 1.4.1 2-of-3 execTransaction of the same call, same run", async function () {
    const safe = await measureSafeComparison(accounts, gate[1]!);
    console.table([
      {
        viaSafe: Number(safe.viaSafe),
        safeOverhead: Number(safe.safeOverhead),
        gateOverhead: Number(gate[1]!.overhead),
        gateToSafeRatio: safe.gateToSafeRatio.toFixed(2),
      },
    ]);
    expect(safe.safeOverhead > 30_000n && safe.safeOverhead < 50_000n).to.equal(true);
    expect(gate[1]!.overhead < safe.safeOverhead, "gate 2-of-3 below the Safe 2-of-3").to.equal(true);
  });

  it("swap handler overhead over the same connector calling the Diamond unchecked stays within the 45k budget", async function () {
    const swap = await measureSwapHandlerOverhead(accounts);
    console.table([
      {
        direct: Number(swap.direct),
        viaHandler: Number(swap.viaHandler),
        overhead: Number(swap.overhead),
        issueBudget: Number(swap.budget),
      },
    ]);
    expect(swap.overhead > 0n && swap.overhead <= swap.budget).to.equal(true);
  });
});
