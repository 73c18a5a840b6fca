import { type Address, type Hex, decodeEventLog, getAddress } from "viem";
import { type Artifact, deploy, npmAbi, npmArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { conditionalTokensArtifact } from "./conditionalTokens.js";

const PACKAGE = "@gnosis.pm/conditional-tokens-market-makers/build/contracts";

/** Gnosis FixedProductMarketMakerFactory 1.8.1 (Omen's pool factory), prebuilt with solc 0.5.10. */
export const fpmmFactoryArtifact = (): Artifact =>
  npmArtifact(`${PACKAGE}/FixedProductMarketMakerFactory.json`);

/** The pools the factory clones: FixedProductMarketMaker's ABI. */
export const fpmmAbi = () => npmAbi(`${PACKAGE}/FixedProductMarketMaker.json`);

/** Deploys the real factory (it deploys its implementation master in its constructor). */
export async function deployFpmmFactory(clients: Clients): Promise<Address> {
  return deploy(clients, fpmmFactoryArtifact());
}

/** Prepares a condition on the Conditional Tokens; returns its id. */
export async function prepareCondition(
  clients: Clients,
  conditionalTokens: Address,
  condition: { oracle: Address; questionId: Hex; outcomeSlotCount: number },
): Promise<Hex> {
  const abi = conditionalTokensArtifact().abi;
  const args = [condition.oracle, condition.questionId, BigInt(condition.outcomeSlotCount)] as const;
  await send(clients, { address: conditionalTokens, abi, functionName: "prepareCondition", args });
  return read<Hex>(clients, { address: conditionalTokens, abi, functionName: "getConditionId", args });
}

/** Creates a pool over one condition through the factory; `fee` has 18 decimals (0.02e18 = 2 %). */
export async function createFpmm(
  clients: Clients,
  factory: Address,
  pool: { conditionalTokens: Address; collateral: Address; conditionId: Hex; fee: bigint },
): Promise<Address> {
  const abi = fpmmFactoryArtifact().abi;
  const hash = await send(clients, {
    address: factory,
    abi,
    functionName: "createFixedProductMarketMaker",
    args: [pool.conditionalTokens, pool.collateral, [pool.conditionId], pool.fee],
  });
  const receipt = await clients.public.getTransactionReceipt({ hash });
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== getAddress(factory)) continue;
    const event = decodeEventLog({ abi, data: log.data, topics: log.topics });
    if (event.eventName === "FixedProductMarketMakerCreation") {
      return getAddress(
        (event.args as unknown as { fixedProductMarketMaker: Address }).fixedProductMarketMaker,
      );
    }
  }
  throw new Error(`createFixedProductMarketMaker (tx ${hash}) emitted no FixedProductMarketMakerCreation`);
}

/**
 * Adds `amount` collateral of liquidity from `clients` (who must hold it); the first funding may give a
 * `distributionHint` (relative pool balances, i.e. inverse odds), later ones must not.
 */
export async function fundFpmm(
  clients: Clients,
  pool: Address,
  collateral: Address,
  amount: bigint,
  distributionHint: readonly bigint[] = [],
): Promise<void> {
  await send(clients, {
    address: collateral,
    abi: npmAbi(`${PACKAGE}/IERC20.json`),
    functionName: "approve",
    args: [pool, amount],
  });
  await send(clients, {
    address: pool,
    abi: fpmmAbi(),
    functionName: "addFunding",
    args: [amount, distributionHint],
  });
}
