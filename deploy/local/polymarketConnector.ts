import { type Address, zeroHash } from "viem";
import { type Write, deploy, projectArtifact } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import {
  type PolymarketBinaryMarket,
  type PolymarketNegRiskGroup,
  type PolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
} from "./polymarketVenue.js";
import type { LocalProtocols } from "./protocols.js";

/** The vault's Polymarket maker on the local venue, with the markets it has registered. */
export interface PolymarketStack {
  /** the PolymarketConnector */
  readonly connector: Address;
  /** its PolymarketValuer (value, exposures, caps) */
  readonly valuer: Address;
  readonly venue: PolymarketVenue;
  /** a binary market of the plain CTF Exchange, its own correlated group */
  readonly binary: PolymarketBinaryMarket;
  /** a negRisk market of three questions on the NegRisk CTF Exchange, one correlated group */
  readonly group: PolymarketNegRiskGroup;
}

export const LOCAL_POLYMARKET_BINARY = "local: will the local Polymarket market resolve YES?";
export const LOCAL_POLYMARKET_GROUP = [
  "local: will the RBA hold in February?",
  "local: will the RBA cut in February?",
  "local: will the RBA hike in February?",
] as const;

/** Deploys a PolymarketValuer and a PolymarketConnector of `vault` on `venue`. */
export async function deployPolymarketConnector(
  clients: Clients,
  params: { registry: Address; vault: Address; venue: PolymarketVenue },
): Promise<{ connector: Address; valuer: Address }> {
  const valuer = await deploy(clients, projectArtifact("PolymarketValuer"), []);
  const connector = await deploy(clients, projectArtifact("PolymarketConnector"), [
    params.registry,
    params.vault,
    params.venue.exchange,
    params.venue.negRiskExchange,
    params.venue.negRiskAdapter,
    valuer,
  ]);
  return { connector, valuer };
}

/**
 * The local venue (operator: `options.operator`, default the deployer), one binary market and one three-question
 * negRisk group, and the vault's connector. Registering the markets in the connector is governance's
 * (`polymarketMarketCalls`).
 */
export async function deployLocalPolymarket(
  clients: Clients,
  protocols: Pick<LocalProtocols, "conditionalTokens" | "tokens">,
  params: { registry: Address; vault: Address; operator?: Address },
): Promise<PolymarketStack> {
  const venue = await deployPolymarketVenue(
    clients,
    protocols,
    params.operator ? { operator: params.operator } : {},
  );
  const binary = await preparePolymarketBinary(clients, venue, LOCAL_POLYMARKET_BINARY);
  const group = await preparePolymarketNegRiskGroup(clients, venue, LOCAL_POLYMARKET_GROUP);
  const { connector, valuer } = await deployPolymarketConnector(clients, { ...params, venue });
  return { connector, valuer, venue, binary, group };
}

/** Governance's calls registering the stack's markets in its connector (each its own group). */
export function polymarketMarketCalls(stack: PolymarketStack): Write[] {
  const abi = projectArtifact("PolymarketConnector").abi;
  return [
    {
      address: stack.connector,
      abi,
      functionName: "addBinaryMarket",
      args: [stack.binary.conditionId, stack.binary.yesTokenId, stack.binary.noTokenId, zeroHash],
    },
    {
      address: stack.connector,
      abi,
      functionName: "addNegRiskMarket",
      args: [stack.group.marketId, zeroHash],
    },
  ];
}
