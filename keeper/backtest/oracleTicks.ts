import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { csvRecords } from "../signals/replay/csv.js";
import { parseOne, type SignalRejection } from "../signals/validation.js";
import { oracleSeries, type OracleSeries } from "../strategy/estimators.js";

export const DATA_STREAMS_BTC_FILE =
  "chainlink/data-streams-btcusd-2026-07-24/BTCUSD-prices-2026-07-24.csv.gz";
export const DATA_STREAMS_SOURCE = "Chainlink Data Streams BTC/USD";

const tick = z.object({
  feed_ts_ms: z.coerce.number().int().positive(),
  value: z.coerce.number().finite().positive(),
});

/**
 * Reads the recorded Chainlink Data Streams BTC/USD ticks (~1 Hz, one UTC day) as an oracle
 * series for the price-threshold estimator. Rows are validated; a row out of time order or with a
 * non-positive price is rejected and counted, never loaded.
 */
export async function loadDataStreamsBtc(
  dataDir: string,
): Promise<{ series: OracleSeries; rejected: SignalRejection[] }> {
  const text = gunzipSync(await readFile(path.join(dataDir, DATA_STREAMS_BTC_FILE))).toString("utf8");
  const rows = csvRecords(text);
  const t = new Float64Array(rows.length);
  const price = new Float64Array(rows.length);
  const rejected: SignalRejection[] = [];
  let n = 0;
  rows.forEach((raw, i) => {
    const row = parseOne("chainlink-data-streams", `row[${i}]`, tick, raw, (r) => r);
    if (!row.ok) {
      rejected.push(row.rejection);
      return;
    }
    if (n > 0 && row.value.feed_ts_ms <= (t[n - 1] as number)) return; // duplicate report of one instant
    t[n] = row.value.feed_ts_ms;
    price[n] = row.value.value;
    n++;
  });
  return { series: oracleSeries("BTC/USD", DATA_STREAMS_SOURCE, t.slice(0, n), price.slice(0, n)), rejected };
}
