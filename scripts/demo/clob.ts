import { type Address, getAddress } from "viem";
import { projectArtifact, send } from "../../deploy/lib/artifacts.js";
import type { Clients } from "../../deploy/lib/clients.js";
import type { ClobMarket } from "../../deploy/local/clob/clobEngine.js";
import { type LocalClob, startLocalClob } from "../../deploy/local/clob/localClob.js";
import {
  aprilSnapshotQuotes,
  aprilSpreadModel,
  januaryGroupQuotes,
} from "../../deploy/local/clob/recordedQuotes.js";
import {
  type PolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
  preparePolymarketNegRiskGroup,
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

export interface DemoClob {
  readonly clob: LocalClob;
  readonly venue: PolymarketVenue;
  readonly markets: readonly ClobMarket[];
  /** the negRisk adapter's id of the seeded group */
  readonly groupMarketId: `0x${string}`;
}

export async function startDemoClob(
  accounts: readonly Clients[],
  protocols: Pick<LocalProtocols, "conditionalTokens" | "tokens">,
  options: { atMs: number; port?: number; venue?: PolymarketVenue },
): Promise<DemoClob> {
  const deployer = accounts[0] as Clients;
  const operator = accounts[CLOB_OPERATOR_ACCOUNT];
  if (!operator) throw new Error(`the local chain has no development account #${CLOB_OPERATOR_ACCOUNT}`);
  const operatorAddress = operator.wallet.account.address;
  const venue = options.venue
    ? await withOperator(deployer, options.venue, operatorAddress)
    : await deployPolymarketVenue(deployer, protocols, { operator: operatorAddress });
  const clob = await startLocalClob({
    deployer,
    operator: operator.wallet,
    venue,
    ...(options.port !== undefined ? { port: options.port } : {}),
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
    return { clob, venue, markets, groupMarketId: group.marketId };
  } catch (error) {
    await clob.close();
    throw error;
  }
}

/**
 * The stack's own venue (the one the vault's PolymarketConnector trades on) with the CLOB's key made an
 * operator of both exchanges by their admin, the deployer.
 */
async function withOperator(
  deployer: Clients,
  venue: PolymarketVenue,
  operator: Address,
): Promise<PolymarketVenue> {
  for (const address of [venue.exchange, venue.negRiskExchange]) {
    await send(deployer, {
      address,
      abi: projectArtifact("CtfExchange").abi,
      functionName: "addOperator",
      args: [operator],
    });
  }
  return { ...venue, operator: getAddress(operator) };
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
