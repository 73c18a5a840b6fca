import { encodeFunctionData, getAddress, sliceHex, type Address, type Hex, type PublicClient } from "viem";
import type { SendOutcome } from "../chain/sender.js";
import type { CheckResult } from "../multisig/gate.js";
import type { TxSender } from "../multisig/workflow.js";
import type { GateCall } from "../store/types.js";
import { productAbis } from "./abis.js";

/** The bounds of an approved mandate the keeper checks an action against before sending it. */
export interface MandateTerms {
  /** `KeeperGate.mandateDigest(mandate)` */
  readonly id: Hex;
  readonly connectors: readonly Address[];
  readonly tokens: readonly Address[];
  readonly selectors: readonly Hex[];
}

/**
 * Small actions inside an approved mandate, sent by one keeper alone through
 * `KeeperGate.executeMandate`. Each action is checked first against the mandate's lists, its state
 * on chain (revoked, expired) and its notional limits (per action and the period's
 * headroom, valued by the vault's oracle as the gate values it); the sender then simulates and sends
 * it exactly once per (mandate, provenance).
 */
export class MandateExecutor {
  constructor(
    private readonly o: {
      readonly client: PublicClient;
      readonly gate: Address;
      readonly oracle: Address;
      readonly sender: TxSender;
    },
  ) {}

  async check(terms: MandateTerms, action: GateCall): Promise<CheckResult> {
    const reasons: string[] = [];
    const selector = sliceHex(action.data, 0, 4).toLowerCase();
    if (!terms.selectors.some((s) => s.toLowerCase() === selector))
      reasons.push(`selector ${selector} not in the mandate`);
    if (!terms.connectors.some((c) => getAddress(c) === getAddress(action.target)))
      reasons.push(`connector ${action.target} not in the mandate`);
    if (action.data.length < 2 + 2 * (4 + 64))
      return { ok: false, reasons: [...reasons, "action has no (token, amount) head"] };
    const token = getAddress(sliceHex(action.data, 4 + 12, 4 + 32));
    const amount = BigInt(sliceHex(action.data, 4 + 32, 4 + 64));
    if (!terms.tokens.some((t) => getAddress(t) === token)) reasons.push(`token ${token} not in the mandate`);
    // outside the mandate's lists: its head is not a (token, amount), so nothing on chain can value it
    if (reasons.length > 0) return { ok: false, reasons };
    const gateAbi = productAbis.gate;
    const [state, headroom, block] = await Promise.all([
      this.o.client.readContract({
        address: this.o.gate,
        abi: gateAbi,
        functionName: "mandateState",
        args: [terms.id],
      }),
      this.o.client.readContract({
        address: this.o.gate,
        abi: gateAbi,
        functionName: "mandatePeriodHeadroom",
        args: [terms.id],
      }),
      this.o.client.getBlock(),
    ]);
    if (state.revoked) reasons.push("mandate revoked");
    if (block.timestamp >= state.expiry) reasons.push("mandate expired");
    const notional = await this.o.client.readContract({
      address: this.o.oracle,
      abi: productAbis.oracle,
      functionName: "valueOf",
      args: [token, amount],
    });
    if (notional > state.maxNotionalPerAction)
      reasons.push(`notional ${notional} above the mandate's ${state.maxNotionalPerAction} per action`);
    if (notional > headroom) reasons.push(`notional ${notional} above the period's remaining ${headroom}`);
    return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
  }

  /** Checks, then sends `executeMandate`; refuses (nothing sent) when the action is outside the mandate. */
  async execute(terms: MandateTerms, action: GateCall, provenance: Hex): Promise<SendOutcome> {
    const checked = await this.check(terms, action);
    if (!checked.ok) throw new Error(`action outside mandate ${terms.id}: ${checked.reasons.join("; ")}`);
    return this.o.sender.send({
      id: `mandate:${terms.id}:${provenance}`,
      to: this.o.gate,
      data: encodeFunctionData({
        abi: productAbis.gate,
        functionName: "executeMandate",
        args: [terms.id, { target: action.target, data: action.data }, provenance],
      }),
    });
  }
}
