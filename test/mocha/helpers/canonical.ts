import { type Address, type Hex, concatHex, keccak256, numberToHex, pad } from "viem";
import type { Clients } from "../../../deploy/lib/clients.js";

/**
 * Places locally deployed contracts at other (canonical) addresses on a local chain:
 * `hardhat_setCode` with the runtime code, where every 20-byte address in `replace` is rewritten (a
 * contract's own address or a dependency's, inlined as immutables), and `hardhat_setStorageAt` for the
 * plain storage slots and the mapping entries the constructor wrote.
 */

type Rpc = (args: { method: string; params: unknown[] }) => Promise<unknown>;
const rpcOf = (clients: Clients) => clients.public.request as unknown as Rpc;

const bare = (address: Address) => address.slice(2).toLowerCase();

export interface RelocateOptions {
  /** address pairs to rewrite inside the runtime code, besides `from` -> `to` */
  readonly replace?: readonly (readonly [Address, Address])[];
  /** plain slots 0..plainSlots-1 are copied (default 16) */
  readonly plainSlots?: number;
  /** mapping keys (32-byte words) to copy for every mapping declared in slots 0..plainSlots-1 */
  readonly mappingKeys?: readonly Hex[];
}

/** Copies the code (patched) and state of `from` to `to`; returns how many 20-byte patches were made. */
export async function relocate(clients: Clients, from: Address, to: Address, options: RelocateOptions = {}) {
  const rpc = rpcOf(clients);
  const code = (await rpc({ method: "eth_getCode", params: [from, "latest"] })) as Hex;
  if (code === "0x") throw new Error(`no code at ${from}`);
  let patched = code.toLowerCase();
  let patches = 0;
  for (const [a, b] of [[from, to] as const, ...(options.replace ?? [])]) {
    const parts = patched.split(bare(a));
    patches += parts.length - 1;
    patched = parts.join(bare(b));
  }
  await rpc({ method: "hardhat_setCode", params: [to, patched] });
  const plainSlots = options.plainSlots ?? 16;
  const slots: Hex[] = [];
  for (let i = 0; i < plainSlots; i++) {
    const slot = pad(numberToHex(i), { size: 32 });
    slots.push(slot);
    for (const key of options.mappingKeys ?? []) slots.push(keccak256(concatHex([key, slot])));
  }
  for (const slot of slots) {
    const value = (await rpc({ method: "eth_getStorageAt", params: [from, slot, "latest"] })) as Hex;
    if (BigInt(value) !== 0n) await rpc({ method: "hardhat_setStorageAt", params: [to, slot, value] });
  }
  return { patches };
}

/** A uint as a 32-byte mapping key. */
export const uintKey = (value: number | bigint): Hex => pad(numberToHex(value), { size: 32 });
