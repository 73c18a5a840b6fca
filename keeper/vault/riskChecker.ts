import { decodeFunctionData, type Address, type PublicClient } from "viem";
import type { CheckResult, RiskChecker } from "../multisig/gate.js";
import { sameCalls } from "../multisig/gate.js";
import type { ProposalRecord } from "../store/types.js";
import { productAbis } from "./abis.js";
import type { PlanAction } from "./actions.js";
import { encodePlan } from "./planner.js";

/**
 * What an operator re-checks before signing, on the chain as it is now: the calls are exactly the
 * encoding of the stored plan (nobody slipped in another call), every target is the vault or one
 * of its enabled connectors, and each transfer keeps its connector within the Registry cap. The
 * per-call simulation is the workflow's; the whole signed batch is simulated again before sending.
 */
export class ChainRiskChecker implements RiskChecker {
  constructor(
    private readonly o: {
      readonly client: PublicClient;
      readonly vault: Address;
      readonly registry: Address;
    },
  ) {}

  async check(proposal: ProposalRecord, plan: unknown): Promise<CheckResult> {
    const reasons: string[] = [];
    const p = plan as { kind?: string; vault?: string; actions?: PlanAction[] };
    if (p.vault?.toLowerCase() !== this.o.vault.toLowerCase())
      reasons.push(`plan is for vault ${p.vault}, not ${this.o.vault}`);
    if (p.kind === "settle") {
      if (
        proposal.calls.length !== 1 ||
        proposal.calls[0]!.target.toLowerCase() !== this.o.vault.toLowerCase()
      )
        reasons.push("a settlement proposal must be exactly one call to the vault");
      return result(reasons);
    }
    if (p.kind !== "rebalance" || !Array.isArray(p.actions))
      return result([...reasons, "plan is not a rebalance plan"]);
    let expected;
    try {
      expected = encodePlan({ vault: this.o.vault, actions: p.actions });
    } catch (error) {
      return result([...reasons, `plan actions do not encode: ${(error as Error).message}`]);
    }
    if (!sameCalls(expected, proposal.calls)) reasons.push("calls are not the encoding of the stored plan");
    const connectors = (await this.o.client.readContract({
      address: this.o.registry,
      abi: productAbis.registry(),
      functionName: "connectorsOf",
      args: [this.o.vault],
    })) as readonly Address[];
    const known = new Set(connectors.map((c) => c.toLowerCase()));
    const added = new Map<string, bigint>();
    for (const [i, call] of proposal.calls.entries()) {
      const target = call.target.toLowerCase();
      if (target !== this.o.vault.toLowerCase() && !known.has(target)) {
        reasons.push(`calls[${i}] targets ${call.target}, not the vault or one of its connectors`);
        continue;
      }
      if (target !== this.o.vault.toLowerCase()) continue;
      const decoded = decodeFunctionData({ abi: productAbis.vault(), data: call.data });
      if (decoded.functionName !== "transferToConnector") continue;
      const [connector, amount] = decoded.args as readonly [Address, bigint];
      added.set(connector.toLowerCase(), (added.get(connector.toLowerCase()) ?? 0n) + amount);
    }
    for (const [connector, amount] of added) {
      const [config, [value]] = (await Promise.all([
        this.o.client.readContract({
          address: this.o.registry,
          abi: productAbis.registry(),
          functionName: "connectorConfig",
          args: [connector],
        }),
        this.o.client.readContract({
          address: connector as Address,
          abi: productAbis.connector(),
          functionName: "totalValue",
        }),
      ])) as [{ cap: bigint; enabled: boolean }, readonly [bigint, boolean]];
      if (!config.enabled) reasons.push(`connector ${connector} is disabled`);
      else if (value + amount > config.cap)
        reasons.push(`connector ${connector} would hold ${value + amount}, above its cap ${config.cap}`);
    }
    return result(reasons);
  }
}

function result(reasons: readonly string[]): CheckResult {
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
