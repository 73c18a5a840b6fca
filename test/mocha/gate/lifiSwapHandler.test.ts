import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { type Address, type Hex, concat, getAddress, parseEther, parseUnits, zeroAddress } from "viem";
import { REPO_ROOT, deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import { deploySwapTestbed } from "../../../deploy/local/gateTestbed.js";
import { applyDexAllowlist, dexAllowlistFromLiFiWhitelist } from "../../../deploy/product/lifiWhitelist.js";
import {
  type SwapData,
  encodeExactInputSingle,
  encodeMultiStepSwap,
  encodeSingleV3Swap,
} from "../../../deploy/product/lifi.js";
import { localChain } from "../helpers/chain.js";

// Attack classes covered (../shared/research/attack-classes.md): AC17 arbitrary-call helpers (no call path
// but the checked Diamond call), AC18 arbitrary calldata in the swap aggregator, AC19 slippage (oracle-bounded
// minimum out, balance delta), AC21 role and modifier logic (handler governance).

const { viem, networkHelpers, wallets, clientsFor, publicClient } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));

interface Sample {
  readonly data: Hex;
  readonly label: string;
  readonly decoded: {
    readonly selector: string;
    readonly function: string | null;
    readonly transactionId?: Hex;
    readonly integrator?: string;
    readonly referrer?: string;
    readonly receiver?: string;
    readonly minAmountOut?: string;
    readonly swapData?: readonly {
      callTo: string;
      approveTo: string;
      sendingAssetId: string;
      receivingAssetId: string;
      fromAmount: string;
      callDataSelector: string;
      callDataLength: number;
      requiresDeposit: boolean;
    }[];
  };
}

const SAMPLES = (
  JSON.parse(
    readFileSync(path.resolve(REPO_ROOT, "../shared/data/lifi/lifi_diamond_calldata_samples.json"), "utf8"),
  ) as { samples: Sample[] }
).samples;

const WHITELIST: unknown = JSON.parse(
  readFileSync(path.resolve(REPO_ROOT, "../shared/data/lifi/contracts-config/whitelist.json"), "utf8"),
);
const LIFI_NETWORK: Record<string, string> = {
  ethereum: "mainnet",
  optimism: "optimism",
  polygon: "polygon",
};

const AMOUNT_IN = parseUnits("3000", 6);
const MIN_OUT = parseEther("0.992");
const TX_ID = `0x${"ab".repeat(32)}` as Hex;

async function fixture() {
  const tb = await deploySwapTestbed(accounts);
  const handler = await viem.getContractAt("LiFiSwapHandler", tb.handler);
  const connector = await viem.getContractAt("MockSwapConnector", tb.connector);
  const diamond = await viem.getContractAt("LocalLiFiDiamond", tb.diamond);
  const usdc = await viem.getContractAt("MockERC20", tb.usdc);
  const weth = await viem.getContractAt("WETH9", tb.weth);
  const registry = await viem.getContractAt("Registry", tb.registry);
  const deadline = (await publicClient.getBlock()).timestamp + 36_000n;
  return { tb, handler, connector, diamond, usdc, weth, registry, deadline };
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

function usdcToWethStep(f: Fixture, overrides: Partial<SwapData> = {}, routerMin = MIN_OUT): SwapData {
  return {
    callTo: f.tb.uniswap.swapRouter,
    approveTo: f.tb.uniswap.swapRouter,
    sendingAssetId: f.tb.usdc,
    receivingAssetId: f.tb.weth,
    fromAmount: AMOUNT_IN,
    callData: encodeExactInputSingle({
      tokenIn: f.tb.usdc,
      tokenOut: f.tb.weth,
      fee: 3000,
      recipient: f.tb.diamond,
      deadline: f.deadline,
      amountIn: overrides.fromAmount ?? AMOUNT_IN,
      amountOutMinimum: routerMin,
    }),
    requiresDeposit: true,
    ...overrides,
  };
}

function singleSwap(
  f: Fixture,
  opts: { receiver?: Address; minAmountOut?: bigint; step?: Partial<SwapData> } = {},
): Hex {
  return encodeSingleV3Swap({
    transactionId: TX_ID,
    integrator: "agent-vault",
    referrer: zeroAddress,
    receiver: opts.receiver ?? f.tb.connector,
    minAmountOut: opts.minAmountOut ?? MIN_OUT,
    swapData: usdcToWethStep(f, opts.step),
  });
}

function swapAs(f: Fixture, data: Hex, tokenIn: Address = f.tb.usdc, amountIn = AMOUNT_IN) {
  return f.connector.write.swap([tokenIn, amountIn, data], { account: f.tb.keeper.wallet.account });
}

describe("LiFiSwapHandler: calldata validation", function () {
  it("[AC18 aggregator calldata] real LI.FI Diamond calldata decodes to the sample's decoded block; the corrupted sample is refused", async function () {
    const { handler } = await networkHelpers.loadFixture(fixture);
    let positives = 0;
    for (const sample of SAMPLES) {
      if (sample.decoded.function === null) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          handler.read.decodeSwap([sample.data]),
          handler,
          "UnsupportedSelector",
          [sample.decoded.selector as Hex],
        );
        continue;
      }
      positives += 1;
      const d = await handler.read.decodeSwap([sample.data]);
      const want = sample.decoded;
      expect(d.selector, sample.label).to.equal(want.selector);
      expect(d.transactionId).to.equal(want.transactionId);
      expect(d.integrator).to.equal(want.integrator);
      expect(d.referrer).to.equal(want.referrer);
      expect(d.receiver.toLowerCase()).to.equal(want.receiver);
      expect(d.minAmountOut).to.equal(BigInt(want.minAmountOut!));
      expect(d.swapData.length).to.equal(want.swapData!.length);
      d.swapData.forEach((step, i) => {
        const w = want.swapData![i]!;
        expect(step.callTo.toLowerCase()).to.equal(w.callTo);
        expect(step.approveTo.toLowerCase()).to.equal(w.approveTo);
        expect(step.sendingAssetId.toLowerCase()).to.equal(w.sendingAssetId);
        expect(step.receivingAssetId.toLowerCase()).to.equal(w.receivingAssetId);
        expect(step.fromAmount).to.equal(BigInt(w.fromAmount));
        expect(step.callData.slice(0, 10)).to.equal(w.callDataSelector);
        expect((step.callData.length - 2) / 2).to.equal(w.callDataLength);
        expect(step.requiresDeposit).to.equal(w.requiresDeposit);
      });
      // One trailing byte, or one byte less, and the same calldata is refused.
      await viem.assertions.revertWithCustomError(
        handler.read.decodeSwap([concat([sample.data, "0x00"])]),
        handler,
        "NonCanonicalCalldata",
      );
      await viem.assertions.revertWithCustomError(
        handler.read.decodeSwap([sample.data.slice(0, -2) as Hex]),
        handler,
        "NonCanonicalCalldata",
      );
    }
    expect(positives).to.equal(5);
  });

  it("[AC18 aggregator calldata] LI.FI's own whitelist.json becomes the handler's DEX allowlist; real sample steps are judged by it", async function () {
    const { tb, handler } = await networkHelpers.loadFixture(fixture);
    const optimism = dexAllowlistFromLiFiWhitelist(WHITELIST, "optimism");
    expect(optimism.calls.length).to.be.greaterThan(10);
    await applyDexAllowlist(tb.governance, tb.handler, optimism);
    for (const { callTo, selector } of optimism.calls) {
      expect(await handler.read.isDexCallAllowed([callTo, selector])).to.equal(true);
    }
    for (const approveTo of optimism.approveToOnly) {
      expect(await handler.read.isApproveToAllowed([approveTo])).to.equal(true);
    }
    // Steps of the real calldata: the 1inch router calls are on LI.FI's list for their chains, the retired
    // Odos router and the old fee collector are not, so a handler configured from the list would refuse them.
    const verdicts = SAMPLES.filter((s) => s.decoded.function !== null).flatMap((sample) => {
      const list = dexAllowlistFromLiFiWhitelist(
        WHITELIST,
        LIFI_NETWORK[(sample as unknown as { chain: string }).chain]!,
      );
      return sample.decoded.swapData!.map((step) =>
        list.calls.some(
          (c) => c.callTo.toLowerCase() === step.callTo && c.selector === step.callDataSelector,
        ),
      );
    });
    expect(verdicts).to.deep.equal([true, true, false, false, true, false, false]);
    expect(() =>
      dexAllowlistFromLiFiWhitelist(
        { DEXS: [{ key: "x", contracts: { mainnet: [{ address: "0x12", functions: {} }] } }], PERIPHERY: {} },
        "mainnet",
      ),
    ).to.throw(/20-byte hex address/);
  });

  it("[AC18 aggregator calldata] a valid swap: exact approvals reset to zero, nothing left in handler or Diamond, balance delta >= min out", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { tb, usdc, weth, connector, diamond } = f;
    const before = await usdc.read.balanceOf([tb.connector]);
    const hash = swapAs(f, singleSwap(f));
    await viem.assertions.emit(hash, connector, "Swapped");
    const received = await weth.read.balanceOf([tb.connector]);
    expect(received >= MIN_OUT && received < parseEther("1")).to.equal(true);
    expect(await usdc.read.balanceOf([tb.connector])).to.equal(before - AMOUNT_IN);
    for (const [owner, spender] of [
      [tb.connector, tb.handler],
      [tb.connector, tb.diamond],
      [tb.handler, tb.diamond],
      [tb.diamond, tb.uniswap.swapRouter],
    ] as const) {
      expect(await usdc.read.allowance([owner, spender])).to.equal(0n);
    }
    for (const holder of [tb.handler, tb.diamond]) {
      expect(await usdc.read.balanceOf([holder])).to.equal(0n);
      expect(await weth.read.balanceOf([holder])).to.equal(0n);
    }
    const [completed] = await diamond.getEvents.LiFiGenericSwapCompleted();
    expect(completed?.args.receiver).to.equal(getAddress(tb.connector));
    expect(completed?.args.toAmount).to.equal(received);
  });

  it("[AC18 aggregator calldata] swapTokensGeneric and swapTokensMultipleV3ERC20ToERC20 run through the same checks", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    for (const functionName of ["swapTokensGeneric", "swapTokensMultipleV3ERC20ToERC20"] as const) {
      const data = encodeMultiStepSwap(functionName, {
        transactionId: TX_ID,
        integrator: "agent-vault",
        referrer: zeroAddress,
        receiver: f.tb.connector,
        minAmountOut: MIN_OUT,
        swapData: [usdcToWethStep(f)],
      });
      const before = await f.weth.read.balanceOf([f.tb.connector]);
      await swapAs(f, data);
      expect((await f.weth.read.balanceOf([f.tb.connector])) - before >= MIN_OUT).to.equal(true);
    }
    const twoDeposits = encodeMultiStepSwap("swapTokensMultipleV3ERC20ToERC20", {
      transactionId: TX_ID,
      integrator: "agent-vault",
      referrer: zeroAddress,
      receiver: f.tb.connector,
      minAmountOut: MIN_OUT,
      swapData: [usdcToWethStep(f), usdcToWethStep(f)],
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, twoDeposits),
      f.handler,
      "UnexpectedDeposit",
      [1n],
    );
    const noDeposit = encodeMultiStepSwap("swapTokensGeneric", {
      transactionId: TX_ID,
      integrator: "agent-vault",
      referrer: zeroAddress,
      receiver: f.tb.connector,
      minAmountOut: MIN_OUT,
      swapData: [usdcToWethStep(f, { requiresDeposit: false })],
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, noDeposit),
      f.handler,
      "UnexpectedDeposit",
      [0n],
    );
    // USDC -> X -> WETH where X is not a token of this connector: the Diamond would refund leftover X to it.
    const intermediate = f.tb.uniswap.positionManager;
    const viaUnlisted = encodeMultiStepSwap("swapTokensMultipleV3ERC20ToERC20", {
      transactionId: TX_ID,
      integrator: "agent-vault",
      referrer: zeroAddress,
      receiver: f.tb.connector,
      minAmountOut: MIN_OUT,
      swapData: [
        usdcToWethStep(f, { receivingAssetId: intermediate }),
        usdcToWethStep(f, { sendingAssetId: intermediate, requiresDeposit: false }),
      ],
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, viaUnlisted),
      f.handler,
      "TokenNotAllowed",
      [getAddress(f.tb.connector), getAddress(intermediate)],
    );
  });

  it("[AC18 aggregator calldata] wrong receiver, swapped or disallowed tokens, amount mismatch, native assets and unlisted DEX calls are refused", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { tb, handler, registry } = f;
    const outsider = tb.outsider.wallet.account.address;
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, singleSwap(f, { receiver: outsider })),
      handler,
      "ReceiverNotCaller",
      [getAddress(outsider), getAddress(tb.connector)],
    );
    // The connector swaps 2999 USDC, the calldata wants 3000 (inflated amount).
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, singleSwap(f), tb.usdc, AMOUNT_IN - 1_000_000n),
      handler,
      "InputMismatch",
      [getAddress(tb.usdc), AMOUNT_IN - 1_000_000n, getAddress(tb.usdc), AMOUNT_IN],
    );
    // Tokens swapped in the calldata: the connector swaps USDC, the calldata sends WETH.
    const swapped = singleSwap(f, {
      minAmountOut: parseUnits("2990", 6),
      step: { sendingAssetId: tb.weth, receivingAssetId: tb.usdc, fromAmount: parseEther("1") },
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, swapped, tb.usdc, parseEther("1")),
      handler,
      "InputMismatch",
      [getAddress(tb.usdc), parseEther("1"), getAddress(tb.weth), parseEther("1")],
    );
    await viem.assertions.revertWithCustomError(
      swapAs(f, singleSwap(f, { step: { receivingAssetId: zeroAddress } })),
      handler,
      "NativeAssetNotSupported",
    );
    await viem.assertions.revertWithCustomError(
      swapAs(f, singleSwap(f, { step: { receivingAssetId: tb.usdc } })),
      handler,
      "SameAsset",
    );
    await viem.assertions.revertWithCustomError(
      swapAs(f, singleSwap(f, { step: { fromAmount: 0n } }), tb.usdc, 0n),
      handler,
      "ZeroAmount",
    );
    // A DEX call that is not on the handler's list: a token transfer to the attacker, dressed as a swap step.
    const drain = singleSwap(f, { step: { callTo: tb.usdc, approveTo: tb.usdc, callData: "0xa9059cbb" } });
    await viem.assertions.revertWithCustomErrorWithArgs(swapAs(f, drain), handler, "DexCallNotAllowed", [
      getAddress(tb.usdc),
      "0xa9059cbb",
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, singleSwap(f, { step: { approveTo: outsider } })),
      handler,
      "ApproveToNotAllowed",
      [getAddress(outsider)],
    );
    // The base asset stays allowed without a Registry entry (connectors always hold it, as BaseConnector does).
    await registry.write.setConnectorToken([tb.connector, tb.usdc, false], {
      account: tb.guardian.wallet.account,
    });
    await swapAs(f, singleSwap(f));
    // The guardian forbids WETH in this connector: the receiving asset is no longer allowed.
    await registry.write.setConnectorToken([tb.connector, tb.weth, false], {
      account: tb.guardian.wallet.account,
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, singleSwap(f)),
      handler,
      "TokenNotAllowed",
      [getAddress(tb.connector), getAddress(tb.weth)],
    );
  });

  it("[AC19 slippage] minAmountOut must be worth the oracle value of the input minus the governance slippage", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { tb, handler } = f;
    // 3000 USDC in; 1% bound -> at least 2970 USDC of WETH at the oracle's 3000 -> 0.99 WETH.
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, singleSwap(f, { minAmountOut: parseEther("0.989") })),
      handler,
      "MinAmountOutTooLow",
      [parseUnits("2967", 6), parseUnits("2970", 6)],
    );
    await swapAs(f, singleSwap(f, { minAmountOut: parseEther("0.99") }));
    await handler.write.setMaxSlippageBps([500n], { account: tb.governance.wallet.account });
    await swapAs(f, singleSwap(f, { minAmountOut: parseEther("0.96") }));
    await viem.assertions.revertWithCustomErrorWithArgs(
      handler.write.setMaxSlippageBps([501n], { account: tb.governance.wallet.account }),
      handler,
      "SlippageTooHigh",
      [501n],
    );
    // A minimum the pool cannot meet passes the oracle check but the Diamond's own check stops it.
    await viem.assertions.revertWithCustomError(
      swapAs(f, singleSwap(f, { minAmountOut: parseEther("1.5") })),
      f.connector,
      "DiamondCallFailed",
    );
  });

  it("[AC17 arbitrary call] only registered connectors of a vault using this handler can swap; garbage and trailing bytes are refused", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { tb, handler } = f;
    await viem.assertions.revertWithCustomErrorWithArgs(
      handler.read.checkSwap([tb.usdc, AMOUNT_IN, singleSwap(f)], {
        account: tb.outsider.wallet.account.address,
      }),
      handler,
      "UnknownConnector",
      [getAddress(tb.outsider.wallet.account.address)],
    );
    const other = await viem.getContractAt(
      "LiFiSwapHandler",
      await deploy(tb.governance, projectArtifact("LiFiSwapHandler"), [tb.registry, tb.diamond, 100n]),
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      other.read.checkSwap([tb.usdc, AMOUNT_IN, singleSwap(f)], { account: tb.connector }),
      other,
      "NotVaultSwapHandler",
      [getAddress(tb.vault)],
    );
    await viem.assertions.revertWithCustomError(
      swapAs(f, concat([singleSwap(f), "0x00"])),
      handler,
      "NonCanonicalCalldata",
    );
    await viem.assertions.revertWithCustomError(swapAs(f, "0x5fd9ae2e1234"), handler, "MalformedCalldata");
    await viem.assertions.revertWithCustomErrorWithArgs(
      swapAs(f, "0xdeadbeef"),
      handler,
      "UnsupportedSelector",
      ["0xdeadbeef"],
    );
    // MockSwapConnector.swap itself is keeper-gate only.
    await viem.assertions.revertWithCustomError(
      f.connector.write.swap([tb.usdc, AMOUNT_IN, singleSwap(f)], { account: tb.outsider.wallet.account }),
      f.connector,
      "NotKeeperGate",
    );
  });

  it("[AC21 role truth table] handler configuration is governance-only", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { tb, handler } = f;
    for (const caller of [tb.guardian, tb.keeper, tb.outsider]) {
      const as = { account: caller.wallet.account };
      const who: [Address] = [getAddress(caller.wallet.account.address)];
      await viem.assertions.revertWithCustomErrorWithArgs(
        handler.write.setMaxSlippageBps([10n], as),
        handler,
        "NotGovernance",
        who,
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        handler.write.setDexCallAllowed([tb.usdc, "0xa9059cbb", true], as),
        handler,
        "NotGovernance",
        who,
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        handler.write.setApproveToAllowed([tb.usdc, true], as),
        handler,
        "NotGovernance",
        who,
      );
    }
    // The local Diamond's whitelist is its owner's alone, like LI.FI's DexManagerFacet.
    await viem.assertions.revertWithCustomErrorWithArgs(
      f.diamond.write.setContractSelectorWhitelist([tb.usdc, "0xa9059cbb", true], {
        account: tb.outsider.wallet.account,
      }),
      f.diamond,
      "OwnableUnauthorizedAccount",
      [getAddress(tb.outsider.wallet.account.address)],
    );
    const gov = { account: tb.governance.wallet.account };
    await viem.assertions.emit(
      handler.write.setApproveToAllowed([tb.uniswap.positionManager, true], gov),
      handler,
      "ApproveToAllowed",
    );
    expect(await handler.read.isApproveToAllowed([tb.uniswap.positionManager])).to.equal(true);
    await handler.write.setDexCallAllowed([tb.uniswap.swapRouter, "0x414bf389", false], gov);
    await viem.assertions.revertWithCustomError(swapAs(f, singleSwap(f)), handler, "DexCallNotAllowed");
  });
});
