import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { createPublicClient, custom, type PublicClient } from "viem";
import { SHARED_DATA_DIR } from "../../../deploy/local/clob/recordedQuotes.js";
import {
  type OutcomeReplayChain,
  replayJanuaryGroupOnChain,
  startOutcomeReplayChain,
} from "../../../deploy/local/outcomeReplayChain.js";
import { loadRecordedSpreads } from "../../../keeper/backtest/replay.js";
import { replayJanuaryGroups } from "../../../keeper/backtest/outcomeReplay.js";
import { defaultStrategyConfig } from "../../../keeper/strategy/config.js";
import { localChain } from "../helpers/chain.js";

// The on-chain outcome replay (`npm run replay:outcomes -- --on-chain`) on one recorded trade: the
// off-chain replay's first RBA Feb-2026 trade (a YES set bought below par at 2026-01-13 10h), its
// books at that hour seeded on the local CLOB, the group registered in the vault's connector, then
// the keeper's outcome step as `keeper run` composes it. The keeper places the same batch the
// off-chain replay planned, and the vault's NAV rises by that profit: exactly, up to the YES tokens
// bought beyond the full set (each valued at most par).

const { connection, clientsFor } = await localChain();
const accounts = Array.from({ length: 20 }, (_, i) => clientsFor(i));
const GROUP = "rba-feb-2026-decision";

describe("outcome replay through the connector on the local chain: realized = planned", function () {
  this.timeout(240_000);
  let chain: OutcomeReplayChain;

  before(async function () {
    chain = await startOutcomeReplayChain({
      accounts,
      client: createPublicClient({ transport: custom(connection.provider), cacheTime: 0 }) as PublicClient,
      transport: custom(connection.provider),
      dir: mkdtempSync(path.join(tmpdir(), "outcome-replay-chain-")),
      depositUsd: 100_000,
    });
  });

  after(async function () {
    await chain?.close();
  });

  it("the first recorded RBA trade: same batch as planned off-chain, locked, NAV up by the planned profit", async function () {
    const base = defaultStrategyConfig();
    const spreads = await loadRecordedSpreads(SHARED_DATA_DIR);
    const { trades } = await replayJanuaryGroups({
      dataDir: SHARED_DATA_DIR,
      spreads,
      arb: {
        guards: {
          ...base.dutchBook,
          maxQuoteAgeMs: 3_600_000,
          maxQuoteSkewMs: 3_600_000,
          minLegDepthUsd: 50,
        },
        minProfitUsd: 1,
        caps: { perMarket: 0.15, perEvent: 0.15, perCluster: { default: 0.3 }, total: 0.6 },
        setStep: 0.01,
      },
      bankrollUsd: 100_000,
      cooldownMs: 24 * 3_600_000,
      janFeeRateBps: 0,
      onlyGroups: [GROUP],
    });
    const planned = trades[0]!;
    expect(planned.strategy).to.equal("dutch-book");

    const result = await replayJanuaryGroupOnChain(chain, [planned], {
      dataDir: SHARED_DATA_DIR,
      spreads,
      feeRateBps: 0,
    });
    expect(result.registrationError).to.equal(null);
    const { step } = result.trades[0]!;
    expect(step.placed, JSON.stringify(step.rejected)).to.have.length(1);
    const [batch] = step.placed;
    expect(batch).to.include({ strategy: "dutch-book", status: "locked", orders: 3 });
    const USD = 1_000_000;
    expect(Number(batch!.sets) / USD).to.equal(planned.sets);
    expect(Number(batch!.cost) / USD).to.equal(planned.costUsd);
    expect(Number(batch!.plannedProfit) / USD).to.equal(planned.profitUsd);
    expect(batch!.fees).to.equal(0n);
    console.log(
      `      ${GROUP} ${new Date(planned.at).toISOString().slice(0, 13)}h: planned $${planned.profitUsd}, NAV +$${Number(step.navChange) / USD}, keeper gas ${step.keeperGas} in ${step.keeperTxs} txs`,
    );
    // every YES bought is one of the full sets (the orders fill exactly `sets`): NAV rises by the profit to the unit
    expect(step.navChange).to.equal(batch!.plannedProfit);
    expect(step.keeperGas > 0n).to.equal(true);
  });
});
