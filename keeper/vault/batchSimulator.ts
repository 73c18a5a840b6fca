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
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import type { ChainDecoder } from "../chain/decode.js";
import { isRevert } from "../chain/retry.js";
import type { CheckResult, ProposalSimulator } from "../multisig/gate.js";
import { keeperGateAbi } from "../abi/contracts.js";
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

  /** The last result, by proposal id and block hash: the same batch on the same state runs the same. */
  private last: { readonly key: string; readonly result: CheckResult } | undefined;

  /**
   * Simulates at the latest block. A second simulation of the same proposal at the same block
   * (the next operator of one process, `npm start`) returns the first one's result.
   */
  async simulate(proposal: ProposalRecord): Promise<CheckResult> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    const key = `${proposal.id}:${block.hash}`;
    if (this.last?.key === key) return this.last.result;
    const result = await this.simulateAt(proposal, block.number);
    this.last = { key, result };
    return result;
  }

  private async simulateAt(proposal: ProposalRecord, blockNumber: bigint): Promise<CheckResult> {
    const { data, stateOverride } = await singleSignerExecute(this.client, proposal);
    try {
      await this.client.call({ to: proposal.gate, data, stateOverride, blockNumber });
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

let throwaway: PrivateKeyAccount | undefined;

/**
 * The throwaway key simulations sign with: one per process, made on first use. It signs only for
 * `eth_call`s in which a state override makes it the gate's sole signer; no transaction uses it.
 */
function simulationSigner(): PrivateKeyAccount {
  throwaway ??= privateKeyToAccount(generatePrivateKey());
  return throwaway;
}

/** The throwaway key's signatures of the last proposals simulated, by chain, gate and proposal id. */
const signatures = new Map<string, Hex>();
const REMEMBERED_SIGNATURES = 8;

async function simulationSignature(
  signer: PrivateKeyAccount,
  chainId: number,
  proposal: ProposalRecord,
): Promise<Hex> {
  const key = `${chainId}:${proposal.gate.toLowerCase()}:${proposal.id.toLowerCase()}`;
  const known = signatures.get(key);
  if (known) return known;
  // the id is the EIP-712 digest of the proposal (a stored one whose fields do not hash to it gets
  // a signature the gate refuses: the simulation fails, never passes)
  const signature = await signer.sign({ hash: proposal.id });
  signatures.set(key, signature);
  if (signatures.size > REMEMBERED_SIGNATURES) signatures.delete(signatures.keys().next().value!);
  return signature;
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
  const signer = simulationSigner();
  const chainId = client.chain?.id ?? (await client.getChainId());
  const signature = await simulationSignature(signer, chainId, proposal);
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
