import { ExchangeOrderBuilder, OrderSide } from "@polymarket/clob-client";
import {
  type Address,
  type Hex,
  BaseError,
  ContractFunctionRevertedError,
  createWalletClient,
  custom,
  encodeFunctionData,
  keccak256,
  maxUint256,
  parseEther,
  parseUnits,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployPolymarketConnector } from "../deploy/local/polymarketConnector.js";
import {
  type PolymarketBinaryMarket,
  type PolymarketNegRiskGroup,
  type PolymarketVenue,
  approvePolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
} from "../deploy/local/polymarketVenue.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { measureConnectorValueGas } from "../deploy/product/connectors.js";
import { conditionalTokensArtifact } from "../deploy/protocols/conditionalTokens.js";
import {
  DEFAULT_ROLE_INDICES,
  POLYMARKET_CAP,
  type ProductStack,
  gateExecute,
  keeperAllowlist,
  provenanceHash,
  stackCalls,
  stackGovernanceRunner,
} from "../deploy/product/stack.js";
import { type PlanAction, type PmOrder, encodeAction } from "../keeper/planning/actions.js";
import { connectorPmOrder } from "../keeper/planning/outcomeActions.js";
import type { OrderTerms } from "../keeper/planning/outcomeOrders.js";

/**
 * The only account of the 20 no other measurement sends from: the stack's deployer, which is also the
 * local venue's admin and operator (it pays the matchOrders fills). The depositor and the CLOB maker are
 * fresh keys of this module, funded with ETH by the deployer.
 */
const STACK_DEPLOYER = 9;
const USDC = (amount: string) => parseUnits(amount, 6);
/** Questions of the negRisk groups whose YES (or NO) set is bought through the vault. */
export const PM_SET_SIZES = [3, 10] as const;
/**
 * A group of the connector's MAX_CONDITIONS (10) questions: the largest it registers. Its totalValue must fit
 * the gas the vault forwards to a connector's valuation, so the vault funds it (checked, not assumed).
 */
export const PM_MAX_SET_SIZE = 10;
/** A group the connector cannot register (more questions than MAX_CONDITIONS): refused, not measured. */
export const PM_REFUSED_SET_SIZE = 25;
/** Open orders closed in one pmCloseOrders: 1, a quarter and all of the connector's MAX_OPEN_ORDERS (32). */
export const PM_CLOSE_POINTS = [1, 8, 32] as const;
/** Binary markets registered and held in the NAV figures, up to the connector's MAX_CONDITIONS (10). */
export const PM_NAV_POINTS = [1, 2, 4, 8, 10] as const;
/** Full sets per leg: a 10-question set is 1,000 of worst-case group exposure, far inside the 30 % group cap. */
const SETS = USDC("100");
const ORDER_TTL = 3_600n;

export interface PolymarketGas {
  /** keeper gate tx `[transferToConnector, pmPlaceOrders(n YES BUYs)]`; the lock is the held YES set (no tx) */
  readonly buyLock: Readonly<Record<number, bigint>>;
  /** the venue operator's matchOrders of every leg of `buyLock`, summed (not the keeper's) */
  readonly buyLockVenue: Readonly<Record<number, bigint>>;
  /** keeper gate txs of the NO-set variant: place n NO BUYs, then lock with `[pmConvert(all n)]` */
  readonly buyConvert: Readonly<Record<number, bigint>>;
  /** of `buyConvert`, the lock tx `[pmConvert]` alone */
  readonly buyConvertLock: Readonly<Record<number, bigint>>;
  /** the venue operator's matchOrders of every NO leg, summed */
  readonly buyConvertVenue: Readonly<Record<number, bigint>>;
  /** what the connector answers for a 25-question group: governance's addNegRiskMarket reverts with this */
  readonly refusedSetError: string;
  /** execution gas of totalValue of a connector holding nothing but a registered MAX_CONDITIONS-question group */
  readonly maxSetValueGas: bigint;
  /** keeper gate txs: `[transferToConnector, pmPlaceOrders(YES BUY, NO BUY)]` then `[pmMerge]` */
  readonly buyMergeBinary: bigint;
  readonly buyMergeBinaryVenue: bigint;
  /** keeper gate tx `[transferToConnector, pmSplit, pmPlaceOrders(YES SELL, NO SELL)]` on a binary market */
  readonly splitSellBinary: bigint;
  readonly splitSellBinaryVenue: bigint;
  /** keeper gate tx `[transferToConnector, pmSplit(q0), pmConvert(NO q0), pmPlaceOrders(3 YES SELLs)]` */
  readonly splitSell3: bigint;
  readonly splitSell3Venue: bigint;
  /** keeper gate tx `[pmRedeem]` of a resolved binary market the connector holds YES and NO of */
  readonly redeem: bigint;
  /** execution gas of the connector's totalValue with k binary markets registered and held (a YES + NO pair each) */
  readonly nav: Readonly<Record<number, bigint>>;
  /** keeper gate tx `[pmCloseOrders(k)]` of k open, unfilled BUYs (each cancelled on the exchange) */
  readonly close: Readonly<Record<number, bigint>>;
  /** the connector's caps as deployed (read from the contract) */
  readonly caps: { readonly maxConditions: number; readonly maxOpenOrders: number };
}

/**
 * The figures of one run under their results.json names (`pm_*`): keeper-paid gate transactions, the venue
 * operator's fills (`*_venue`), and the per-leg share of each set's placing transaction.
 */
export function polymarketFigures(pm: PolymarketGas): Record<string, bigint> {
  const figures: Record<string, bigint> = {};
  for (const n of PM_SET_SIZES) {
    figures[`pm_buyLock_${n}`] = pm.buyLock[n]!;
    figures[`pm_buyLock_${n}_perLeg`] = pm.buyLock[n]! / BigInt(n);
    figures[`pm_buyLock_${n}_venue`] = pm.buyLockVenue[n]!;
    figures[`pm_buyConvert_${n}`] = pm.buyConvert[n]!;
    figures[`pm_buyConvert_${n}_lock`] = pm.buyConvertLock[n]!;
    figures[`pm_buyConvert_${n}_venue`] = pm.buyConvertVenue[n]!;
  }
  figures.pm_buyMerge_binary = pm.buyMergeBinary;
  figures.pm_buyMerge_binary_venue = pm.buyMergeBinaryVenue;
  figures.pm_splitSell_binary = pm.splitSellBinary;
  figures.pm_splitSell_binary_venue = pm.splitSellBinaryVenue;
  figures.pm_splitSell_3 = pm.splitSell3;
  figures.pm_splitSell_3_venue = pm.splitSell3Venue;
  figures.pm_redeem = pm.redeem;
  figures[`pm_nav_group${PM_MAX_SET_SIZE}`] = pm.maxSetValueGas;
  for (const k of PM_NAV_POINTS) figures[`pm_nav_${k}`] = pm.nav[k]!;
  for (const k of PM_CLOSE_POINTS) figures[`pm_close_${k}`] = pm.close[k]!;
  return figures;
}

const connectorAbi = () => projectArtifact("PolymarketConnector").abi;
const exchangeAbi = () => projectArtifact("CtfExchange").abi;
const adapterAbi = () => projectArtifact("NegRiskAdapter").abi;
const erc20Abi = () => projectArtifact("MockERC20").abi;

/** A fresh key of this module, funded with ETH by `funder`, as clients on the same chain. */
async function freshAccount(funder: Clients, label: string): Promise<Clients> {
  const account = privateKeyToAccount(keccak256(toHex(`bench: polymarket ${label}`)));
  const wallet = createWalletClient({
    account,
    chain: funder.wallet.chain,
    transport: custom({ request: (args) => funder.public.request(args as never) }),
  });
  await funder.public.waitForTransactionReceipt({
    hash: await funder.wallet.sendTransaction({ to: account.address, value: parseEther("100") }),
  });
  return { public: funder.public, wallet };
}

/**
 * The keeper's Polymarket paths through the real 2-of-3 KeeperGate on the local product stack
 * (`polymarket: true`): the real Conditional Tokens 1.0.3, the local CTF Exchange / NegRisk CTF Exchange /
 * NegRiskAdapter, the PolymarketConnector and its PolymarketValuer, calls encoded by keeper/planning/actions.ts
 * and orders built by keeper/planning/outcomeActions.ts (POLY_1271, maker = signer = connector). A CLOB maker
 * holding full sets of every market takes the other side with orders signed by @polymarket/clob-client's
 * ExchangeOrderBuilder; the venue's operator matches each connector order against one of them. Each path runs
 * on its own connector (only that path's markets registered, 10 USDC already idle in it), on a vault with a
 * settled 200,000 USDC deposit (the exposure caps are a share of it).
 */
export async function measurePolymarketGas(accounts: readonly Clients[]): Promise<PolymarketGas> {
  const deployer = accounts[STACK_DEPLOYER];
  if (!deployer) throw new Error(`Polymarket gas needs account #${STACK_DEPLOYER}`);
  const roles = { ...DEFAULT_ROLE_INDICES, deployer: STACK_DEPLOYER };
  const { stack } = await deployLocalStack(deployer, {
    accounts,
    governance: "eoa",
    roles,
    polymarket: true,
  });
  const venue = stack.polymarket!.venue;
  const chainId = await deployer.public.getChainId();
  const depositor = await freshAccount(deployer, "depositor");
  const maker = await freshAccount(deployer, "maker");

  const total = USDC("200000");
  const me = depositor.wallet.account.address;
  await send(deployer, { address: stack.asset, abi: erc20Abi(), functionName: "mint", args: [me, total] });
  await send(depositor, {
    address: stack.asset,
    abi: erc20Abi(),
    functionName: "approve",
    args: [stack.vault, total],
  });
  await send(depositor, {
    address: stack.vault,
    abi: projectArtifact("AccountingManager").abi,
    functionName: "requestDeposit",
    args: [total, me, me],
  });
  await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("bench: pm settle"));
  await send(deployer, {
    address: stack.asset,
    abi: erc20Abi(),
    functionName: "mint",
    args: [maker.wallet.account.address, USDC("1000000")],
  });
  await approvePolymarketVenue(maker, venue);
  await send(maker, {
    address: stack.asset,
    abi: erc20Abi(),
    functionName: "approve",
    args: [venue.conditionalTokens, maxUint256],
  });

  const gate = async (actions: readonly PlanAction[], label: string) =>
    (
      await gateExecute(
        stack,
        accounts,
        actions.map((a) => encodeAction(stack.vault, a)),
        provenanceHash(`bench: pm ${label}`),
      )
    ).receipt.gasUsed;
  const fresh = (markets: readonly Market[], idle = IDLE) =>
    freshConnector(stack, accounts, deployer, venue, markets, idle);
  const matcher = makerMatcher(deployer, maker, venue, chainId);
  let salt = 0n;
  const now = async () => (await deployer.public.getBlock()).timestamp;
  const terms = async (
    tokenId: bigint,
    conditionId: Hex,
    side: "BUY" | "SELL",
    makerAmount: bigint,
    takerAmount: bigint,
  ): Promise<OrderTerms> => ({
    leg: 0,
    tokenId: tokenId.toString(),
    conditionId,
    side,
    makerAmount: makerAmount.toString(),
    takerAmount: takerAmount.toString(),
    price:
      side === "BUY" ? Number(makerAmount) / Number(takerAmount) : Number(takerAmount) / Number(makerAmount),
    feeRateBps: "0",
    expiration: ((await now()) + ORDER_TTL).toString(),
    salt: (++salt).toString(),
    nonce: "0",
  });
  /** The keeper's placing batch: fund the connector's shortfall, then place every order in one action. */
  const placing = async (
    connector: Address,
    orders: readonly OrderTerms[],
    before: PlanAction[] = [],
  ): Promise<PlanAction[]> => {
    const cost = orders.filter((o) => o.side === "BUY").reduce((s, o) => s + BigInt(o.makerAmount), 0n);
    const split = before.reduce((s, a) => s + (a.kind === "pmSplit" ? BigInt(a.amount) : 0n), 0n);
    const idle = (await deployer.public.readContract({
      address: stack.asset,
      abi: erc20Abi(),
      functionName: "balanceOf",
      args: [connector],
    })) as bigint;
    const need = cost + split - idle;
    return [
      ...(need > 0n ? [{ kind: "transferToConnector" as const, connector, amount: need.toString() }] : []),
      ...before,
      {
        kind: "pmPlaceOrders",
        connector,
        token: stack.asset,
        notional: orders.reduce((s, o) => s + BigInt(o.makerAmount), 0n).toString(),
        orders: orders.map((o) => connectorPmOrder(o, connector)),
      },
    ];
  };
  const fillAll = async (orders: readonly OrderTerms[], connector: Address, exchange: Address) => {
    let gas = 0n;
    for (const o of orders) gas += await matcher(connectorPmOrder(o, connector), exchange);
    return gas;
  };

  // 1. Dutch book on negRisk groups: YES set held, and the NO set converted
  const buyLock: Record<number, bigint> = {};
  const buyLockVenue: Record<number, bigint> = {};
  const buyConvert: Record<number, bigint> = {};
  const buyConvertLock: Record<number, bigint> = {};
  const buyConvertVenue: Record<number, bigint> = {};
  for (const n of PM_SET_SIZES) {
    const group = await negRiskGroup(deployer, venue, `bench pm set of ${n}`, n);
    for (const q of group.questions) {
      await send(maker, {
        address: venue.negRiskAdapter,
        abi: adapterAbi(),
        functionName: "splitPosition",
        args: [q.conditionId, 2n * SETS],
      });
    }
    // asks summing to 0.95 (YES) and to n - 1.05 (NO, converted into n - 1): 5 % of the sets locked
    const yesPrice = (SETS * 95n) / 100n / BigInt(n);
    const yesConnector = await fresh([{ negRisk: group }]);
    const yes = [];
    for (const q of group.questions)
      yes.push(await terms(q.yesTokenId, q.conditionId, "BUY", yesPrice, SETS));
    buyLock[n] = await gate(await placing(yesConnector, yes), `YES set of ${n}`);
    buyLockVenue[n] = await fillAll(yes, yesConnector, venue.negRiskExchange);
    await expectBalance(deployer, venue, yesConnector, group.questions[n - 1]!.yesTokenId, SETS);

    const noPrice = (SETS * (100n * BigInt(n) - 105n)) / 100n / BigInt(n);
    const noConnector = await fresh([{ negRisk: group }]);
    const no = [];
    for (const q of group.questions) no.push(await terms(q.noTokenId, q.conditionId, "BUY", noPrice, SETS));
    const place = await gate(await placing(noConnector, no), `NO set of ${n}`);
    buyConvertVenue[n] = await fillAll(no, noConnector, venue.negRiskExchange);
    buyConvertLock[n] = await gate(
      [
        {
          kind: "pmConvert",
          connector: noConnector,
          token: stack.asset,
          amount: SETS.toString(),
          marketId: group.marketId,
          indexSet: ((1n << BigInt(n)) - 1n).toString(),
        },
      ],
      `convert NO set of ${n}`,
    );
    buyConvert[n] = place + buyConvertLock[n];
    await expectBalance(deployer, venue, noConnector, group.questions[0]!.noTokenId, 0n);
  }
  const maxGroup = await negRiskGroup(deployer, venue, "bench pm largest group", PM_MAX_SET_SIZE);
  const maxConnector = await fresh([{ negRisk: maxGroup }], 0n);
  const maxSetValueGas = await measureConnectorValueGas(deployer, maxConnector);
  // the vault values the connector within its valuation budget, so it funds it (a revert here fails the run)
  await gate(
    [{ kind: "transferToConnector", connector: maxConnector, amount: IDLE.toString() }],
    `fund ${PM_MAX_SET_SIZE}`,
  );
  const refusedSetError = await refusedGroup(stack, accounts, deployer, venue, stack.polymarket!.connector);

  // 2. binary set bought (YES and NO BUYs) and merged
  const binaryMarket = await binary(deployer, venue, "bench pm buy and merge");
  await splitOnCtf(maker, venue, binaryMarket.conditionId, USDC("1000"));
  const mergeConnector = await fresh([{ binary: binaryMarket }]);
  const pair = [
    await terms(binaryMarket.yesTokenId, binaryMarket.conditionId, "BUY", USDC("45"), SETS),
    await terms(binaryMarket.noTokenId, binaryMarket.conditionId, "BUY", USDC("50"), SETS),
  ];
  const placePair = await gate(await placing(mergeConnector, pair), "binary set");
  const buyMergeBinaryVenue = await fillAll(pair, mergeConnector, venue.exchange);
  const merge = await gate(
    [
      {
        kind: "pmMerge",
        connector: mergeConnector,
        token: stack.asset,
        amount: SETS.toString(),
        conditionId: binaryMarket.conditionId,
      },
    ],
    "merge binary set",
  );
  await expectBalance(deployer, venue, mergeConnector, binaryMarket.yesTokenId, 0n);

  // 3. mint-and-sell: split (and for negRisk convert into a YES set), then SELL every leg
  const sellConnector = await fresh([{ binary: binaryMarket }]);
  const sells = [
    await terms(binaryMarket.yesTokenId, binaryMarket.conditionId, "SELL", SETS, USDC("55")),
    await terms(binaryMarket.noTokenId, binaryMarket.conditionId, "SELL", SETS, USDC("50")),
  ];
  const split = (connector: Address, conditionId: Hex): PlanAction => ({
    kind: "pmSplit",
    connector,
    token: stack.asset,
    amount: SETS.toString(),
    conditionId,
  });
  const splitSellBinary = await gate(
    await placing(sellConnector, sells, [split(sellConnector, binaryMarket.conditionId)]),
    "binary split and sell",
  );
  const splitSellBinaryVenue = await fillAll(sells, sellConnector, venue.exchange);
  await expectBalance(deployer, venue, sellConnector, binaryMarket.noTokenId, 0n);

  const group3 = await negRiskGroup(deployer, venue, "bench pm mint and sell", 3);
  const sell3Connector = await fresh([{ negRisk: group3 }]);
  const first = group3.questions[0]!;
  const yesSells = [];
  for (const q of group3.questions)
    yesSells.push(await terms(q.yesTokenId, q.conditionId, "SELL", SETS, USDC("35")));
  const splitSell3 = await gate(
    await placing(sell3Connector, yesSells, [
      split(sell3Connector, first.conditionId),
      {
        kind: "pmConvert",
        connector: sell3Connector,
        token: stack.asset,
        amount: SETS.toString(),
        marketId: group3.marketId,
        indexSet: "1",
      },
    ]),
    "negRisk split, convert and sell",
  );
  const splitSell3Venue = await fillAll(yesSells, sell3Connector, venue.negRiskExchange);
  await expectBalance(deployer, venue, sell3Connector, group3.questions[2]!.yesTokenId, 0n);

  // 5. NAV with 1..16 binary markets held (a YES + NO pair each), then 4. redeem one once resolved
  const navMarkets: PolymarketBinaryMarket[] = [];
  for (let i = 0; i < PM_NAV_POINTS[PM_NAV_POINTS.length - 1]!; i++)
    navMarkets.push(await binary(deployer, venue, `bench pm nav market ${i}`));
  // funded before any market is registered: a connector past the valuation budget cannot be funded
  const navConnector = await fresh([], IDLE + SETS * BigInt(navMarkets.length));
  const nav: Record<number, bigint> = {};
  let held = 0;
  for (const k of PM_NAV_POINTS) {
    const adding = navMarkets.slice(held, k);
    await addMarkets(
      stack,
      accounts,
      navConnector,
      adding.map((m) => ({ binary: m })),
    );
    await gate(
      adding.map((m) => split(navConnector, m.conditionId)),
      `nav positions ${k}`,
    );
    held = k;
    nav[k] = await measureConnectorValueGas(deployer, navConnector);
  }
  const resolved = navMarkets[0]!;
  await send(deployer, {
    address: venue.conditionalTokens,
    abi: conditionalTokensArtifact().abi,
    functionName: "reportPayouts",
    args: [resolved.questionId, [1n, 0n]],
  });
  const redeem = await gate(
    [
      {
        kind: "pmRedeem",
        connector: navConnector,
        token: stack.asset,
        minPayout: SETS.toString(),
        conditionId: resolved.conditionId,
      },
    ],
    "redeem",
  );

  // 6. the unwind path: k open, unfilled BUYs closed (each cancelled on the exchange)
  const closeMarket = await binary(deployer, venue, "bench pm close orders");
  const closeConnector = await fresh([{ binary: closeMarket }]);
  const close: Record<number, bigint> = {};
  for (const k of PM_CLOSE_POINTS) {
    const bids = [];
    for (let i = 0; i < k; i++)
      bids.push(await terms(closeMarket.yesTokenId, closeMarket.conditionId, "BUY", USDC("4"), USDC("10")));
    await gate(await placing(closeConnector, bids), `${k} orders to close`);
    close[k] = await gate(
      [
        {
          kind: "pmCloseOrders",
          connector: closeConnector,
          orders: bids.map((o) => connectorPmOrder(o, closeConnector)),
        },
      ],
      `close ${k}`,
    );
  }

  const readCap = (functionName: string) =>
    deployer.public.readContract({
      address: closeConnector,
      abi: connectorAbi(),
      functionName,
    }) as Promise<bigint>;
  return {
    buyLock,
    buyLockVenue,
    buyConvert,
    buyConvertLock,
    buyConvertVenue,
    refusedSetError,
    maxSetValueGas,
    buyMergeBinary: placePair + merge,
    buyMergeBinaryVenue,
    splitSellBinary,
    splitSellBinaryVenue,
    splitSell3,
    splitSell3Venue,
    redeem,
    nav,
    close,
    caps: {
      maxConditions: Number(await readCap("MAX_CONDITIONS")),
      maxOpenOrders: Number(await readCap("MAX_OPEN_ORDERS")),
    },
  };
}

/** Base asset already idle in every fresh connector (the keeper transfers only the shortfall). */
const IDLE = USDC("10");

type Market = { readonly binary: PolymarketBinaryMarket } | { readonly negRisk: PolymarketNegRiskGroup };

/**
 * A new PolymarketConnector of the stack's vault on `venue`, registered by governance the way
 * deployProductStack registers its own (addConnector, exactly the keeper's functions allowlisted), with
 * `markets` added; `idle` base asset (if any) is sent to it through the gate.
 */
async function freshConnector(
  stack: ProductStack,
  accounts: readonly Clients[],
  deployer: Clients,
  venue: PolymarketVenue,
  markets: readonly Market[],
  idle: bigint,
): Promise<Address> {
  const { connector } = await deployPolymarketConnector(deployer, {
    registry: stack.registry,
    vault: stack.vault,
    venue,
  });
  const registry = projectArtifact("Registry").abi;
  const allowed = keeperAllowlist(stack.vault, stack.connectors, undefined, connector).filter(
    (entry) => entry.target === connector,
  );
  await stackGovernanceRunner(
    stack,
    accounts,
  )([
    {
      target: stack.registry,
      data: encodeFunctionData({
        abi: registry,
        functionName: "addConnector",
        args: [stack.vault, connector, POLYMARKET_CAP],
      }),
    },
    ...allowed.map((entry) => ({
      target: stack.registry,
      data: encodeFunctionData({
        abi: registry,
        functionName: "setAllowedCall",
        args: [stack.vault, connector, entry.selector, true],
      }),
    })),
  ]);
  await addMarkets(stack, accounts, connector, markets);
  if (idle > 0n)
    await gateExecute(
      stack,
      accounts,
      [stackCalls.transferToConnector(stack, connector, idle)],
      provenanceHash("bench: pm idle funds"),
    );
  return connector;
}

/** Governance registers `markets` in `connector`. */
async function addMarkets(
  stack: ProductStack,
  accounts: readonly Clients[],
  connector: Address,
  markets: readonly Market[],
): Promise<void> {
  if (markets.length === 0) return;
  const abi = connectorAbi();
  await stackGovernanceRunner(
    stack,
    accounts,
  )(
    markets.map((m) => ({
      target: connector,
      data:
        "binary" in m
          ? encodeFunctionData({
              abi,
              functionName: "addBinaryMarket",
              args: [m.binary.conditionId, m.binary.yesTokenId, m.binary.noTokenId, zeroHash],
            })
          : encodeFunctionData({
              abi,
              functionName: "addNegRiskMarket",
              args: [m.negRisk.marketId, zeroHash],
            }),
    })),
  );
}

/** The revert name of governance's addNegRiskMarket of a 25-question group in `connector` (simulated). */
async function refusedGroup(
  stack: ProductStack,
  accounts: readonly Clients[],
  deployer: Clients,
  venue: PolymarketVenue,
  connector: Address,
): Promise<string> {
  const group = await negRiskGroup(deployer, venue, "bench pm refused", PM_REFUSED_SET_SIZE);
  const owner = accounts[stack.roles.safeOwners[0]!]!;
  try {
    await deployer.public.simulateContract({
      account: owner.wallet.account,
      address: connector,
      abi: connectorAbi(),
      functionName: "addNegRiskMarket",
      args: [group.marketId, zeroHash],
    });
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (
      reverted instanceof ContractFunctionRevertedError &&
      reverted.data?.errorName === "InvalidQuestionCount"
    )
      return `${reverted.data.errorName}(${(reverted.data.args ?? []).join(", ")})`;
    throw error;
  }
  throw new Error(`the connector registered a ${PM_REFUSED_SET_SIZE}-question negRisk market`);
}

/**
 * Fills one of the connector's orders completely: the maker signs the opposite order with clob-client's
 * ExchangeOrderBuilder, the venue's operator (the deployer) matches the connector's order (taker) against
 * it. Returns the operator's receipt gas.
 */
function makerMatcher(operator: Clients, maker: Clients, venue: PolymarketVenue, chainId: number) {
  const builders = new Map<Address, ExchangeOrderBuilder>();
  return async (order: PmOrder, exchange: Address): Promise<bigint> => {
    let builder = builders.get(exchange);
    if (!builder)
      builders.set(exchange, (builder = new ExchangeOrderBuilder(exchange, chainId, maker.wallet)));
    const buy = order.side === 0;
    const signed = await builder.buildSignedOrder({
      maker: maker.wallet.account.address,
      taker: zeroAddress,
      tokenId: order.tokenId,
      // the opposite side at the connector's price: a SELL of its tokens for its collateral, or a BUY back
      makerAmount: order.takerAmount,
      takerAmount: order.makerAmount,
      side: buy ? OrderSide.SELL : OrderSide.BUY,
      feeRateBps: "0",
      nonce: "0",
    });
    const makerOrder = {
      salt: BigInt(signed.salt),
      maker: signed.maker as Address,
      signer: signed.signer as Address,
      taker: signed.taker as Address,
      tokenId: BigInt(signed.tokenId),
      makerAmount: BigInt(signed.makerAmount),
      takerAmount: BigInt(signed.takerAmount),
      expiration: BigInt(signed.expiration),
      nonce: BigInt(signed.nonce),
      feeRateBps: BigInt(signed.feeRateBps),
      side: Number(signed.side),
      signatureType: Number(signed.signatureType),
      signature: signed.signature as Hex,
    };
    const hash = await send(operator, {
      address: exchange,
      abi: exchangeAbi(),
      functionName: "matchOrders",
      args: [
        {
          ...order,
          salt: BigInt(order.salt),
          tokenId: BigInt(order.tokenId),
          makerAmount: BigInt(order.makerAmount),
          takerAmount: BigInt(order.takerAmount),
          expiration: BigInt(order.expiration),
          nonce: BigInt(order.nonce),
          feeRateBps: BigInt(order.feeRateBps),
        },
        [makerOrder],
        BigInt(order.makerAmount),
        [makerOrder.makerAmount],
      ],
    });
    return (await operator.public.getTransactionReceipt({ hash })).gasUsed;
  };
}

async function negRiskGroup(deployer: Clients, venue: PolymarketVenue, label: string, n: number) {
  return preparePolymarketNegRiskGroup(
    deployer,
    venue,
    Array.from({ length: n }, (_, i) => `${label}: outcome ${i + 1} of ${n}`),
  );
}

const binary = (deployer: Clients, venue: PolymarketVenue, question: string) =>
  preparePolymarketBinary(deployer, venue, question);

async function splitOnCtf(clients: Clients, venue: PolymarketVenue, conditionId: Hex, amount: bigint) {
  await send(clients, {
    address: venue.conditionalTokens,
    abi: conditionalTokensArtifact().abi,
    functionName: "splitPosition",
    args: [venue.collateral, zeroHash, conditionId, [1n, 2n], amount],
  });
}

/** Throws unless `owner` holds exactly `amount` of `tokenId`: the measured path did what it says. */
async function expectBalance(
  clients: Clients,
  venue: PolymarketVenue,
  owner: Address,
  tokenId: bigint,
  amount: bigint,
): Promise<void> {
  const balance = (await clients.public.readContract({
    address: venue.conditionalTokens,
    abi: conditionalTokensArtifact().abi,
    functionName: "balanceOf",
    args: [owner, tokenId],
  })) as bigint;
  if (balance !== amount)
    throw new Error(`connector ${owner} holds ${balance} of ${tokenId}, expected ${amount}`);
}
