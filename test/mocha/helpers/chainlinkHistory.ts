import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../../deploy/lib/artifacts.js";

/** One recorded Chainlink round, ready for MockV3Aggregator.updateRoundData. */
export interface RecordedRound {
  readonly roundId: bigint;
  readonly answer: bigint;
  readonly startedAt: bigint;
  readonly updatedAt: bigint;
}

/** Path of a file under the shared reference data (`../shared/data` from the repository root). */
export function sharedData(relative: string): string {
  return path.resolve(REPO_ROOT, "../shared/data", relative);
}

// Some exports wrote integers as floats ("199045.0"); the fractional part is always zero.
const toBigInt = (cell: string): bigint =>
  BigInt(cell.includes(".") ? cell.slice(0, cell.indexOf(".")) : cell);

/**
 * Parses a recorded round history into rounds sorted oldest first. `columns` names the CSV header
 * cells holding the round id, answer, startedAt (optional: defaults to updatedAt) and updatedAt.
 */
export function loadRounds(
  file: string,
  columns: { roundId: string; answer: string; updatedAt: string; startedAt?: string },
): RecordedRound[] {
  const lines = readFileSync(sharedData(file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const header = (lines[0] ?? "").split(",");
  const index = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name} in ${header.join(",")}`);
    return i;
  };
  const [iRound, iAnswer, iUpdated] = [
    index(columns.roundId),
    index(columns.answer),
    index(columns.updatedAt),
  ];
  const iStarted = columns.startedAt ? index(columns.startedAt) : iUpdated;
  const rounds = lines.slice(1).map((line) => {
    const cells = line.split(",");
    const cell = (i: number): string => {
      const value = cells[i];
      if (value === undefined) throw new Error(`${file}: short row ${line}`);
      return value;
    };
    return {
      roundId: toBigInt(cell(iRound)),
      answer: toBigInt(cell(iAnswer)),
      startedAt: toBigInt(cell(iStarted)),
      updatedAt: toBigInt(cell(iUpdated)),
    };
  });
  return rounds.sort((a, b) => (a.updatedAt === b.updatedAt ? 0 : a.updatedAt < b.updatedAt ? -1 : 1));
}
