import { expect } from "chai";
import { keccak256, maxUint256, toHex, zeroHash } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { deployMockFeed, updateFeed } from "../../../deploy/protocols/chainlink.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

const { clientsFor } = await localChain();

describe("Gnosis Conditional Tokens 1.0.3 (npm bytecode)", function () {
  it("prepares a binary condition, splits collateral, resolves YES and redeems", async function () {
    const me = clientsFor(0);
    const oracle = clientsFor(1);
    const ct = await deployConditionalTokens(me);
    const abi = conditionalTokensArtifact().abi;
    const usdc = await deployMockToken(me, "USD Coin", "USDC", 6);
    await mintMockToken(me, usdc, me.wallet.account.address, 100_000000n);
    const questionId = keccak256(toHex("Will USDC trade below $0.98 this month?"));
    await send(me, {
      address: ct,
      abi,
      functionName: "prepareCondition",
      args: [oracle.wallet.account.address, questionId, 2n],
    });
    const conditionId = await read<`0x${string}`>(me, {
      address: ct,
      abi,
      functionName: "getConditionId",
      args: [oracle.wallet.account.address, questionId, 2n],
    });
    await send(me, {
      address: usdc,
      abi: projectArtifact("MockERC20").abi,
      functionName: "approve",
      args: [ct, maxUint256],
    });
    await send(me, {
      address: ct,
      abi,
      functionName: "splitPosition",
      args: [usdc, zeroHash, conditionId, [1n, 2n], 100_000000n],
    });
    const yesCollection = await read<`0x${string}`>(me, {
      address: ct,
      abi,
      functionName: "getCollectionId",
      args: [zeroHash, conditionId, 1n],
    });
    const yesPosition = await read<bigint>(me, {
      address: ct,
      abi,
      functionName: "getPositionId",
      args: [usdc, yesCollection],
    });
    expect(
      await read<bigint>(me, {
        address: ct,
        abi,
        functionName: "balanceOf",
        args: [me.wallet.account.address, yesPosition],
      }),
    ).to.equal(100_000000n);
    await send(oracle, { address: ct, abi, functionName: "reportPayouts", args: [questionId, [1n, 0n]] });
    await send(me, {
      address: ct,
      abi,
      functionName: "redeemPositions",
      args: [usdc, zeroHash, conditionId, [1n, 2n]],
    });
    expect(
      await read<bigint>(me, {
        address: usdc,
        abi: projectArtifact("MockERC20").abi,
        functionName: "balanceOf",
        args: [me.wallet.account.address],
      }),
    ).to.equal(100_000000n);
  });
});

describe("Chainlink MockV3Aggregator (@chainlink/contracts sources)", function () {
  it("reports decimals and new rounds", async function () {
    const me = clientsFor(0);
    const feed = await deployMockFeed(me, 8, 1_00000000n);
    const abi = projectArtifact("MockV3Aggregator").abi;
    expect(await read<number>(me, { address: feed, abi, functionName: "decimals" })).to.equal(8);
    await updateFeed(me, feed, 99_000000n);
    const round = await read<readonly bigint[]>(me, { address: feed, abi, functionName: "latestRoundData" });
    expect(round[0]).to.equal(2n);
    expect(round[1]).to.equal(99_000000n);
  });
});
