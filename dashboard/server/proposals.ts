import {
  encodeFunctionData,
  getAddress,
  isAddress,
  isHex,
  recoverMessageAddress,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { keeperGateAbi } from "../../keeper/abi/contracts.js";
import { callsHash, executeTypedData } from "../../keeper/multisig/typedData.js";
import type { ProposalRecord, Store } from "../../keeper/store/types.js";
import { planNote, reviewProposal } from "../../keeper/vault/review.js";
import { rejectMessage } from "../shared/messages.js";
import type { Deployment } from "./deployment.js";

/**
 * The operators' side of the dashboard over the keeper's store: proposals with their review
 * (decoded calls, simulated changes), signatures made in the browser wallet (checked to recover
 * to a gate signer before they are stored), rejections signed likewise, and the `execute`
 * calldata once the threshold is met. The server signs nothing: every signature comes from a wallet.
 */

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The gate's nonce, threshold and signers in one deployless multicall, and the chain's time. */
export async function readGate(client: PublicClient, gate: Address): Promise<GateView> {
  const [[nonce, threshold, signers], block] = await Promise.all([
    client.multicall({
      contracts: [
        { address: gate, abi: keeperGateAbi, functionName: "nonce" },
        { address: gate, abi: keeperGateAbi, functionName: "threshold" },
        { address: gate, abi: keeperGateAbi, functionName: "signers" },
      ],
      allowFailure: false,
      deployless: true,
    }),
    client.getBlock(),
  ]);
  return { nonce, threshold: Number(threshold), signers, chainTime: block.timestamp };
}

export interface GateView {
  readonly nonce: bigint;
  readonly threshold: number;
  readonly signers: readonly Address[];
  readonly chainTime: bigint;
}

export class ProposalService {
  constructor(
    private readonly client: PublicClient,
    private readonly store: Store,
    private readonly deployment: Deployment,
  ) {}

  private gate(): Promise<GateView> {
    return readGate(this.client, this.deployment.gate);
  }

  /**
   * Brings an open proposal up to date with the chain, as the keeper's workflow does: executed
   * when the gate ran it (its nonce moved and the Executed event carries its provenance and
   * calls), expired when the nonce went to another batch or the deadline passed.
   */
  private async settle(p: ProposalRecord, gate: GateView): Promise<void> {
    if (p.status !== "proposed" && p.status !== "signed" && p.status !== "submitted") return;
    if (gate.nonce > p.nonce) {
      const events = await this.client.getContractEvents({
        address: this.deployment.gate,
        abi: keeperGateAbi,
        eventName: "Executed",
        args: { nonce: p.nonce },
        fromBlock: 0n,
      });
      const event = events[0];
      const ours =
        event !== undefined &&
        event.args.provenance?.toLowerCase() === p.provenance.toLowerCase() &&
        event.args.callsHash?.toLowerCase() === callsHash(p.calls);
      if (ours)
        await this.store.transitionProposal(p.id, ["proposed", "signed", "submitted"], "executed", {
          txHash: event.transactionHash,
        });
      else
        await this.store.transitionProposal(p.id, ["proposed", "signed", "submitted"], "expired", {
          reason: `gate nonce ${p.nonce} was used by another execution`,
        });
    } else if (gate.chainTime >= p.deadline && p.status !== "submitted") {
      await this.store.transitionProposal(p.id, ["proposed", "signed"], "expired", {
        reason: "deadline passed",
      });
    }
  }

  async list(): Promise<unknown> {
    const gate = await this.gate();
    const open = await this.store.listProposals({
      statuses: ["proposed", "signed", "submitted"],
      vault: this.deployment.vault,
    });
    for (const p of open) await this.settle(p, gate);
    const all = await this.store.listProposals({ vault: this.deployment.vault, limit: 200 });
    const rows = [];
    for (const p of all) {
      const signatures = await this.store.listSignatures(p.id);
      rows.push({
        id: p.id,
        nonce: p.nonce.toString(),
        deadline: p.deadline.toString(),
        status: p.status,
        statusReason: p.statusReason ?? null,
        txHash: p.txHash ?? null,
        proposer: p.proposer,
        note: planNote(p.planJson) ?? null,
        calls: p.calls.length,
        signatures: signatures.length,
        createdAt: p.createdAt,
      });
    }
    return {
      gate: {
        nonce: gate.nonce.toString(),
        threshold: gate.threshold,
        signers: gate.signers,
        chainTime: gate.chainTime.toString(),
      },
      proposals: rows,
    };
  }

  private async load(id: string): Promise<ProposalRecord> {
    if (!isHex(id) || id.length !== 66)
      throw new RequestError(400, `a proposal id is 32 bytes of hex, got ${id}`);
    const p = await this.store.getProposal(id);
    if (!p) throw new RequestError(404, `proposal ${id} is not in the keeper store`);
    return p;
  }

  /** One proposal: its review (decoded calls, note, simulated changes), typed data to sign, signatures. */
  async detail(id: string): Promise<unknown> {
    const gate = await this.gate();
    await this.settle(await this.load(id), gate);
    const p = await this.load(id);
    const signatures = await this.store.listSignatures(p.id);
    const open = p.status === "proposed" || p.status === "signed";
    const review = open
      ? await reviewProposal(this.client, p, { connectorNames: this.deployment.connectors }).catch(
          (error: Error) => ({
            error: error.message.split("\n")[0],
          }),
        )
      : undefined;
    const valid = signatures.filter((s) =>
      gate.signers.some((g) => g.toLowerCase() === s.signer.toLowerCase()),
    );
    const ready = open && valid.length >= gate.threshold;
    return {
      proposal: {
        id: p.id,
        chainId: p.chainId,
        gate: p.gate,
        vault: p.vault,
        nonce: p.nonce.toString(),
        deadline: p.deadline.toString(),
        provenance: p.provenance,
        status: p.status,
        statusReason: p.statusReason ?? null,
        txHash: p.txHash ?? null,
        proposer: p.proposer,
        calls: p.calls,
        plan: JSON.parse(p.planJson) as unknown,
        snapshot: JSON.parse(p.snapshotJson) as unknown,
      },
      review: review ?? null,
      typedData: executeTypedData(p.chainId, p.gate, p),
      signatures: signatures.map((s) => ({ signer: s.signer, createdAt: s.createdAt })),
      gate: {
        nonce: gate.nonce.toString(),
        threshold: gate.threshold,
        signers: gate.signers,
        chainTime: gate.chainTime.toString(),
      },
      executeCalldata: ready ? this.executeCalldata(p, valid) : null,
    };
  }

  private executeCalldata(
    p: ProposalRecord,
    signatures: readonly { signer: Address; signature: Hex }[],
  ): Hex {
    const sorted = [...signatures].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    return encodeFunctionData({
      abi: keeperGateAbi,
      functionName: "execute",
      args: [
        p.calls.map((c) => ({ target: c.target, data: c.data })),
        p.deadline,
        p.provenance,
        sorted.map((s) => ({ signer: s.signer, signature: s.signature })),
      ],
    });
  }

  /** Stores a wallet's EIP-712 signature after checking it recovers to `signer`, a gate signer. */
  async addSignature(id: string, body: unknown): Promise<unknown> {
    const { signer, signature } = (body ?? {}) as { signer?: unknown; signature?: unknown };
    if (typeof signer !== "string" || !isAddress(signer, { strict: false }))
      throw new RequestError(400, "signer must be an address");
    if (typeof signature !== "string" || !isHex(signature))
      throw new RequestError(400, "signature must be hex");
    const p = await this.load(id);
    if (p.status !== "proposed" && p.status !== "signed")
      throw new RequestError(409, `proposal is ${p.status}; it takes no more signatures`);
    const gate = await this.gate();
    if (!gate.signers.some((g) => g.toLowerCase() === signer.toLowerCase()))
      throw new RequestError(403, `${getAddress(signer)} is not one of the gate's signers`);
    if (gate.nonce !== p.nonce)
      throw new RequestError(409, `gate nonce is ${gate.nonce}, the proposal is for ${p.nonce}`);
    const recovered = await recoverTypedDataAddress({ ...executeTypedData(p.chainId, p.gate, p), signature });
    if (recovered.toLowerCase() !== signer.toLowerCase())
      throw new RequestError(400, `the signature recovers to ${recovered}, not ${getAddress(signer)}`);
    const added = await this.store.addSignature({ proposalId: p.id, signer: getAddress(signer), signature });
    await this.store.transitionProposal(p.id, ["proposed"], "signed");
    return { added, signatures: (await this.store.listSignatures(p.id)).length, threshold: gate.threshold };
  }

  /** Closes a proposal on a gate signer's signed rejection (EIP-191 over `rejectMessage`). */
  async reject(id: string, body: unknown): Promise<unknown> {
    const { signer, signature, reason } = (body ?? {}) as {
      signer?: unknown;
      signature?: unknown;
      reason?: unknown;
    };
    if (typeof reason !== "string" || reason.trim().length === 0)
      throw new RequestError(400, "a reason is required");
    if (typeof signer !== "string" || !isAddress(signer, { strict: false }))
      throw new RequestError(400, "signer must be an address");
    if (typeof signature !== "string" || !isHex(signature))
      throw new RequestError(400, "signature must be hex");
    const p = await this.load(id);
    const gate = await this.gate();
    if (!gate.signers.some((g) => g.toLowerCase() === signer.toLowerCase()))
      throw new RequestError(403, `${getAddress(signer)} is not one of the gate's signers`);
    const recovered = await recoverMessageAddress({ message: rejectMessage(p.id, reason), signature });
    if (recovered.toLowerCase() !== signer.toLowerCase())
      throw new RequestError(400, `the signature recovers to ${recovered}, not ${getAddress(signer)}`);
    const moved = await this.store.transitionProposal(p.id, ["proposed", "signed"], "failed", {
      reason: `rejected by ${getAddress(signer)}: ${reason}`,
    });
    if (!moved)
      throw new RequestError(409, `proposal is ${(await this.load(id)).status}; it cannot be rejected`);
    return { rejected: true };
  }
}
