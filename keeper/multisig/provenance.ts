import { encodeAbiParameters, keccak256, toBytes, type Hex } from "viem";
import { snapshotHash as strategySnapshotHash } from "../strategy/snapshotHash.js";

/**
 * Deterministic JSON: object keys sorted, bigint as a decimal string, no whitespace. Two
 * operators serialising the same plan get the same bytes, hence the same hash.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function")
      return sortKeys((value as { toJSON(): unknown }).toJSON());
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function jsonHash(value: unknown): Hex {
  return keccak256(toBytes(canonicalJson(value)));
}

/**
 * The hash of a signal snapshot: the strategy's own `snapshotHash` (keeper/strategy), so the hash a
 * proposal commits to is the `TargetAllocation.snapshotHash` of the evaluation that produced it.
 * Bigints (settlement readings) become decimal strings first; for plain JSON this is the identity.
 */
export function signalSnapshotHash(snapshot: unknown): Hex {
  return strategySnapshotHash(sortKeys(snapshot));
}

/**
 * The `provenance` committed on-chain with each execution: keccak256(abi.encode(snapshotHash,
 * planHash)), with the strategy's snapshot hash and the keccak256 of the plan's canonical JSON.
 * Anyone holding the snapshot and plan can recompute it and check what justified a rebalance.
 */
export function computeProvenance(snapshot: unknown, plan: unknown): Hex {
  return provenanceOf(signalSnapshotHash(snapshot), plan);
}

/** `computeProvenance` from a snapshot hash already known (e.g. `TargetAllocation.snapshotHash`). */
export function provenanceOf(snapshotHash: Hex, plan: unknown): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [snapshotHash, jsonHash(plan)]),
  );
}
