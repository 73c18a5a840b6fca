import { expect } from "chai";
import {
  type Address,
  type Hex,
  decodeErrorResult,
  getAddress,
  maxUint256,
  parseUnits,
  zeroAddress,
} from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { deployLocalProtocols } from "../../../deploy/local/protocols.js";
import { conditionalTokensArtifact } from "../../../deploy/protocols/conditionalTokens.js";
import {
  type Mandate,
  gateDomain,
  keeperGateArtifact,
  signMandate,
  sortSignatures,
} from "../../../deploy/product/gate.js";
import {
  deployProductStack,
  gateExecute,
  provenanceHash,
  stackCalls,
} from "../../../deploy/product/stack.js";
import { type PlanAction, type PmOrder, encodeAction } from "../../../keeper/planning/actions.js";
import { CTF_ORDER_TYPES, ctfExchangeDomain } from "../../../keeper/planning/outcomeActions.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";
import { localChain } from "../helpers/chain.js";
import { expectRevert } from "../helpers/revert.js";

// The PolymarketConnector on the local stack (`polymarket: true`): the real Conditional Tokens, the local CTF
// Exchange / NegRisk CTF Exchange / NegRiskAdapter, the keeper's own action encoding (keeper/planning/actions.ts)
// through the 2-of-3 gate and under a keeper mandate whose notional bound the gate enforces on chain.

const { wallets, clientsFor, deployer, publicClient } = await localChain();
const chainId = await publicClient.getChainId();
const accounts = wallets.map((_, i) => clientsFor(i));
const USDC = (amount: string) => parseUnits(amount, 6);
const connectorAbi = projectArtifact("PolymarketConnector").abi;
const exchangeAbi = projectArtifact("CtfExchange").abi;
const erc20Abi = projectArtifact("MockERC20").abi;
const ctfAbi = conditionalTokensArtifact().abi;
const gateAbi = keeperGateArtifact().abi;

const protocols = await deployLocalProtocols(deployer);
const stack = await deployProductStack(deployer, protocols, {
  accounts,
  governance: "eoa",
  polymarket: true,
});
const pm = stack.polymarket!;
const { connector, venue, binary, group } = pm;
const maker = accounts[8]!;
const makerAddress = getAddress(maker.wallet.account.address);

let salt = 0n;
const now = async () => (await deployer.public.getBlock()).timestamp;

/** A POLY_1271 order of the connector, expiring in an hour. */
async function connectorOrder(
  tokenId: bigint,
  side: 0 | 1,
  makerAmount: bigint,
  takerAmount: bigint,
): Promise<PmOrder> {
  return {
    salt: (++salt).toString(),
    maker: connector,
    signer: connector,
    taker: zeroAddress,
    tokenId: tokenId.toString(),
    makerAmount: makerAmount.toString(),
    takerAmount: takerAmount.toString(),
    expiration: ((await now()) + 3_600n).toString(),
    nonce: "0",
    feeRateBps: "0",
    side,
    signatureType: 3,
    signature: "0x",
  };
}

const asTuple = (o: PmOrder) => ({
  salt: BigInt(o.salt),
  maker: o.maker,
  signer: o.signer,
  taker: o.taker,
  tokenId: BigInt(o.tokenId),
  makerAmount: BigInt(o.makerAmount),
  takerAmount: BigInt(o.takerAmount),
  expiration: BigInt(o.expiration),
  nonce: BigInt(o.nonce),
  feeRateBps: BigInt(o.feeRateBps),
  side: o.side,
  signatureType: o.signatureType,
  signature: o.signature,
});

/** The maker's EOA SELL of `tokenId` matching `buy` exactly, EIP-712-signed for `exchange`. */
async function makerSell(exchange: Address, buy: PmOrder) {
  const order = {
    salt: ++salt,
    maker: makerAddress,
    signer: makerAddress,
    taker: zeroAddress,
    tokenId: BigInt(buy.tokenId),
    makerAmount: BigInt(buy.takerAmount),
    takerAmount: BigInt(buy.makerAmount),
    expiration: 0n,
    nonce: 0n,
    feeRateBps: 0n,
    side: 1,
    signatureType: 0,
  } as const;
  const signature = await maker.wallet.signTypedData({
    account: maker.wallet.account,
    domain: ctfExchangeDomain(chainId, exchange),
    types: CTF_ORDER_TYPES,
    primaryType: "Order",
    message: order,
  });
  return { ...order, signature };
}

/** The venue's operator (the deployer) matches the connector's BUY against the maker's SELL, in full. */
async function fill(exchange: Address, buy: PmOrder) {
  const sell = await makerSell(exchange, buy);
  await send(deployer, {
    address: exchange,
    abi: exchangeAbi,
    functionName: "matchOrders",
    args: [asTuple(buy), [sell], BigInt(buy.makerAmount), [BigInt(buy.takerAmount)]],
  });
}

const run = (actions: readonly PlanAction[], note: string) =>
  gateExecute(
    stack,
    accounts,
    actions.map((a) => encodeAction(stack.vault, a)),
    provenanceHash(note),
  );
const totalAssets = () =>
  read<bigint>(deployer, {
    address: stack.vault,
    abi: projectArtifact("AccountingManager").abi,
    functionName: "totalAssets",
  });
const usdcOf = (owner: Address) =>
  read<bigint>(deployer, { address: stack.asset, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
const allowance = (spender: Address) =>
  read<bigint>(deployer, {
    address: stack.asset,
    abi: erc20Abi,
    functionName: "allowance",
    args: [connector, spender],
  });
const tokensOf = (tokenId: bigint) =>
  read<bigint>(deployer, {
    address: venue.conditionalTokens,
    abi: ctfAbi,
    functionName: "balanceOf",
    args: [connector, tokenId],
  });
const head = { connector, token: stack.asset } as const;

// a settled NAV of 200,000 USDC, 100,000 of it in the connector; the maker holds full sets of every market
await fundAndRequestDeposit(deployer, accounts[9]!, stack, USDC("200000"));
await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("settle"));
await gateExecute(
  stack,
  accounts,
  [stackCalls.transferToConnector(stack, connector, USDC("100000"))],
  provenanceHash("fund"),
);
await send(deployer, {
  address: stack.asset,
  abi: erc20Abi,
  functionName: "mint",
  args: [makerAddress, USDC("40000")],
});
for (const spender of [
  venue.conditionalTokens,
  venue.negRiskAdapter,
  venue.exchange,
  venue.negRiskExchange,
]) {
  await send(maker, {
    address: stack.asset,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, maxUint256],
  });
}
for (const operator of [venue.exchange, venue.negRiskExchange]) {
  await send(maker, {
    address: venue.conditionalTokens,
    abi: ctfAbi,
    functionName: "setApprovalForAll",
    args: [operator, true],
  });
}
await send(maker, {
  address: venue.conditionalTokens,
  abi: ctfAbi,
  functionName: "splitPosition",
  args: [stack.asset, `0x${"00".repeat(32)}` as Hex, binary.conditionId, [1n, 2n], USDC("10000")],
});
for (const q of group.questions) {
  await send(maker, {
    address: venue.negRiskAdapter,
    abi: projectArtifact("NegRiskAdapter").abi,
    functionName: "splitPosition",
    args: [q.conditionId, USDC("10000")],
  });
}

describe("Polymarket positions on the local stack (PolymarketConnector, real CTF, local CTF Exchange)", function () {
  it("registers the connector, its markets and exactly the keeper's Polymarket actions", async function () {
    const ids = await read<readonly Hex[]>(deployer, {
      address: connector,
      abi: connectorAbi,
      functionName: "conditionIds",
    });
    expect(ids).to.deep.equal([binary.conditionId, ...group.questions.map((q) => q.conditionId)]);
    const names = stack.allowedCalls
      .filter((c) => getAddress(c.target) === getAddress(connector))
      .map((c) => c.name);
    for (const fn of ["placeOrders", "closeOrders", "merge", "split", "convert", "redeem", "sendToVault"]) {
      expect(names).to.include(`PolymarketConnector.${fn}`);
    }
  });

  it("through the 2-of-3 gate: BUY YES and NO, the operator fills them, merge locks the profit in NAV", async function () {
    const sets = USDC("1000");
    const yes = await connectorOrder(binary.yesTokenId, 0, USDC("450"), sets);
    const no = await connectorOrder(binary.noTokenId, 0, USDC("500"), sets);
    const navBefore = await totalAssets();
    await run(
      [{ kind: "pmPlaceOrders", ...head, notional: USDC("950").toString(), orders: [yes, no] }],
      "place",
    );
    expect(await allowance(venue.exchange)).to.equal(USDC("950"));
    await fill(venue.exchange, yes);
    await fill(venue.exchange, no);
    expect(await tokensOf(binary.yesTokenId)).to.equal(sets);
    expect(await allowance(venue.exchange)).to.equal(0n);
    expect(await totalAssets()).to.equal(navBefore + USDC("50"));
    await run(
      [
        { kind: "pmCloseOrders", connector, orders: [yes, no] },
        { kind: "pmMerge", ...head, amount: sets.toString(), conditionId: binary.conditionId },
      ],
      "close and merge",
    );
    expect(await tokensOf(binary.yesTokenId)).to.equal(0n);
    expect(await usdcOf(connector)).to.equal(USDC("100050"));
    expect(await totalAssets()).to.equal(navBefore + USDC("50"));
  });

  it("through the gate: a negRisk NO set bought and converted into collateral", async function () {
    const amount = USDC("1000");
    const legs = await Promise.all(
      group.questions.map((q) => connectorOrder(q.noTokenId, 0, USDC("600"), amount)),
    );
    const navBefore = await totalAssets();
    await run(
      [{ kind: "pmPlaceOrders", ...head, notional: USDC("1800").toString(), orders: legs }],
      "place NO set",
    );
    for (const leg of legs) await fill(venue.negRiskExchange, leg);
    await run(
      [
        { kind: "pmCloseOrders", connector, orders: legs },
        { kind: "pmConvert", ...head, amount: amount.toString(), marketId: group.marketId, indexSet: "7" },
      ],
      "convert",
    );
    expect(await totalAssets()).to.equal(navBefore + USDC("200"));
    expect(await allowance(venue.negRiskExchange)).to.equal(0n);
  });

  it("through the gate: split, then redeem once resolved", async function () {
    const navBefore = await totalAssets();
    await run(
      [{ kind: "pmSplit", ...head, amount: USDC("100").toString(), conditionId: binary.conditionId }],
      "split",
    );
    await send(deployer, {
      address: venue.conditionalTokens,
      abi: ctfAbi,
      functionName: "reportPayouts",
      args: [binary.questionId, [1n, 0n]],
    });
    await run(
      [{ kind: "pmRedeem", ...head, minPayout: USDC("100").toString(), conditionId: binary.conditionId }],
      "redeem",
    );
    expect(await tokensOf(binary.noTokenId)).to.equal(0n);
    expect(await totalAssets()).to.equal(navBefore);
  });

  it("under a keeper mandate: the keeper places orders alone, within the notional the gate measures on chain", async function () {
    // the binary market resolved above: the routine orders go to the negRisk group
    const keeper = accounts[stack.roles.strategist]!;
    const selector = stack.allowedCalls.find((c) => c.name === "PolymarketConnector.placeOrders")!.selector;
    const mandate: Mandate = {
      keeper: keeper.wallet.account.address,
      connectors: [connector],
      tokens: [stack.asset],
      selectors: [selector],
      maxNotionalPerAction: USDC("1000"),
      maxNotionalPerPeriod: USDC("1500"),
      period: 86_400n,
      maxSlippageBps: 0n,
      maxLossBps: 10n,
      lossWindow: 86_400n,
      expiry: (await now()) + 86_400n,
      nonce: 7n,
    };
    const domain = gateDomain(chainId, stack.gate);
    const signatures = sortSignatures(
      await Promise.all(
        stack.roles.operators
          .slice(0, 2)
          .map((i) => signMandate(accounts[i]!.wallet, domain, stack.vault, mandate)),
      ),
    );
    await send(keeper, {
      address: stack.gate,
      abi: gateAbi,
      functionName: "approveMandate",
      args: [mandate, signatures],
    });
    const id = await read<Hex>(deployer, {
      address: stack.gate,
      abi: gateAbi,
      functionName: "mandateDigest",
      args: [mandate],
    });
    const placeUnderMandate = (notional: bigint, orders: PmOrder[]) =>
      send(keeper, {
        address: stack.gate,
        abi: gateAbi,
        functionName: "executeMandate",
        args: [
          id,
          encodeAction(stack.vault, {
            kind: "pmPlaceOrders",
            ...head,
            notional: notional.toString(),
            orders,
          }),
          provenanceHash("mandate order"),
        ],
      });

    const small = await connectorOrder(group.questions[0]!.yesTokenId, 0, USDC("900"), USDC("2000"));
    await placeUnderMandate(USDC("900"), [small]);
    expect(await allowance(venue.negRiskExchange)).to.equal(USDC("900"));
    // over the per-action bound
    const big = await connectorOrder(group.questions[0]!.yesTokenId, 0, USDC("1001"), USDC("2500"));
    await expectRevert(placeUnderMandate(USDC("1001"), [big]), "NotionalAboveActionLimit");
    // a head that understates the batch: the connector refuses it, so the gate's measure cannot be dodged
    const hidden = await connectorOrder(group.questions[1]!.yesTokenId, 0, USDC("800"), USDC("2000"));
    const [, , reason] = await expectRevert(placeUnderMandate(USDC("100"), [hidden]), "CallFailed");
    expect(
      decodeErrorResult({ abi: connectorAbi, data: reason as Hex }).errorName,
      "the connector's own refusal",
    ).to.equal("NotionalMismatch");
    // within the action bound but past the period budget (900 used of 1,500)
    await expectRevert(placeUnderMandate(USDC("800"), [hidden]), "NotionalAbovePeriodLimit");
    expect(await allowance(venue.negRiskExchange)).to.equal(USDC("900"));
    // closing goes through the gate (or anyone after expiry) and resets the allowance to 0
    await run([{ kind: "pmCloseOrders", connector, orders: [small] }], "close");
    expect(await allowance(venue.negRiskExchange)).to.equal(0n);
  });
});
