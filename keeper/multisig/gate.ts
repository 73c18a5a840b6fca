import { getAddress, type Address, type Hex, type PublicClient } from "viem";
import { errorMessage, isRevert } from "../chain/retry.js";
import type { GateCall, ProposalRecord } from "../store/types.js";
import { keeperGateAbi } from "../abi/contracts.js";

/** What the workflow needs to read from the chain about the gate. */
export interface GateReader {
  /**
   * The gate's next execution nonce, at `latest` (default) or at `pending` (counting executions
   * waiting in the node's pool, as a `pending` simulation sees them).
   */
  nonce(blockTag?: "latest" | "pending"): Promise<bigint>;
  /** Timestamp of the latest block: deadlines are checked against chain time, not the local clock. */
  chainTime(): Promise<bigint>;
  /** The `Executed` event for `nonce`, if that nonce was used. */
  executed(nonce: bigint): Promise<{ provenance: Hex; callsHash: Hex; txHash: Hex } | undefined>;
  /** The gate's vault, threshold and signer set, to check the operator's config against. */
  configuration(): Promise<GateConfiguration>;
}

export interface GateConfiguration {
  readonly vault: Address;
  readonly threshold: number;
  readonly signers: readonly Address[];
}

/**
 * Differences between the operator's configured gate and the one on chain. Signing for the wrong
 * vault or counting a threshold the gate does not use would waste signatures or stall submissions.
 */
export function gateConfigMismatches(expected: GateConfiguration, actual: GateConfiguration): string[] {
  const problems: string[] = [];
  if (expected.vault.toLowerCase() !== actual.vault.toLowerCase()) {
    problems.push(`gate.vault is ${expected.vault} but the gate serves ${actual.vault}`);
  }
  if (expected.threshold !== actual.threshold) {
    problems.push(`gate.threshold is ${expected.threshold} but the gate requires ${actual.threshold}`);
  }
  const onChain = new Set(actual.signers.map((s) => s.toLowerCase()));
  const configured = new Set(expected.signers.map((s) => s.toLowerCase()));
  const missing = actual.signers.filter((s) => !configured.has(s.toLowerCase()));
  const extra = expected.signers.filter((s) => !onChain.has(s.toLowerCase()));
  if (missing.length > 0) problems.push(`gate.signers lacks on-chain signers ${missing.join(", ")}`);
  if (extra.length > 0) problems.push(`gate.signers lists ${extra.join(", ")}, not signers of the gate`);
  return problems;
}

export class ViemGateReader implements GateReader {
  constructor(
    private readonly client: PublicClient,
    private readonly gate: Address,
    /** First block to scan for `Executed` (the gate's deployment block). */
    private readonly fromBlock: bigint = 0n,
  ) {}

  nonce(blockTag: "latest" | "pending" = "latest"): Promise<bigint> {
    return this.client.readContract({
      address: this.gate,
      abi: keeperGateAbi,
      functionName: "nonce",
      blockTag,
    });
  }

  async chainTime(): Promise<bigint> {
    return (await this.client.getBlock({ blockTag: "latest" })).timestamp;
  }

  async executed(nonce: bigint) {
    const logs = await this.client.getContractEvents({
      address: this.gate,
      abi: keeperGateAbi,
      eventName: "Executed",
      args: { nonce },
      fromBlock: this.fromBlock,
      toBlock: "latest",
    });
    const log = logs[0];
    if (!log || !log.transactionHash) return undefined;
    return { provenance: log.args.provenance!, callsHash: log.args.callsHash!, txHash: log.transactionHash };
  }

  async configuration(): Promise<GateConfiguration> {
    const [vault, threshold, signers] = await Promise.all([
      this.client.readContract({ address: this.gate, abi: keeperGateAbi, functionName: "vault" }),
      this.client.readContract({ address: this.gate, abi: keeperGateAbi, functionName: "threshold" }),
      this.client.readContract({ address: this.gate, abi: keeperGateAbi, functionName: "signers" }),
    ]);
    return { vault, threshold: Number(threshold), signers };
  }
}

export type CheckResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reasons: readonly string[];
      /** The failure cannot go away by waiting (a call outside the gate's allowlist). */
      readonly permanent?: boolean;
    };

/** Re-runs the calls before a signature is given. */
export interface ProposalSimulator {
  simulate(proposal: ProposalRecord): Promise<CheckResult>;
}

/** Re-checks risk limits (caps, mandates, slippage) on the stored plan before signing. */
export interface RiskChecker {
  check(proposal: ProposalRecord, plan: unknown): Promise<CheckResult>;
}

/**
 * Simulates each call as the gate would make it (`eth_call` from the gate address). Calls run
 * against the same state one by one, so a call that depends on an earlier call of the batch is only
 * approximated here; the whole batch is simulated for real (with signatures) before submission.
 */
export class GateCallSimulator implements ProposalSimulator {
  constructor(private readonly client: PublicClient) {}

  async simulate(proposal: ProposalRecord): Promise<CheckResult> {
    const reasons: string[] = [];
    for (const [index, call] of proposal.calls.entries()) {
      try {
        await this.client.call({ account: getAddress(proposal.gate), to: call.target, data: call.data });
      } catch (error) {
        if (!isRevert(error)) throw error;
        reasons.push(`call ${index} to ${call.target} reverts: ${errorMessage(error)}`);
      }
    }
    return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
  }
}

export function sameCalls(a: readonly GateCall[], b: readonly GateCall[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (c, i) =>
        c.target.toLowerCase() === b[i]!.target.toLowerCase() &&
        c.data.toLowerCase() === b[i]!.data.toLowerCase(),
    )
  );
}
