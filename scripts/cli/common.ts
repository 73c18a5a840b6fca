import { readFile } from "node:fs/promises";
import {
  type Address,
  type Chain,
  type LocalAccount,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  isAddress,
} from "viem";
import { z } from "zod";
import type { Clients } from "../../deploy/lib/clients.js";
import { SignerError, loadSigner } from "../../keeper/keys/signer.js";
import {
  describeFailure,
  parseHttpUrl,
  parseOptions,
  stringOption,
  UsageError,
  type OptionTypes,
  type OptionValues,
  type ScriptIo,
} from "../../keeper/cli/usage.js";

/**
 * Shared plumbing of the depositor, strategist, operator and governance scripts: the options they
 * all take, the addresses file, keys and clients. Parsing, validation and exit codes are
 * keeper/cli/usage.ts, shared with the keeper CLI.
 */

export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_ADDRESSES = ".keeper-data/local-addresses.json";

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
  values: Readonly<Record<string, unknown>>,
  data: Record<string, unknown>,
  text: string,
): void {
  if (values.json === true)
    io.stdout(`${JSON.stringify(data, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  else io.stdout(`${text}\n`);
}

/** The scripts' strict parse (keeper/cli/usage.ts) with the options every script takes. */
export function parseCommand(
  argv: readonly string[],
  commands: readonly string[],
  options: OptionTypes,
): { command: string | undefined; values: OptionValues } {
  return parseOptions(argv, { ...COMMON_OPTIONS, ...options }, commands);
}

export function parseRpc(values: Readonly<Record<string, unknown>>): string {
  return parseHttpUrl("rpc", stringOption(values, "rpc") ?? DEFAULT_RPC);
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
  values: Readonly<Record<string, unknown>>,
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
  values: Readonly<Record<string, unknown>>,
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
