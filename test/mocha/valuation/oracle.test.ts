import { expect } from "chai";
import { type Address, getAddress, parseEther, parseUnits, zeroAddress } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { connectorValue, deployErc4626Connector } from "../../../deploy/product/connectors.js";
import { deployMockFeed, updateFeed, updateFeedRound } from "../../../deploy/protocols/chainlink.js";
import { deployMockToken } from "../../../deploy/protocols/tokens.js";
import {
  ETH_UNIT,
  USD_UNIT,
  chainlinkHop,
  configureValueOracle,
  tryValueOf,
} from "../../../deploy/product/oracle.js";
import { localChain } from "../helpers/chain.js";
import { expectAtMost, expectGreaterThan, expectWithin } from "../helpers/bigintAssert.js";
import { loadRounds } from "../helpers/chainlinkHistory.js";
import { expectRevert } from "../helpers/revert.js";
import {
  abis,
  actors,
  addConnector,
  allowConnectorToken,
  deployRegistryAndOracle,
  errorSelector,
  mint,
  tokenWithFeed,
} from "./setup.js";

// Attack classes covered: AC3 stale/broken Chainlink data, AC4 route/decimal composition,
// AC7 TVL liveness (tryValueOf never reverts), AC21 role checks.
const chain = await localChain();
const { networkHelpers } = chain;
const who = actors(chain.clientsFor);
const DAY = 86_400;
const HOUR = 3_600;

/** Base asset USDT (6 dec) at $1; USDC (6), WETH (18), stETH (18), WBTC (8) with their real feed shapes. */
async function oracleFixture() {
  const g = who.governance;
  const usdt = await tokenWithFeed(g, "USDT", 6, 8, 100_000_000n);
  const usdc = await tokenWithFeed(g, "USDC", 6, 8, 100_000_000n);
  const weth = await tokenWithFeed(g, "WETH", 18, 8, 3_000n * 10n ** 8n);
  const steth = await tokenWithFeed(g, "stETH", 18, 18, parseEther("0.99")); // stETH/ETH
  const stethUsd = await deployMockFeed(g, 8, 2_970n * 10n ** 8n);
  const wbtc = await tokenWithFeed(g, "WBTC", 8, 8, 60_000n * 10n ** 8n);
  const { registry, oracle, vault } = await deployRegistryAndOracle(who, usdt.token);
  const usdFeed = (feed: Address, base: Address, heartbeat = DAY) => ({
    feed,
    base,
    quote: USD_UNIT,
    heartbeat,
    minAnswer: 1n,
    maxAnswer: 10n ** 30n,
  });
  await configureValueOracle(g, oracle, {
    units: [{ token: weth.token, unit: ETH_UNIT }],
    feeds: [
      usdFeed(usdt.feed, usdt.token),
      usdFeed(usdc.feed, usdc.token),
      usdFeed(weth.feed, ETH_UNIT, HOUR),
      { ...usdFeed(steth.feed, steth.token), quote: ETH_UNIT },
      usdFeed(stethUsd, steth.token),
      usdFeed(wbtc.feed, wbtc.token, HOUR),
    ],
    routes: [
      { token: usdc.token, primary: [chainlinkHop(usdc.feed), chainlinkHop(usdt.feed, true)] },
      { token: weth.token, primary: [chainlinkHop(weth.feed), chainlinkHop(usdt.feed, true)] },
      { token: wbtc.token, primary: [chainlinkHop(wbtc.feed), chainlinkHop(usdt.feed, true)] },
      {
        token: steth.token,
        primary: [chainlinkHop(steth.feed), chainlinkHop(weth.feed), chainlinkHop(usdt.feed, true)],
        secondary: [chainlinkHop(stethUsd), chainlinkHop(usdt.feed, true)],
        maxDeviationBps: 100,
      },
    ],
  });
  return { registry, oracle, vault, usdt, usdc, weth, steth, stethUsd, wbtc };
}

type Fixture = Awaited<ReturnType<typeof oracleFixture>>;

const valueOf = (f: Fixture, token: Address, amount: bigint) =>
  read<bigint>(who.governance, {
    address: f.oracle,
    abi: abis.oracle(),
    functionName: "valueOf",
    args: [token, amount],
  });

const setRoute = (f: Fixture, clients = who.governance, args: readonly unknown[]) =>
  send(clients, { address: f.oracle, abi: abis.oracle(), functionName: "setRoute", args });

describe("ValueOracle: Chainlink routes", function () {
  it("values the base asset at exactly its amount and other tokens through their feeds (6/8/18 decimals)", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    expect(await valueOf(f, f.usdt.token, 123_456_789n)).to.equal(123_456_789n);
    expect(await valueOf(f, f.weth.token, parseEther("2"))).to.equal(parseUnits("6000", 6));
    expect(await valueOf(f, f.wbtc.token, 50_000_000n)).to.equal(parseUnits("30000", 6));
    expect(await valueOf(f, f.usdc.token, parseUnits("1000", 6))).to.equal(parseUnits("1000", 6));
    // stETH -> ETH (18-dec feed) -> USD (8-dec) -> USDT: 0.99 * 3000
    expect(await valueOf(f, f.steth.token, parseEther("1"))).to.equal(parseUnits("2970", 6));
  });

  it("[AC4 route/decimal composition] three-hop route and direct feed agree within one base unit over random prices", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    let seed = 0x9e3779b9n;
    const next = (mod: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return seed % mod;
    };
    for (let i = 0; i < 12; i++) {
      const stethEth = parseEther("0.9") + next(parseEther("0.1"));
      const ethUsd = 500n * 10n ** 8n + next(5_000n * 10n ** 8n);
      const usdtUsd = 95_000_000n + next(10_000_000n);
      await updateFeed(who.governance, f.steth.feed, stethEth);
      await updateFeed(who.governance, f.weth.feed, ethUsd);
      await updateFeed(who.governance, f.usdt.feed, usdtUsd);
      // the direct stETH/USD feed as Chainlink would publish it: 8 decimals, rounded down
      await updateFeed(who.governance, f.stethUsd, (stethEth * ethUsd) / 10n ** 18n);
      const amount = next(parseEther("1000")) + 1n;
      await setRoute(f, who.governance, [
        f.steth.token,
        [chainlinkHop(f.steth.feed), chainlinkHop(f.weth.feed), chainlinkHop(f.usdt.feed, true)],
        [],
        0,
      ]);
      const viaEth = await valueOf(f, f.steth.token, amount);
      await setRoute(f, who.governance, [
        f.steth.token,
        [chainlinkHop(f.stethUsd), chainlinkHop(f.usdt.feed, true)],
        [],
        0,
      ]);
      const direct = await valueOf(f, f.steth.token, amount);
      // independent reference in bigint: amount * stETH/ETH * ETH/USD / USDT/USD, in 6 decimals
      const reference = (amount * stethEth * ethUsd * 10n ** 6n) / (10n ** 18n * 10n ** 18n * usdtUsd);
      const tolerance = 1n + (amount * 10n ** 6n) / 10n ** 18n / 10n ** 7n; // feed rounding of stETH/USD
      expectWithin(viaEth - reference, -1n, 1n);
      expectAtMost(direct > viaEth ? direct - viaEth : viaEth - direct, tolerance);
    }
  });

  it("[AC4 route/decimal composition] rejects a route that does not chain from the token to the base asset", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    // WETH priced with the stETH/ETH feed: the first hop starts at stETH, not at WETH/ETH
    const args = await expectRevert(
      setRoute(f, who.governance, [
        f.weth.token,
        [chainlinkHop(f.steth.feed), chainlinkHop(f.weth.feed)],
        [],
        0,
      ]),
      "InvalidRoute",
    );
    expect(args[1]).to.equal(0n);
    // ends in USD, not in the base asset
    await expectRevert(
      setRoute(f, who.governance, [f.usdc.token, [chainlinkHop(f.usdc.feed)], [], 0]),
      "InvalidRoute",
    );
    await expectRevert(
      setRoute(f, who.governance, [f.usdt.token, [chainlinkHop(f.usdt.feed)], [], 0]),
      "BaseAssetHasNoRoute",
    );
    await expectRevert(
      setRoute(f, who.governance, [f.usdc.token, [chainlinkHop(f.vault)], [], 0]),
      "UnknownSource",
    );
    // a secondary route needs a deviation limit, and the limit is capped
    await expectRevert(
      setRoute(f, who.governance, [
        f.usdc.token,
        [chainlinkHop(f.usdc.feed), chainlinkHop(f.usdt.feed, true)],
        [chainlinkHop(f.usdc.feed), chainlinkHop(f.usdt.feed, true)],
        0,
      ]),
      "InvalidDeviation",
    );
  });

  it("[AC3 stale Chainlink data] applies each feed's own heartbeat", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    await networkHelpers.time.increase(HOUR + 1); // past ETH/USD and BTC/USD (1 h), within USDC/USD (24 h)
    const args = await expectRevert(valueOf(f, f.weth.token, parseEther("1")), "ChainlinkStaleAnswer");
    expect(args[0]).to.equal(f.weth.feed);
    expect(args[2]).to.equal(BigInt(HOUR));
    expect(await valueOf(f, f.usdc.token, 1_000_000n)).to.equal(1_000_000n);
    const result = await tryValueOf(who.governance, f.oracle, f.wbtc.token, 1n);
    expect(result).to.deep.equal({
      ok: false,
      value: 0n,
      reason: errorSelector("ChainlinkStaleAnswer(address,uint256,uint256)"),
    });
  });

  it("[AC3 broken Chainlink data] refuses answers outside the feed's bounds and non-positive answers", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    await send(who.governance, {
      address: f.oracle,
      abi: abis.oracle(),
      functionName: "setChainlinkFeed",
      args: [f.usdc.feed, f.usdc.token, USD_UNIT, DAY, 50_000_000n, 200_000_000n],
    });
    await updateFeed(who.governance, f.usdc.feed, 1n); // a feed stuck at its floor
    const args = await expectRevert(valueOf(f, f.usdc.token, 1n), "ChainlinkAnswerOutOfBounds");
    expect(args.slice(1)).to.deep.equal([1n, 50_000_000n, 200_000_000n]);
    await updateFeed(who.governance, f.usdc.feed, -5n);
    await expectRevert(valueOf(f, f.usdc.token, 1n), "ChainlinkNonPositiveAnswer");
    await expectRevert(
      send(who.governance, {
        address: f.oracle,
        abi: abis.oracle(),
        functionName: "setChainlinkFeed",
        args: [f.usdc.feed, f.usdc.token, USD_UNIT, 0, 1n, 2n],
      }),
      "InvalidHeartbeat",
    );
  });

  it("[AC3 broken Chainlink data] refuses the real empty final ETH/USD round (answer 0, updatedAt 0)", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const rounds = loadRounds(
      "chainlink/mainnet-2022-2024/eth_usd_0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419.csv",
      {
        roundId: "round",
        answer: "answer",
        updatedAt: "update",
        startedAt: "start",
      },
    );
    const empty = rounds.find((r) => r.updatedAt === 0n);
    if (!empty) throw new Error("recorded ETH/USD history has no empty round");
    await updateFeedRound(who.governance, f.weth.feed, {
      roundId: empty.roundId,
      answer: empty.answer,
      timestamp: empty.updatedAt,
      startedAt: empty.startedAt,
    });
    const args = await expectRevert(valueOf(f, f.weth.token, 1n), "ChainlinkIncompleteRound");
    expect(args[1]).to.equal(empty.roundId);
    const result = await tryValueOf(who.governance, f.oracle, f.weth.token, parseEther("1"));
    expect(result.ok).to.equal(false);
    expect(result.reason).to.equal(errorSelector("ChainlinkIncompleteRound(address,uint80,uint80,uint256)"));
  });

  it("[AC3 L2 sequencer uptime] refuses prices while the sequencer is down and during the grace period", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const sequencer = await deployMockFeed(who.governance, 0, 1n); // 1 = down
    await configureValueOracle(who.governance, f.oracle, {
      sequencer: { feed: sequencer, gracePeriod: HOUR },
    });
    await expectRevert(valueOf(f, f.usdc.token, 1n), "SequencerDown");
    await updateFeed(who.governance, sequencer, 0n); // back up now
    await expectRevert(valueOf(f, f.usdc.token, 1n), "SequencerGracePeriodNotOver");
    await networkHelpers.time.increase(HOUR + 1);
    await updateFeed(who.governance, f.usdc.feed, 100_000_000n);
    await updateFeed(who.governance, f.usdt.feed, 100_000_000n);
    expect(await valueOf(f, f.usdc.token, 7n)).to.equal(7n);
    // the base asset needs no price, so it is valued even with the sequencer down
    await updateFeed(who.governance, sequencer, 1n);
    expect(await valueOf(f, f.usdt.token, 7n)).to.equal(7n);
  });

  it("[AC4 route/decimal composition] refuses a price when primary and secondary disagree, naming both prices", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    await updateFeed(who.governance, f.stethUsd, 2_900n * 10n ** 8n); // primary says 2970: 2.36% apart
    const args = await expectRevert(valueOf(f, f.steth.token, parseEther("1")), "PriceDeviationTooHigh");
    expect(args).to.deep.equal([f.steth.token, 2_970n * 10n ** 27n, 2_900n * 10n ** 27n]);
    const result = await tryValueOf(who.governance, f.oracle, f.steth.token, parseEther("1"));
    expect(result.reason).to.equal(errorSelector("PriceDeviationTooHigh(address,uint256,uint256)"));
    await updateFeed(who.governance, f.stethUsd, 2_950n * 10n ** 8n); // 0.67% apart: within 1%
    expect(await valueOf(f, f.steth.token, parseEther("1"))).to.equal(parseUnits("2970", 6));
  });

  it("[AC7 TVL liveness] tryValueOf never reverts: unknown token, overflowing amount, removed asset", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const unknown = await deployMockToken(who.governance, "X", "X", 18);
    expect((await tryValueOf(who.governance, f.oracle, unknown, 1n)).reason).to.equal(
      errorSelector("UnknownAsset(address)"),
    );
    // an amount whose value overflows is reported, not thrown
    const huge = await tryValueOf(who.governance, f.oracle, f.wbtc.token, 2n ** 256n - 1n);
    expect(huge.ok).to.equal(false);
    await send(who.governance, {
      address: f.oracle,
      abi: abis.oracle(),
      functionName: "removeAsset",
      args: [f.wbtc.token],
    });
    expect((await tryValueOf(who.governance, f.oracle, f.wbtc.token, 1n)).reason).to.equal(
      errorSelector("UnknownAsset(address)"),
    );
  });

  it("[AC21 role logic] every configuration function is governance-only", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const calls: [string, readonly unknown[]][] = [
      ["setChainlinkFeed", [f.usdc.feed, f.usdc.token, USD_UNIT, DAY, 1n, 2n]],
      ["setTwapPool", [f.usdc.feed, 1800, 1]],
      ["setRoute", [f.usdc.token, [chainlinkHop(f.usdc.feed), chainlinkHop(f.usdt.feed, true)], [], 0]],
      ["removeAsset", [f.usdc.token]],
      ["setSequencerUptimeFeed", [zeroAddress, 0]],
      ["setUnit", [f.usdc.token, USD_UNIT]],
    ];
    for (const [functionName, args] of calls) {
      for (const caller of [who.keeper, who.guardian, who.stranger]) {
        const reverted = await expectRevert(
          send(caller, { address: f.oracle, abi: abis.oracle(), functionName, args }),
          "NotGovernance",
        );
        expect(reverted[0]).to.equal(getAddress(caller.wallet.account.address));
      }
    }
    await send(who.governance, {
      address: f.oracle,
      abi: abis.oracle(),
      functionName: "removeAsset",
      args: [f.usdc.token],
    });
  });
});

describe("ValueOracle: replays of recorded Chainlink histories", function () {
  /** Replays rounds shifted to the chain's clock (the chain cannot go back to 2022), keeping every interval. */
  async function replay(
    f: Fixture,
    feed: Address,
    rounds: ReturnType<typeof loadRounds>,
    onRound: (round: ReturnType<typeof loadRounds>[number], shiftedAt: bigint) => Promise<void>,
  ) {
    const first = rounds[0];
    if (!first) throw new Error("no rounds to replay");
    const offset = BigInt(await networkHelpers.time.latest()) + 10n - first.updatedAt;
    for (const round of rounds) {
      const at = round.updatedAt + offset;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await updateFeedRound(who.governance, feed, {
        roundId: round.roundId,
        answer: round.answer,
        timestamp: at,
        startedAt: round.startedAt + offset,
      });
      // the $1 base-asset feed keeps publishing (no recorded USDT/USD for these dates)
      await updateFeed(who.governance, f.usdt.feed, 100_000_000n);
      await onRound(round, at);
    }
  }

  it("[AC3 stale Chainlink data] USDC through the March 2023 depeg: the oracle and a connector holding USDC follow the market", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const rounds = loadRounds("chainlink/usdc-usd-mainnet-depeg-2023-03/usdc_usd_depeg_230312.csv", {
      roundId: "roundId",
      answer: "answer",
      updatedAt: "updatedAt",
    }).filter((r) => r.updatedAt >= 1678492800n); // from 2023-03-11 00:00 UTC, the depeg's worst day
    // a connector of the USDT-based vault holding 1,000,000 USDC (as plain tokens and 4626 shares)
    const target = await deploy(who.governance, projectArtifact("PlainERC4626"), [f.usdc.token]);
    const connector = getAddress(
      await deployErc4626Connector(who.governance, {
        registry: f.registry,
        vault: f.vault,
        target,
        maxLossBps: 10,
      }),
    );
    await addConnector(who.governance, f.registry, f.vault, connector, 2n ** 256n - 1n);
    await allowConnectorToken(who.governance, f.registry, connector, f.usdc.token);
    await mint(who.governance, f.usdc.token, connector, parseUnits("1000000", 6));
    const connectorAbi = projectArtifact("ERC4626Connector").abi;
    await send(who.keeper, {
      address: connector,
      abi: connectorAbi,
      functionName: "trackToken",
      args: [f.usdc.token],
    });
    await send(who.keeper, {
      address: connector,
      abi: connectorAbi,
      functionName: "deposit",
      args: [f.usdc.token, parseUnits("400000", 6), 0n],
    });
    let lowest = 10n ** 18n;
    await replay(f, f.usdc.feed, rounds, async (round) => {
      const value = await valueOf(f, f.usdc.token, parseUnits("1000000", 6));
      expect(value).to.equal((parseUnits("1000000", 6) * round.answer) / 100_000_000n);
      expect(await connectorValue(who.governance, connector)).to.deep.equal({ value, healthy: true });
      if (value < lowest) lowest = value;
    });
    expect(lowest).to.equal(parseUnits("880000", 6)); // the recorded 0.88 low
    await networkHelpers.time.increase(DAY + 1);
    await updateFeed(who.governance, f.usdt.feed, 100_000_000n);
    await expectRevert(valueOf(f, f.usdc.token, 1n), "ChainlinkStaleAnswer");
    expect(await connectorValue(who.governance, connector)).to.deep.equal({ value: 0n, healthy: false });
  });

  it("[AC3 stale Chainlink data] stETH/ETH in June 2022: the discount flows through stETH -> ETH -> USD -> base", async function () {
    const f = await networkHelpers.loadFixture(oracleFixture);
    const rounds = loadRounds(
      "chainlink/mainnet-2022-2024/steth_eth_0x86392dC19c0b719886221c78AB11eb8Cf5c52812.csv",
      {
        roundId: "round",
        answer: "answer",
        updatedAt: "update",
        startedAt: "start",
      },
    ).filter((r) => r.updatedAt >= 1654041600n && r.updatedAt < 1656633600n); // June 2022
    expectGreaterThan(rounds.length, 20);
    // only the primary route is replayed; there is no recorded stETH/USD for the secondary
    await setRoute(f, who.governance, [
      f.steth.token,
      [chainlinkHop(f.steth.feed), chainlinkHop(f.weth.feed), chainlinkHop(f.usdt.feed, true)],
      [],
      0,
    ]);
    let lowest = 10n ** 30n;
    await replay(f, f.steth.feed, rounds, async (round) => {
      await updateFeed(who.governance, f.weth.feed, 1_000n * 10n ** 8n);
      const value = await valueOf(f, f.steth.token, parseEther("100"));
      expect(value).to.equal((100n * round.answer * 1_000n * 10n ** 6n) / 10n ** 18n);
      if (value < lowest) lowest = value;
    });
    expect(lowest).to.equal(parseUnits("93501.933", 6)); // the recorded 0.93501933 low of 2022-06-18
    await networkHelpers.time.increase(DAY + 1);
    await updateFeed(who.governance, f.weth.feed, 1_000n * 10n ** 8n);
    await updateFeed(who.governance, f.usdt.feed, 100_000_000n);
    await expectRevert(valueOf(f, f.steth.token, 1n), "ChainlinkStaleAnswer");
  });
});
