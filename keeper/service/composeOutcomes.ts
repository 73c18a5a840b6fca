import {
  createWalletClient,
  getAddress,
  parseAbi,
  zeroAddress,
  type Address,
  type LocalAccount,
  type PublicClient,
  type Transport,
} from "viem";
import { ConfigError, type ConfigIssue } from "../config/load.js";
import type { KeeperConfig, OutcomesConfig } from "../config/schema.js";
import type { OutcomeParts, OutcomeVenue } from "../cycle/outcomeCycle.js";
import { polymarketStepActions } from "../planning/outcomeActions.js";
import { productAbis } from "../vault/abis.js";
import { OutcomeChainReader } from "../vault/outcomeChain.js";
import { GammaOutcomeMetadata } from "../vault/outcomeMetadata.js";
import { PolymarketClob } from "../venues/polymarket/clobClient.js";
import { clobOutcomeVenue } from "../venues/polymarket/outcomeVenue.js";

/** What the connector says it trades through (its immutables), compared with the config. */
const POLYMARKET_CONNECTOR_READS = parseAbi([
  "function exchange() view returns (address)",
  "function negRiskExchange() view returns (address)",
  "function negRiskAdapter() view returns (address)",
  "function conditionalTokens() view returns (address)",
  "function baseAsset() view returns (address)",
]);

/**
 * The outcome task's parts from the config's `outcomes` section, checked against the chain first:
 * the connector must be one the Registry lists for the vault, and the exchanges, adapter,
 * Conditional Tokens and collateral must be the ones the connector itself trades through (a
 * config pointing at other contracts would sign orders no exchange settles for this vault). Every
 * mismatch is a ConfigError with its field's path, all at once.
 *
 * The CLOB is connected on first use, not here: a CLOB that is down when the keeper starts costs
 * the outcome step its cycle (logged, retried next cycle), never the keeper's start.
 */
export async function composeOutcomes(
  config: KeeperConfig,
  outcomes: OutcomesConfig,
  deps: { readonly client: PublicClient; readonly account: LocalAccount; readonly transport: Transport },
): Promise<OutcomeParts> {
  const registry = config.product?.registry;
  if (!registry)
    throw new ConfigError([{ path: "outcomes", source: "config", message: "needs the product section" }]);
  const vault = config.gate.vault;
  await checkOutcomesOnChain(deps.client, outcomes, vault, registry);
  const chainId = config.chain.chainId;
  return {
    config: outcomes,
    chain: new OutcomeChainReader(deps.client, {
      connector: outcomes.connector,
      vault,
      exchange: outcomes.exchange,
      negRiskExchange: outcomes.negRiskExchange,
      negRiskAdapter: outcomes.negRiskAdapter,
      conditionalTokens: outcomes.conditionalTokens,
      collateral: outcomes.collateral,
    }),
    venue: lazyClobVenue(() =>
      PolymarketClob.connect({
        host: outcomes.clobUrl,
        chainId,
        signer: createWalletClient({ account: deps.account, transport: deps.transport }),
      }).then((clob) => clobOutcomeVenue(clob, outcomes.connector)),
    ),
    metadata: new GammaOutcomeMetadata({
      ...(outcomes.metadataFile ? { metadataFile: outcomes.metadataFile } : {}),
      gammaUrl: outcomes.gammaUrl,
      eventSlugs: outcomes.eventSlugs,
    }),
    actions: polymarketStepActions({
      connector: outcomes.connector,
      collateral: outcomes.collateral,
      chainId,
    }),
  };
}

/** A venue that connects (API key created or derived) on first use, and again after a failed connect. */
function lazyClobVenue(connect: () => Promise<OutcomeVenue>): OutcomeVenue {
  let venue: Promise<OutcomeVenue> | undefined;
  const connected = () => {
    venue ??= connect().catch((error: unknown) => {
      venue = undefined;
      throw error;
    });
    return venue;
  };
  return {
    books: async (tokenIds) => (await connected()).books(tokenIds),
    feeRates: async (tokenIds) => (await connected()).feeRates(tokenIds),
    postOrders: async (orders) => (await connected()).postOrders(orders),
  };
}

async function checkOutcomesOnChain(
  client: PublicClient,
  outcomes: OutcomesConfig,
  vault: Address,
  registry: Address,
): Promise<void> {
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, source: "chain", message });
  const registered = await client.readContract({
    address: registry,
    abi: productAbis.registry,
    functionName: "connectorConfig",
    args: [outcomes.connector],
  });
  if (getAddress(registered.vault) !== getAddress(vault)) {
    issue(
      "outcomes.connector",
      registered.vault === zeroAddress
        ? `${outcomes.connector} is not a connector the Registry knows`
        : `${outcomes.connector} belongs to vault ${registered.vault} in the Registry, not ${vault}`,
    );
    throw new ConfigError(issues);
  }
  const expected = {
    exchange: outcomes.exchange,
    negRiskExchange: outcomes.negRiskExchange,
    negRiskAdapter: outcomes.negRiskAdapter,
    conditionalTokens: outcomes.conditionalTokens,
    baseAsset: outcomes.collateral,
  } as const;
  for (const [functionName, want] of Object.entries(expected) as [keyof typeof expected, Address][]) {
    let actual: Address;
    try {
      actual = await client.readContract({
        address: outcomes.connector,
        abi: POLYMARKET_CONNECTOR_READS,
        functionName,
      });
    } catch {
      issue(
        "outcomes.connector",
        `${outcomes.connector} is not a PolymarketConnector (no ${functionName}())`,
      );
      break;
    }
    if (getAddress(actual) !== getAddress(want))
      issue(
        `outcomes.${functionName === "baseAsset" ? "collateral" : functionName}`,
        `the connector trades through ${actual}, not ${want}`,
      );
  }
  if (issues.length > 0) throw new ConfigError(issues);
}
