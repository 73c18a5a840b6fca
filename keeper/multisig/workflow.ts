import {
  encodeFunctionData,
  getAddress,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from "viem";
import { SimulationRevertedError, type SendOutcome, type TxIntent } from "../chain/sender.js";
import { silentLogger, type Logger } from "../log/logger.js";
import type { GateCall, ProposalRecord, SignatureRecord, Store } from "../store/types.js";
import { sameCalls, type GateReader, type ProposalSimulator, type RiskChecker } from "./gate.js";
import { keeperGateAbi } from "./gateAbi.js";
import { canonicalJson, computeProvenance } from "./provenance.js";
import { callsHash, executeDigest, executeTypedData } from "./typedData.js";

/** Sends one transaction exactly once (the ReliableSender satisfies it). */
export interface TxSender {
  send(intent: TxIntent): Promise<SendOutcome>;
}

export interface MultisigOptions {
  readonly store: Store;
  readonly chainId: number;
  readonly gate: Address;
  readonly vault: Address;
  /** k of the k-of-n gate. */
  readonly threshold: number;
  /** The gate's signer set; signatures from anyone else are refused. */
  readonly signers: readonly Address[];
  readonly proposalTtlSeconds: number;
  /** A proposal this close to its deadline is no longer signed or submitted (mining takes time). */
  readonly deadlineMarginSeconds?: number;
  readonly reader: GateReader;
  readonly simulator: ProposalSimulator;
  readonly checker: RiskChecker;
  readonly operatorId: string;
  readonly logger?: Logger;
}

export interface ProposalInput {
  /** The planner's output; stored as canonical JSON and hashed into the provenance. */
  readonly plan: unknown;
  /** The signal snapshot behind the plan; stored and hashed likewise. */
  readonly snapshot: unknown;
  readonly calls: readonly GateCall[];
  /** Must equal `computeProvenance(snapshot, plan)`. */
  readonly provenance: Hex;
}

export class ProposalError extends Error {
  override name = "ProposalError";
  constructor(
    readonly proposalId: Hex | undefined,
    message: string,
  ) {
    super(proposalId ? `proposal ${proposalId}: ${message}` : message);
  }
}

export interface ProposalView {
  readonly proposal: ProposalRecord;
  readonly signatures: readonly SignatureRecord[];
  readonly threshold: number;
  readonly ready: boolean;
}

/**
 * The k-of-n proposal workflow over the KeeperGate: a strategist proposes a call batch, operators
 * verify (nonce, deadline, simulation, risk limits) and co-sign EIP-712, any keeper submits once
 * the threshold is met. Generic over the calls: it never interprets them.
 */
export class MultisigWorkflow {
  private readonly o: Required<MultisigOptions>;
  private readonly signerSet: Set<string>;

  constructor(options: MultisigOptions) {
    this.o = { deadlineMarginSeconds: 30, logger: silentLogger, ...options };
    if (options.threshold < 1 || options.threshold > options.signers.length) {
      throw new ProposalError(
        undefined,
        `threshold ${options.threshold} is impossible with ${options.signers.length} signers`,
      );
    }
    this.signerSet = new Set(options.signers.map((s) => s.toLowerCase()));
  }

  /**
   * Stores a new proposal for the gate's current nonce. The same calls and provenance for the same
   * nonce return the open proposal already stored (by any operator on the store). With `exclusive`,
   * any other open proposal for that nonce makes it refuse: the automated strategy cycle uses this
   * so that several operators do not collect signatures for competing batches.
   */
  async propose(
    input: ProposalInput,
    options: { readonly exclusive?: boolean } = {},
  ): Promise<ProposalRecord> {
    if (input.calls.length === 0) throw new ProposalError(undefined, "a proposal needs at least one call");
    const calls = input.calls.map((call, index) => {
      if (!isAddress(call.target, { strict: false }))
        throw new ProposalError(undefined, `calls[${index}].target is not an address`);
      if (!isHex(call.data) || call.data.length % 2 !== 0)
        throw new ProposalError(undefined, `calls[${index}].data is not hex bytes`);
      return { target: getAddress(call.target), data: call.data.toLowerCase() as Hex };
    });
    const expected = computeProvenance(input.snapshot, input.plan);
    if (input.provenance.toLowerCase() !== expected) {
      throw new ProposalError(
        undefined,
        `provenance ${input.provenance} does not match the snapshot and plan (${expected})`,
      );
    }
    const [nonce, now] = await Promise.all([this.o.reader.nonce(), this.o.reader.chainTime()]);
    const open = (
      await this.o.store.listProposals({ statuses: ["proposed", "signed", "submitted"], vault: this.o.vault })
    ).filter((p) => p.nonce === nonce && p.gate === this.o.gate && now < p.deadline);
    // The same batch for the same nonce is the same proposal, whoever proposed it and when.
    const same = open.find((p) => p.provenance === expected && sameCalls(p.calls, calls));
    if (same) return same;
    if (options.exclusive && open.length > 0) {
      throw new ProposalError(open[0]!.id, `is already open for gate nonce ${nonce}; not proposing another`);
    }
    // The same batch proposed again after an earlier one expired, failed or was rejected gets a new
    // proposal: when the chain clock has not moved (no block since), its deadline is pushed past the
    // closed one's so the id differs.
    let deadline = now + BigInt(this.o.proposalTtlSeconds);
    let id = executeDigest(this.o.chainId, this.o.gate, {
      vault: this.o.vault,
      calls,
      nonce,
      deadline,
      provenance: expected,
    });
    while (await this.o.store.getProposal(id)) {
      deadline += 1n;
      id = executeDigest(this.o.chainId, this.o.gate, {
        vault: this.o.vault,
        calls,
        nonce,
        deadline,
        provenance: expected,
      });
    }
    await this.o.store.insertProposal({
      id,
      chainId: this.o.chainId,
      gate: this.o.gate,
      vault: this.o.vault,
      calls,
      nonce,
      deadline,
      provenance: expected,
      planJson: canonicalJson(input.plan),
      snapshotJson: canonicalJson(input.snapshot),
      proposer: this.o.operatorId,
      status: "proposed",
    });
    this.o.logger.info("proposal stored", { proposalId: id, nonce, deadline, calls: calls.length });
    return (await this.o.store.getProposal(id))!;
  }

  /**
   * Verifies and co-signs: the stored proposal must still be current (gate nonce unchanged,
   * deadline ahead), its id and provenance must recompute from the stored data, its calls must
   * simulate and pass the risk checker. Signing twice returns the first signature.
   */
  async sign(proposalId: Hex, account: LocalAccount): Promise<SignatureRecord> {
    const proposal = await this.load(proposalId);
    if (!this.signerSet.has(account.address.toLowerCase())) {
      throw new ProposalError(proposalId, `${account.address} is not one of the gate's signers`);
    }
    const existing = (await this.o.store.listSignatures(proposalId)).find(
      (s) => s.signer.toLowerCase() === account.address.toLowerCase(),
    );
    if (existing) return existing;
    if (proposal.status !== "proposed" && proposal.status !== "signed") {
      throw new ProposalError(proposalId, `cannot sign a proposal in status ${proposal.status}`);
    }
    this.verifyIntegrity(proposal);
    await this.assertCurrent(proposal);
    const simulated = await this.o.simulator.simulate(proposal);
    if (!simulated.ok) {
      const reason = `simulation failed: ${simulated.reasons.join("; ")}`;
      // A call the gate can never make (outside the allowlist) will not sign later either: the
      // proposal is closed with its reason instead of staying open for every keeper to retry.
      if (simulated.permanent)
        await this.o.store.transitionProposal(proposalId, ["proposed", "signed"], "failed", { reason });
      throw new ProposalError(proposalId, reason);
    }
    const checked = await this.o.checker.check(proposal, JSON.parse(proposal.planJson));
    if (!checked.ok) throw new ProposalError(proposalId, `risk check failed: ${checked.reasons.join("; ")}`);

    const signature = await account.signTypedData(executeTypedData(this.o.chainId, this.o.gate, proposal));
    await this.addSignature(proposalId, account.address, signature);
    this.o.logger.info("proposal signed", { proposalId, signer: account.address });
    return (await this.o.store.listSignatures(proposalId)).find(
      (s) => s.signer === getAddress(account.address),
    )!;
  }

  /**
   * Records a signature made elsewhere (another operator not sharing this store), after checking
   * it recovers to `signer` and that `signer` is in the gate's set.
   */
  async addSignature(proposalId: Hex, signer: Address, signature: Hex): Promise<void> {
    const proposal = await this.load(proposalId);
    if (proposal.status !== "proposed" && proposal.status !== "signed") {
      throw new ProposalError(
        proposalId,
        `cannot add a signature to a proposal in status ${proposal.status}`,
      );
    }
    if (!this.signerSet.has(signer.toLowerCase()))
      throw new ProposalError(proposalId, `${signer} is not one of the gate's signers`);
    const recovered = await recoverTypedDataAddress({
      ...executeTypedData(this.o.chainId, this.o.gate, proposal),
      signature,
    });
    if (recovered.toLowerCase() !== signer.toLowerCase()) {
      throw new ProposalError(proposalId, `signature recovers to ${recovered}, not ${signer}`);
    }
    await this.o.store.addSignature({ proposalId, signer: getAddress(signer), signature });
    await this.o.store.transitionProposal(proposalId, ["proposed"], "signed");
  }

  /**
   * Closes an open proposal without executing it: an operator rejects it, or its proposer cancels
   * it. It moves to `failed` with `reason`, so no keeper on the store signs or submits it any more.
   * Signatures already given stay valid on chain until the deadline or until the gate's nonce moves:
   * the result says how many there are.
   */
  async close(
    proposalId: Hex,
    how: { readonly action: "rejected" | "cancelled"; readonly by: string; readonly reason: string },
  ): Promise<{ readonly proposal: ProposalRecord; readonly signatures: number }> {
    const proposal = await this.load(proposalId);
    if (proposal.status !== "proposed" && proposal.status !== "signed") {
      throw new ProposalError(proposalId, `cannot be ${how.action}: it is ${proposal.status}`);
    }
    if (how.action === "cancelled" && how.by !== proposal.proposer) {
      throw new ProposalError(
        proposalId,
        `was proposed by ${proposal.proposer}; only its proposer cancels it (operators reject it)`,
      );
    }
    const reason = `${how.action} by ${how.by}: ${how.reason}`;
    if (!(await this.o.store.transitionProposal(proposalId, ["proposed", "signed"], "failed", { reason }))) {
      const now = await this.load(proposalId);
      throw new ProposalError(proposalId, `status changed to ${now.status} meanwhile`);
    }
    this.o.logger.info(`proposal ${how.action}`, { proposalId, by: how.by, reason: how.reason });
    const signatures = (await this.o.store.listSignatures(proposalId)).length;
    return { proposal: await this.load(proposalId), signatures };
  }

  /** The calldata of `execute` with signatures sorted strictly ascending by signer. */
  async executeCalldata(proposalId: Hex): Promise<Hex> {
    const proposal = await this.load(proposalId);
    const signatures = await this.o.store.listSignatures(proposalId);
    const valid = signatures.filter((s) => this.signerSet.has(s.signer.toLowerCase()));
    if (valid.length < this.o.threshold) {
      throw new ProposalError(proposalId, `has ${valid.length} of ${this.o.threshold} required signatures`);
    }
    const sorted = [...valid].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    return encodeFunctionData({
      abi: keeperGateAbi,
      functionName: "execute",
      args: [
        proposal.calls.map((c) => ({ target: c.target, data: c.data })),
        proposal.deadline,
        proposal.provenance,
        sorted.map((s) => ({ signer: s.signer, signature: s.signature })),
      ],
    });
  }

  /**
   * Submits once the threshold is met. Exactly-once per proposal: the send is keyed by the proposal
   * id, and a shared store lets only one operator move it to `submitted`. If another keeper's
   * submission won the race, the proposal is marked executed from the gate's event.
   */
  async submit(proposalId: Hex, sender: TxSender): Promise<ProposalRecord> {
    const proposal = await this.load(proposalId);
    if (proposal.status === "executed" || proposal.status === "failed" || proposal.status === "expired")
      return proposal;
    const data = await this.executeCalldata(proposalId);
    if (proposal.status !== "submitted") {
      try {
        await this.assertCurrent(proposal);
      } catch (error) {
        // Another keeper's submission may have won already: that is success, not an error.
        const settled = await this.load(proposalId);
        if (settled.status === "executed") return settled;
        throw error;
      }
      if (!(await this.o.store.transitionProposal(proposalId, ["proposed", "signed"], "submitted"))) {
        const now = await this.load(proposalId);
        if (now.status !== "submitted")
          throw new ProposalError(proposalId, `status changed to ${now.status} meanwhile`);
      }
    }
    try {
      const outcome = await sender.send({ id: `submit:${proposalId}`, to: proposal.gate, data });
      const status = outcome.status === "confirmed" ? "executed" : "failed";
      await this.o.store.transitionProposal(proposalId, ["submitted"], status, {
        txHash: outcome.hash,
        reason: outcome.status === "confirmed" ? undefined : `transaction ${outcome.status}`,
      });
    } catch (error) {
      if (!(error instanceof SimulationRevertedError)) throw error;
      if (!(await this.settleFromChain(proposal))) {
        await this.o.store.transitionProposal(proposalId, ["submitted"], "failed", {
          reason: `execute reverts in simulation: ${error.reason}`,
        });
      }
    }
    return this.load(proposalId);
  }

  /** Current state, first bringing a stale proposal up to date with the chain (executed / expired). */
  async status(proposalId: Hex): Promise<ProposalView> {
    const proposal = await this.load(proposalId);
    if (proposal.status === "proposed" || proposal.status === "signed") {
      if (!(await this.settleFromChain(proposal))) {
        const now = await this.o.reader.chainTime();
        if (now >= proposal.deadline) {
          await this.o.store.transitionProposal(proposalId, ["proposed", "signed"], "expired", {
            reason: "deadline passed",
          });
        }
      }
    }
    const signatures = await this.o.store.listSignatures(proposalId);
    const refreshed = await this.load(proposalId);
    return {
      proposal: refreshed,
      signatures,
      threshold: this.o.threshold,
      ready:
        signatures.length >= this.o.threshold &&
        (refreshed.status === "proposed" || refreshed.status === "signed"),
    };
  }

  private async load(proposalId: Hex): Promise<ProposalRecord> {
    if (!isHex(proposalId) || proposalId.length !== 66)
      throw new ProposalError(undefined, `proposal id must be 32 bytes of hex, got ${proposalId}`);
    const proposal = await this.o.store.getProposal(proposalId);
    if (!proposal) throw new ProposalError(proposalId, "not found in the store");
    return proposal;
  }

  /** The id and provenance must recompute from what is stored: a tampered row is never signed. */
  private verifyIntegrity(proposal: ProposalRecord): void {
    if (
      proposal.chainId !== this.o.chainId ||
      proposal.gate.toLowerCase() !== this.o.gate.toLowerCase() ||
      proposal.vault.toLowerCase() !== this.o.vault.toLowerCase()
    ) {
      throw new ProposalError(
        proposal.id,
        `belongs to vault ${proposal.vault} behind gate ${proposal.gate} on chain ${proposal.chainId}`,
      );
    }
    if (executeDigest(this.o.chainId, this.o.gate, proposal) !== proposal.id) {
      throw new ProposalError(proposal.id, "stored fields do not hash to its id");
    }
    const provenance = computeProvenance(JSON.parse(proposal.snapshotJson), JSON.parse(proposal.planJson));
    if (provenance !== proposal.provenance.toLowerCase()) {
      throw new ProposalError(proposal.id, "stored plan/snapshot do not hash to its provenance");
    }
  }

  private async assertCurrent(proposal: ProposalRecord): Promise<void> {
    const [nonce, now] = await Promise.all([this.o.reader.nonce(), this.o.reader.chainTime()]);
    if (nonce !== proposal.nonce) {
      if (!(await this.settleFromChain(proposal))) {
        await this.o.store.transitionProposal(proposal.id, ["proposed", "signed"], "expired", {
          reason: `gate nonce moved from ${proposal.nonce} to ${nonce}`,
        });
      }
      throw new ProposalError(proposal.id, `gate nonce is ${nonce}, proposal was made for ${proposal.nonce}`);
    }
    if (now + BigInt(this.o.deadlineMarginSeconds) >= proposal.deadline) {
      await this.o.store.transitionProposal(proposal.id, ["proposed", "signed"], "expired", {
        reason: "deadline passed",
      });
      throw new ProposalError(
        proposal.id,
        `deadline ${proposal.deadline} is past or within ${this.o.deadlineMarginSeconds}s of chain time ${now}`,
      );
    }
  }

  /** If the gate already used this proposal's nonce, records whether it was this proposal. */
  private async settleFromChain(proposal: ProposalRecord): Promise<boolean> {
    const nonce = await this.o.reader.nonce();
    if (nonce <= proposal.nonce) return false;
    const event = await this.o.reader.executed(proposal.nonce);
    const ours =
      event !== undefined &&
      event.provenance.toLowerCase() === proposal.provenance.toLowerCase() &&
      event.callsHash.toLowerCase() === callsHash(proposal.calls);
    const from = ["proposed", "signed", "submitted"] as const;
    if (ours) {
      await this.o.store.transitionProposal(proposal.id, from, "executed", { txHash: event.txHash });
    } else {
      await this.o.store.transitionProposal(proposal.id, from, "expired", {
        reason: `gate nonce ${proposal.nonce} was used by another execution`,
      });
    }
    return true;
  }
}
