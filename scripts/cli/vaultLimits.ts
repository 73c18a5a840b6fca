import type { Address, Hex } from "viem";
import { projectArtifact } from "../../deploy/lib/artifacts.js";
import type { Clients } from "../../deploy/lib/clients.js";

/** Where the VaultLens code is placed for one `eth_call`; nothing lives there on any chain. */
const LENS_ADDRESS: Address = "0x000000000000000000000000000000000000a11e";

export interface VaultLimits {
  readonly depositCap: bigint;
  readonly minRequestAssets: bigint;
  readonly depositsPaused: boolean;
  readonly redeemsPaused: boolean;
}

/**
 * The vault's deposit cap, minimum request and pause flags, read through VaultLens (the vault keeps
 * these views out of its own code). The lens is stateless, so its runtime code is put at a free
 * address by state override: no deployed lens address is needed.
 */
export async function readVaultLimits(
  clients: Pick<Clients, "public">,
  vault: Address,
): Promise<VaultLimits> {
  const lens = projectArtifact("VaultLens");
  return (await clients.public.readContract({
    address: LENS_ADDRESS,
    abi: lens.abi,
    functionName: "limits",
    args: [vault],
    stateOverride: [{ address: LENS_ADDRESS, code: lens.deployedBytecode as Hex }],
  })) as VaultLimits;
}
