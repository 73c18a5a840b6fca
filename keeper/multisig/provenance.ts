import { encodeAbiParameters, keccak256, toBytes, type Hex } from "viem";

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
 * The `provenance` committed on-chain with each execution: keccak256(abi.encode(snapshotHash,
 * planHash)), each the keccak256 of the canonical JSON. Anyone holding the snapshot and plan can
 * recompute it and check what justified a rebalance.
 */
export function computeProvenance(snapshot: unknown, plan: unknown): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [jsonHash(snapshot), jsonHash(plan)]),
  );
}
