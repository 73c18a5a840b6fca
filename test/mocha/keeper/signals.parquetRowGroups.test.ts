import { expect } from "chai";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  loadResolvedDataset,
  readParquetColumns,
  RESOLVED_DIR,
} from "../../../keeper/signals/replay/resolvedTimeseries.js";
import { parseCsv } from "../../../keeper/signals/replay/csv.js";
import { DATA_DIR } from "./helpers/recordedServer.js";

/**
 * A copy of the Jan-2026 layout whose parquet holds 3,400 points of the recorded markets in row groups
 * of 1,000 rows (four groups), written with hyparquet-writer in the original file's schema.
 */
async function writeMultiRowGroupCopy(dir: string): Promise<{ slugs: string[]; prices: number[] }> {
  const source = path.join(DATA_DIR, RESOLVED_DIR);
  const target = path.join(dir, RESOLVED_DIR);
  await mkdir(target, { recursive: true });
  for (const f of ["markets_index.csv", "outcome_groups.csv"])
    await copyFile(path.join(source, f), path.join(target, f));
  const index = parseCsv(await readFile(path.join(source, "markets_index.csv"), "utf8"));
  const header = index[0] as string[];
  const slugAt = header.indexOf("market_slug");
  const known = index.slice(1, 35).map((row) => row[slugAt] as string);
  const rows = 3_400;
  const slugs = Array.from({ length: rows }, (_, i) => known[i % known.length] as string);
  const prices = Array.from({ length: rows }, (_, i) => ((i * 37) % 1000) / 1000);
  const start = Date.UTC(2026, 0, 5) * 1000;
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "timestamp", data: slugs.map((_, i) => BigInt(start + i * 60_000_000)) },
      { name: "market_slug", data: slugs },
      { name: "price", data: prices },
      { name: "outcome", data: slugs.map(() => null) },
    ],
    schema: [
      { name: "schema", num_children: 4 },
      {
        name: "timestamp",
        type: "INT64",
        repetition_type: "OPTIONAL",
        converted_type: "TIMESTAMP_MICROS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
      },
      { name: "market_slug", type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" },
      { name: "price", type: "DOUBLE", repetition_type: "OPTIONAL" },
      { name: "outcome", type: "DOUBLE", repetition_type: "OPTIONAL" },
    ],
    rowGroupSize: 1_000,
  });
  await writeFile(path.join(target, "resolved_markets.parquet"), new Uint8Array(buffer));
  return { slugs, prices };
}

describe("parquet reader: every row group", function () {
  let dir: string;
  let written: { slugs: string[]; prices: number[] };
  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), "rowgroups-"));
    written = await writeMultiRowGroupCopy(dir);
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("the generated file really has four row groups", async function () {
    const file = path.join(dir, RESOLVED_DIR, "resolved_markets.parquet");
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).to.deep.equal([1000, 1000, 1000, 400]);
  });

  it("readParquetColumns returns all 3,400 rows in file order", async function () {
    const file = path.join(dir, RESOLVED_DIR, "resolved_markets.parquet");
    const cols = await readParquetColumns(file, ["market_slug", "price"] as const);
    expect(cols.rows).to.equal(3_400);
    expect(cols.market_slug).to.deep.equal(written.slugs);
    expect(cols.price).to.deep.equal(written.prices);
  });

  it("loadResolvedDataset keeps every point aligned with its market", async function () {
    const data = await loadResolvedDataset(dir);
    expect(data.rejected).to.deep.equal([]);
    expect(data.columns.length).to.equal(3_400);
    // Rows were written in time order, one minute apart: row i is point i.
    for (const i of [0, 999, 1000, 2500, 3399]) {
      const m = data.columns.market[i] as number;
      expect(data.markets[m]?.slug).to.equal(written.slugs[i]);
      expect(data.columns.price[i]).to.equal(written.prices[i]);
    }
    expect(data.markets.reduce((a, m) => a + m.points, 0)).to.equal(3_400);
  });
});
