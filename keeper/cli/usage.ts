import { parseArgs } from "node:util";
import { BaseError, getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { productErrorDecoder } from "../vault/decoder.js";

/**
 * Command-line arguments of the keeper CLI and of scripts/: strict option parsing, the validators
 * of addresses, amounts, hex and numbers, and the one way a bad command line ends (a message that
 * names the argument, the usage text, exit code 2).
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A bad command line: the message names the argument; the process exits with EXIT_USAGE. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    /** The command whose usage applies, when the program has several. */
    readonly command?: string,
  ) {
    super(message);
  }
}

export type OptionTypes = Record<string, { readonly type: "string" | "boolean"; readonly short?: string }>;
export type OptionValues = Record<string, string | boolean | undefined>;

/**
 * Parses `argv` strictly: an unknown option, a missing value, a command not in `commands` or a
 * stray argument is a UsageError naming it. With `commands` empty no positional is accepted.
 */
export function parseOptions(
  argv: readonly string[],
  options: OptionTypes,
  commands: readonly string[] = [],
): { command: string | undefined; values: OptionValues } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const [command, extra] = parsed.positionals;
  if (command !== undefined && commands.length === 0)
    throw new UsageError(`unexpected argument '${command}'`);
  if (command !== undefined && !commands.includes(command))
    throw new UsageError(`unknown command '${command}'; expected one of: ${commands.join(", ")}`, command);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, command);
  return { command, values: parsed.values as OptionValues };
}

/** A string option's value; given without a value (or empty) it is a usage error. */
export function stringOption(values: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) throw new UsageError(`--${name} needs a value`);
  return value;
}

export function requiredOption(
  values: Readonly<Record<string, unknown>>,
  name: string,
  command?: string,
): string {
  const value = stringOption(values, name);
  if (value === undefined)
    throw new UsageError(
      command ? `${command} needs --${name}` : `missing required option --${name}`,
      command,
    );
  return value;
}

/** A 20-byte address (any case), checksummed. */
export function parseAddress(name: string, text: string): Address {
  if (!isAddress(text, { strict: false }))
    throw new UsageError(`--${name} must be a 20-byte hex address (0x + 40 hex digits), got '${text}'`);
  return getAddress(text);
}

/** Exactly `bytes` bytes of 0x-prefixed hex (`what` names it in the message), lower-cased. */
export function parseHex(name: string, text: string, bytes: number, what = `${bytes}-byte hex`): Hex {
  if (!isHex(text) || text.length !== 2 + 2 * bytes)
    throw new UsageError(`--${name} must be ${what} (0x + ${2 * bytes} hex digits), got '${text}'`);
  return text.toLowerCase() as Hex;
}

/** A decimal amount with at most `decimals` fraction digits, in base units; refuses zero and junk. */
export function parseAmount(name: string, text: string, decimals: number): bigint {
  const match = /^(\d{1,30})(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2]?.length ?? 0) > decimals)
    throw new UsageError(
      `--${name} must be a positive decimal with at most ${decimals} decimals, got '${text}'`,
    );
  const units =
    BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt((match[2] ?? "").padEnd(decimals, "0") || "0");
  if (units === 0n) throw new UsageError(`--${name} must be greater than zero`);
  return units;
}

/** A decimal integer in [min, max] (digits only: no sign, exponent or fraction). */
export function parseInteger(
  name: string,
  text: string,
  { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `--${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got '${text}'`,
    );
  return n;
}

/** A non-negative decimal number of seconds (fractions allowed). */
export function parseSeconds(name: string, text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n))
    throw new UsageError(`--${name} must be a non-negative number of seconds, got '${text}'`);
  return n;
}

/** An http:// or https:// URL. */
export function parseHttpUrl(name: string, text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
    throw new UsageError(`--${name} must be an http(s) URL, got '${text}'`);
  return text;
}

/** Where a program's output goes, and the environment it reads. */
export interface ScriptIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: ScriptIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** One line: a revert names its custom error and arguments (keeper/chain/decode.ts), else the first message line. */
export function describeFailure(error: unknown): string {
  if (error instanceof BaseError) return productErrorDecoder().describeError(error);
  return (error as Error).message.split("\n")[0] ?? String(error);
}

/**
 * Runs a program's body and turns its end into an exit code: a UsageError prints `error: <message>`
 * and the usage text and gives EXIT_USAGE; any other failure prints one line and gives EXIT_FAILURE.
 */
export async function runScript(io: ScriptIo, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`error: ${describeFailure(error)}\n`);
    return EXIT_FAILURE;
  }
}
