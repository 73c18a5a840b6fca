import type { Address, PublicClient } from "viem";
import { ViemGateReader } from "../../../keeper/multisig/gate.js";
import { MultisigWorkflow, type MultisigOptions } from "../../../keeper/multisig/workflow.js";
import type { Store } from "../../../keeper/store/types.js";
import { GateBatchSimulator } from "../../../keeper/vault/batchSimulator.js";

/** The stack pieces a workflow binds to: the gate it proposes to and the vault it serves. */
export interface GateStack {
  readonly gate: Address;
  readonly vault: Address;
  readonly addresses: { readonly operators: readonly string[] };
}

/**
 * The keeper's multisig workflow on the local stack's real 2-of-3 KeeperGate, simulating at the gate
 * and with a risk check that passes everything: the setup the keeper-int tests share. `overrides`
 * replace any option (timeouts, lease margin, checker).
 */
export function gateWorkflow(
  client: PublicClient,
  chainId: number,
  stack: GateStack,
  store: Store,
  operatorId: string,
  overrides: Partial<MultisigOptions> = {},
): MultisigWorkflow {
  return new MultisigWorkflow({
    store,
    chainId,
    gate: stack.gate,
    vault: stack.vault,
    threshold: 2,
    signers: stack.addresses.operators as Address[],
    proposalTtlSeconds: 3_600,
    reader: new ViemGateReader(client, stack.gate),
    simulator: new GateBatchSimulator(client),
    checker: { check: async () => ({ ok: true }) },
    operatorId,
    ...overrides,
  });
}
