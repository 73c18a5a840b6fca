import {
  type Address,
  type Hex,
  decodeEventLog,
  getAddress,
  keccak256,
  maxUint256,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { deploy, projectArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { conditionalTokensArtifact } from "../protocols/conditionalTokens.js";
import type { LocalProtocols } from "./protocols.js";

/**
 * The local Polymarket venue: a CTF Exchange for binary markets, a NegRisk CTF Exchange and its NegRiskAdapter for
 * negRisk groups, all over the real Conditional Tokens and the local USDC (stand-ins for contracts no npm package
 * ships; docs/polymarket-venue.md).
 */
export interface PolymarketVenue {
  readonly exchange: Address;
  readonly negRiskExchange: Address;
  readonly negRiskAdapter: Address;
  /** the adapter's WrappedCollateral: the CTF collateral of every negRisk position */
  readonly wrappedCollateral: Address;
  /** the account allowed to fill and match orders (the local CLOB service's key) */
  readonly operator: Address;
  /** admin of both exchanges, oracle of the binary conditions and negRisk markets prepared here (the deployer) */
  readonly admin: Address;
  readonly conditionalTokens: Address;
  readonly collateral: Address;
}

/** A binary market prepared on the CTF and tradable on the exchange. */
export interface PolymarketBinaryMarket {
  readonly questionId: Hex;
  readonly conditionId: Hex;
  readonly yesTokenId: bigint;
  readonly noTokenId: bigint;
}

/** A negRisk market (group) prepared on the adapter, every question tradable on the negRisk exchange. */
export interface PolymarketNegRiskGroup {
  readonly marketId: Hex;
  readonly questions: readonly PolymarketBinaryMarket[];
}

const exchangeAbi = () => projectArtifact("CtfExchange").abi;
const adapterAbi = () => projectArtifact("NegRiskAdapter").abi;

/**
 * Deploys the NegRiskAdapter (conversion fees to the deployer), the plain CTF Exchange and the NegRisk CTF
 * Exchange, with the deployer as admin and `options.operator` (default: the deployer) as operator.
 */
export async function deployPolymarketVenue(
  clients: Clients,
  protocols: { readonly conditionalTokens: Address; readonly tokens: Pick<LocalProtocols["tokens"], "usdc"> },
  options: { operator?: Address } = {},
): Promise<PolymarketVenue> {
  const admin = getAddress(clients.wallet.account.address);
  const operator = getAddress(options.operator ?? admin);
  const ctf = getAddress(protocols.conditionalTokens);
  const usdc = getAddress(protocols.tokens.usdc);
  const negRiskAdapter = await deploy(clients, projectArtifact("NegRiskAdapter"), [ctf, usdc, admin]);
  const exchange = await deploy(clients, projectArtifact("CtfExchange"), [usdc, ctf, zeroAddress, admin]);
  const negRiskExchange = await deploy(clients, projectArtifact("CtfExchange"), [
    usdc,
    ctf,
    negRiskAdapter,
    admin,
  ]);
  if (operator !== admin) {
    for (const address of [exchange, negRiskExchange]) {
      await send(clients, { address, abi: exchangeAbi(), functionName: "addOperator", args: [operator] });
    }
  }
  const wrappedCollateral = getAddress(
    await read<Address>(clients, { address: negRiskAdapter, abi: adapterAbi(), functionName: "wcol" }),
  );
  return {
    exchange,
    negRiskExchange,
    negRiskAdapter,
    wrappedCollateral,
    operator,
    admin,
    conditionalTokens: ctf,
    collateral: usdc,
  };
}

/**
 * The venue with `operator` (the local CLOB's key) made an operator of both exchanges by their admin,
 * `admin`: how the CLOB service fronts the stack's own venue, the one the vault's PolymarketConnector trades on.
 */
export async function withVenueOperator(
  admin: Clients,
  venue: PolymarketVenue,
  operator: Address,
): Promise<PolymarketVenue> {
  for (const address of [venue.exchange, venue.negRiskExchange])
    await send(admin, { address, abi: exchangeAbi(), functionName: "addOperator", args: [operator] });
  return { ...venue, operator: getAddress(operator) };
}

async function positionId(
  clients: Clients,
  ctf: Address,
  collateral: Address,
  conditionId: Hex,
  indexSet: bigint,
): Promise<bigint> {
  const abi = conditionalTokensArtifact().abi;
  const collectionId = await read<Hex>(clients, {
    address: ctf,
    abi,
    functionName: "getCollectionId",
    args: [zeroHash, conditionId, indexSet],
  });
  return read<bigint>(clients, {
    address: ctf,
    abi,
    functionName: "getPositionId",
    args: [collateral, collectionId],
  });
}

/**
 * Prepares a binary condition for `question` on the CTF (the deployer reports its payouts; questionId =
 * keccak256 of the text) and registers YES (index set 1) and NO (index set 2) on the plain exchange.
 */
export async function preparePolymarketBinary(
  clients: Clients,
  venue: PolymarketVenue,
  question: string,
): Promise<PolymarketBinaryMarket> {
  const abi = conditionalTokensArtifact().abi;
  const questionId = keccak256(toHex(question));
  const conditionArgs = [venue.admin, questionId, 2n] as const;
  await send(clients, {
    address: venue.conditionalTokens,
    abi,
    functionName: "prepareCondition",
    args: conditionArgs,
  });
  const conditionId = await read<Hex>(clients, {
    address: venue.conditionalTokens,
    abi,
    functionName: "getConditionId",
    args: conditionArgs,
  });
  const yesTokenId = await positionId(clients, venue.conditionalTokens, venue.collateral, conditionId, 1n);
  const noTokenId = await positionId(clients, venue.conditionalTokens, venue.collateral, conditionId, 2n);
  await send(clients, {
    address: venue.exchange,
    abi: exchangeAbi(),
    functionName: "registerToken",
    args: [yesTokenId, noTokenId, conditionId],
  });
  return { questionId, conditionId, yesTokenId, noTokenId };
}

/**
 * Prepares a negRisk market on the adapter (the deployer is its oracle; `options.feeBips` is the conversion fee,
 * default 0 as on most Polymarket groups), one question per entry of `questions`, and registers every question's
 * YES/NO on the negRisk exchange.
 */
export async function preparePolymarketNegRiskGroup(
  clients: Clients,
  venue: PolymarketVenue,
  questions: readonly string[],
  options: { feeBips?: bigint; metadata?: string } = {},
): Promise<PolymarketNegRiskGroup> {
  if (questions.length < 2) throw new Error("a negRisk group needs at least two questions");
  const abi = adapterAbi();
  const data = toHex(options.metadata ?? questions.join("\n"));
  const hash = await send(clients, {
    address: venue.negRiskAdapter,
    abi,
    functionName: "prepareMarket",
    args: [options.feeBips ?? 0n, data],
  });
  const marketId = await emitted(clients, hash, venue.negRiskAdapter, "MarketPrepared", "marketId");
  const prepared: PolymarketBinaryMarket[] = [];
  for (const question of questions) {
    const tx = await send(clients, {
      address: venue.negRiskAdapter,
      abi,
      functionName: "prepareQuestion",
      args: [marketId, toHex(question)],
    });
    const questionId = await emitted(clients, tx, venue.negRiskAdapter, "QuestionPrepared", "questionId");
    const [conditionId, yesTokenId, noTokenId] = await Promise.all([
      read<Hex>(clients, {
        address: venue.negRiskAdapter,
        abi,
        functionName: "getConditionId",
        args: [questionId],
      }),
      read<bigint>(clients, {
        address: venue.negRiskAdapter,
        abi,
        functionName: "getPositionId",
        args: [questionId, true],
      }),
      read<bigint>(clients, {
        address: venue.negRiskAdapter,
        abi,
        functionName: "getPositionId",
        args: [questionId, false],
      }),
    ]);
    await send(clients, {
      address: venue.negRiskExchange,
      abi: exchangeAbi(),
      functionName: "registerToken",
      args: [yesTokenId, noTokenId, conditionId],
    });
    prepared.push({ questionId, conditionId, yesTokenId, noTokenId });
  }
  return { marketId, questions: prepared };
}

/**
 * Lets `clients`' account trade on the venue: the exchanges and the adapter may move its USDC (unbounded, as
 * Polymarket's UI approves) and its outcome tokens.
 */
export async function approvePolymarketVenue(clients: Clients, venue: PolymarketVenue): Promise<void> {
  const erc20 = projectArtifact("MockERC20").abi;
  const ctf = conditionalTokensArtifact().abi;
  for (const spender of [venue.exchange, venue.negRiskExchange, venue.negRiskAdapter]) {
    await send(clients, {
      address: venue.collateral,
      abi: erc20,
      functionName: "approve",
      args: [spender, maxUint256],
    });
    await send(clients, {
      address: venue.conditionalTokens,
      abi: ctf,
      functionName: "setApprovalForAll",
      args: [spender, true],
    });
  }
}

/** The `field` argument of the first `eventName` log `address` emitted in transaction `hash`. */
async function emitted(
  clients: Clients,
  hash: Hex,
  address: Address,
  eventName: string,
  field: string,
): Promise<Hex> {
  const receipt = await clients.public.getTransactionReceipt({ hash });
  const abi = adapterAbi();
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== getAddress(address)) continue;
    const event = decodeEventLog({ abi, data: log.data, topics: log.topics });
    if (event.eventName === eventName) return (event.args as unknown as Record<string, Hex>)[field] as Hex;
  }
  throw new Error(`transaction ${hash} emitted no ${eventName}`);
}
