import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  type Address,
  type Chain,
  type LocalAccount,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  BaseError,
  isAddress,
} from "viem";
import { z } from "zod";
import type { Clients } from "../../deploy/lib/clients.js";
import { SignerError, loadSigner } from "../../keeper/keys/signer.js";
import { productErrorDecoder } from "../../keeper/vault/decoder.js";

/** Shared plumbing of the depositor, strategist and operator scripts: arguments, addresses, keys. */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_ADDRESSES = ".keeper-data/local-addresses.json";

/** A bad command line: the message names the argument; the script exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

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

export type OptionTypes = Record<string, { type: "string" | "boolean" }>;

export const COMMON_OPTIONS = {
  rpc: { type: "string" },
  addresses: { type: "string" },
  "dry-run": { type: "boolean" },
  keystore: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const satisfies OptionTypes;

/** Prints a command's result: `data` as JSON with `--json` (bigints as decimal strings), else `text`. */
export function report(
  io: ScriptIo,
  values: Record<string, unknown>,
  data: Record<string, unknown>,
  text: string,
): void {
  if (values.json === true)
    io.stdout(`${JSON.stringify(data, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  else io.stdout(`${text}\n`);
}

/** Strict parse: unknown options and stray arguments are usage errors naming them. */
export function parseCommand<T extends OptionTypes>(
  argv: readonly string[],
  commands: readonly string[],
  options: T,
): { command: string | undefined; values: Record<string, string | boolean | undefined> } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const [command, extra] = parsed.positionals;
  if (command !== undefined && !commands.includes(command))
    throw new UsageError(`unknown command '${command}'; expected one of: ${commands.join(", ")}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
  return { command, values: parsed.values as Record<string, string | boolean | undefined> };
}

export function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) throw new UsageError(`--${name} needs a value`);
  return value;
}

export function requiredOption(values: Record<string, unknown>, name: string, command: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}`);
  return value;
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

export function parseRpc(values: Record<string, unknown>): string {
  const rpc = stringOption(values, "rpc") ?? DEFAULT_RPC;
  let url: URL;
  try {
    url = new URL(rpc);
  } catch {
    throw new UsageError(`--rpc must be an http(s) URL, got '${rpc}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--rpc must be an http(s) URL, got '${rpc}'`);
  return rpc;
}

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be an address")
  .transform((v) => getAddress(v) as Address);

/** The part of the file `npm start` writes (scripts/demo/run.ts `addressesJson`) the scripts read. */
export const addressesSchema = z.object({
  chainId: z.number().int().positive(),
  vault: address,
  asset: address,
  gate: address,
  registry: address,
  connectors: z.object({ aave: address, morpho: address, uniswap: address }),
  roles: z.object({ operators: z.array(address).min(1), guardian: address, strategist: address }),
  /** absent in files written before governance was recorded; only scripts/governance.ts needs it */
  governance: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("safe-timelock"), safe: address, timelock: address }),
      z.object({ kind: z.literal("eoa"), owner: address }),
    ])
    .optional(),
});
export type StackAddresses = z.output<typeof addressesSchema>;

export async function readAddresses(
  values: Record<string, unknown>,
): Promise<StackAddresses & { file: string }> {
  const file = stringOption(values, "addresses") ?? DEFAULT_ADDRESSES;
  let decoded: unknown;
  try {
    decoded = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(
      `--addresses ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run \`npm start\` first or pass --addresses`,
    );
  }
  const parsed = addressesSchema.safeParse(decoded);
  if (!parsed.success)
    throw new UsageError(
      `--addresses ${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return { ...parsed.data, file };
}

/** The signing key from `--keystore` (password in `<ROLE>_KEYSTORE_PASSWORD`) or `<ROLE>_PRIVATE_KEY`. */
export function loadRoleSigner(
  role: "DEPOSITOR" | "GUARDIAN" | "DEPLOYER",
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): LocalAccount {
  const keystorePath = stringOption(values, "keystore");
  try {
    return loadSigner(
      {
        ...(keystorePath ? { keystorePath } : {}),
        passwordEnv: `${role}_KEYSTORE_PASSWORD`,
        privateKeyEnv: `${role}_PRIVATE_KEY`,
      },
      env,
    );
  } catch (error) {
    if (error instanceof SignerError) throw new UsageError(error.message);
    throw error;
  }
}

/** A read-only client for `rpc` (no key), checking that the node serves `chainId`. */
export async function connectReadOnly(rpc: string, chainId: number): Promise<Pick<Clients, "public">> {
  const publicClient = createPublicClient({ chain: chainFor(rpc, chainId), transport: http(rpc) });
  await checkChain(publicClient, rpc, chainId);
  return { public: publicClient as unknown as Clients["public"] };
}

function chainFor(rpc: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
}

async function checkChain(client: { getChainId(): Promise<number> }, rpc: string, chainId: number) {
  let served: number;
  try {
    served = await client.getChainId();
  } catch (error) {
    throw new Error(`cannot reach --rpc ${rpc}: ${describeFailure(error)}`, { cause: error });
  }
  if (served !== chainId)
    throw new Error(`--rpc ${rpc} serves chain ${served}, the addresses file says ${chainId}`);
}

/** viem clients for `rpc`, checking that the node serves the chain the addresses file names. */
export async function connect(rpc: string, chainId: number, account: LocalAccount): Promise<Clients> {
  const chain: Chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(rpc) });
  let served: number;
  try {
    served = await publicClient.getChainId();
  } catch (error) {
    throw new Error(`cannot reach --rpc ${rpc}: ${describeFailure(error)}`, { cause: error });
  }
  if (served !== chainId)
    throw new Error(`--rpc ${rpc} serves chain ${served}, the addresses file says ${chainId}`);
  const wallet = createWalletClient({ chain, account, transport: http(rpc) });
  return {
    public: publicClient as unknown as Clients["public"],
    wallet: wallet as unknown as Clients["wallet"],
  };
}

/** Runs a script body: usage errors exit 2 with the usage text, other failures exit 1. */
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

/** One line: a revert names its custom error and arguments (keeper/chain/decode.ts), else the first message line. */
export function describeFailure(error: unknown): string {
  if (error instanceof BaseError) return productErrorDecoder().describeError(error);
  return (error as Error).message.split("\n")[0] ?? String(error);
}
