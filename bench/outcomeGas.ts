import { type Address, encodeFunctionData, getAbiItem, parseUnits, toFunctionSelector, zeroHash } from "viem";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployLocalOutcomeMarket } from "../deploy/local/outcomes.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { deployConditionalTokensConnector, measureConnectorValueGas } from "../deploy/product/connectors.js";
import { conditionalTokensArtifact } from "../deploy/protocols/conditionalTokens.js";
import {
  DEFAULT_ROLE_INDICES,
  type ProductStack,
  gateExecute,
  provenanceHash,
  stackCalls,
  stackGovernanceRunner,
} from "../deploy/product/stack.js";
import { type PlanAction, encodeAction, keeperFunctions } from "../keeper/planning/actions.js";

/** Accounts no other measurement uses: the stack's deployer and a depositor. */
const STACK_DEPLOYER = 16;
const DEPOSITOR = 17;
const USDC = (amount: string) => parseUnits(amount, 6);
/** Legs per gate batch: a buy on a 25-outcome pool costs over 1M gas, and a transaction at most 16.7M (EIP-7825). */
export const LEGS_PER_BATCH = 5;
/** Set sizes of the buy + merge and split + sell figures. */
export const OUTCOME_SET_SIZES = [3, 10, 25] as const;
/** Open markets of the NAV figures: 1..8 markets of 4 outcomes (8 × 4 = the connector's 32-leg cap). */
export const OUTCOME_NAV_POINTS = [1, 2, 4, 8] as const;

export interface OutcomeGas {
  /** summed receipt gasUsed of the gate batches buying every leg of an n-outcome set on its pool, then merging */
  readonly buyMerge: Readonly<Record<number, bigint>>;
  /** the same for splitting a full set of n outcomes and selling n - 1 legs on the pool */
  readonly splitSell: Readonly<Record<number, bigint>>;
  /** gate transactions of each buy + merge sequence (LEGS_PER_BATCH actions each) */
  readonly transactions: Readonly<Record<number, number>>;
  /** one gate batch redeeming a resolved binary market */
  readonly redeem: bigint;
  /** execution gas of the connector's totalValue with k open markets of 4 legs, each leg held and marked */
  readonly nav: Readonly<Record<number, bigint>>;
}

const connectorAbi = () => projectArtifact("ConditionalTokensConnector").abi;

/** A fresh connector on `stack`, registered with the keeper's outcome actions allowlisted. */
async function freshConnector(
  stack: ProductStack,
  deployer: Clients,
  accounts: readonly Clients[],
): Promise<Address> {
  const connector = await deployConditionalTokensConnector(deployer, {
    registry: stack.registry,
    vault: stack.vault,
    conditionalTokens: stack.outcomes!.market.conditionalTokens,
  });
  const registry = projectArtifact("Registry").abi;
  const abi = connectorAbi();
  const selectors = keeperFunctions("outcomes").map((name) => {
    const item = getAbiItem({ abi, name });
    if (!item || item.type !== "function") throw new Error(`no ${name} in the connector ABI`);
    return toFunctionSelector(item);
  });
  await stackGovernanceRunner(
    stack,
    accounts,
  )([
    {
      target: stack.registry,
      data: encodeFunctionData({
        abi: registry,
        functionName: "addConnector",
        args: [stack.vault, connector, USDC("1000000")],
      }),
    },
    ...selectors.map((selector) => ({
      target: stack.registry,
      data: encodeFunctionData({
        abi: registry,
        functionName: "setAllowedCall",
        args: [stack.vault, connector, selector, true],
      }),
    })),
  ]);
  await gateExecute(
    stack,
    accounts,
    [stackCalls.transferToConnector(stack, connector, USDC("50000"))],
    provenanceHash("bench: fund"),
  );
  return connector;
}

/** A new n-outcome market with a pool funded at even odds, registered in `connector`. */
async function market(
  stack: ProductStack,
  deployer: Clients,
  accounts: readonly Clients[],
  connector: Address,
  question: string,
  outcomeSlotCount: number,
) {
  const m = await deployLocalOutcomeMarket(
    deployer,
    { conditionalTokens: stack.outcomes!.market.conditionalTokens, tokens: { usdc: stack.asset } as never },
    { question, outcomeSlotCount, liquidity: USDC("100000") },
  );
  await stackGovernanceRunner(
    stack,
    accounts,
  )([
    {
      target: connector,
      data: encodeFunctionData({
        abi: connectorAbi(),
        functionName: "addMarket",
        args: [m.conditionId, stack.asset, BigInt(outcomeSlotCount), zeroHash, m.pool],
      }),
    },
  ]);
  return m;
}

/**
 * The keeper's outcome-position batches through the real 2-of-3 KeeperGate on the local product stack
 * (`outcomes: true`): real Conditional Tokens 1.0.3, FixedProductMarketMaker 1.8.1 pools at a 2 % fee, the
 * ConditionalTokensConnector, calls encoded by keeper/planning/actions.ts. The vault holds a settled
 * 200,000 USDC deposit (the exposure caps are a share of it).
 */
export async function measureOutcomeGas(accounts: readonly Clients[]): Promise<OutcomeGas> {
  const deployer = accounts[STACK_DEPLOYER];
  const depositor = accounts[DEPOSITOR];
  if (!deployer || !depositor)
    throw new Error(`outcome gas needs accounts #${STACK_DEPLOYER}, #${DEPOSITOR}`);
  const roles = { ...DEFAULT_ROLE_INDICES, deployer: STACK_DEPLOYER };
  const { stack } = await deployLocalStack(deployer, { accounts, governance: "eoa", roles, outcomes: true });
  const me = depositor.wallet.account.address;
  const erc20 = projectArtifact("MockERC20").abi;
  const total = USDC("400000");
  await send(deployer, { address: stack.asset, abi: erc20, functionName: "mint", args: [me, total] });
  await send(depositor, {
    address: stack.asset,
    abi: erc20,
    functionName: "approve",
    args: [stack.vault, total],
  });
  await send(depositor, {
    address: stack.vault,
    abi: projectArtifact("AccountingManager").abi,
    functionName: "requestDeposit",
    args: [total, me, me],
  });
  await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("bench: settle"));
  const batch = async (actions: readonly PlanAction[], label: string) =>
    (
      await gateExecute(
        stack,
        accounts,
        actions.map((a) => encodeAction(stack.vault, a)),
        provenanceHash(`bench: ${label}`),
      )
    ).receipt.gasUsed;

  const batches = async (actions: readonly PlanAction[], label: string) => {
    let total = 0n;
    for (let i = 0; i < actions.length; i += LEGS_PER_BATCH) {
      total += await batch(actions.slice(i, i + LEGS_PER_BATCH), `${label} #${i / LEGS_PER_BATCH}`);
    }
    return total;
  };
  const txs: Record<number, number> = {};
  const buyMerge: Record<number, bigint> = {};
  const splitSell: Record<number, bigint> = {};
  for (const n of OUTCOME_SET_SIZES) {
    const connector = await freshConnector(stack, deployer, accounts);
    const m = await market(stack, deployer, accounts, connector, `bench set of ${n}`, n);
    const base = { connector, token: stack.asset, conditionId: m.conditionId } as const;
    // A buy on an n-outcome pool splits collateral into all n positions, so one leg costs O(n) and a
    // whole set does not fit one transaction for large n: the keeper sends one gate batch per
    // LEGS_PER_BATCH legs. The figure is the sum over the batches (what the keeper pays for the set).
    const perLeg = USDC("100");
    const buys: PlanAction[] = [];
    for (let i = 0; i < n; i++) {
      buys.push({
        kind: "outcomeBuy",
        ...base,
        amount: perLeg.toString(),
        outcomeIndex: i,
        minOutcomeTokens: "0",
      });
    }
    // equal spend on every leg of an even pool leaves at least 98 % of the spend per leg (the 2 % fee)
    const mergeable = (perLeg * 98n) / 100n;
    buyMerge[n] = await batches(
      [...buys, { kind: "outcomeMerge", ...base, amount: mergeable.toString() }],
      `buy+merge ${n}`,
    );

    const sells: PlanAction[] = [{ kind: "outcomeSplit", ...base, amount: USDC("1000").toString() }];
    for (let i = 0; i < n - 1; i++) {
      sells.push({
        kind: "outcomeSell",
        ...base,
        amount: (USDC("1000") / BigInt(n) / 2n).toString(),
        outcomeIndex: i,
        maxOutcomeTokens: USDC("1000").toString(),
      });
    }
    splitSell[n] = await batches(sells, `split+sell ${n}`);
    txs[n] = Math.ceil((n + 1) / LEGS_PER_BATCH);
  }

  const binary = stack.outcomes!;
  const bBase = {
    connector: binary.connector,
    token: stack.asset,
    conditionId: binary.market.conditionId,
  } as const;
  await gateExecute(
    stack,
    accounts,
    [stackCalls.transferToConnector(stack, binary.connector, USDC("10000"))],
    provenanceHash("bench: fund binary"),
  );
  await batch(
    [
      { kind: "outcomeSplit", ...bBase, amount: USDC("1000").toString() },
      {
        kind: "outcomeBuy",
        ...bBase,
        amount: USDC("500").toString(),
        outcomeIndex: 0,
        minOutcomeTokens: "0",
      },
    ],
    "binary position",
  );
  await send(deployer, {
    address: binary.market.conditionalTokens,
    abi: conditionalTokensArtifact().abi,
    functionName: "reportPayouts",
    args: [binary.market.questionId, [1n, 0n]],
  });
  const redeem = await batch([{ kind: "outcomeRedeem", ...bBase, minPayout: "0" }], "redeem");

  const nav: Record<number, bigint> = {};
  const navConnector = await freshConnector(stack, deployer, accounts);
  const now = (await deployer.public.getBlock()).timestamp;
  let open = 0;
  for (const k of OUTCOME_NAV_POINTS) {
    for (; open < k; open++) {
      const m = await market(stack, deployer, accounts, navConnector, `bench nav market ${open}`, 4);
      const base = { connector: navConnector, token: stack.asset, conditionId: m.conditionId } as const;
      await batch(
        [0, 1, 2, 3].map((i) => ({
          kind: "outcomeBuy" as const,
          ...base,
          amount: USDC(String(10 * (i + 1))).toString(),
          outcomeIndex: i,
          minOutcomeTokens: "0",
        })),
        `nav legs ${open}`,
      );
      await stackGovernanceRunner(
        stack,
        accounts,
      )([
        {
          target: navConnector,
          data: encodeFunctionData({
            abi: connectorAbi(),
            functionName: "setMarks",
            args: [m.conditionId, [1n, 2n, 3n, 4n].map((x) => x * 10n ** 17n), now + 86_400n],
          }),
        },
      ]);
    }
    nav[k] = await measureConnectorValueGas(deployer, navConnector);
  }
  return { buyMerge, splitSell, transactions: txs, redeem, nav };
}
