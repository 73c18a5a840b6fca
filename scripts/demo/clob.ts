import { type Address, type Hex, keccak256, toHex, zeroHash } from "viem";
import { projectArtifact, type Write } from "../../deploy/lib/artifacts.js";
import type { Clients } from "../../deploy/lib/clients.js";
import type { ClobMarket } from "../../deploy/local/clob/clobEngine.js";
import { gammaEventsPayload } from "../../deploy/local/clob/gammaEvents.js";
import { type LocalClob, startLocalClob } from "../../deploy/local/clob/localClob.js";
import {
  aprilSnapshotQuotes,
  aprilSpreadModel,
  januaryGroupQuotes,
} from "../../deploy/local/clob/recordedQuotes.js";
import {
  type PolymarketNegRiskGroup,
  type PolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
  withVenueOperator,
} from "../../deploy/local/polymarketVenue.js";
import type { LocalProtocols } from "../../deploy/local/protocols.js";

/**
 * The Polymarket venue of `npm start`: the local CTF Exchange, NegRisk CTF Exchange and adapter, and the
 * local CLOB service in front of them, its books seeded from recorded quotes: the most traded standalone
 * April 2026 markets and the RBA Feb-2026 negRisk group at the demo's recorded clock.
 */

/** Development account the CLOB's operator key is (after the demo's roles and depositors, #0-#13). */
export const CLOB_OPERATOR_ACCOUNT = 14;
/** standalone April 2026 markets listed */
export const DEMO_APRIL_MARKETS = 3;
export const DEMO_GROUP = "rba-feb-2026-decision";
/**
 * The recorded hour the group's books are seeded at: its Jan-2026 mids with the April-2026 spreads put
 * the YES asks at 0.02 + 0.59 + 0.34 = 0.95, a Dutch book the keeper's first funded cycle captures.
 */
export const DEMO_GROUP_AT_MS = Date.parse("2026-01-28T13:59:59Z");

export interface DemoClob {
  readonly clob: LocalClob;
  readonly venue: PolymarketVenue;
  readonly markets: readonly ClobMarket[];
  /** the negRisk adapter's id of the seeded group */
  readonly groupMarketId: `0x${string}`;
  /** the seeded group's questions on the adapter */
  readonly group: PolymarketNegRiskGroup;
}

export async function startDemoClob(
  accounts: readonly Clients[],
  protocols: Pick<LocalProtocols, "conditionalTokens" | "tokens">,
  options: { atMs: number; port?: number; venue?: PolymarketVenue; clock?: () => number },
): Promise<DemoClob> {
  const deployer = accounts[0] as Clients;
  const operator = accounts[CLOB_OPERATOR_ACCOUNT];
  if (!operator) throw new Error(`the local chain has no development account #${CLOB_OPERATOR_ACCOUNT}`);
  const operatorAddress = operator.wallet.account.address;
  const venue = options.venue
    ? await withVenueOperator(deployer, options.venue, operatorAddress)
    : await deployPolymarketVenue(deployer, protocols, { operator: operatorAddress });
  const clob = await startLocalClob({
    deployer,
    operator: operator.wallet,
    venue,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  try {
    const markets: ClobMarket[] = [];
    for (const quote of await aprilSnapshotQuotes({ count: DEMO_APRIL_MARKETS, negRisk: false }))
      markets.push(
        await clob.addMarket(await preparePolymarketBinary(deployer, venue, quote.question), quote),
      );
    const legs = await januaryGroupQuotes({
      group: DEMO_GROUP,
      atMs: options.atMs,
      spread: await aprilSpreadModel(),
    });
    const group = await preparePolymarketNegRiskGroup(
      deployer,
      venue,
      legs.map((q) => q.question),
    );
    for (const [i, quote] of legs.entries())
      markets.push(await clob.addMarket(group.questions[i]!, quote, { negRiskMarketId: group.marketId }));
    return { clob, venue, markets, groupMarketId: group.marketId, group };
  } catch (error) {
    await clob.close();
    throw error;
  }
}

/** The venue's addresses and the listed markets, for `.keeper-data/local-addresses.json`. */
export function clobAddresses(demo: DemoClob) {
  return {
    clobUrl: demo.clob.url,
    exchange: demo.venue.exchange,
    negRiskExchange: demo.venue.negRiskExchange,
    negRiskAdapter: demo.venue.negRiskAdapter,
    operator: demo.venue.operator,
    negRiskGroup: { name: DEMO_GROUP, marketId: demo.groupMarketId },
    markets: demo.markets.map((m) => ({
      conditionId: m.conditionId,
      question: m.question,
      yesTokenId: m.tokens[0].toString(),
      noTokenId: m.tokens[1].toString(),
      negRisk: m.negRisk,
      tickSize: m.tickSize,
      feeRateBps: m.feeRateBps.toString(),
      source: m.source,
    })),
  };
}

/** The correlated-group tag the seeded negRisk group is registered under in the connector. */
export const DEMO_GROUP_TAG: Hex = keccak256(toHex(DEMO_GROUP));

/**
 * Governance's calls registering the CLOB's seeded markets in the vault's PolymarketConnector: the
 * negRisk group (its question count is read from the adapter) under one correlated-group tag, each
 * standalone market its own group. Until they are registered the connector refuses their orders.
 */
export function demoMarketCalls(connector: Address, demo: DemoClob): Write[] {
  const abi = projectArtifact("PolymarketConnector").abi;
  return [
    { address: connector, abi, functionName: "addNegRiskMarket", args: [demo.groupMarketId, DEMO_GROUP_TAG] },
    ...demo.markets
      .filter((m) => !m.negRisk)
      .map((m): Write => ({
        address: connector,
        abi,
        functionName: "addBinaryMarket",
        args: [m.conditionId, m.tokens[0], m.tokens[1], zeroHash],
      })),
  ];
}

/**
 * The seeded markets as a Gamma `/events` payload (the keeper's `outcomes.metadataFile`): the RBA
 * group as one negRisk event listing its three questions, each April market its own event.
 */
export function demoGammaEvents(demo: DemoClob): unknown[] {
  const questionIds = new Map(demo.group.questions.map((q) => [q.conditionId, q.questionId]));
  return gammaEventsPayload([
    {
      id: DEMO_GROUP,
      markets: demo.markets.filter((m) => m.negRisk),
      questionIds,
      resolutionSource: "Reserve Bank of Australia",
      endDate: "2026-02-03T03:30:00Z",
    },
    ...demo.markets
      .filter((m) => !m.negRisk)
      .map((m) => ({
        id: m.slug,
        markets: [m],
        resolutionSource: m.source,
        endDate: "2026-06-30T00:00:00Z",
      })),
  ]);
}
