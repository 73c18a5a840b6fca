import {
  encodeAbiParameters,
  hashTypedData,
  keccak256,
  concat,
  toBytes,
  type Address,
  type Hex,
  type TypedDataDefinition,
} from "viem";
import type { GateCall } from "../store/types.js";

/**
 * The EIP-712 message the KeeperGate verifies. Fixed with the contract: changing any string or
 * field order here invalidates every signature. Shared by the keeper and the tests.
 */
export const KEEPER_GATE_DOMAIN_NAME = "AgentVault KeeperGate";
export const KEEPER_GATE_DOMAIN_VERSION = "1";

export const executeTypes = {
  Execute: [
    { name: "vault", type: "address" },
    { name: "calls", type: "Call[]" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
    { name: "provenance", type: "bytes32" },
  ],
  Call: [
    { name: "target", type: "address" },
    { name: "data", type: "bytes" },
  ],
} as const;

/** `Execute(address vault,Call[] calls,uint256 nonce,uint256 deadline,bytes32 provenance)Call(address target,bytes data)` */
export const EXECUTE_TYPE =
  "Execute(address vault,Call[] calls,uint256 nonce,uint256 deadline,bytes32 provenance)Call(address target,bytes data)";
export const CALL_TYPE = "Call(address target,bytes data)";
export const EXECUTE_TYPEHASH = keccak256(toBytes(EXECUTE_TYPE));
export const CALL_TYPEHASH = keccak256(toBytes(CALL_TYPE));

export interface ExecuteMessage {
  readonly vault: Address;
  readonly calls: readonly GateCall[];
  readonly nonce: bigint;
  readonly deadline: bigint;
  readonly provenance: Hex;
}

export function gateDomain(chainId: number, gate: Address) {
  return {
    name: KEEPER_GATE_DOMAIN_NAME,
    version: KEEPER_GATE_DOMAIN_VERSION,
    chainId,
    verifyingContract: gate,
  } as const;
}

/** The full typed-data definition to hand to `signTypedData` / `recoverTypedDataAddress`. */
export function executeTypedData(
  chainId: number,
  gate: Address,
  message: ExecuteMessage,
): TypedDataDefinition<typeof executeTypes, "Execute"> {
  return {
    domain: gateDomain(chainId, gate),
    types: executeTypes,
    primaryType: "Execute",
    message: {
      vault: message.vault,
      calls: message.calls.map((c) => ({ target: c.target, data: c.data })),
      nonce: message.nonce,
      deadline: message.deadline,
      provenance: message.provenance,
    },
  };
}

/** The EIP-712 digest signers sign; also the proposal id. */
export function executeDigest(chainId: number, gate: Address, message: ExecuteMessage): Hex {
  return hashTypedData(executeTypedData(chainId, gate, message));
}

/**
 * EIP-712 `encodeData` of the `Call[]` member: keccak256 of the concatenated Call struct hashes.
 * Expected to equal the `callsHash` of the gate's `Executed` event.
 */
export function callsHash(calls: readonly GateCall[]): Hex {
  const structHashes = calls.map((call) =>
    keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "address" }, { type: "bytes32" }],
        [CALL_TYPEHASH, call.target, keccak256(call.data)],
      ),
    ),
  );
  return keccak256(structHashes.length === 0 ? "0x" : concat(structHashes));
}
