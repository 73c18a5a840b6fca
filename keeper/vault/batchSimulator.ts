import {
  concat,
  encodeFunctionData,
  pad,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  type StateOverride,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainDecoder } from "../chain/decode.js";
import { isRevert } from "../chain/retry.js";
import type { CheckResult, ProposalSimulator } from "../multisig/gate.js";
import { keeperGateAbi } from "../abi/contracts.js";
import { executeTypedData } from "../multisig/typedData.js";
import type { ProposalRecord } from "../store/types.js";
import { productErrorDecoder } from "./decoder.js";

/** Gate errors about the batch itself, which no later state of the chain cures. */
const PERMANENT_GATE_ERRORS = new Set(["CallNotAllowed", "MissingSelector", "EmptyBatch"]);

/** An address with no code on any real chain, where the override puts the one-signer list. */
const SIMULATED_SIGNER_LIST: Address = "0x000000000000000000000000000000000000dEaD";

/**
 * Simulates a whole proposal as the KeeperGate would execute it, before the operators have signed:
 * an `eth_call` of `execute` with a state override that makes a throwaway key the gate's only
 * signer (threshold 1). Every call then runs in order from the gate, each seeing the effects of the
 * ones before it, at the gate's real nonce and deadline check: the exact batch, not an
 * approximation. Relies on ThresholdSigners' slot 0 layout (nonce u64 | threshold u8 | signerCount
 * u8 | signerEpoch u16 | signerList address) and its signer list (0x00 then 20-byte addresses).
 */
export class GateBatchSimulator implements ProposalSimulator {
  constructor(
    private readonly client: PublicClient,
    private readonly decoder: ChainDecoder = productErrorDecoder(),
  ) {}

  async simulate(proposal: ProposalRecord): Promise<CheckResult> {
    const { data, stateOverride } = await singleSignerExecute(this.client, proposal);
    try {
      await this.client.call({ to: proposal.gate, data, stateOverride });
      return { ok: true };
    } catch (error) {
      if (!isRevert(error)) throw error;
      const name = this.decoder.errorName(error);
      return {
        ok: false,
        reasons: [`batch reverts at the gate: ${this.decoder.describeError(error)}`],
        permanent: name !== undefined && PERMANENT_GATE_ERRORS.has(name),
      };
    }
  }
}

/**
 * `execute` calldata for `proposal` signed by a throwaway key, and the state override that makes
 * that key the gate's only signer (threshold 1), keeping the gate's real nonce.
 */
export async function singleSignerExecute(
  client: PublicClient,
  proposal: ProposalRecord,
): Promise<{ data: Hex; stateOverride: StateOverride }> {
  const gate = proposal.gate;
  const slot0 = BigInt((await client.getStorageAt({ address: gate, slot: "0x0" })) ?? "0x0");
  const keep = slot0 & ((1n << 64n) - 1n); // nonce
  const epoch = (slot0 >> 80n) & 0xffffn;
  const overridden =
    keep | (1n << 64n) | (1n << 72n) | (epoch << 80n) | (BigInt(SIMULATED_SIGNER_LIST) << 96n);
  const signer = privateKeyToAccount(generatePrivateKey());
  const chainId = await client.getChainId();
  const signature = await signer.signTypedData(executeTypedData(chainId, gate, proposal));
  const data = encodeFunctionData({
    abi: keeperGateAbi,
    functionName: "execute",
    args: [
      proposal.calls.map((c) => ({ target: c.target, data: c.data })),
      proposal.deadline,
      proposal.provenance,
      [{ signer: signer.address, signature }],
    ],
  });
  return {
    data,
    stateOverride: [
      { address: gate, stateDiff: [{ slot: pad("0x0"), value: pad(toHex(overridden)) }] },
      { address: SIMULATED_SIGNER_LIST, code: concat(["0x00", signer.address]) as Hex },
    ],
  };
}
