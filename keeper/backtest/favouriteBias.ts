import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseArray, parseOne, type ParseResult } from "../signals/validation.js";
import { buildCalibration, type CalibrationTable, type ResolvedBet } from "../strategy/estimate.js";

export const FAVOURITE_BIAS_FILE = "polymarket/favourite-bias-2023-2024/results.json";

const bet = z.object({
  entry_price: z.number().finite().gt(0).lt(1),
  won: z.boolean(),
});

/** Reads the 2,418 resolved 2023–2024 favourite bets (entry price, won) used to calibrate prices. */
export async function readFavouriteBets(dataDir: string): Promise<ParseResult<ResolvedBet>> {
  const decoded = JSON.parse(await readFile(path.join(dataDir, FAVOURITE_BIAS_FILE), "utf8")) as unknown;
  const shell = parseOne(
    "favourite-bias",
    "",
    z.object({ bets: z.array(z.unknown()) }).loose(),
    decoded,
    (d) => d.bets,
  );
  if (!shell.ok) return { items: [], rejected: [shell.rejection] };
  return parseArray("favourite-bias", "bets", bet, shell.value, (b) => [
    { price: b.entry_price, won: b.won },
  ]);
}

/**
 * Calibration learned out of sample (resolved 2023–2024 markets) for the Jan-2026 replay, so the
 * probability estimate is never the replayed price itself.
 */
export async function favouriteBiasCalibration(dataDir: string): Promise<CalibrationTable> {
  const bets = await readFavouriteBets(dataDir);
  return buildCalibration(bets.items, "favourite-bias 2023-2024 calibration");
}
