import type { BenchResults, TargetCheck } from "./results.js";

/** What each gas figure in results.json is, for the tables of docs/benchmarks.md. */
const GAS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  requestDeposit: "requestDeposit of a returning user (went through a full cycle before)",
  requestDeposit_firstEver: "requestDeposit, the vault's very first request (all slots cold)",
  requestDeposit_newUserOpenEpoch: "requestDeposit of a new user into an epoch others already opened",
  requestRedeem: "requestRedeem of a returning user",
  requestRedeem_foldingSettled: "requestRedeem that first folds the user's settled request",
  claimDeposit: "claim deposit (ERC-7540 `deposit(assets, receiver, controller)`)",
  claimMint: "claim deposit by shares (`mint`)",
  claimRedeem: "claim redeem (`redeem(shares, receiver, controller)`)",
  claimWithdraw: "claim redeem by assets (`withdraw`)",
  claimDeposit_full: "full deposit claim right after settlement, holder already holds shares (fold included)",
  claimDeposit_fullFirstTime: "full deposit claim by a first-time holder (share balance slot created)",
  claimDeposit_firstPartial: "first, partial deposit claim after settlement (writes the claimable record)",
  claimRedeem_full: "full redeem claim right after settlement (fold included, claim record cleared)",
  claimRedeem_firstPartial: "first, partial redeem claim after settlement",
  settle_gated_3empty:
    "keeper's settlement batch through the 2-of-3 gate, local stack, 3 real connectors empty",
  settle_gated_3funded: "the same with Aave supplied, Morpho 4626 deposited, USDC on the Uniswap connector",
  cancelDepositRequest: "cancel a pending deposit request (ERC-7887)",
  claimCancelDepositRequest: "claim the cancelled deposit's assets",
  settle_1: "epoch settlement, 1 connector (one deposit and one redeem pending)",
  settle_3: "epoch settlement, 3 connectors",
  settle_8: "epoch settlement, 8 connectors",
  nav_3: "NAV over 3 real ERC4626Connectors holding USDC + WETH (execution gas)",
  nav_3_withVaultPosition: "NAV over 3 ERC4626Connectors also holding a live ERC-4626 position",
  gate_1of1_overhead: "KeeperGate 1-of-1 execute over the direct call",
  gate_2of3_overhead: "KeeperGate 2-of-3 execute over the direct call",
  gate_5of9_overhead: "KeeperGate 5-of-9 execute over the direct call",
  gate_1of1_exec: "KeeperGate 1-of-1 execute, whole transaction",
  gate_2of3_exec: "KeeperGate 2-of-3 execute, whole transaction",
  gate_5of9_exec: "KeeperGate 5-of-9 execute, whole transaction",
  gate_direct_call: "the gated call sent directly by an EOA",
  safe_2of3_exec: "Safe 1.4.1 2-of-3 execTransaction of the same call, whole transaction",
  safe_2of3_overhead: "Safe 1.4.1 2-of-3 over the direct call",
  mandate_exec: "KeeperGate.executeMandate (keeper alone within signed bounds), whole transaction",
  mandate_overhead: "executeMandate over the direct call",
  swapHandler_direct:
    "LiFi swap (Uniswap v3 leg): the connector approves and calls the Diamond, nothing checked",
  swapHandler_exec: "the same swap checked: LiFiSwapHandler.checkSwap, exact spend, minimum out",
  swapHandler_overhead: "checked swap over the unchecked one",
  outcome_buyMerge_3:
    "outcome set of 3: buy every leg on its FixedProductMarketMaker and merge, gate batches of 5 actions, summed",
  outcome_buyMerge_10: "the same for a set of 10 (3 gate transactions)",
  outcome_buyMerge_25: "the same for a set of 25 (6 gate transactions; one buy splits into all 25 positions)",
  outcome_splitSell_3:
    "outcome set of 3: split a full set and sell 2 legs on the pool, gate batches of 5, summed",
  outcome_splitSell_10: "the same for a set of 10",
  outcome_splitSell_25: "the same for a set of 25",
  outcome_redeem: "redeem a resolved binary market through the gate, whole transaction",
  venue_fillOrder:
    "local CTF Exchange: the operator fills one clob-client-signed BUY order completely, whole transaction",
  venue_match_1maker: "matchOrders, a BUY taker against 1 SELL maker of the same token (COMPLEMENTARY)",
  venue_match_5makers: "the same against 5 SELL makers",
  venue_match_mint: "matchOrders, a YES bid against a NO bid: the exchange splits the full set (MINT)",
  venue_convert_3: "local NegRiskAdapter: convertPositions of the NO of all 3 questions into 2 USDC per set",
  venue_convert_10: "the same for a 10-question market",
  venue_convert_25: "the same for a 25-question market",
  outcome_nav_1markets:
    "ConditionalTokensConnector.totalValue, 1 open market of 4 legs, every leg held and marked",
  outcome_nav_2markets: "the same with 2 markets",
  outcome_nav_4markets: "the same with 4 markets",
  outcome_nav_8markets: "the same with 8 markets (32 legs, the connector's cap)",
  pm_buyLock_3:
    "PolymarketConnector, negRisk YES set of 3: keeper gate tx [transferToConnector, pmPlaceOrders(3 BUYs)]; the held set is the lock (no tx)",
  pm_buyLock_10: "the same for a 10-question group (one pmPlaceOrders of 10 BUYs)",
  pm_buyLock_3_perLeg: "pm_buyLock_3 / 3",
  pm_buyLock_10_perLeg: "pm_buyLock_10 / 10",
  pm_buyLock_3_venue:
    "the venue operator's matchOrders of the 3 legs (connector BUY vs a clob-client-signed SELL), summed; not keeper-paid",
  pm_buyLock_10_venue: "the same for the 10 legs",
  pm_buyConvert_3:
    "negRisk NO set of 3: keeper gate txs [transferToConnector, pmPlaceOrders(3 NO BUYs)] + lock [pmConvert(all 3)], summed",
  pm_buyConvert_10: "the same for 10 questions",
  pm_buyConvert_3_lock: "of pm_buyConvert_3, the lock tx [pmConvert] alone",
  pm_buyConvert_10_lock: "of pm_buyConvert_10, the lock tx alone",
  pm_buyConvert_3_venue: "the venue operator's matchOrders of the 3 NO legs, summed; not keeper-paid",
  pm_buyConvert_10_venue: "the same for the 10 NO legs",
  pm_buyMerge_binary:
    "binary set: keeper gate txs [transferToConnector, pmPlaceOrders(YES BUY, NO BUY)] + lock [pmMerge], summed",
  pm_buyMerge_binary_venue: "the venue operator's matchOrders of both legs, summed; not keeper-paid",
  pm_splitSell_binary:
    "mint-and-sell, binary: keeper gate tx [transferToConnector, pmSplit, pmPlaceOrders(2 SELLs)]",
  pm_splitSell_binary_venue: "the venue operator's matchOrders of both SELLs, summed; not keeper-paid",
  pm_splitSell_3:
    "mint-and-sell, negRisk of 3: keeper gate tx [transferToConnector, pmSplit(q1), pmConvert(NO q1 → YES set), pmPlaceOrders(3 SELLs)]",
  pm_splitSell_3_venue: "the venue operator's matchOrders of the 3 SELLs, summed; not keeper-paid",
  pm_redeem: "keeper gate tx [pmRedeem] of a resolved binary market (YES + NO held), whole transaction",
  pm_nav_1: "PolymarketConnector.totalValue (execution gas), 1 registered binary market held (YES + NO)",
  pm_nav_2: "the same with 2 markets held",
  pm_nav_4: "the same with 4 markets held",
  pm_nav_8: "the same with 8 markets held",
  pm_nav_10: "the same with 10 markets held (MAX_CONDITIONS, the connector's cap)",
  pm_nav_group10:
    "PolymarketConnector.totalValue with one 10-question negRisk group registered (MAX_CONDITIONS), nothing held: under the vault's 500,000 valuation gas",
  pm_close_1:
    "keeper gate tx [pmCloseOrders] of 1 open unfilled BUY (cancelled on the exchange): the unwind path",
  pm_close_8: "the same closing 8 open orders",
  pm_close_32: "the same closing 32, the connector's MAX_OPEN_ORDERS",
  oz4626_deposit: "OpenZeppelin 5 ERC-4626 deposit of a returning holder",
  oz4626_redeem: "OpenZeppelin 5 ERC-4626 partial redeem",
};

const n = (value: number) => Math.round(value).toLocaleString("en-US");
const figure = (c: TargetCheck) => (c.unit === "ratio" ? c.figure.toFixed(3) : n(c.figure));
const target = (c: TargetCheck) => `${c.comparison} ${c.unit === "ratio" ? c.target : n(c.target)}`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const keeperFigure = (value: number | null, unit: string, why: string | undefined) =>
  value === null
    ? `not measured: ${why ?? "no reason recorded"}`
    : `${value.toLocaleString("en-US")} ${unit}`;

/** How the in-process cycle compute was measured (only when it was). */
function cycleNote(results: BenchResults): string {
  const meta = results.meta;
  if (results.keeper.cycleMsMedian === null) return "";
  return `
The cycle figures are the in-process compute of one keeper cycle: the wall time of one whole cycle
against the in-process EDR chain of the same process (automining, so "mined" is the next block, and no
network, block interval or second process is waited for): median and p95 over ${String(meta.cycleSamples)} cycles after 3 warm-up cycles. Each is one call of
the real keeper's \`runKeeperCycle\` (keeper/cycle/cycle.ts) on \`composeLocalKeeper\` over \`deployLocalStack\`
(the full product stack on the local Uniswap v3, Aave v3, Morpho Blue and Safe deployments: the real
KeeperGate 2 of 3, AccountingManager holding a 500,000 USDC deposit the keeper settled through the gate,
ValueOracle, and the Aave, Morpho ERC-4626 and Uniswap connectors): chain readings (peg feeds) → signals
(${String(meta.cycleSnapshots)} market snapshots: the recorded Polymarket Gamma API payloads parsed and validated by the
keeper's adapter at each cycle, plus the example policy's USDC-depeg market) → \`evaluate\` with the
example allocation policy → the product \`ChainPlanner\` (its inputs read at one block, the pure plan, up to
${String(meta.cycleCallsPerBatch)} ordered withdraw / transfer / deposit gate calls) → \`MultisigWorkflow\` propose (SQLite) → two of the
three operators re-simulate the batch through the gate and re-check it (\`ChainRiskChecker\`: calls are the
plan's encoding, targets are the vault or its connectors) and sign EIP-712 → submit through the
\`ReliableSender\` (simulate, estimate, sign, journal, broadcast, poll) until the receipt is in. Before each
cycle, outside the timed part, 20,000 USDC lands on the Uniswap connector, so every cycle has a real
rebalance to plan (the connector above its weight, the others below). It is what the keeper's own work
costs; the time from a signal to a mined batch against a JSON-RPC node with interval mining is a
separate measurement. The target is under 100 ms median.
`;
}

/** docs/benchmarks.md from one run's results and target checks. */
/** The median, p95 and range of one latency figure, milliseconds. */
export interface LatencyStats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

/** What `npm run bench:latency` writes to bench/latency-results.json (the part this page shows). */
export interface LatencyResults {
  readonly measuredAt: string;
  readonly byBlockTime: Readonly<
    Record<
      string,
      {
        readonly samples: number;
        /** flips whose rebalance was not mined in time (counted, not dropped) */
        readonly failedSamples: number;
        /** stale proposals their proposer withdrew before the executed one */
        readonly withdrawnProposals: number;
        readonly signalToMinedMs: LatencyStats;
        readonly signalToProposedMs: LatencyStats;
        readonly proposedToMinedMs: LatencyStats;
        readonly proposingCycleMs: LatencyStats;
        readonly proposingCycleStepsMsMedian: Readonly<Record<string, number>>;
      }
    >
  >;
  readonly inProcessCycleMs: { readonly median: number | null; readonly p95: number | null };
}

const ms = (value: number) => `${n(Math.round(value))} ms`;

/** The signal → mined section, from bench/latency-results.json. */
function latencySection(latency: LatencyResults | undefined): string {
  if (!latency)
    return `## Signal → mined latency

Not measured yet: run \`npm run bench:latency\` (it writes \`bench/latency-results.json\`, which this page shows).
`;
  const rows = Object.entries(latency.byBlockTime).flatMap(([block, b]) => [
    [
      `${block} blocks: signal → mined (the gate's \`Executed\` in a block)`,
      `${b.samples} (${b.failedSamples} failed)`,
      ms(b.signalToMinedMs.median),
      ms(b.signalToMinedMs.p95),
      `${ms(b.signalToMinedMs.min)} – ${ms(b.signalToMinedMs.max)}`,
    ],
    [
      `${block} blocks: signal → proposed (schedule wait, fetch, reads, evaluate, plan)`,
      String(b.samples),
      ms(b.signalToProposedMs.median),
      ms(b.signalToProposedMs.p95),
      `${ms(b.signalToProposedMs.min)} – ${ms(b.signalToProposedMs.max)}`,
    ],
    [
      `${block} blocks: proposed → mined (co-signature, simulation, submission, inclusion)`,
      String(b.samples),
      ms(b.proposedToMinedMs.median),
      ms(b.proposedToMinedMs.p95),
      `${ms(b.proposedToMinedMs.min)} – ${ms(b.proposedToMinedMs.max)}`,
    ],
    [
      `${block} blocks: the proposing cycle inside \`keeper run\` (${Object.entries(
        b.proposingCycleStepsMsMedian,
      )
        .map(([step, v]) => `${step} ${ms(v)}`)
        .join(", ")}; medians, a step the cycle did not take counts 0)`,
      String(b.samples),
      ms(b.proposingCycleMs.median),
      ms(b.proposingCycleMs.p95),
      `${ms(b.proposingCycleMs.min)} – ${ms(b.proposingCycleMs.max)}`,
    ],
  ]);
  const local = latency.inProcessCycleMs;
  return `## Signal → mined latency

What an operator waits for between a market signal changing and the rebalance it causes being mined,
with the production composition: an EDR node in its own process serving the local stack as JSON-RPC
(\`bench/latencyNode.ts\`, the way \`npm start\` serves its chain) on interval mining, and two
\`keeper run\` processes (operators 1 and 2 of the 2-of-3 gate), each with the config
\`scripts/keeper-config.ts --every 1\` writes and one shared SQLite store, reading a local Polymarket
Gamma server as their live signal (\`product.liveSignals\`). Each sample flips that server's Yes price
(0.2 ↔ 0.8) across the policy's level (Aave's weight to Morpho and back: a withdraw and a deposit in one
gate batch) and waits until the keepers are idle again before the next. "Mined" is the gate's
\`Executed\` event seen in a block by a client polling the node every 20 ms. Measured ${latency.measuredAt}
by \`npm run bench:latency\` (\`bench/latency.ts\`, results in \`bench/latency-results.json\`).

${table(["figure", "samples", "median", "p95", "range"], rows)}

Stale proposals withdrawn on the way (both keepers run the strategy; one that planned on state an
execution changed before it was signed withdraws its proposal at its own refused signature):
${Object.entries(latency.byBlockTime)
  .map(([block, b]) => `${b.withdrawnProposals} with ${block} blocks`)
  .join(", ")}.

Where the time goes: the strategy task runs every second (\`--every 1\`), so a flip waits up to 1 s for
the next cycle; the other operator's multisig task co-signs at its poll (5 × \`chain.pollingIntervalMs\`,
2.5 s with the script's 500 ms), and the submission then waits for the next block. The proposing
cycle's steps are wall time inside the keeper process and include its JSON-RPC reads of the node.
The run shares the machine's 2 cores with the node, both keepers and whatever else runs on it.

In-process compute of one cycle, for comparison (the Keeper section above, \`cycleMsMedian\`): one
local cycle in one process with both signatures and the block mined on automine, no schedule or
co-signer waits: median ${local.median === null ? "not measured" : ms(local.median)}, p95 ${local.p95 === null ? "not measured" : ms(local.p95)}.

Reproduce: \`npm run bench:latency\` (about 6 min: the node's deployment, then at most
\`BENCH_LATENCY_SECONDS\` (150) of samples per block time, \`BENCH_LATENCY_SAMPLES\` (25) at most,
block times \`BENCH_LATENCY_BLOCKS\` ("1,2")). It is not part of \`npm run bench\` (it takes minutes).
`;
}

/** The Polymarket connector section: who pays what, and the FPMM outcome figures beside it. */
function polymarketSection(results: BenchResults): string {
  const g = results.gas;
  const limits = results.polymarket;
  if (g.pm_buyLock_3 === undefined || !limits) return "";
  const shown = (value: number | undefined) => (value === undefined ? "—" : n(value));
  const sizes = Object.keys(g)
    .map((key) => /^pm_buyLock_(\d+)$/.exec(key)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const rows = sizes.map((size) => [
    String(size),
    shown(g[`pm_buyLock_${size}`]),
    shown(g[`pm_buyLock_${size}_perLeg`]),
    shown(g[`pm_buyLock_${size}_venue`]),
    shown(g[`pm_buyConvert_${size}`]),
    shown(g[`outcome_buyMerge_${size}`]),
  ]);
  const refused = limits.refusedSetSize;
  rows.push([
    String(limits.maxSetSize),
    `the largest group the connector registers (MAX_CONDITIONS); the vault funds it: totalValue ${shown(g[`pm_nav_group${limits.maxSetSize}`])} gas, under the 500,000 budget`,
    "—",
    "—",
    "—",
    shown(g[`outcome_buyMerge_${limits.maxSetSize}`]),
  ]);
  rows.push([
    String(refused),
    `refused: \`addNegRiskMarket\` reverts \`${limits.refusedSetError}\``,
    "—",
    "—",
    "—",
    shown(g[`outcome_buyMerge_${refused}`]),
  ]);
  return `## Polymarket connector (keeper gate vs venue operator)

Who pays what: the **keeper** pays the KeeperGate transactions (2-of-3 \`execute\`, the gate's signature checks
included): placing a batch (\`[transferToConnector, pmPlaceOrders(every leg)]\`, the connector records each
order hash for ERC-1271, checks the exposure caps and sets exact allowances), and the lock once every leg has
filled (\`pmMerge\` for a binary set, \`pmConvert\` for a negRisk NO set; a negRisk YES set is held, no
transaction). The **venue operator** (the CLOB's key) pays the fills: one \`matchOrders\` per leg, the
connector's order as taker against a maker order signed with clob-client's ExchangeOrderBuilder — on
Polymarket that is Polymarket's cost, not the vault's, and is shown apart (\`*_venue\`). The
ConditionalTokensConnector's FPMM path (\`outcome_buyMerge_*\`) has no operator: the keeper's own
transactions buy from the pool, each buy splitting collateral into all n positions, so its cost grows
faster than the set size; the order-book path puts every leg's order in one transaction, so the keeper's
cost per leg stays roughly flat (column "per leg") and the operator's fills add about as much again.

${table(
  [
    "questions",
    "YES set: keeper place tx (lock: held)",
    "per leg",
    "venue fills, summed (operator)",
    "NO set: keeper place + pmConvert",
    "FPMM outcome_buyMerge (keeper)",
  ],
  rows,
)}

Binary set bought and merged: keeper ${shown(g.pm_buyMerge_binary)} (venue ${shown(g.pm_buyMerge_binary_venue)});
mint-and-sell: binary ${shown(g.pm_splitSell_binary)}, negRisk of 3 (split, convert into a YES set, 3 SELLs in one
transaction) ${shown(g.pm_splitSell_3)}, against the FPMM's \`outcome_splitSell_3\` ${shown(g.outcome_splitSell_3)};
redeem ${shown(g.pm_redeem)} against \`outcome_redeem\` ${shown(g.outcome_redeem)}.

Limits of the connector (read from the contract in this run): at most ${limits.caps.maxConditions} registered
conditions (a negRisk group of more questions cannot be registered, so the ${refused}-leg set is not tradable
through it at all, and the \`pm_nav_*\` curve ends at ${limits.caps.maxConditions} markets) and at most
${limits.caps.maxOpenOrders} open orders (closing ${limits.caps.maxOpenOrders} is \`pm_close_${limits.caps.maxOpenOrders}\`).
The vault forwards 500,000 gas to one connector's \`totalValue\` (ConnectorValuation.VALUATION_GAS) and
refuses to fund a connector whose valuation fails: \`totalValue\` costs about 28,000 gas per registered
condition (\`pm_nav_*\`), and a negRisk group adds its own pass; MAX_CONDITIONS is set so that a connector at
the cap, one ${limits.maxSetSize}-question group (\`pm_nav_group${limits.maxSetSize}\`), stays under that budget (at 16 it
needed up to 650,000 gas, and the vault read the connector as unhealthy). Every order action and cap check reads
all registered conditions and open orders, so the figures above are for a connector holding only the measured
market(s); on a busier connector \`pmPlaceOrders\` costs more. Measured by \`bench/polymarketGas.ts\`: the local
CTF Exchange, NegRisk CTF Exchange and NegRiskAdapter stand-ins on the real Conditional Tokens 1.0.3, orders
from keeper/planning/outcomeActions.ts, actions encoded by keeper/planning/actions.ts, 100 full sets per leg,
fee rate 0.

`;
}

export function renderBenchmarksMarkdown(
  results: BenchResults,
  checks: readonly TargetCheck[],
  latency?: LatencyResults,
): string {
  const missed = checks.filter((c) => !c.met);
  const meta = results.meta;
  const k = results.keeper;
  const why = k.notMeasured ?? {};
  const gasRows = Object.entries(results.gas)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => [`\`${key}\``, n(value), GAS_DESCRIPTIONS[key] ?? ""]);
  const settleRows = Object.entries(results.scaling.settle).map(([count, gas]) => [count, n(gas)]);
  const navRows = Object.entries(results.scaling.nav).map(([count, gas], i, all) => [
    count,
    n(gas),
    i === 0 ? "" : n(gas - (all[i - 1]?.[1] ?? 0)),
  ]);
  return `# Benchmarks

Gas per operation, scaling curves, the comparison points (an OpenZeppelin ERC-4626 vault and a Safe 1.4.1
2-of-3) and the keeper's throughput and latency, all measured by one command in one run. This page is
generated by \`npm run bench\` from \`bench/results.json\`; edit \`bench/report.ts\`, not this file.

Run of commit \`${meta.commit}\` on ${meta.date}${meta.cpu ? ` (${String(meta.cpu)}, Node ${String(meta.node)})` : ""}.

## Targets

${missed.length === 0 ? "Every target is met." : `**${missed.length} of ${checks.length} targets are missed**: ${missed.map((c) => c.name).join(", ")}.`}

${table(
  ["figure", "how", "measured", "target", "status"],
  checks.map((c) => [c.name, c.figureOf, figure(c), target(c), c.met ? "met" : `**${c.status}**`]),
)}

Settlement counts as "flat in the number of requests" when settling 200 pending requests costs at most 5%
more than settling 1. Per-extra-connector figures are the average slope between 1 and 3 and between 1 and 8
connectors. The gate's 2-of-3 and the swap handler's targets (30k, 45k) come from the security issue (11),
which relaxed the gate issue's 26k and 40k. Where the gas goes, and what a missed target would take: docs/gate-and-swaps.md (gate, mandates,
swap handler), docs/valuation.md (NAV), docs/vault.md (vault operations and settlement).

## How to run

\`\`\`sh
npm run bench                  # builds the contracts, then runs bench/run.ts
BENCH_REPS=9 npm run bench     # more repetitions of the gas figures (default 5)
BENCH_CYCLES=500 npm run bench # more keeper cycles (default 100)
\`\`\`

This run took ${String(meta.benchSeconds)} s after the build.

It starts an in-process Hardhat EDR chain (\`network.create()\`), deploys everything it measures on it,
prints progress, and writes \`bench/results.json\`, this page and \`docs/benchmarks-scaling.svg\`.
\`results.json\` keeps the same keys across commits, so two runs can be diffed
(\`git diff <a> <b> -- bench/results.json\`).

## Method

- **Receipt gasUsed.** User operations, settlement, gate, mandate and swap figures are the \`gasUsed\` of
  the transaction's receipt, intrinsic 21,000 and calldata included, as a user pays it.
- **Overheads are differences.** \`*_overhead\` figures are the gated (or handled) transaction's gasUsed
  minus the same call sent directly by an EOA (for the swap: the same connector approving and calling the
  LiFi Diamond in one transaction with nothing checked, \`MockSwapConnector.swapUnchecked\`), so both sides
  carry their own intrinsic and calldata cost.
- **Warm storage where a real user has it.** Each path runs once before it is measured: the user already
  holds a balance, has an unlimited approval, went through a full deposit/redeem cycle, and the vault has
  other holders; the gate has executed before (nonce slot non-zero); the mandate has acted twice (its
  rolling window is written). The OpenZeppelin comparison vault is measured under the same conditions
  (returning holder, unlimited approval, another holder present; partial redeem).
  \`requestDeposit_firstEver\` shows the all-cold case for contrast.
- **NAV** is execution gas (gasUsed minus intrinsic and calldata) of one call that sums
  \`totalValue()\` over the connectors through the ConnectorValueSum probe — the loop the AccountingManager's
  \`totalAssets\` runs. The connectors are **real ERC4626Connectors**, each holding two tokens — idle USDC
  (the base asset) and WETH priced by the real ValueOracle through two Chainlink mock-feed hops (ETH/USD,
  then USD/USDC inverted) — the scenario the valuation issue's 150k target is set on. Only the feeds are
  mocks (\`MockV3Aggregator\`). \`nav_3_withVaultPosition\` adds to each connector shares of an
  OpenZeppelin ERC-4626 vault over USDC (a live position valued through \`convertToAssets\`); it has no
  target of its own. docs/valuation.md has NAV over live Aave, Uniswap and 4626 positions.
- **Settlement** uses the real AccountingManager with **MockConnector** connectors (our own IConnector
  test double reporting its USDC balance), so settlement figures carry the vault's own cost plus a cheap
  \`totalValue()\` per connector; with real connectors add the NAV figures above. The settle_1/3/8 epochs
  have one deposit and one redeem pending after a prior epoch. The pending-request curve seeds N deposit
  requests from distinct controllers into one epoch, one connector.
- **Gate, mandate and swap** figures run on the testbeds of deploy/local/gateTestbed.ts: the real
  KeeperGate and LiFiSwapHandler, the real Safe 1.4.1 and Uniswap v3 from npm, the LocalLiFiDiamond
  stand-in for the LI.FI Diamond (no published bytecode), and test doubles for the vault
  (\`MockPricedVault\`), oracle (\`MockFixedPriceOracle\`) and connectors (\`MockActionConnector\`,
  \`MockSwapConnector\`). So \`mandate_overhead\` holds the gate's own work (scope checks, the oracle
  notional, two price-per-share reads, the rolling notional window) with cheap doubles behind it; with
  the product oracle and vault the reads cost more.
- **Medians.** Every operation figure is the median of ${String(meta.repetitions ?? "several")} repetitions on fresh deployments
  (the addresses, hence calldata bytes, differ); the scaling curves and the keeper figures are single runs
  (settlement by requests and NAV by connectors repeat identically per point, as the tables show).
- **Keeper.** \`snapshotsPerSec\` (target ≥ 50,000): \`measureThroughput\`, estimation (the price-threshold model
  on the recorded Chainlink Data Streams BTC/USD ticks), the statistical decision gate on both sides and caps for
  the 274 recorded BTC 5-minute markets at every second of their windows, counting only snapshots that reach
  estimation and sizing (an estimate, then the decision gate and caps; one core, loading not timed; best of 3 passes). \`replaySeconds\` (target ≤ 15 s) and
  \`replayPeakMB\` (≤ 300 MB) are the January replay with metadata and recorded spreads. Wall-clock keeper figures
  depend on the machine and on what else runs on it (the run above shares 2 cores with other work). \`replaySeconds\` and \`replayPeakMB\`: the full
  replay (\`runReplay\`: load, replay, report files) of ${n(Number(meta.replayPoints ?? 379634))} points in a child Node process
  that does nothing else, its peak resident memory read from \`/proc/self/status\` (VmHWM) at the end.

## Gas per operation

${table(["operation", "gas", "what"], gasRows)}

## Physical floors

Each figure against the least the EVM charges for the work no implementation can skip (model in
\`bench/gasFloor.ts\`): intrinsic 21,000 + calldata (4 gas per zero byte, 16 per non-zero byte); the
storage transitions the operation must make, counted cold (22,100 to create a slot, 5,000 to change one,
200 net to clear one after its 4,800 refund); 2,600 per cold account it must call besides its target;
3,000 per signature it must recover; and its logs as emitted (375 + 375 per topic + 8 per data byte).
A share transfer is two balance changes (a create for a first-time holder); an asset transfer adds the
token's account and its two balances; a claim must record what remains (a clear on a full claim, a create
on a first partial one). The gated settlement must bump the gate nonce, recover two signatures, write the
vault's epoch state, pending totals, books, supply, escrow and fee-receiver balances and the epoch's
settlement record, and read the registry and every connector (and, funded, the Aave pool and aToken, the
4626 vault and Morpho, the oracle and the USDC token) cold. Contract code execution counts as zero, so
the ratio is what the implementation adds to the EVM's own price.

${table(
  ["figure", "gas", "floor", "ratio"],
  Object.entries(results.floors ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, floor]) => [
      `\`${name}\``,
      n(results.gas[name] ?? NaN),
      n(floor),
      String(results.ratios[`${name}_vs_floor`] ?? ""),
    ]),
)}

## Contract sizes

Runtime bytecode of every product contract against EIP-170's 24,576 bytes; each keeps 2,048 bytes of
headroom (budget 22,528), checked by \`test/mocha/bench/contractSizes.test.ts\`.

${table(
  ["contract", "bytes", "headroom under 24,576"],
  Object.entries(results.sizes ?? {}).map(([name, bytes]) => [name, n(bytes), n(24_576 - bytes)]),
)}

## Comparison points, same run

${table(
  ["comparison", "ours", "theirs", "ratio"],
  [
    [
      "deposit: requestDeposit + claimDeposit vs OZ ERC-4626 deposit",
      n(results.gas.requestDeposit + results.gas.claimDeposit),
      n(results.gas.oz4626_deposit ?? NaN),
      String(results.ratios.deposit_vs_oz4626),
    ],
    [
      "redeem: requestRedeem + claimRedeem vs OZ ERC-4626 redeem",
      n(results.gas.requestRedeem + results.gas.claimRedeem),
      n(results.gas.oz4626_redeem ?? NaN),
      String(results.ratios.redeem_vs_oz4626 ?? ""),
    ],
    [
      "KeeperGate 2-of-3 execute vs Safe 1.4.1 2-of-3 execTransaction (whole tx)",
      n(results.gas.gate_2of3_exec ?? NaN),
      n(results.gas.safe_2of3_exec ?? NaN),
      String(results.ratios.gate_vs_safe_2of3),
    ],
    [
      "KeeperGate 2-of-3 vs Safe 2-of-3, overhead over the direct call",
      n(results.gas.gate_2of3_overhead),
      n(results.gas.safe_2of3_overhead ?? NaN),
      String(results.ratios.gate_vs_safe_2of3_overhead ?? ""),
    ],
  ],
)}

An asynchronous (ERC-7540) vault costs two user transactions per deposit and per redeem where an
ERC-4626 vault costs one; the ratios above are that whole price. Settlement is paid once per epoch by the
keeper, not per user.

${polymarketSection(results)}## Scaling

![Settlement gas vs pending requests, NAV gas vs connectors](benchmarks-scaling.svg)

Settlement gas by pending deposit requests (one connector):

${table(["pending requests", "settle gas"], settleRows)}

NAV gas by connectors (real ERC4626Connectors, see Method):

${table(["connectors", "NAV gas", "+ per connector"], navRows)}

## Keeper

${table(
  ["figure", "value"],
  [
    [
      "snapshots estimated, gated and sized per second (one core)",
      keeperFigure(k.snapshotsPerSec, "/s", why.snapshotsPerSec),
    ],
    ["full replay time", keeperFigure(k.replaySeconds, "s", why.replaySeconds)],
    ["full replay peak memory (RSS)", keeperFigure(k.replayPeakMB, "MB", why.replayPeakMB)],
    ["in-process cycle compute, median", keeperFigure(k.cycleMsMedian, "ms", why.cycleMsMedian)],
    ["in-process cycle compute, p95", keeperFigure(k.cycleMsP95, "ms", why.cycleMsP95)],
    ...Object.entries(k.outcomeSnapshotToOrdersMs ?? {}).map(([legs, t]) => [
      `outcome arbitrage, book snapshot → signed orders, ${legs}-leg set (median / p95)`,
      `${t.median} / ${t.p95} ms`,
    ]),
  ],
)}
${cycleNote(results)}

${latencySection(latency)}
## Extending

Measurement functions live next to the code they measure or in \`bench/\` (\`vaultGas.ts\`, \`gateGas.ts\`,
\`mandateGas.ts\`, \`ozVaultGas.ts\`, \`navScaling.ts\`, \`keeperPerf.ts\`); \`bench/run.ts\` calls them and
records samples under a name; \`bench/results.ts\` takes medians, derives ratios and holds the targets
(\`evaluateTargets\`); \`bench/report.ts\` renders this page and \`bench/scalingChart.ts\` the SVG. A new
figure needs a \`sample("name", gas)\` call in run.ts and a line in \`GAS_DESCRIPTIONS\`; a new target a
\`check(...)\` in \`evaluateTargets\`. A missed target shows here as **MISSED by N**; it is never dropped.
`;
}
