import { expect } from "chai";
import { parseEther } from "viem";
import {
  type GateOverhead,
  measureGateOverhead,
  measureSafeComparison,
  measureSwapHandlerOverhead,
} from "../../../bench/gateGas.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { localChain } from "../helpers/chain.js";

// Gas of the keeper gate and the swap handler (issue budgets: gate <= 10k + 8k per signature over a direct
// call, the 2-of-3 at most 26k and below a Safe 1.4.1 2-of-3 measured in the same run, handler <= 40k over a
// direct Diamond call). Met and asserted: the per-signature 8k and "below the Safe". Not met (breakdown of the
// remaining storage, account and calldata costs in docs/gate-and-swaps.md): the fixed 10k, the 2-of-3 26k and
// the handler's 40k, so those assertions are regression guards just above the measured level.

const { viem, networkHelpers, wallets, clientsFor, publicClient } = await localChain();
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

  it("swap handler overhead over calling the Diamond directly (regression guard at 86k; issue budget 40k not met)", async function () {
    const swap = await measureSwapHandlerOverhead(accounts, async (address) => {
      await networkHelpers.impersonateAccount(address);
      await networkHelpers.setBalance(address, parseEther("10"));
      const wallet = await viem.getWalletClient(address);
      return { public: publicClient as Clients["public"], wallet: wallet as Clients["wallet"] };
    });
    console.table([
      {
        direct: Number(swap.direct),
        viaHandler: Number(swap.viaHandler),
        overhead: Number(swap.overhead),
        issueBudget: 40_000,
      },
    ]);
    expect(swap.overhead > 0n && swap.overhead <= 86_000n).to.equal(true);
  });
});
