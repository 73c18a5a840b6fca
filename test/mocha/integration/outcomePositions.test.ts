import { expect } from "chai";
import { type Address, type Hex, decodeErrorResult, getAddress, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { deployLocalProtocols } from "../../../deploy/local/protocols.js";
import { conditionalTokensArtifact } from "../../../deploy/protocols/conditionalTokens.js";
import { fpmmAbi } from "../../../deploy/protocols/fixedProductMarketMaker.js";
import {
  type ProductStack,
  deployProductStack,
  gateExecute,
  provenanceHash,
  stackCalls,
} from "../../../deploy/product/stack.js";
import { type PlanAction, encodeAction } from "../../../keeper/planning/actions.js";
import { fundAndRequestDeposit } from "../../../deploy/local/deposits.js";
import { localChain } from "../helpers/chain.js";
import { expectRevert } from "../helpers/revert.js";

// The ConditionalTokensConnector on the local stack (`outcomes: true`): the real Conditional Tokens and
// FixedProductMarketMaker, the keeper's own action encoding (keeper/planning/actions.ts) through the 2-of-3
// gate, the Registry allowlist built from that table, and the vault's NAV under the valuation rules.

const { wallets, clientsFor, deployer } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const USDC = (amount: string) => parseUnits(amount, 6);
const connectorAbi = projectArtifact("ConditionalTokensConnector").abi;
const vaultAbi = projectArtifact("AccountingManager").abi;
const ctfAbi = conditionalTokensArtifact().abi;

const protocols = await deployLocalProtocols(deployer);
const stack = await deployProductStack(deployer, protocols, { accounts, governance: "eoa", outcomes: true });
const outcomes = stack.outcomes!;
const { market, connector } = outcomes;

const totalAssets = () =>
  read<bigint>(deployer, { address: stack.vault, abi: vaultAbi, functionName: "totalAssets" });
const connectorValue = async () =>
  (
    await read<readonly [bigint, boolean]>(deployer, {
      address: connector,
      abi: connectorAbi,
      functionName: "totalValue",
    })
  )[0];
const balances = async (): Promise<readonly bigint[]> => {
  const ids = await read<readonly bigint[]>(deployer, {
    address: connector,
    abi: connectorAbi,
    functionName: "positionIdsOf",
    args: [market.conditionId],
  });
  return read(deployer, {
    address: market.conditionalTokens,
    abi: ctfAbi,
    functionName: "balanceOfBatch",
    args: [ids.map(() => connector), ids],
  });
};
const usdcOf = (owner: Address) =>
  read<bigint>(deployer, {
    address: stack.asset,
    abi: projectArtifact("MockERC20").abi,
    functionName: "balanceOf",
    args: [owner],
  });
const quoteBuy = (investment: bigint, outcome: number) =>
  read<bigint>(deployer, {
    address: market.pool,
    abi: fpmmAbi(),
    functionName: "calcBuyAmount",
    args: [investment, BigInt(outcome)],
  });
const quoteSell = (proceeds: bigint, outcome: number) =>
  read<bigint>(deployer, {
    address: market.pool,
    abi: fpmmAbi(),
    functionName: "calcSellAmount",
    args: [proceeds, BigInt(outcome)],
  });

const run = (actions: readonly PlanAction[], note: string) =>
  gateExecute(
    stack,
    accounts,
    actions.map((a) => encodeAction(stack.vault, a)),
    provenanceHash(note),
  );
const base = { connector, token: stack.asset, conditionId: market.conditionId } as const;

async function fundVault(s: ProductStack): Promise<void> {
  // a settled NAV of 200,000 USDC (the exposure caps are a share of it), half moved to the connector
  await fundAndRequestDeposit(deployer, accounts[9]!, s, USDC("200000"));
  await gateExecute(s, accounts, [stackCalls.settle(s)], provenanceHash("settle"));
  await gateExecute(
    s,
    accounts,
    [stackCalls.transferToConnector(s, connector, USDC("100000"))],
    provenanceHash("fund"),
  );
}
await fundVault(stack);

describe("outcome positions on the local stack (ConditionalTokensConnector, real CTF and FPMM)", function () {
  it("registers the connector, its market and exactly the keeper's outcome actions", async function () {
    const registry = projectArtifact("Registry").abi;
    const config = await read<{ vault: Address; enabled: boolean }>(deployer, {
      address: stack.registry,
      abi: registry,
      functionName: "connectorConfig",
      args: [connector],
    });
    expect(getAddress(config.vault)).to.equal(getAddress(stack.vault));
    expect(config.enabled).to.equal(true);
    const names = stack.allowedCalls
      .filter((c) => getAddress(c.target) === getAddress(connector))
      .map((c) => c.name);
    expect(names).to.have.members([
      "ConditionalTokensConnector.sendToVault",
      "ConditionalTokensConnector.sendToConnector",
      "ConditionalTokensConnector.trackToken",
      "ConditionalTokensConnector.swap",
      "ConditionalTokensConnector.split",
      "ConditionalTokensConnector.merge",
      "ConditionalTokensConnector.redeem",
      "ConditionalTokensConnector.buy",
      "ConditionalTokensConnector.sell",
    ]);
    const ids = await read<readonly Hex[]>(deployer, {
      address: connector,
      abi: connectorAbi,
      functionName: "marketIds",
    });
    expect(ids).to.deep.equal([market.conditionId]);
  });

  it("splits, buys, sells and merges through the gate; NAV counts full sets at par and unpaired tokens at 0", async function () {
    const navBefore = await totalAssets();
    const idleBefore = await usdcOf(connector);
    const bought = await quoteBuy(USDC("2000"), 0);
    await run(
      [
        { kind: "outcomeSplit", ...base, amount: USDC("10000").toString() },
        {
          kind: "outcomeBuy",
          ...base,
          amount: USDC("2000").toString(),
          outcomeIndex: 0,
          minOutcomeTokens: bought.toString(),
        },
      ],
      "split, buy YES",
    );
    const sellIn = await quoteSell(USDC("1000"), 1);
    await run(
      [
        {
          kind: "outcomeSell",
          ...base,
          amount: USDC("1000").toString(),
          outcomeIndex: 1,
          maxOutcomeTokens: sellIn.toString(),
        },
      ],
      "sell NO",
    );
    const [yes, no] = await balances();
    expect(yes).to.equal(USDC("10000") + bought);
    expect(no).to.equal(USDC("10000") - sellIn);
    const idle = await usdcOf(connector);
    expect(idle).to.equal(idleBefore - USDC("10000") - USDC("2000") + USDC("1000"));
    expect(await connectorValue()).to.equal(idle + no!, "full sets at par, unpaired YES at 0");
    expect(await totalAssets()).to.equal(navBefore - idleBefore + idle + no!);

    await run([{ kind: "outcomeMerge", ...base, amount: no!.toString() }], "merge the full sets");
    const [yesLeft, noLeft] = await balances();
    expect(noLeft).to.equal(0n);
    expect(yesLeft).to.equal(yes! - no!);
    expect(await connectorValue()).to.equal(await usdcOf(connector));
  });

  it("refuses a buy past the per-event cap with a named error and changes nothing", async function () {
    const before = await balances();
    const [, gateIndex, , reason] = [
      0,
      ...(await expectRevert(
        run(
          [
            {
              kind: "outcomeBuy",
              ...base,
              amount: USDC("25000").toString(),
              outcomeIndex: 0,
              minOutcomeTokens: "0",
            },
          ],
          "too big",
        ),
        "CallFailed",
      )),
    ];
    expect(gateIndex).to.equal(0n);
    const inner = decodeErrorResult({ abi: connectorAbi, data: reason as Hex });
    expect(inner.errorName).to.equal("EventExposureAboveCap");
    expect(await balances()).to.deep.equal(before);
  });

  it("values the market at its payout once resolved and redeems it through the gate", async function () {
    const [yes] = await balances();
    const idle = await usdcOf(connector);
    await send(deployer, {
      address: market.conditionalTokens,
      abi: ctfAbi,
      functionName: "reportPayouts",
      args: [market.questionId, [1n, 0n]],
    });
    expect(await connectorValue()).to.equal(idle + yes!, "YES won: every YES token pays one USDC");
    const nav = await totalAssets();
    await run([{ kind: "outcomeRedeem", ...base, minPayout: yes!.toString() }], "redeem");
    expect(await usdcOf(connector)).to.equal(idle + yes!);
    expect(await balances()).to.deep.equal([0n, 0n]);
    expect(await totalAssets()).to.equal(nav, "redeeming moves value from tokens to USDC, NAV unchanged");
  });
});
