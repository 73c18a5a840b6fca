import { readFile } from "node:fs/promises";
import { type Address, getAddress, isAddress } from "viem";
import { z } from "zod";

/** An address written with its EIP-55 checksum (a typo in a hand-edited config cannot pass). */
const checksummed = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), "not a 20-byte hex address")
  .refine((value) => isAddress(value, { strict: false }) && getAddress(value) === value, {
    message: "address is not EIP-55 checksummed",
  })
  .transform((value) => value as Address);

const token = z.object({ address: checksummed, decimals: z.number().int().min(0).max(36) }).strict();
const feed = z
  .object({
    address: checksummed,
    heartbeatSeconds: z
      .number()
      .int()
      .positive()
      .max(7 * 86_400),
  })
  .strict();

/** One file of deploy/networks/: canonical external addresses of a chain, with where they come from. */
export const networkConfigSchema = z
  .object({
    name: z.string().min(1),
    chainId: z.number().int().positive(),
    /** the chain's block interval, seconds: sizes the Uniswap observation ring that must cover a TWAP window */
    blockTimeSeconds: z.number().positive().max(60),
    sources: z.record(z.string(), z.string().min(1)),
    tokens: z.object({ USDC: token, USDT: token, WETH: token }).strict(),
    chainlink: z.object({ "USDC/USD": feed, "USDT/USD": feed, "ETH/USD": feed }).strict(),
    /** L2 sequencer-uptime feed; null on L1 */
    sequencerUptimeFeed: checksummed.nullable(),
    uniswapV3: z
      .object({
        factory: checksummed,
        positionManager: checksummed,
        /** the original SwapRouter (exactInput with a deadline); not deployed on every chain (Base has only SwapRouter02) */
        swapRouter: checksummed.optional(),
        quoterV2: checksummed,
        swapRouter02: checksummed,
      })
      .strict(),
    aaveV3: z.object({ pool: checksummed, addressesProvider: checksummed }).strict(),
    morphoBlue: checksummed,
    safe: z
      .object({ singleton: checksummed, proxyFactory: checksummed, fallbackHandler: checksummed })
      .strict(),
    lifiDiamond: checksummed,
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const key of ["uniswapV3", "aaveV3", "chainlink", "safe", "lifi"]) {
      if (!Object.keys(config.sources).some((source) => source.toLowerCase().startsWith(key.toLowerCase())))
        ctx.addIssue({ code: "custom", path: ["sources"], message: `no source given for ${key}` });
    }
  });

export type NetworkConfig = z.output<typeof networkConfigSchema>;

/** Parses a network config; every problem is reported with its JSON path. */
export function parseNetworkConfig(input: unknown, origin = "network config"): NetworkConfig {
  const parsed = networkConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join(".") || "<root>"}: ${issue.message}`,
  );
  throw new Error(`${origin} is invalid:\n  ${problems.join("\n  ")}`);
}

export async function readNetworkConfig(file: string): Promise<NetworkConfig> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read network config ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseNetworkConfig(decoded, file);
}
