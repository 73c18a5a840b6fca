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
import {
  IntentFailedError,
  SimulationRevertedError,
  WaitTimeoutError,
  type SendOutcome,
  type TxIntent,
  type WaitOptions,
} from "../chain/sender.js";
import { silentLogger, type Logger } from "../log/logger.js";
import type { GateCall, ProposalRecord, SignatureRecord, Store } from "../store/types.js";
import { sameCalls, type GateReader, type ProposalSimulator, type RiskChecker } from "./gate.js";
import { keeperGateAbi } from "../abi/contracts.js";
import { canonicalJson, computeProvenance } from "./provenance.js";
import { callsHash, executeDigest, executeTypedData } from "./typedData.js";

/** Sends one transaction exactly once (the ReliableSender satisfies it). */
export interface TxSender {
  /** The account the transactions come from: submit leases and intent ids are tied to it. */
  readonly address: Address;
  /** Resolves with the mined outcome, or throws once `timeoutMs` has passed (nothing waits for ever). */
  send(intent: TxIntent, options?: WaitOptions): Promise<SendOutcome>;
  /** Re-opens sends whose mined block a reorg removed (see ReliableSender.recheckMined). */
  recheckMined?(): Promise<string[]>;
}

/** The store key of the lease that makes one account the only submitter of a proposal. */
export function submitLeaseKey(proposalId: Hex): string {
  return `submit:${proposalId.toLowerCase()}`;
}

/** The sender intent of `account` submitting `proposalId`: each account journals its own. */
export function submitIntentId(proposalId: Hex, account: Address): string {
  return `submit:${proposalId.toLowerCase()}:${account.toLowerCase()}`;
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
  /**
   * How long one submit may wait for its transaction (passed to the sender). The submit lease
   * lasts this plus `submitLeaseMarginMs`, so a live holder always renews before anyone may take over.
   */
  readonly submitTimeoutMs?: number;
  readonly submitLeaseMarginMs?: number;
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
  private lastVerified: ProposalRecord | undefined;

  constructor(options: MultisigOptions) {
    this.o = {
      deadlineMarginSeconds: 30,
      submitTimeoutMs: 120_000,
      submitLeaseMarginMs: 60_000,
      logger: silentLogger,
      ...options,
    };
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
      else await this.withdrawRefusedOwn(proposal, reason);
      throw new ProposalError(proposalId, reason);
    }
    const checked = await this.o.checker.check(proposal, JSON.parse(proposal.planJson));
    if (!checked.ok) {
      const reason = `risk check failed: ${checked.reasons.join("; ")}`;
      await this.withdrawRefusedOwn(proposal, reason);
      throw new ProposalError(proposalId, reason);
    }

    // verifyIntegrity checked that the id is the EIP-712 digest of the stored fields: sign it directly
    const signature = account.sign
      ? await account.sign({ hash: proposal.id })
      : await account.signTypedData(executeTypedData(this.o.chainId, this.o.gate, proposal));
    // our own key signed the verified fields just now: nothing to recover
    await this.storeSignature(proposalId, account.address, signature);
    this.o.logger.info("proposal signed", { proposalId, signer: account.address });
    return (await this.o.store.listSignatures(proposalId)).find(
      (s) => s.signer === getAddress(account.address),
    )!;
  }

  /**
   * A proposal this operator made that no one has signed, refused at its own first signature (its
   * batch no longer simulates, e.g. it was planned on state that an execution mined meanwhile
   * changed, or it fails the risk check): no other operator would sign it either, so it is closed
   * at once instead of holding the gate's nonce, and every automated `exclusive` proposal behind
   * it, until its deadline. The next cycle plans again on the chain as it is.
   */
  private async withdrawRefusedOwn(proposal: ProposalRecord, reason: string): Promise<void> {
    if (proposal.proposer !== this.o.operatorId) return;
    if ((await this.o.store.listSignatures(proposal.id)).length > 0) return;
    const withdrawn = await this.o.store.transitionProposal(proposal.id, ["proposed"], "failed", {
      reason: `withdrawn by its proposer ${this.o.operatorId}: ${reason}`,
    });
    if (withdrawn) this.o.logger.info("proposal withdrawn", { proposalId: proposal.id, reason });
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
    await this.storeSignature(proposalId, signer, signature);
  }

  private async storeSignature(proposalId: Hex, signer: Address, signature: Hex): Promise<void> {
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
   * Submits once the threshold is met, exactly once across operators sharing the store:
   *
   * 1. The submitter is decided in the store: a lease on the proposal (`submitLeaseKey`) held by
   *    one account. Whoever does not hold it only observes (settles the proposal from the chain
   *    once the gate's nonce moves) and returns.
   * 2. The holder sends under an intent keyed by proposal *and* account (`submitIntentId`), so
   *    each sender reconciles only its own nonces; a resumed submit finds its journaled tx.
   * 3. The send is bounded by `submitTimeoutMs`, shorter than the lease: a live holder renews on
   *    its next call; only a holder that stopped (crashed, partitioned) can be taken over, and
   *    the new holder first settles from the chain and simulates, so it never sends an execution
   *    the chain already has. The gate's nonce is the last line: a second execute reverts.
   */
  async submit(
    proposalId: Hex,
    sender: TxSender,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ProposalRecord> {
    const proposal = await this.load(proposalId);
    if (proposal.status === "executed" || proposal.status === "failed" || proposal.status === "expired")
      return proposal;
    const data = await this.executeCalldata(proposalId);
    const leaseKey = submitLeaseKey(proposalId);
    const claim = await this.o.store.acquireLease(
      leaseKey,
      sender.address,
      this.o.operatorId,
      this.o.submitTimeoutMs + this.o.submitLeaseMarginMs,
    );
    if (!claim.acquired) {
      await this.settleFromChain(proposal);
      this.o.logger.debug("another operator holds the submit lease; observing", {
        proposalId,
        holder: claim.lease.holder,
        operator: claim.lease.operator,
      });
      return this.load(proposalId);
    }
    if (claim.takenOverFrom) {
      this.o.logger.warn("submit lease taken over from an operator that stopped renewing it", {
        proposalId,
        from: claim.takenOverFrom,
      });
      if ((await this.settleFromChain(proposal, "pending")) !== "open")
        return this.finish(proposalId, sender.address);
    }
    if (proposal.status !== "submitted") {
      try {
        await this.assertCurrent(proposal);
      } catch (error) {
        // Another keeper's submission may have won already: that is success, not an error.
        const settled = await this.finish(proposalId, sender.address);
        if (settled.status === "executed") return settled;
        throw error;
      }
      if (!(await this.o.store.transitionProposal(proposalId, ["proposed", "signed"], "submitted"))) {
        const now = await this.load(proposalId);
        if (now.status !== "submitted")
          throw new ProposalError(proposalId, `status changed to ${now.status} meanwhile`);
      }
    }
    const intent = { id: submitIntentId(proposalId, sender.address), to: proposal.gate, data };
    try {
      const outcome = await sender.send(intent, {
        timeoutMs: this.o.submitTimeoutMs,
        signal: options.signal,
      });
      await this.recordOutcome(proposal, outcome);
    } catch (error) {
      if (error instanceof WaitTimeoutError) {
        // Still ours and still journaled: the next call resumes it under the renewed lease.
        this.o.logger.warn("submission not mined yet; will resume", { proposalId, intentId: intent.id });
        return this.load(proposalId);
      }
      if (!(error instanceof SimulationRevertedError || error instanceof IntentFailedError)) throw error;
      const reason = (error as SimulationRevertedError | IntentFailedError).reason;
      if ((await this.settleFromChain(proposal, "pending")) === "open")
        await this.markUnsent(proposal, `execute reverts in simulation: ${reason}`);
    }
    return this.finish(proposalId, sender.address);
  }

  /** A mined outcome: executed when it succeeded; otherwise whatever the chain says happened. */
  private async recordOutcome(proposal: ProposalRecord, outcome: SendOutcome): Promise<void> {
    if (outcome.status === "confirmed") {
      await this.o.store.transitionProposal(proposal.id, ["submitted"], "executed", { txHash: outcome.hash });
      return;
    }
    // Reverted (e.g. another execution took the nonce first) or cancelled: the chain decides.
    if ((await this.settleFromChain(proposal)) === "open")
      await this.markUnsent(proposal, `transaction ${outcome.status}`);
  }

  /** Our execute did not happen and the nonce is unused: expired past the deadline, else failed. */
  private async markUnsent(proposal: ProposalRecord, reason: string): Promise<void> {
    const now = await this.o.reader.chainTime();
    if (now >= proposal.deadline) {
      await this.o.store.transitionProposal(proposal.id, ["submitted"], "expired", {
        reason: `deadline passed (${reason})`,
      });
    } else {
      await this.o.store.transitionProposal(proposal.id, ["submitted"], "failed", { reason });
    }
  }

  /** Reloads the proposal and gives `holder`'s submit lease up once the proposal is final. */
  private async finish(proposalId: Hex, holder: Address): Promise<ProposalRecord> {
    const proposal = await this.load(proposalId);
    if (proposal.status === "executed" || proposal.status === "failed" || proposal.status === "expired")
      await this.o.store.releaseLease(submitLeaseKey(proposalId), holder);
    return proposal;
  }

  /**
   * Re-checks executed proposals against the chain: one whose execution a reorg removed (the
   * gate's nonce is back at or below it) moves back to `submitted`, so the next submit redoes it.
   * Returns the ids moved back.
   */
  async recheckExecuted(limit = 20): Promise<Hex[]> {
    const executed = await this.o.store.listProposals({ statuses: ["executed"], vault: this.o.vault, limit });
    if (executed.length === 0) return [];
    const nonce = await this.o.reader.nonce();
    const moved: Hex[] = [];
    for (const p of executed) {
      if (p.gate.toLowerCase() !== this.o.gate.toLowerCase() || p.nonce < nonce) continue;
      if (
        await this.o.store.transitionProposal(p.id, ["executed"], "submitted", {
          reason: `execution reorged out (gate nonce back at ${nonce}); resubmitting`,
        })
      ) {
        moved.push(p.id);
        this.o.logger.warn("executed proposal reorged out; resubmitting", {
          proposalId: p.id,
          nonce: p.nonce,
        });
      }
    }
    return moved;
  }

  /** Current state, first bringing a stale proposal up to date with the chain (executed / expired). */
  async status(proposalId: Hex): Promise<ProposalView> {
    const proposal = await this.load(proposalId);
    if (proposal.status === "proposed" || proposal.status === "signed") {
      if ((await this.settleFromChain(proposal)) === "open") {
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
    // the row this workflow verified last, field for field: the hashes would come out the same
    if (this.lastVerified && sameRecord(this.lastVerified, proposal)) return;
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
    this.lastVerified = proposal;
  }

  private async assertCurrent(proposal: ProposalRecord): Promise<void> {
    const [nonce, now] = await Promise.all([this.o.reader.nonce(), this.o.reader.chainTime()]);
    if (nonce !== proposal.nonce) {
      if ((await this.settleFromChain(proposal)) === "open") {
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

  /**
   * If the gate already used this proposal's nonce, records whether it was this proposal.
   * `blockTag` is the one the caller's simulation used: at `pending`, a nonce used by an
   * execution still in the pool (no `Executed` event yet) leaves the proposal as it is.
   * Returns `open` when the nonce is unused, `in-flight` for that pending case.
   */
  private async settleFromChain(
    proposal: ProposalRecord,
    blockTag: "latest" | "pending" = "latest",
  ): Promise<"open" | "in-flight" | "executed" | "expired"> {
    const nonce = await this.o.reader.nonce(blockTag);
    if (nonce <= proposal.nonce) return "open";
    const event = await this.o.reader.executed(proposal.nonce);
    if (event === undefined && blockTag === "pending") return "in-flight";
    const ours =
      event !== undefined &&
      event.provenance.toLowerCase() === proposal.provenance.toLowerCase() &&
      event.callsHash.toLowerCase() === callsHash(proposal.calls);
    const from = ["proposed", "signed", "submitted"] as const;
    if (ours) {
      await this.o.store.transitionProposal(proposal.id, from, "executed", { txHash: event.txHash });
      return "executed";
    }
    await this.o.store.transitionProposal(proposal.id, from, "expired", {
      reason: `gate nonce ${proposal.nonce} was used by another execution`,
    });
    return "expired";
  }
}

/** Whether two stored proposals have the same id and every field their id and provenance hash. */
function sameRecord(a: ProposalRecord, b: ProposalRecord): boolean {
  return (
    a.id === b.id &&
    a.chainId === b.chainId &&
    a.gate === b.gate &&
    a.vault === b.vault &&
    a.nonce === b.nonce &&
    a.deadline === b.deadline &&
    a.provenance === b.provenance &&
    a.planJson === b.planJson &&
    a.snapshotJson === b.snapshotJson &&
    sameCalls(a.calls, b.calls)
  );
}
