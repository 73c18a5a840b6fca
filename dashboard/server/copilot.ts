import {
  getAddress,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { draftRebalance, type RebalanceDraft } from "../../keeper/cycle/cycle.js";
import type { ProductParts } from "../../keeper/cycle/keeper.js";
import { canonicalJson } from "../../keeper/multisig/provenance.js";
import { sameCalls } from "../../keeper/multisig/gate.js";
import { executeDigest, executeTypedData } from "../../keeper/multisig/typedData.js";
import type { ProposalRecord, Store } from "../../keeper/store/types.js";
import type { AllocationPolicy } from "../../keeper/strategy/policy.js";
import { reviewProposal } from "../../keeper/vault/review.js";
import type { Deployment } from "./deployment.js";
import { readGate, RequestError } from "./proposals.js";
import type { SignalsNow } from "./strategy.js";

/**
 * One click from the copilot's recommendation to a proposal for the signers, without custody: the
 * server plans the batch with the keeper's own planning code (`draftRebalance`: evaluate → plan →
 * provenance, as the cycle does before it proposes), the connected wallet (a gate signer) signs
 * its EIP-712 `Execute` as the first signature, and only then is it stored, with that signature,
 * as a proposal the keepers' multisig task picks up (co-signs after its own checks and submits).
 * A draft whose recommendation went stale before the signature came back is refused and nothing
 * is stored.
 */

/** The keeper's planning parts the copilot plans with (the keeper's own instances in `npm start`). */
export type KeeperPlanning = Pick<
  ProductParts,
  "vault" | "planner" | "readings" | "policy" | "strategyConfig"
>;

export interface CopilotOptions {
  readonly client: PublicClient;
  readonly store: Store;
  readonly deployment: Deployment;
  readonly planning: KeeperPlanning;
  readonly signals: SignalsNow;
  /** The proposal's lifetime from the chain's time (the keeper config's gate.proposalTtlSeconds). */
  readonly proposalTtlSeconds: number;
}

/** A draft waits this long for the wallet's signature. */
const DRAFT_TTL_MS = 10 * 60_000;
/** A draft this close to its deadline is refused (as the keeper's workflow refuses to sign it). */
const DEADLINE_MARGIN_SECONDS = 30n;

interface Draft {
  readonly record: Omit<ProposalRecord, "createdAt" | "updatedAt">;
  readonly snapshotHash: Hex;
  readonly madeAt: number;
}

export class CopilotService {
  private readonly drafts = new Map<Hex, Draft>();

  constructor(private readonly o: CopilotOptions) {}

  private gate() {
    return readGate(this.o.client, this.o.deployment.gate);
  }

  /** The batch the keeper would propose now for `policy` (default: the keeper's), planned on the current signals. */
  async plan(policy?: AllocationPolicy): Promise<RebalanceDraft & { readonly at: Date }> {
    const { now, snapshots } = await this.o.signals();
    const draft = await draftRebalance({ store: this.o.store }, this.o.planning, snapshots, now, policy);
    return { ...draft, at: now };
  }

  /** An open proposal for `nonce`: the cycle proposes exclusively, so the copilot does not compete with it. */
  private async openFor(nonce: bigint, chainTime: bigint): Promise<ProposalRecord | undefined> {
    const open = await this.o.store.listProposals({
      statuses: ["proposed", "signed", "submitted"],
      vault: this.o.deployment.vault,
    });
    return open.find((p) => p.nonce === nonce && chainTime < p.deadline);
  }

  /** The batch planned now for `policy` as an unsigned proposal record for the gate's current nonce. */
  private async build(policy?: AllocationPolicy) {
    const [planned, gate] = await Promise.all([this.plan(policy), this.gate()]);
    if (!planned.proposal) return { planned, gate, record: undefined };
    const { plan, calls, provenance } = planned.proposal;
    const deadline = gate.chainTime + BigInt(this.o.proposalTtlSeconds);
    const message = { vault: this.o.deployment.vault, calls, nonce: gate.nonce, deadline, provenance };
    const chainId = this.o.deployment.chainId;
    const record = {
      id: executeDigest(chainId, this.o.deployment.gate, message),
      chainId,
      gate: this.o.deployment.gate,
      vault: this.o.deployment.vault,
      calls: [...calls],
      nonce: gate.nonce,
      deadline,
      provenance,
      planJson: canonicalJson(plan),
      snapshotJson: canonicalJson(planned.signals),
      proposer: "dashboard",
      status: "proposed" as const,
    };
    return { planned, gate, record };
  }

  /** The operator review of a record (decoded calls, the whole batch simulated at the gate). */
  private review(record: Omit<ProposalRecord, "createdAt" | "updatedAt">) {
    return reviewProposal(
      this.o.client,
      { ...record, createdAt: 0, updatedAt: 0 },
      { connectorNames: this.o.deployment.connectors },
    ).catch((error: Error) => ({ error: error.message.split("\n")[0] }));
  }

  /** What `policy` would propose now (the strategist's view): the batch decoded and simulated, or why none. */
  async preview(policy: AllocationPolicy): Promise<unknown> {
    const { planned, record } = await this.build(policy);
    if (!record)
      return {
        available: true,
        proposes: false,
        reason: "the vault is at the policy's allocation (or every leg is below the planner's thresholds)",
        skipped: planned.skipped,
      };
    return { available: true, proposes: true, review: await this.review(record) };
  }

  /** Plans the recommendation's batch and returns it for the wallet to sign; nothing is stored. */
  async draft(): Promise<unknown> {
    const { planned, gate, record } = await this.build();
    if (!record)
      throw new RequestError(
        409,
        `nothing to propose: the vault is at the recommended allocation${
          planned.skipped.length > 0
            ? ` (legs below the planner's thresholds: ${planned.skipped.length})`
            : ""
        }`,
      );
    const open = await this.openFor(gate.nonce, gate.chainTime);
    if (open)
      throw new RequestError(
        409,
        `proposal ${open.id} is already open for gate nonce ${gate.nonce}; sign or reject it first`,
      );
    this.sweep();
    this.drafts.set(record.id, { record, snapshotHash: planned.allocation.snapshotHash, madeAt: Date.now() });
    return {
      id: record.id,
      at: planned.at.toISOString(),
      snapshotHash: planned.allocation.snapshotHash,
      weightsBps: planned.allocation.weightsBps,
      reasons: planned.allocation.reasons,
      nonce: gate.nonce.toString(),
      deadline: record.deadline.toString(),
      review: await this.review(record),
      typedData: executeTypedData(record.chainId, record.gate, record),
    };
  }

  private sweep(): void {
    for (const [id, d] of this.drafts) if (Date.now() - d.madeAt > DRAFT_TTL_MS) this.drafts.delete(id);
  }

  /**
   * Stores the draft as a proposal with the wallet's signature as its first, after checking that
   * the recommendation still holds: the same signals, the same batch planned again on the chain
   * as it is now, the gate's nonce unchanged, the deadline ahead, no other proposal open for the
   * nonce, and the signature recovering to the given gate signer. Any failure stores nothing.
   */
  async propose(id: string, body: unknown): Promise<unknown> {
    const { signer, signature } = (body ?? {}) as { signer?: unknown; signature?: unknown };
    if (!isHex(id) || id.length !== 66)
      throw new RequestError(400, `a draft id is 32 bytes of hex, got ${id}`);
    if (typeof signer !== "string" || !isAddress(signer, { strict: false }))
      throw new RequestError(400, "signer must be an address");
    if (typeof signature !== "string" || !isHex(signature))
      throw new RequestError(400, "signature must be hex");
    this.sweep();
    const draft = this.drafts.get(id);
    if (!draft)
      throw new RequestError(
        404,
        `no draft ${id}: drafts live ${DRAFT_TTL_MS / 60_000} minutes; draft the recommendation again`,
      );
    const record = draft.record;
    const [planned, gate] = await Promise.all([this.plan(), this.gate()]);
    const stale = (reason: string) => {
      this.drafts.delete(record.id);
      return new RequestError(409, `the recommendation is no longer valid: ${reason}; nothing was stored`);
    };
    if (planned.allocation.snapshotHash !== draft.snapshotHash)
      throw stale(
        `the signals changed since it was drafted (${draft.snapshotHash.slice(0, 10)}… → ${planned.allocation.snapshotHash.slice(0, 10)}…)`,
      );
    if (gate.nonce !== record.nonce)
      throw stale(`the gate's nonce moved from ${record.nonce} to ${gate.nonce} (another batch executed)`);
    if (gate.chainTime + DEADLINE_MARGIN_SECONDS >= record.deadline)
      throw stale(
        `its deadline ${record.deadline} is past or within ${DEADLINE_MARGIN_SECONDS}s of chain time ${gate.chainTime}`,
      );
    if (!planned.proposal) throw stale("the vault is now at the recommended allocation");
    if (
      !sameCalls(planned.proposal.calls, record.calls) ||
      canonicalJson(planned.proposal.plan) !== record.planJson
    )
      throw stale("the keeper would now plan a different batch for it (the vault's state changed)");
    const open = await this.openFor(gate.nonce, gate.chainTime);
    if (open) throw stale(`proposal ${open.id} is open for gate nonce ${gate.nonce} meanwhile`);
    if (!gate.signers.some((g) => g.toLowerCase() === signer.toLowerCase()))
      throw new RequestError(
        403,
        `${getAddress(signer)} is not one of the gate's signers; nothing was stored`,
      );
    const recovered = await recoverTypedDataAddress({
      ...executeTypedData(record.chainId, record.gate, record),
      signature,
    });
    if (recovered.toLowerCase() !== signer.toLowerCase())
      throw new RequestError(
        400,
        `the signature recovers to ${recovered}, not ${getAddress(signer)}; nothing was stored`,
      );
    const by = getAddress(signer) as Address;
    const inserted = await this.o.store.insertProposal({ ...record, proposer: `dashboard:${by}` });
    if (!inserted) throw new RequestError(409, `proposal ${record.id} is already in the store`);
    await this.o.store.addSignature({ proposalId: record.id, signer: by, signature: signature as Hex });
    await this.o.store.transitionProposal(record.id, ["proposed"], "signed");
    this.drafts.delete(record.id);
    return { id: record.id, status: "signed", signatures: 1, threshold: gate.threshold };
  }
}
