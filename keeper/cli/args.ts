import { parseArgs } from "node:util";
import type { Address, Hex } from "viem";
import { parseAddress, parseHex, parseInteger, UsageError } from "./usage.js";

export const COMMANDS = [
  "run",
  "propose",
  "review",
  "sign",
  "submit",
  "reject",
  "cancel",
  "status",
  "calibration",
  "rebuild",
  "replay",
] as const;
export type Command = (typeof COMMANDS)[number];

interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly help: string;
  readonly value?: string;
}

const COMMON: Record<string, OptionSpec> = {
  config: { type: "string", help: "JSON config file (KEEPER_* env vars override it)", value: "<file>" },
  json: { type: "boolean", help: "print machine-readable JSON" },
  "dry-run": { type: "boolean", help: "send nothing; write only to a temporary copy of the store" },
  "new-store": {
    type: "boolean",
    help: "start on a new store even though this host used another one (store.allowNew)",
  },
  help: { type: "boolean", short: "h", help: "show help for the command" },
};

export const COMMAND_SPECS: Record<Command, { summary: string; options: Record<string, OptionSpec> }> = {
  run: {
    summary: "run the keeper loop: monitors, settlement, strategy cycles, co-signing, HTTP status",
    options: {},
  },
  propose: {
    summary: "store a proposal for the gate's current nonce from a JSON file {plan, snapshot, calls}",
    options: { input: { type: "string", help: "proposal input file", value: "<file>" } },
  },
  review: {
    summary: "show a proposal's calls decoded, its note and its simulated balance and NAV changes",
    options: { proposal: { type: "string", help: "proposal id (32-byte hex)", value: "<id>" } },
  },
  sign: {
    summary: "verify (nonce, deadline, simulation, limits) and co-sign a proposal with this operator's key",
    options: {
      proposal: { type: "string", help: "proposal id (32-byte hex)", value: "<id>" },
      signer: {
        type: "string",
        help: "record another operator's signature: its address",
        value: "<address>",
      },
      signature: {
        type: "string",
        help: "record another operator's signature: the signature",
        value: "<hex>",
      },
    },
  },
  submit: {
    summary: "submit a proposal that has reached the threshold",
    options: { proposal: { type: "string", help: "proposal id (32-byte hex)", value: "<id>" } },
  },
  reject: {
    summary: "as an operator, refuse an open proposal: it is marked failed and no keeper signs it",
    options: {
      proposal: { type: "string", help: "proposal id (32-byte hex)", value: "<id>" },
      reason: { type: "string", help: "why (stored with the proposal)", value: "<text>" },
    },
  },
  cancel: {
    summary: "as its proposer (operator.id), withdraw an open proposal: it is marked failed",
    options: {
      proposal: { type: "string", help: "proposal id (32-byte hex)", value: "<id>" },
      reason: { type: "string", help: "why (stored with the proposal)", value: "<text>" },
    },
  },
  status: {
    summary: "list proposals and send journal counts, or show one proposal",
    options: {
      proposal: { type: "string", help: "show this proposal (refreshed from the chain)", value: "<id>" },
      limit: { type: "string", help: "list at most n proposals (default 20)", value: "<n>" },
    },
  },
  calibration: {
    summary: "Brier and log-loss of each estimator against the market price over its resolved estimates",
    options: {},
  },
  rebuild: {
    summary:
      "fill a new, empty store from the chain: executed proposals, mandate actions, this account's pooled transactions (needs --new-store)",
    options: {
      "from-block": {
        type: "string",
        help: "first block to scan for gate events (the gate's deployment block; default 0)",
        value: "<n>",
      },
    },
  },
  replay: {
    summary: "replay recorded market data through the strategy (keeper/backtest)",
    options: {
      "data-dir": { type: "string", help: "directory of recorded data", value: "<dir>" },
      "out-dir": { type: "string", help: "where to write the replay report", value: "<dir>" },
    },
  },
};

export interface ParsedArgs {
  readonly command: Command | undefined;
  readonly values: Record<string, string | boolean | undefined>;
  readonly help: boolean;
}

/** `replay` is offline and reads no config file. */
function commonFor(command: Command | undefined): Record<string, OptionSpec> {
  if (command !== "replay") return COMMON;
  const { config: _config, ...rest } = COMMON;
  return rest;
}

function optionsFor(command: Command | undefined) {
  const specs = { ...commonFor(command), ...(command ? COMMAND_SPECS[command].options : {}) };
  return Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [
      name,
      s.short ? { type: s.type, short: s.short } : { type: s.type },
    ]),
  ) as Record<string, { type: "string" | "boolean"; short?: string }>;
}

/** Parses `argv` (without node and script) strictly: unknown commands or options are usage errors. */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const first = argv.find((a) => !a.startsWith("-"));
  const command = first as Command | undefined;
  if (first !== undefined && !COMMANDS.includes(command as Command)) {
    throw new UsageError(`unknown command '${first}'; expected one of: ${COMMANDS.join(", ")}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: optionsFor(command),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!, command);
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(`unexpected argument '${parsed.positionals[1]}'`, command);
  }
  return { command, values: parsed.values, help: parsed.values.help === true };
}

export function requireString(args: ParsedArgs, name: string): string {
  const value = args.values[name];
  if (typeof value !== "string" || value.length === 0) {
    throw new UsageError(`missing required option --${name}`, args.command);
  }
  return value;
}

/** Runs a validator of ./usage.ts with this command's help named in its error. */
function forCommand<T>(args: ParsedArgs, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, args.command);
    throw error;
  }
}

export function proposalId(args: ParsedArgs, required = true): Hex | undefined {
  const value = args.values.proposal;
  if (value === undefined) {
    if (required) throw new UsageError("missing required option --proposal", args.command);
    return undefined;
  }
  return forCommand(args, () => parseHex("proposal", String(value), 32, "a 32-byte hex id"));
}

/** `--signer` and `--signature` come together (importing a signature made elsewhere) or not at all. */
export function importedSignature(args: ParsedArgs): { signer: Address; signature: Hex } | undefined {
  const signer = args.values.signer;
  const signature = args.values.signature;
  if (signer === undefined && signature === undefined) return undefined;
  if (typeof signer !== "string")
    throw new UsageError("--signer must be an address when --signature is given", args.command);
  if (typeof signature !== "string")
    throw new UsageError("--signature must be a 65-byte hex signature when --signer is given", args.command);
  return forCommand(args, () => ({
    signer: parseAddress("signer", signer),
    signature: parseHex("signature", signature, 65, "a 65-byte hex signature"),
  }));
}

export function positiveInteger(args: ParsedArgs, name: string, fallback: number): number {
  const value = args.values[name];
  if (value === undefined) return fallback;
  return forCommand(args, () => parseInteger(name, String(value), { min: 1, max: 999_999 }));
}

/** A non-negative block number option (decimal). */
export function blockNumber(args: ParsedArgs, name: string): bigint | undefined {
  const value = args.values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value)) {
    throw new UsageError(`--${name} must be a block number, got '${String(value)}'`, args.command);
  }
  return BigInt(value);
}

export function helpText(command?: Command): string {
  const lines: string[] = [];
  const describe = (specs: Record<string, OptionSpec>) => {
    for (const [name, s] of Object.entries(specs)) {
      const flag = `${s.short ? `-${s.short}, ` : ""}--${name}${s.value ? ` ${s.value}` : ""}`;
      lines.push(`  ${flag.padEnd(28)} ${s.help}`);
    }
  };
  if (!command) {
    lines.push("usage: keeper <command> [options]", "", "commands:");
    for (const c of COMMANDS) lines.push(`  ${c.padEnd(10)} ${COMMAND_SPECS[c].summary}`);
    lines.push("", "common options:");
    describe(COMMON);
    lines.push("", "exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid configuration");
    lines.push("run `keeper <command> --help` for a command's options");
  } else {
    lines.push(`usage: keeper ${command} [options]`, "", COMMAND_SPECS[command].summary, "", "options:");
    describe({ ...COMMAND_SPECS[command].options, ...commonFor(command) });
  }
  return `${lines.join("\n")}\n`;
}
