import { expect } from "chai";
import { type Address, getAddress, maxUint256, parseEther, parseUnits } from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { deployMockToken, deployWeth, mintMockToken } from "../../../deploy/protocols/tokens.js";
import {
  addLiquidity,
  createPool,
  deployUniswapV3,
  fullRangeTicks,
  sortTokens,
  sqrtPriceX96,
  uniswapArtifacts,
} from "../../../deploy/protocols/uniswapV3.js";
import { connectorValue, deployUniswapV3Connector } from "../../../deploy/product/connectors.js";
import {
  ETH_UNIT,
  USD_UNIT,
  chainlinkHop,
  configureValueOracle,
  twapHop,
} from "../../../deploy/product/oracle.js";
import { deployMockFeed } from "../../../deploy/protocols/chainlink.js";
import { localChain } from "../helpers/chain.js";
import { expectAtMost, expectGreaterThan, expectLessThan, expectWithin } from "../helpers/bigintAssert.js";
import { sharedData } from "../helpers/chainlinkHistory.js";
import { expectRevert } from "../helpers/revert.js";
import {
  abis,
  actors,
  addConnector,
  allowConnectorToken,
  balanceOf,
  deployRegistryAndOracle,
  expectKeeperGateOnly,
} from "./setup.js";
import { readFileSync } from "node:fs";

// Attack classes covered: AC5 spot-price manipulation / someone else's liquidity, AC6 TWAP robustness,
// AC7 TVL liveness, AC10 unclaimed fees in NAV, AC21 role checks.
const chain = await localChain();
const { networkHelpers } = chain;
const who = actors(chain.clientsFor);
const WINDOW = 1_800;
const FEE = 3_000;
const connectorAbi = () => projectArtifact("UniswapV3Connector").abi;
const poolAbi = () => uniswapArtifacts.pool().abi;

async function fundWeth(clients: Clients, weth: Address, amount: bigint) {
  await send(clients, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "deposit",
    value: amount,
  });
}

async function uniswapFixture() {
  const g = who.governance;
  const usdc = getAddress(await deployMockToken(g, "USD Coin", "USDC", 6));
  const weth = getAddress(await deployWeth(g));
  const uni = await deployUniswapV3(g, weth);
  const [token0, token1] = sortTokens(usdc, weth);
  const usdcIs0 = token0 === usdc;
  const price = usdcIs0
    ? sqrtPriceX96(parseEther("1"), parseUnits("3000", 6))
    : sqrtPriceX96(parseUnits("3000", 6), parseEther("1"));
  const pool = getAddress(await createPool(g, uni, usdc, weth, FEE, price, 100));
  await mintMockToken(g, usdc, g.wallet.account.address, parseUnits("30000000", 6));
  await fundWeth(g, weth, parseEther("1050"));
  await addLiquidity(g, uni, {
    tokenA: usdc,
    tokenB: weth,
    fee: FEE,
    amountA: parseUnits("3000000", 6),
    amountB: parseEther("1000"),
    ...fullRangeTicks(FEE),
  });
  await networkHelpers.time.increase(WINDOW + 60);
  await networkHelpers.mine();

  const { registry, oracle, vault } = await deployRegistryAndOracle(who, usdc);
  await configureValueOracle(g, oracle, {
    pools: [{ pool, window: WINDOW, minCardinality: 50 }],
    routes: [{ token: weth, primary: [twapHop(pool, usdcIs0)] }],
  });
  const connector = getAddress(
    await deployUniswapV3Connector(g, { registry, vault, positionManager: uni.positionManager }),
  );
  await addConnector(g, registry, vault, connector, maxUint256);
  await allowConnectorToken(g, registry, connector, weth);
  await mintMockToken(g, usdc, connector, parseUnits("30000", 6));
  await send(g, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "transfer",
    args: [connector, parseEther("10")],
  });
  // a trader and a stranger LP with their own funds
  for (const c of [who.stranger]) {
    await mintMockToken(g, usdc, c.wallet.account.address, parseUnits("5000000", 6));
    await fundWeth(c, weth, parseEther("1000"));
    for (const t of [usdc, weth]) {
      for (const spender of [uni.swapRouter, uni.positionManager]) {
        await send(c, {
          address: t,
          abi: abis.erc20(),
          functionName: "approve",
          args: [spender, maxUint256],
        });
      }
    }
  }
  return { usdc, weth, uni, pool, token0, token1, usdcIs0, registry, oracle, vault, connector };
}

type Fixture = Awaited<ReturnType<typeof uniswapFixture>>;

/** A range of +-`width` ticks (multiple of 60) around the current tick. */
async function rangeAround(f: Fixture, width: number) {
  const [, tick] = await read<readonly [bigint, number]>(who.governance, {
    address: f.pool,
    abi: poolAbi(),
    functionName: "slot0",
  });
  const center = Math.floor(tick / 60) * 60;
  return { tickLower: center - width, tickUpper: center + width };
}

async function mintPosition(f: Fixture, usdcAmount: bigint, wethAmount: bigint, width = 600) {
  const range = await rangeAround(f, width);
  const request = {
    token0: f.token0,
    amount0: f.usdcIs0 ? usdcAmount : wethAmount,
    token1: f.token1,
    amount1: f.usdcIs0 ? wethAmount : usdcAmount,
    fee: FEE,
    ...range,
    amount0Min: 0n,
    amount1Min: 0n,
  };
  const { result } = await who.keeper.public.simulateContract({
    address: f.connector,
    abi: connectorAbi(),
    functionName: "mint",
    args: [request],
    account: who.keeper.wallet.account,
  });
  await send(who.keeper, {
    address: f.connector,
    abi: connectorAbi(),
    functionName: "mint",
    args: [request],
  });
  return { tokenId: result as bigint, ...range };
}

async function swapExactIn(f: Fixture, tokenIn: Address, amountIn: bigint) {
  const block = await who.stranger.public.getBlock();
  await send(who.stranger, {
    address: f.uni.swapRouter,
    abi: uniswapArtifacts.swapRouter().abi,
    functionName: "exactInputSingle",
    args: [
      {
        tokenIn,
        tokenOut: tokenIn === f.usdc ? f.weth : f.usdc,
        fee: FEE,
        recipient: who.stranger.wallet.account.address,
        deadline: block.timestamp + 600n,
        amountIn,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ],
  });
}

const twapTick = (f: Fixture) =>
  read<number>(who.governance, {
    address: f.oracle,
    abi: abis.oracle(),
    functionName: "twapTick",
    args: [f.pool],
  });

const slot0Tick = async (f: Fixture) =>
  (
    await read<readonly [bigint, number]>(who.governance, {
      address: f.pool,
      abi: poolAbi(),
      functionName: "slot0",
    })
  )[1];

describe("Uniswap v3 TWAP in the ValueOracle", function () {
  it("[AC6 TWAP robustness] twapTick is floor(delta tickCumulative / window) of the real pool's observe()", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    for (const [token, amount] of [
      [f.weth, parseEther("40")],
      [f.usdc, parseUnits("200000", 6)],
      [f.weth, parseEther("5")],
    ] as const) {
      await swapExactIn(f, token, amount);
      await networkHelpers.time.increase(400);
      await networkHelpers.mine();
      const [cumulatives] = await read<readonly [readonly bigint[], readonly bigint[]]>(who.governance, {
        address: f.pool,
        abi: poolAbi(),
        functionName: "observe",
        args: [[WINDOW, 0]],
      });
      const delta = (cumulatives[1] ?? 0n) - (cumulatives[0] ?? 0n);
      let expected = delta / BigInt(WINDOW);
      if (delta < 0n && delta % BigInt(WINDOW) !== 0n) expected -= 1n;
      expect(BigInt(await twapTick(f))).to.equal(expected);
    }
    // once the price has been still for a whole window, the TWAP is the pool's own tick
    await networkHelpers.time.increase(WINDOW);
    await networkHelpers.mine();
    expect(await twapTick(f)).to.equal(await slot0Tick(f));
    // and the oracle's WETH value matches the pool's exact price to within its one-tick resolution
    const [sqrtPrice] = await read<readonly [bigint, number]>(who.governance, {
      address: f.pool,
      abi: poolAbi(),
      functionName: "slot0",
    });
    const spot = f.usdcIs0
      ? (parseEther("1") << 192n) / (sqrtPrice * sqrtPrice)
      : (parseEther("1") * sqrtPrice * sqrtPrice) >> 192n;
    const valued = await read<bigint>(who.governance, {
      address: f.oracle,
      abi: abis.oracle(),
      functionName: "valueOf",
      args: [f.weth, parseEther("1")],
    });
    expectAtMost((spot > valued ? spot - valued : valued - spot) * 10_000n, spot);
  });

  it("[AC6 TWAP robustness] TickMath port reproduces every sampled tick of the recorded mainnet USDC/WETH pool", async function () {
    const harness = await deploy(who.governance, projectArtifact("TwapMathHarness"));
    const abi = projectArtifact("TwapMathHarness").abi;
    const rows = readFileSync(
      sharedData(
        "uniswap-v3/usdc-weth-005-mainnet-2024-01-05/ethereum-0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640-2024-01-05.pool.tick.csv",
      ),
      "utf8",
    )
      .split("\n")
      .slice(1)
      .filter((line) => line.includes(",SWAP,"));
    let checked = 0;
    for (let i = 0; i < rows.length; i += 60) {
      const cells = (rows[i] ?? "").split(",");
      const sqrtPrice = BigInt(cells[12] ?? "0");
      const tick = Number.parseInt(cells[13] ?? "", 10);
      expect(
        await read<number>(who.governance, {
          address: harness,
          abi,
          functionName: "getTickAtSqrtRatio",
          args: [sqrtPrice],
        }),
      ).to.equal(tick);
      const atTick = await read<bigint>(who.governance, {
        address: harness,
        abi,
        functionName: "getSqrtRatioAtTick",
        args: [tick],
      });
      const atNext = await read<bigint>(who.governance, {
        address: harness,
        abi,
        functionName: "getSqrtRatioAtTick",
        args: [tick + 1],
      });
      expect(atTick <= sqrtPrice && sqrtPrice < atNext).to.equal(true);
      checked++;
    }
    expectGreaterThan(checked, 90);
  });

  it("[AC6 TWAP robustness] refuses windows below the minimum and pools without enough observations", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const setPool = (pool: Address, window: number, minCardinality: number) =>
      send(who.governance, {
        address: f.oracle,
        abi: abis.oracle(),
        functionName: "setTwapPool",
        args: [pool, window, minCardinality],
      });
    await expectRevert(setPool(f.pool, 60, 50), "InvalidTwapWindow");
    await expectRevert(setPool(f.pool, WINDOW, 500), "CardinalityTooLow");
    // a fresh pool: buffer grown (cardinalityNext 60) but no observation written yet
    const fresh = getAddress(
      await createPool(who.governance, f.uni, f.usdc, f.weth, 500, sqrtPriceX96(1n, 1n), 60),
    );
    await setPool(fresh, WINDOW, 60);
    await expectRevert(twapTick({ ...f, pool: fresh }), "CardinalityTooLow");
    // a window longer than the pool's history cannot be observed
    await setPool(f.pool, 7 * 86_400, 50);
    await expectRevert(twapTick(f), "TwapWindowNotCovered");
  });
});

describe("Uniswap v3 TWAP flush (F8)", function () {
  it("[F8 twap flush] after one tick-moving swap per block overwrites the ring, WETH keeps its Chainlink price and the LP position its value", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const g = who.governance;
    const ethUsd = getAddress(await deployMockFeed(g, 8, 3_000n * 10n ** 8n));
    const usdcUsd = getAddress(await deployMockFeed(g, 8, 10n ** 8n));
    await configureValueOracle(g, f.oracle, {
      units: [{ token: f.weth, unit: ETH_UNIT }],
      feeds: [
        {
          feed: usdcUsd,
          base: f.usdc,
          quote: USD_UNIT,
          heartbeat: 86_400,
          minAnswer: 1n,
          maxAnswer: 10n ** 12n,
        },
        {
          feed: ethUsd,
          base: ETH_UNIT,
          quote: USD_UNIT,
          heartbeat: 86_400,
          minAnswer: 1n,
          maxAnswer: 10n ** 14n,
        },
      ],
      routes: [
        {
          token: f.weth,
          primary: [chainlinkHop(ethUsd), chainlinkHop(usdcUsd, true)],
          secondary: [twapHop(f.pool, f.usdcIs0)],
          maxDeviationBps: 200,
        },
      ],
    });
    await mintPosition(f, parseUnits("15000", 6), parseEther("5"), 6_000);
    const before = await connectorValue(g, f.connector);
    expect(before.healthy).to.equal(true);
    const checked = (amount: bigint) =>
      read<readonly [bigint, boolean]>(g, {
        address: f.oracle,
        abi: abis.oracle(),
        functionName: "valueOfChecked",
        args: [f.weth, amount],
      });
    expect(await checked(parseEther("1"))).to.deep.equal([parseUnits("3000", 6), true]);

    // The pool holds 100 observations; 101 swaps in 101 one-second blocks leave none older than the window.
    const [, , , cardinality] = await read<readonly [bigint, number, number, number]>(g, {
      address: f.pool,
      abi: poolAbi(),
      functionName: "slot0",
    });
    for (let i = 0; i <= cardinality; i++) {
      await swapExactIn(
        f,
        i % 2 === 0 ? f.weth : f.usdc,
        i % 2 === 0 ? parseEther("1") : parseUnits("3000", 6),
      );
    }
    await expectRevert(twapTick(f), "TwapWindowNotCovered");

    // the primary still prices WETH, flagged as not cross-checked
    expect(await checked(parseEther("1"))).to.deep.equal([parseUnits("3000", 6), false]);
    // the position is valued at the oracle's price of its tokens, not written off
    const after = await connectorValue(g, f.connector);
    expect(after.healthy).to.equal(true);
    expectWithin(after.value, (before.value * 995n) / 1_000n, (before.value * 1_005n) / 1_000n);
  });
});

describe("UniswapV3Connector", function () {
  it("mints, increases, decreases, collects and burns through the real position manager with exact approvals", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const { tokenId } = await mintPosition(f, parseUnits("3000", 6), parseEther("1"));
    expect(
      await read<readonly bigint[]>(who.governance, {
        address: f.connector,
        abi: connectorAbi(),
        functionName: "positionIds",
      }),
    ).to.deep.equal([tokenId]);
    const allowance = (t: Address) =>
      read<bigint>(who.governance, {
        address: t,
        abi: abis.erc20(),
        functionName: "allowance",
        args: [f.connector, f.uni.positionManager],
      });
    expect(await allowance(f.usdc)).to.equal(0n);
    expect(await allowance(f.weth)).to.equal(0n);
    await send(who.keeper, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "increaseLiquidity",
      args: [
        f.token0,
        f.usdcIs0 ? parseUnits("3000", 6) : parseEther("1"),
        tokenId,
        f.usdcIs0 ? parseEther("1") : parseUnits("3000", 6),
        0n,
        0n,
      ],
    });
    expect(await allowance(f.usdc)).to.equal(0n);
    const position = await read<readonly unknown[]>(who.governance, {
      address: f.uni.positionManager,
      abi: uniswapArtifacts.positionManager().abi,
      functionName: "positions",
      args: [tokenId],
    });
    const liquidity = position[7] as bigint;
    const before = await connectorValue(who.governance, f.connector);
    await send(who.keeper, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "decreaseLiquidity",
      args: [tokenId, liquidity, 0n, 0n],
    });
    await send(who.keeper, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "collect",
      args: [tokenId],
    });
    const after = await connectorValue(who.governance, f.connector);
    // principal moved from the position to the wallet: the value is the same up to the TWAP's one-tick
    // resolution (the position is valued at the tick's price, the pool pays at its exact sqrt price)
    const moved = before.value > after.value ? before.value - after.value : after.value - before.value;
    expectAtMost(moved * 10_000n, before.value);
    await send(who.keeper, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "burn",
      args: [tokenId],
    });
    expect(
      await read<readonly bigint[]>(who.governance, {
        address: f.connector,
        abi: connectorAbi(),
        functionName: "positionIds",
      }),
    ).to.deep.equal([]);
  });

  it("[AC5 spot-price manipulation] a large same-block swap moves slot0 but not the connector's value", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    await mintPosition(f, parseUnits("15000", 6), parseEther("5"), 6_000);
    const before = await connectorValue(who.governance, f.connector);
    const tickBefore = await slot0Tick(f);
    await swapExactIn(f, f.weth, parseEther("600")); // dumps WETH: spot falls ~40%
    const tickAfter = await slot0Tick(f);
    expectGreaterThan(Math.abs(tickAfter - tickBefore), 4_000);
    const after = await connectorValue(who.governance, f.connector);
    expect(after.healthy).to.equal(true);
    // only the real fees the swap paid into the position change the value (0.3% of a small share)
    const moved = after.value > before.value ? after.value - before.value : before.value - after.value;
    expectLessThan(moved * 1_000n, before.value); // < 0.1%
  });

  it("[AC5 someone else's liquidity] a stranger adding liquidity in the same ticks does not change the vault's value", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const { tickLower, tickUpper } = await mintPosition(f, parseUnits("3000", 6), parseEther("1"));
    const before = await connectorValue(who.governance, f.connector);
    const block = await who.stranger.public.getBlock();
    await send(who.stranger, {
      address: f.uni.positionManager,
      abi: uniswapArtifacts.positionManager().abi,
      functionName: "mint",
      args: [
        {
          token0: f.token0,
          token1: f.token1,
          fee: FEE,
          tickLower,
          tickUpper,
          amount0Desired: f.usdcIs0 ? parseUnits("300000", 6) : parseEther("100"),
          amount1Desired: f.usdcIs0 ? parseEther("100") : parseUnits("300000", 6),
          amount0Min: 0n,
          amount1Min: 0n,
          recipient: who.stranger.wallet.account.address,
          deadline: block.timestamp + 600n,
        },
      ],
    });
    expect(await connectorValue(who.governance, f.connector)).to.deep.equal(before);
  });

  it("[AC10 unclaimed yield] uncollected fees count in the value before they are collected", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const { tokenId } = await mintPosition(f, parseUnits("30000", 6), parseEther("10"));
    for (let i = 0; i < 4; i++) {
      await swapExactIn(f, f.weth, parseEther("30"));
      await swapExactIn(f, f.usdc, parseUnits("90000", 6));
    }
    const amounts = await read<readonly [Address, Address, bigint, bigint]>(who.governance, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "positionAmounts",
      args: [tokenId],
    });
    const before = await connectorValue(who.governance, f.connector);
    const usdcBefore = await balanceOf(who.governance, f.usdc, f.connector);
    // the position manager's collect pokes the position (fee growth -> tokensOwed) and pays only the fees
    await send(who.keeper, {
      address: f.connector,
      abi: connectorAbi(),
      functionName: "collect",
      args: [tokenId],
    });
    const feesUsdc = (await balanceOf(who.governance, f.usdc, f.connector)) - usdcBefore;
    expectGreaterThan(feesUsdc, parseUnits("100", 6)); // 0.3% of ~360k USDC volume, our share
    const after = await connectorValue(who.governance, f.connector);
    expectWithin(before.value - after.value, -2n, 2n);
    expectGreaterThan(amounts[f.usdcIs0 ? 2 : 3], feesUsdc);
  });

  it("[AC7 TVL liveness] an unobservable pool TWAP makes the connector unhealthy, never reverting", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    await mintPosition(f, parseUnits("3000", 6), parseEther("1"));
    const wallet = await balanceOf(who.governance, f.usdc, f.connector);
    await send(who.governance, {
      address: f.oracle,
      abi: abis.oracle(),
      functionName: "setTwapPool",
      args: [f.pool, 7 * 86_400, 50],
    });
    const report = await connectorValue(who.governance, f.connector);
    expect(report.healthy).to.equal(false);
    expect(report.value).to.equal(wallet); // only the base asset in the wallet can be proven
  });

  it("[AC8 bookkeeping drift] the tracked positions always equal the position NFTs the connector owns", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const npm = uniswapArtifacts.positionManager().abi;
    const owned = async () => {
      const count = await read<bigint>(who.governance, {
        address: f.uni.positionManager,
        abi: npm,
        functionName: "balanceOf",
        args: [f.connector],
      });
      const ids: bigint[] = [];
      for (let i = 0n; i < count; i++) {
        ids.push(
          await read<bigint>(who.governance, {
            address: f.uni.positionManager,
            abi: npm,
            functionName: "tokenOfOwnerByIndex",
            args: [f.connector, i],
          }),
        );
      }
      return ids.sort();
    };
    const tracked = async () =>
      [
        ...(await read<readonly bigint[]>(who.governance, {
          address: f.connector,
          abi: connectorAbi(),
          functionName: "positionIds",
        })),
      ].sort();
    let seed = 99n;
    const next = (mod: number) => {
      seed = (seed * 6364136223846793005n + 1n) % 2n ** 64n;
      return Number((seed >> 20n) % BigInt(mod));
    };
    let executed = 0;
    for (let step = 0; step < 14; step++) {
      const ids = await tracked();
      const id = ids[next(Math.max(ids.length, 1))];
      const choice = id === undefined ? 0 : next(4);
      const act = async () => {
        if (choice === 0 || id === undefined)
          return mintPosition(f, parseUnits("300", 6), parseEther("0.1"), 60 * (1 + next(20)));
        if (choice === 1) {
          const position = await read<readonly unknown[]>(who.governance, {
            address: f.uni.positionManager,
            abi: npm,
            functionName: "positions",
            args: [id],
          });
          return send(who.keeper, {
            address: f.connector,
            abi: connectorAbi(),
            functionName: "decreaseLiquidity",
            args: [id, position[7] as bigint, 0n, 0n],
          });
        }
        if (choice === 2)
          return send(who.keeper, {
            address: f.connector,
            abi: connectorAbi(),
            functionName: "collect",
            args: [id],
          });
        return send(who.keeper, {
          address: f.connector,
          abi: connectorAbi(),
          functionName: "burn",
          args: [id],
        });
      };
      // burning a position that still holds liquidity is refused by the position manager ("Not cleared")
      if (
        await act().then(
          () => true,
          () => false,
        )
      )
        executed++;
      expect(await tracked()).to.deep.equal(await owned());
    }
    expect(executed).to.be.greaterThan(7);
  });

  it("[AC21 role logic] every action is keeper-gate only and unsolicited position NFTs are refused", async function () {
    const f = await networkHelpers.loadFixture(uniswapFixture);
    const { tokenId } = await mintPosition(f, parseUnits("3000", 6), parseEther("1"));
    const calls: [string, readonly unknown[]][] = [
      [
        "mint",
        [
          {
            token0: f.token0,
            amount0: 1n,
            token1: f.token1,
            amount1: 1n,
            fee: FEE,
            tickLower: -600,
            tickUpper: 600,
            amount0Min: 0n,
            amount1Min: 0n,
          },
        ],
      ],
      ["increaseLiquidity", [f.token0, 1n, tokenId, 1n, 0n, 0n]],
      ["decreaseLiquidity", [tokenId, 1n, 0n, 0n]],
      ["collect", [tokenId]],
      ["burn", [tokenId]],
      ["sendToVault", [1n]],
      ["sendToConnector", [f.connector, f.usdc, 1n]],
      ["swap", [f.usdc, 1n, "0x"]],
      ["untrackToken", [f.weth]],
      ["recoverToken", [f.weth]],
    ];
    await expectKeeperGateOnly(who, { address: f.connector, abi: connectorAbi() }, calls);
    await expectRevert(
      send(who.stranger, {
        address: f.connector,
        abi: connectorAbi(),
        functionName: "trackToken",
        args: [f.weth],
      }),
      "NotKeeperGateOrSiblingConnector",
    );
    const block = await who.stranger.public.getBlock();
    const npm = uniswapArtifacts.positionManager().abi;
    const mintArgs = {
      token0: f.token0,
      token1: f.token1,
      fee: FEE,
      ...fullRangeTicks(FEE),
      amount0Desired: parseUnits("3000", 6),
      amount1Desired: parseEther("1"),
      amount0Min: 0n,
      amount1Min: 0n,
      recipient: who.stranger.wallet.account.address,
      deadline: block.timestamp + 600n,
    };
    if (!f.usdcIs0)
      [mintArgs.amount0Desired, mintArgs.amount1Desired] = [mintArgs.amount1Desired, mintArgs.amount0Desired];
    const { result } = await who.stranger.public.simulateContract({
      address: f.uni.positionManager,
      abi: npm,
      functionName: "mint",
      args: [mintArgs],
      account: who.stranger.wallet.account,
    });
    await send(who.stranger, {
      address: f.uni.positionManager,
      abi: npm,
      functionName: "mint",
      args: [mintArgs],
    });
    const strangerId = (result as readonly bigint[])[0];
    await expectRevert(
      send(who.stranger, {
        address: f.uni.positionManager,
        abi: [...npm, ...connectorAbi().filter((x) => x.type === "error")],
        functionName: "safeTransferFrom",
        args: [who.stranger.wallet.account.address, f.connector, strangerId],
      }),
      "UnsolicitedPosition",
    );
  });
});
