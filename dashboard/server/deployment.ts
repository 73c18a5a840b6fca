import { readFile } from "node:fs/promises";
import { getAddress, isAddress, type Address, type PublicClient } from "viem";
import { z } from "zod";
import { accountingManagerAbi } from "../../keeper/abi/contracts.js";
import type { DashboardAddresses } from "../shared/vaultState.js";

/**
 * The deployment the dashboard shows: the addresses file `npm start` (or a deployment) writes,
 * checked against the chain behind the RPC. Every problem is a sentence for the page.
 */

const address = z.string().refine((v) => isAddress(v, { strict: false }), "must be an address");
const addressesSchema = z.object({
  chainId: z.number().int().positive(),
  vault: address,
  asset: address,
  gate: address,
  registry: address.optional(),
  oracle: address.optional(),
  connectors: z.record(z.string(), address),
  roles: z
    .object({
      operators: z.array(address).optional(),
      guardian: address.optional(),
      strategist: address.optional(),
    })
    .passthrough()
    .optional(),
});

export interface Deployment extends DashboardAddresses {
  readonly registry?: Address;
  readonly oracle?: Address;
  readonly roles: { readonly operators: readonly Address[] };
}

export type AddressesResult =
  | { readonly ok: true; readonly deployment: Omit<Deployment, "shareDecimals"> }
  | { readonly ok: false; readonly problem: string };

/**
 * Why the deployment cannot be shown: `waiting` when it may resolve on its own (the chain is not
 * up yet), `lasting` when the input itself is wrong (no such file, another chain, no vault there).
 */
export type DeploymentProblem = { readonly problem: string; readonly kind: "waiting" | "lasting" };

export async function readAddressesFile(file: string): Promise<AddressesResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problem:
        code === "ENOENT"
          ? `addresses file ${file} does not exist (npm start writes .keeper-data/local-addresses.json)`
          : `addresses file ${file} cannot be read: ${(error as Error).message}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `addresses file ${file} is not JSON: ${(error as Error).message}` };
  }
  const parsed = addressesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      problem: `addresses file ${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    };
  }
  const a = parsed.data;
  return {
    ok: true,
    deployment: {
      chainId: a.chainId,
      vault: getAddress(a.vault),
      asset: getAddress(a.asset),
      gate: getAddress(a.gate),
      ...(a.registry ? { registry: getAddress(a.registry) } : {}),
      ...(a.oracle ? { oracle: getAddress(a.oracle) } : {}),
      connectors: Object.fromEntries(Object.entries(a.connectors).map(([k, v]) => [k, getAddress(v)])),
      roles: { operators: (a.roles?.operators ?? []).map((o) => getAddress(o)) },
    },
  };
}

/** Checks the RPC serves the addresses file's chain and the vault is there; returns the share decimals. */
export async function checkChain(
  client: PublicClient,
  rpcUrl: string,
  deployment: Omit<Deployment, "shareDecimals">,
): Promise<
  { readonly ok: true; readonly shareDecimals: number } | ({ readonly ok: false } & DeploymentProblem)
> {
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    return {
      ok: false,
      kind: "waiting",
      problem: `the RPC ${rpcUrl} does not answer (${(error as Error).message.split("\n")[0]}); is the chain running?`,
    };
  }
  if (chainId !== deployment.chainId)
    return {
      ok: false,
      kind: "lasting",
      problem: `wrong chain: the RPC ${rpcUrl} serves chain ${chainId}, the addresses file is for chain ${deployment.chainId}`,
    };
  const code = await client.getCode({ address: deployment.vault });
  if (!code || code === "0x")
    return {
      ok: false,
      kind: "lasting",
      problem: `no contract at the vault address ${deployment.vault} on chain ${chainId}: the addresses file is from another deployment`,
    };
  const decimals = await client.readContract({
    address: deployment.vault,
    abi: accountingManagerAbi,
    functionName: "decimals",
  });
  return { ok: true, shareDecimals: Number(decimals) };
}
