import type { Address, PublicClient } from "viem";
import { vaultLensAbi, vaultLensRuntimeCode } from "../abi/contracts.js";
import type { ChainGuardrails } from "../ops/monitors.js";

/**
 * Where the VaultLens code is placed for one `eth_call` (state override); nothing is deployed
 * there. The lens only decodes the vault's own storage through `extSload`, so it needs no address
 * of its own and reads exactly what the vault's settlement will read.
 */
const LENS_ADDRESS: Address = "0x000000000000000000000000000000000001e715";
const lensCode = [{ address: LENS_ADDRESS, code: vaultLensRuntimeCode }] as const;

/** The vault's guardrail parameters and the time of its last accepted NAV, as GuardrailMath reads them. */
export async function readGuardrailState(
  client: PublicClient,
  vault: Address,
): Promise<{ readonly guardrails: ChainGuardrails; readonly lastNavAt: bigint }> {
  const [guardrails, epochs] = await Promise.all([
    client.readContract({
      address: LENS_ADDRESS,
      abi: vaultLensAbi,
      functionName: "guardrails",
      args: [vault],
      stateOverride: [...lensCode],
    }),
    client.readContract({
      address: LENS_ADDRESS,
      abi: vaultLensAbi,
      functionName: "epochState",
      args: [vault],
      stateOverride: [...lensCode],
    }),
  ]);
  return {
    guardrails: {
      toleranceBps: Number(guardrails.toleranceBps),
      maxIncreaseBpsPerYear: Number(guardrails.maxIncreaseBpsPerYear),
      maxDecreaseBpsPerYear: Number(guardrails.maxDecreaseBpsPerYear),
    },
    lastNavAt: BigInt(epochs.lastNavAt),
  };
}
