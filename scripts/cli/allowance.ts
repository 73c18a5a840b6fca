import {
  type Abi,
  type Address,
  type Hex,
  type StateOverride,
  encodeAbiParameters,
  keccak256,
  numberToHex,
  pad,
} from "viem";
import type { Clients } from "../../deploy/lib/clients.js";

/** Storage slots searched for an ERC-20's allowance mapping (OpenZeppelin: 1; FiatToken USDC: 10). */
const SEARCHED_SLOTS = 32;

const allowanceAbi = [
  {
    type: "function",
    name: "allowance",
    stateMutability: "view",
    inputs: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
    ],
    outputs: [{ type: "uint256" }],
  },
] as const satisfies Abi;

function mappingSlot(owner: Address, spender: Address, base: bigint, ownerFirst: boolean): Hex {
  const [outerKey, innerKey] = ownerFirst ? [owner, spender] : [spender, owner];
  const outer = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [outerKey, base]));
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [innerKey, outer]));
}

/**
 * A state override that gives `spender` an allowance of `amount` from `owner` on `token`, so a
 * request can be simulated before anything is approved. The allowance mapping's slot is found by
 * probing (Solidity and Vyper layouts); undefined when the token keeps allowances elsewhere.
 */
export async function allowanceOverride(
  clients: Pick<Clients, "public">,
  token: Address,
  owner: Address,
  spender: Address,
  amount: bigint,
): Promise<StateOverride | undefined> {
  // A probe value nobody holds as a real allowance.
  const marker = 0x5eed_a110_0a11_0ce5n;
  for (let base = 0n; base < BigInt(SEARCHED_SLOTS); base++) {
    for (const ownerFirst of [true, false]) {
      const slot = mappingSlot(owner, spender, base, ownerFirst);
      const probe: StateOverride = [
        { address: token, stateDiff: [{ slot, value: pad(numberToHex(marker)) }] },
      ];
      let seen: bigint;
      try {
        seen = await clients.public.readContract({
          address: token,
          abi: allowanceAbi,
          functionName: "allowance",
          args: [owner, spender],
          stateOverride: probe,
        });
      } catch {
        return undefined;
      }
      if (seen === marker)
        return [{ address: token, stateDiff: [{ slot, value: pad(numberToHex(amount)) }] }];
    }
  }
  return undefined;
}
