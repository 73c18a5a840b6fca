import { type Address, type Hex, getAddress } from "viem";
import { z } from "zod";
import { send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { liFiSwapHandlerArtifact } from "./lifi.js";

/**
 * LI.FI's own DEX allowlist (`config/whitelist.json` of lifinance/contracts) turned into the swap handler's
 * allowlist for one network: every (contract, function selector) pair a swap step may call, and the
 * contracts LI.FI lists without functions, which may only be approved (LI.FI's approveTo-only entries).
 */

const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte hex address");
const selector = z.string().regex(/^0x[0-9a-fA-F]{8}$/, "must be a 4-byte selector");

// Non-EVM networks (e.g. tron, solana) use other address formats, so the file as a whole is read loosely
// and only the requested network's entries are held to EVM address and selector formats.
const contractEntry = z.object({ address: z.string(), functions: z.record(z.string(), z.string()) });
const peripheryEntry = z.object({
  name: z.string(),
  address: z.string(),
  selectors: z.array(z.object({ selector: z.string(), signature: z.string() })),
});
const whitelistSchema = z.object({
  DEXS: z.array(z.object({ key: z.string(), contracts: z.record(z.string(), z.array(contractEntry)) })),
  PERIPHERY: z.record(z.string(), z.array(peripheryEntry)),
});
const evmContract = z.object({ address: hexAddress, functions: z.record(selector, z.string()) });
const evmPeriphery = z.object({ address: hexAddress, selectors: z.array(z.object({ selector })) });

export interface DexAllowlist {
  readonly calls: readonly { readonly callTo: Address; readonly selector: Hex }[];
  readonly approveToOnly: readonly Address[];
}

/** The handler allowlist LI.FI's whitelist implies for `network` (its key, e.g. "mainnet", "optimism"). */
export function dexAllowlistFromLiFiWhitelist(whitelistJson: unknown, network: string): DexAllowlist {
  const whitelist = whitelistSchema.parse(whitelistJson);
  const calls = new Map<string, { callTo: Address; selector: Hex }>();
  const approveToOnly = new Set<Address>();
  const addCall = (address: string, sel: string) => {
    const callTo = getAddress(address.toLowerCase());
    calls.set(`${callTo}:${sel.toLowerCase()}`, { callTo, selector: sel.toLowerCase() as Hex });
  };
  for (const dex of whitelist.DEXS) {
    for (const contract of z.array(evmContract).parse(dex.contracts[network] ?? [])) {
      const selectors = Object.keys(contract.functions);
      if (selectors.length === 0) approveToOnly.add(getAddress(contract.address.toLowerCase()));
      for (const sel of selectors) addCall(contract.address, sel);
    }
  }
  for (const periphery of z.array(evmPeriphery).parse(whitelist.PERIPHERY[network] ?? [])) {
    for (const { selector: sel } of periphery.selectors) addCall(periphery.address, sel);
  }
  return { calls: [...calls.values()], approveToOnly: [...approveToOnly] };
}

/** Applies an allowlist to a LiFiSwapHandler from `governance` (the registry owner). */
export async function applyDexAllowlist(
  governance: Clients,
  handler: Address,
  allowlist: DexAllowlist,
): Promise<void> {
  const abi = liFiSwapHandlerArtifact().abi;
  for (const { callTo, selector: sel } of allowlist.calls) {
    await send(governance, {
      address: handler,
      abi,
      functionName: "setDexCallAllowed",
      args: [callTo, sel, true],
    });
  }
  for (const approveTo of allowlist.approveToOnly) {
    await send(governance, {
      address: handler,
      abi,
      functionName: "setApproveToAllowed",
      args: [approveTo, true],
    });
  }
}
