import { type Address, type Hex, concat, getAddress } from "viem";
import { type Artifact, deploy, projectArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import {
  KEEPER_GATE_DOMAIN_NAME,
  KEEPER_GATE_DOMAIN_VERSION,
  executeTypes,
  type ExecuteMessage,
} from "../../keeper/multisig/typedData.js";

/** EIP-712 domain name and version of every KeeperGate (fixed: signers and the keeper depend on them). */
export const KEEPER_GATE_DOMAIN = {
  name: KEEPER_GATE_DOMAIN_NAME,
  version: KEEPER_GATE_DOMAIN_VERSION,
} as const;

/** Typed data of a k-of-n batch, the keeper's one definition (keeper/multisig/typedData.ts). */
export const EXECUTE_TYPES = executeTypes;

/** Typed data of a mandate: the keeper may act alone within these bounds until `expiry`. */
export const MANDATE_TYPES = {
  Mandate: [
    { name: "vault", type: "address" },
    { name: "keeper", type: "address" },
    { name: "connectors", type: "address[]" },
    { name: "tokens", type: "address[]" },
    { name: "selectors", type: "bytes4[]" },
    { name: "maxNotionalPerAction", type: "uint256" },
    { name: "maxNotionalPerPeriod", type: "uint256" },
    { name: "period", type: "uint256" },
    { name: "maxSlippageBps", type: "uint256" },
    { name: "maxLossBps", type: "uint256" },
    { name: "lossWindow", type: "uint256" },
    { name: "expiry", type: "uint256" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

/** Safe 1.4.1 CompatibilityFallbackHandler: owners sign `SafeMessage(bytes message)` over the gate digest. */
export const SAFE_MESSAGE_TYPES = { SafeMessage: [{ name: "message", type: "bytes" }] } as const;

export interface GateCall {
  readonly target: Address;
  readonly data: Hex;
}

export interface SignerSignature {
  readonly signer: Address;
  readonly signature: Hex;
}

export type { ExecuteMessage };

export interface Mandate {
  readonly keeper: Address;
  readonly connectors: readonly Address[];
  readonly tokens: readonly Address[];
  readonly selectors: readonly Hex[];
  readonly maxNotionalPerAction: bigint;
  readonly maxNotionalPerPeriod: bigint;
  readonly period: bigint;
  readonly maxSlippageBps: bigint;
  readonly maxLossBps: bigint;
  readonly lossWindow: bigint;
  readonly expiry: bigint;
  readonly nonce: bigint;
}

export const keeperGateArtifact = (): Artifact => projectArtifact("KeeperGate");

/** The EIP-712 domain of the gate at `gate` on `chainId`. */
export function gateDomain(chainId: number, gate: Address) {
  return { ...KEEPER_GATE_DOMAIN, chainId, verifyingContract: gate } as const;
}

/** Deploys a KeeperGate for `vault` with its initial signer set. */
export async function deployKeeperGate(
  clients: Clients,
  params: { registry: Address; vault: Address; signers: readonly Address[]; threshold: bigint },
): Promise<Address> {
  return deploy(clients, keeperGateArtifact(), [
    params.registry,
    params.vault,
    params.signers,
    params.threshold,
  ]);
}

/** An EOA's signature over an `Execute` batch. */
export async function signExecute(
  signer: Clients["wallet"],
  domain: ReturnType<typeof gateDomain>,
  message: ExecuteMessage,
): Promise<SignerSignature> {
  const signature = await signer.signTypedData({
    account: signer.account,
    domain,
    types: EXECUTE_TYPES,
    primaryType: "Execute",
    message,
  });
  return { signer: getAddress(signer.account.address), signature };
}

/** An EOA's signature over a `Mandate` for `vault`. */
export async function signMandate(
  signer: Clients["wallet"],
  domain: ReturnType<typeof gateDomain>,
  vault: Address,
  mandate: Mandate,
): Promise<SignerSignature> {
  const signature = await signer.signTypedData({
    account: signer.account,
    domain,
    types: MANDATE_TYPES,
    primaryType: "Mandate",
    message: { vault, ...mandate },
  });
  return { signer: getAddress(signer.account.address), signature };
}

/**
 * A Safe 1.4.1's ERC-1271 signature over a gate digest: each owner signs the Safe's EIP-712
 * `SafeMessage(bytes message)` with `message = digest` (what CompatibilityFallbackHandler.isValidSignature
 * rebuilds), and the signatures are concatenated in ascending owner order, as `checkSignatures` requires.
 */
export async function signDigestWithSafe(
  owners: readonly Clients["wallet"][],
  safe: Address,
  chainId: number,
  digest: Hex,
): Promise<SignerSignature> {
  const sorted = [...owners].sort((a, b) => (BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1));
  const signatures = await Promise.all(
    sorted.map((owner) =>
      owner.signTypedData({
        account: owner.account,
        domain: { chainId, verifyingContract: safe },
        types: SAFE_MESSAGE_TYPES,
        primaryType: "SafeMessage",
        message: { message: digest },
      }),
    ),
  );
  return { signer: getAddress(safe), signature: concat(signatures) };
}

/** Orders signatures strictly ascending by signer, the order KeeperGate requires. */
export function sortSignatures(signatures: readonly SignerSignature[]): SignerSignature[] {
  return [...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
}

/** Reads the gate's current batch nonce. */
export async function gateNonce(clients: Pick<Clients, "public">, gate: Address): Promise<bigint> {
  return read<bigint>(clients, { address: gate, abi: keeperGateArtifact().abi, functionName: "nonce" });
}

/**
 * Has every wallet in `signers` sign `calls` at the gate's current nonce and submits the batch from
 * `submitter`; returns the transaction hash.
 */
export async function executeSigned(
  submitter: Clients,
  gate: Address,
  batch: { vault: Address; calls: readonly GateCall[]; deadline: bigint; provenance: Hex },
  signers: readonly Clients["wallet"][],
): Promise<Hex> {
  const chainId = await submitter.public.getChainId();
  const message = { ...batch, nonce: await gateNonce(submitter, gate) };
  const signatures = await Promise.all(
    signers.map((s) => signExecute(s, gateDomain(chainId, gate), message)),
  );
  return send(submitter, {
    address: gate,
    abi: keeperGateArtifact().abi,
    functionName: "execute",
    args: [batch.calls, batch.deadline, batch.provenance, sortSignatures(signatures)],
  });
}
