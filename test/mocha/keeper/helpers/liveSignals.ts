import { keeperConfigSchema } from "../../../../keeper/config/schema.js";
import type { LiveSignalsConfig } from "../../../../keeper/vault/liveSnapshots.js";
import { readRecorded } from "./recordedServer.js";

export const PM = "polymarket/api-samples/";
const KX = "kalshi/api-samples/";
/** The recorded market's two outcome tokens; the recorded book is the Yes token's. */
export const YES = "105426373826369935595603860663411604941599130211176020843036778867927711117332";
export const NO = "90869494087977018607792751230236923002303032923064138180950209430688758061828";
export const SLUG = "strait-of-hormuz-traffic-returns-to-normal-by-august-31-20260702154212320";

/** Recorded Polymarket Gamma/CLOB and Kalshi payloads; the No token's book comes back malformed. */
export function liveRoutes() {
  return {
    "/gamma/markets": () => ({ body: readRecorded(PM + "pmvl_ext_polymarket-market.json") }),
    "/clob/book": (url: URL) =>
      url.searchParams.get("token_id") === YES
        ? { body: readRecorded(PM + "pmvl_ext_polymarket-book.json") }
        : {
            // the recorded book, re-labelled for the No token, with its bids field broken
            body: {
              ...(readRecorded(PM + "pmvl_ext_polymarket-book.json") as object),
              asset_id: NO,
              bids: "not a list",
            },
          },
    "/kalshi/markets": (url: URL) =>
      url.searchParams.get("event_ticker") === "KXBTCD-26JUL2502"
        ? { body: readRecorded(KX + "pmvl_kalshi_markets.json") }
        : { body: null, raw: "<html>maintenance</html>" },
  };
}

export function liveConfig(baseUrl: string, eventTickers = ["KXBTCD-26JUL2502"]): LiveSignalsConfig {
  return keeperConfigSchema.shape.product
    .unwrap()
    .shape.liveSignals.unwrap()
    .parse({
      timeoutMs: 2_000,
      retries: 0,
      polymarket: { gammaUrl: `${baseUrl}/gamma`, clobUrl: `${baseUrl}/clob`, slugs: [SLUG] },
      kalshi: { baseUrl: `${baseUrl}/kalshi`, eventTickers },
    });
}
