import {
  decodeFunctionData,
  getAddress,
  toFunctionSelector,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import type { CheckResult, RiskChecker } from "../multisig/gate.js";
import { sameCalls } from "../multisig/gate.js";
import type { ProposalRecord } from "../store/types.js";
import { productAbis } from "./abis.js";
import { encodePlan, type PlanAction } from "../planning/actions.js";

/**
 * What an operator re-checks before signing, on the chain as it is now: the calls are exactly the
 * encoding of the stored plan (nobody slipped in another call), every target is the vault or one
 * of its enabled connectors, every sendToConnector goes to one of them, and each transfer into a
 * connector (from the vault or from another connector) keeps it within the Registry cap. The plan's
 * actions are the closed list of `PlanAction` kinds (moves, lending, the LI.FI swap, Uniswap LP
 * mint / increase, `settle`); anything else does not encode and is refused. The
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
    const p = storedPlan(plan);
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
    if (p.kind !== "rebalance" || !p.actions) return result([...reasons, "plan is not a rebalance plan"]);
    let expected;
    try {
      expected = encodePlan({ vault: this.o.vault, actions: p.actions });
    } catch (error) {
      return result([...reasons, `plan actions do not encode: ${(error as Error).message}`]);
    }
    if (!sameCalls(expected, proposal.calls)) reasons.push("calls are not the encoding of the stored plan");
    const connectors = await this.o.client.readContract({
      address: this.o.registry,
      abi: productAbis.registry,
      functionName: "connectorsOf",
      args: [this.o.vault],
    });
    const known = new Set(connectors.map((c) => c.toLowerCase()));
    const added = new Map<Address, bigint>();
    for (const [i, call] of proposal.calls.entries()) {
      const target = call.target.toLowerCase();
      if (target !== this.o.vault.toLowerCase() && !known.has(target)) {
        reasons.push(`calls[${i}] targets ${call.target}, not the vault or one of its connectors`);
        continue;
      }
      const receiver = this.receiverOf(target, call.data);
      if (!receiver) continue;
      const to = getAddress(receiver.connector);
      if (!known.has(to.toLowerCase())) {
        reasons.push(`calls[${i}] sends to ${receiver.connector}, not one of the vault's connectors`);
        continue;
      }
      added.set(to, (added.get(to) ?? 0n) + receiver.amount);
    }
    const blockNumber = await this.o.client.getBlockNumber({ cacheTime: 0 });
    const funded = await Promise.all(
      [...added].map(async ([connector, amount]) => {
        const [config, [value]] = await Promise.all([
          this.o.client.readContract({
            address: this.o.registry,
            abi: productAbis.registry,
            functionName: "connectorConfig",
            args: [connector],
            blockNumber,
          }),
          this.o.client.readContract({
            address: connector,
            abi: productAbis.connector,
            functionName: "totalValue",
            blockNumber,
          }),
        ]);
        return { connector, amount, config, value };
      }),
    );
    for (const { connector, amount, config, value } of funded) {
      if (!config.enabled) reasons.push(`connector ${connector} is disabled`);
      else if (value + amount > config.cap)
        reasons.push(`connector ${connector} would hold ${value + amount}, above its cap ${config.cap}`);
    }
    return result(reasons);
  }

  /** The connector a call funds and by how much: the vault's transferToConnector or a connector's sendToConnector. */
  private receiverOf(target: string, data: Hex): { connector: Address; amount: bigint } | undefined {
    if (target === this.o.vault.toLowerCase()) {
      const decoded = decodeFunctionData({ abi: productAbis.vault, data });
      if (decoded.functionName !== "transferToConnector") return undefined;
      const [connector, amount] = decoded.args;
      return { connector, amount };
    }
    if (data.slice(0, 10) !== SEND_TO_CONNECTOR) return undefined;
    const decoded = decodeFunctionData({ abi: productAbis.connector, data });
    if (decoded.functionName !== "sendToConnector") return undefined;
    const [connector, , amount] = decoded.args;
    return { connector, amount };
  }
}

const SEND_TO_CONNECTOR = toFunctionSelector("sendToConnector(address,address,uint256)");

/**
 * The fields of a stored plan (JSON from the store, so checked here, not trusted) the check reads:
 * its kind and vault when they are strings, its actions when they are a list of objects with a
 * string `kind`; whether each action is well-formed is for `encodePlan` to say.
 */
function storedPlan(plan: unknown): { kind?: string; vault?: string; actions?: PlanAction[] } {
  if (typeof plan !== "object" || plan === null) return {};
  const kind = "kind" in plan && typeof plan.kind === "string" ? plan.kind : undefined;
  const vault = "vault" in plan && typeof plan.vault === "string" ? plan.vault : undefined;
  const actions =
    "actions" in plan && Array.isArray(plan.actions) && plan.actions.every(isActionLike)
      ? plan.actions
      : undefined;
  return { ...(kind ? { kind } : {}), ...(vault ? { vault } : {}), ...(actions ? { actions } : {}) };
}

/** An entry with a string `kind`; `encodeAction` refuses an unknown kind or a malformed field. */
function isActionLike(value: unknown): value is PlanAction {
  return typeof value === "object" && value !== null && "kind" in value && typeof value.kind === "string";
}

function result(reasons: readonly string[]): CheckResult {
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
