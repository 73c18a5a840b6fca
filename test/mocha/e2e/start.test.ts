import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, createWalletClient, http, isAddress } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { DEFAULT_ROLE_INDICES } from "../../../deploy/product/stack.js";
import { accountingManagerAbi } from "../../../keeper/abi/contracts.js";
import { ONCE_EPOCHS, runDemo, startDemo } from "../../../scripts/demo/run.js";
import { formatSummary, navParts } from "../../../scripts/demo/summary.js";

// Attack classes covered (../shared/research/attack-classes.md): AC20 (every fund move is a 2-of-3 signed
// gate batch), AC18/AC19 (the LI.FI swap goes through the oracle-bounded handler), AC8 (NAV equals the
// sum of its parts after every epoch).

describe("npm start -- --once, in process (the whole product and keeper end to end)", function () {
  it("[AC20 signed batches] rebalances through the gate with a LI.FI swap, settles deposits and redemptions, NAV = sum of parts", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "demo-e2e-"));
    const addressesFile = path.join(dir, "local-addresses.json");
    const lines: string[] = [];
    const summary = await runDemo(ONCE_EPOCHS, {
      port: 0,
      statusPort: null,
      addressesFile,
      log: (line) => lines.push(line),
    });

    expect(summary.epochs).to.have.length(ONCE_EPOCHS);
    // at least one gate-executed rebalance that swapped through LI.FI and moved USDC between connectors
    const swapping = summary.rebalances.filter(
      (r) => r.swaps.length > 0 && r.connectorToConnector.length > 0,
    );
    expect(swapping.length).to.be.greaterThanOrEqual(1);
    const rebalance = swapping[0]!;
    expect(rebalance.swaps[0]!.amountOut > 0n).to.equal(true);
    expect(rebalance.transfers.some((t) => t.from === "aave-usdc" && t.to === "uniswap-usdc-weth")).to.equal(
      true,
    );
    expect(rebalance.reasons.join(" ")).to.match(/crypto-risk-on: inactive → risk-on/);
    expect(rebalance.signals[0]!.metric).to.be.greaterThanOrEqual(0.75);
    expect(rebalance.provenance).to.match(/^0x[0-9a-f]{64}$/);
    // every batch consumed the next gate nonce and carried its own provenance
    expect(summary.rebalances.map((r) => r.nonce)).to.deep.equal(
      [...summary.rebalances.map((r) => r.nonce)].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(new Set(summary.rebalances.map((r) => r.provenance)).size).to.equal(summary.rebalances.length);

    // requests: settled and claimed, none deferred
    const q = summary.requests;
    expect(q.depositSettlements).to.be.greaterThanOrEqual(1);
    expect(q.redeemSettlements).to.be.greaterThanOrEqual(1);
    expect(q.depositsSettled).to.equal(q.depositsRequested);
    expect(q.depositsClaimed).to.equal(q.depositsSettled);
    expect(q.redeemsClaimed).to.equal(q.redeemsSettledAssets);
    expect(q.redeemsClaimed > 0n).to.equal(true);
    expect(q.deferred).to.equal(0);

    // NAV reported by the vault equals idle + connector values in every epoch; the LP holds value at the end
    for (const row of summary.epochs) {
      const { nav, sumOfParts } = navParts(row);
      expect(nav, `epoch ${row.epoch}`).to.equal(sumOfParts);
    }
    const last = summary.epochs.at(-1)!;
    expect(last.connectors["uniswap-usdc-weth"] > 0n).to.equal(true);
    // price per share stays within 0.1 % of 1 (fees, swap cost, Aave interest)
    expect(Number(last.pricePerShare)).to.be.within(999_000, 1_001_000);
    expect(summary.fees.managementFee > 0n).to.equal(true);

    // the keeper's outcome step captured the seeded RBA group's Dutch book: every leg bought through the
    // gate, the YES set held in the PolymarketConnector, the step's NAV change the locked profit
    const [trade, ...more] = summary.outcomes.trades;
    expect(more).to.deep.equal([]);
    expect(trade).to.include({ strategy: "dutch-book", setKind: "negRisk", legs: 3, status: "locked" });
    expect(trade!.profit > 0n).to.equal(true);
    // (Aave interest accrues over the same few blocks: at most a cent here)
    const rise = trade!.navAfter - trade!.navBefore;
    expect(rise >= trade!.profit && rise - trade!.profit < 10_000n, `NAV +${rise}`).to.equal(true);
    expect(trade!.placedTx).to.have.length(1);
    expect(trade!.provenances[0]).to.match(/^0x[0-9a-f]{64}$/);
    expect(last.polymarket).to.equal(trade!.sets);

    const text = formatSummary(summary);
    expect(text).to.include(
      `placed through the gate  provenance ${trade!.provenances[0]}  tx ${trade!.placedTx[0]}`,
    );
    for (const heading of [
      "Outcome arbitrage",
      "NAV and price per share",
      "Allocation per connector",
      "Rebalances",
      "Fees accrued",
      "Requests",
    ])
      expect(text).to.include(heading);
    expect(text).to.include(rebalance.provenance);
    expect(lines.some((l) => l.includes("through LI.FI"))).to.equal(true);

    const addresses = JSON.parse(await readFile(addressesFile, "utf8")) as Record<string, unknown>;
    for (const key of ["vault", "gate", "asset", "registry", "swapHandler"])
      expect(isAddress(addresses[key] as string), key).to.equal(true);
  });
});

describe("npm start as a service: a guardian pause does not stop it, /metrics is filled", function () {
  it("depositors see the vault's refusal and go on, the keeper logs the refused batch, the summary still prints", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "demo-pause-"));
    const lines: string[] = [];
    const session = await startDemo({
      port: 0,
      statusPort: 0,
      addressesFile: path.join(dir, "local-addresses.json"),
      keeperConfigFile: path.join(dir, "keeper-demo.json"),
      log: (line) => lines.push(line),
    });
    try {
      // the Polymarket CLOB it serves lists the seeded markets, each with both sides of its book
      const markets = (await (await fetch(`${session.clobUrl}/markets`)).json()) as {
        data: { tokens: { token_id: string }[]; neg_risk: boolean }[];
      };
      expect(markets.data.map((m) => m.neg_risk)).to.deep.equal([false, false, false, true, true, true]);
      const book = (await (
        await fetch(`${session.clobUrl}/book?token_id=${markets.data[0]!.tokens[0]!.token_id}`)
      ).json()) as {
        bids: unknown[];
        asks: unknown[];
      };
      expect(book.bids.length > 0 && book.asks.length > 0, JSON.stringify(book)).to.equal(true);
      expect(
        lines.some((l) =>
          l.startsWith(`Polymarket CLOB (local, @polymarket/clob-client compatible) at ${session.clobUrl}`),
        ),
      ).to.equal(true);
      await session.runEpoch();
      const guardian = createWalletClient({
        account: mnemonicToAccount("test test test test test test test test test test test junk", {
          addressIndex: DEFAULT_ROLE_INDICES.guardian,
        }),
        transport: http(session.rpcUrl),
      });
      const reader = createPublicClient({ transport: http(session.rpcUrl) });
      for (const functionName of ["pauseDeposits", "pauseRedeems"] as const) {
        const hash = await guardian.writeContract({
          address: session.local.stack.vault,
          abi: accountingManagerAbi,
          functionName,
          chain: null,
        });
        expect((await reader.waitForTransactionReceipt({ hash })).status).to.equal("success");
      }
      await session.runEpoch();
      await session.runEpoch();
      const summary = session.summary();
      expect(summary.epochs).to.have.length(3);
      expect(summary.requests.refused).to.be.greaterThan(0);
      expect(lines.some((l) => /refused by the vault \(\w+\); goes on/.test(l))).to.equal(true);
      expect(formatSummary(summary)).to.include("depositor actions refused by the vault");
      const metrics = await (await fetch(session.statusUrl!.replace(/\/status$/, "/metrics"))).text();
      expect(metrics).to.match(/keeper_cycles_total\{task="strategy",outcome="ok"\} 3/);
      expect(metrics).to.match(/keeper_tx_events_total\{event="\w+"\} [1-9]/);
    } finally {
      await session.close();
    }
  });
});
