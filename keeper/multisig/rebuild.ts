import {
  decodeFunctionData,
  getAddress,
  keccak256,
  serializeTransaction,
  type Address,
  type Hex,
  type PublicClient,
  type Transaction,
} from "viem";
import { keeperGateAbi } from "../abi/contracts.js";
import { silentLogger, type Logger } from "../log/logger.js";
import type { GateCall, Store } from "../store/types.js";
import { callsHash, executeDigest } from "./typedData.js";
import { submitIntentId, submitLeaseKey } from "./workflow.js";

/** Who recorded a proposal rebuilt from the chain (its `proposer`). */
export const REBUILT_PROPOSER = "rebuilt-from-chain";
/**
 * The plan and snapshot of a rebuilt proposal. The chain keeps only their hash (the provenance),
 * so these stand in for them; the proposal is never signed again (it is executed or in flight).
 */
export const REBUILT_PLAN_JSON = JSON.stringify({ rebuiltFromChain: true });

export class RebuildError extends Error {
  override name = "RebuildError";
}

export interface RebuildOptions {
  readonly client: PublicClient;
  readonly store: Store;
  readonly chainId: number;
  readonly gate: Address;
  readonly vault: Address;
  /** The account whose transactions still in the node's pool are journaled again (this operator's). */
  readonly account?: Address;
  /** First block to scan (the gate's deployment block). */
  readonly fromBlock?: bigint;
  /**
   * TTL of the submit lease given to the sender of a pooled execute, so the other operators observe
   * it instead of competing (the workflow's lease: `sender.waitTimeoutMs` + 60 s).
   */
  readonly leaseTtlMs?: number;
  /** Blocks per `eth_getLogs` request. */
  readonly pageBlocks?: bigint;
  readonly logger?: Logger;
}

export interface RebuildReport {
  readonly scannedBlocks: { readonly from: bigint; readonly to: bigint };
  /** Gate nonces whose execution was recorded as an executed proposal. */
  readonly executed: number;
  /** Executions sent through another contract: the nonce is used but the batch cannot be read back. */
  readonly unreadable: readonly bigint[];
  readonly signatures: number;
  /** `executeMandate` actions recorded as confirmed intents (the gate does not refuse a repeat). */
  readonly mandateActions: number;
  /** This account's transactions in the node's pool, journaled so the sender waits for them. */
  readonly pending: number;
  readonly gateNonce: bigint;
}

interface Planned {
  readonly proposals: Parameters<Store["insertProposal"]>[0][];
  readonly signatures: Parameters<Store["addSignature"]>[0][];
  readonly intents: {
    readonly intent: Parameters<Store["upsertIntent"]>[0];
    readonly status: "confirmed" | "sent";
    readonly txHash: Hex;
    readonly send?: Parameters<Store["insertSend"]>[0];
  }[];
  readonly leases: { readonly key: string; readonly holder: Address }[];
}

/**
 * Rebuilds an empty store from the chain, so a keeper started on it does not redo executed work:
 * every `Executed(nonce, provenance, callsHash)` of the gate becomes an executed proposal (calls,
 * deadline and signatures read back from the `execute` transaction, so its id is the one the
 * signers signed), every `MandateExecuted` a confirmed intent under the id the mandate executor
 * uses, and this account's transactions still in the node's pool (between its mined and pending
 * nonce) are journaled again (a gate execute as a `submitted` proposal with its signatures) so the
 * sender waits for them instead of signing something new at their nonces.
 *
 * Everything is read first and checked; the store is written only when the whole picture is
 * consistent, and only when it is empty. Nothing is written on any error.
 */
export async function rebuildStoreFromChain(options: RebuildOptions): Promise<RebuildReport> {
  const { client, store, chainId } = options;
  const gate = getAddress(options.gate);
  const vault = getAddress(options.vault);
  const logger = options.logger ?? silentLogger;
  const [proposalCounts, sendCounts] = await Promise.all([
    store.countProposalsByStatus(),
    store.countSendsByStatus(),
  ]);
  const rows = [...Object.values(proposalCounts), ...Object.values(sendCounts)].reduce((a, b) => a + b, 0);
  if (rows > 0)
    throw new RebuildError(
      `the store is not empty (${rows} proposals and sends); rebuild only fills a new store`,
    );

  const head = await client.getBlockNumber({ cacheTime: 0 });
  const from = options.fromBlock ?? 0n;
  const page = options.pageBlocks ?? 10_000n;
  const planned: Planned = { proposals: [], signatures: [], intents: [], leases: [] };
  const unreadable: bigint[] = [];
  const transactions = new Map<Hex, Transaction>();
  const transaction = async (hash: Hex) => {
    let tx = transactions.get(hash);
    if (!tx) transactions.set(hash, (tx = await client.getTransaction({ hash })));
    return tx;
  };

  let executed = 0;
  let mandateActions = 0;
  for (let start = from; start <= head; start += page) {
    const end = start + page - 1n < head ? start + page - 1n : head;
    const [executions, mandates] = await Promise.all([
      client.getContractEvents({
        address: gate,
        abi: keeperGateAbi,
        eventName: "Executed",
        fromBlock: start,
        toBlock: end,
      }),
      client.getContractEvents({
        address: gate,
        abi: keeperGateAbi,
        eventName: "MandateExecuted",
        fromBlock: start,
        toBlock: end,
      }),
    ]);
    for (const event of executions) {
      const tx = await transaction(event.transactionHash);
      const batch = readExecute(tx, gate);
      const nonce = event.args.nonce!;
      if (!batch) {
        unreadable.push(nonce);
        logger.warn("gate execution sent through another contract; its batch cannot be read back", {
          nonce,
          txHash: tx.hash,
        });
        continue;
      }
      if (
        callsHash(batch.calls) !== event.args.callsHash!.toLowerCase() ||
        batch.provenance.toLowerCase() !== event.args.provenance!.toLowerCase()
      )
        throw new RebuildError(
          `the execute transaction ${tx.hash} does not match its Executed event (nonce ${nonce})`,
        );
      addProposal(planned, {
        chainId,
        gate,
        vault,
        nonce,
        batch,
        status: "executed",
        txHash: tx.hash,
        from: tx.from,
      });
      executed++;
    }
    for (const event of mandates) {
      const tx = await transaction(event.transactionHash);
      if (tx.to?.toLowerCase() !== gate.toLowerCase()) {
        logger.warn("mandate action sent through another contract; not journaled", { txHash: tx.hash });
        continue;
      }
      planned.intents.push({
        intent: {
          id: `mandate:${event.args.mandateId!}:${event.args.provenance!}`,
          account: getAddress(tx.from),
          chainId,
          to: gate,
          data: tx.input,
          value: tx.value,
        },
        status: "confirmed",
        txHash: tx.hash,
      });
      mandateActions++;
    }
  }

  const pending = options.account ? await pendingTransactions(client, options.account) : [];
  // Pooled executes run in nonce order after the gate's mined nonce: each takes the next one.
  let pooledGateNonce = await client.readContract({
    address: gate,
    abi: keeperGateAbi,
    functionName: "nonce",
  });
  for (const tx of pending) {
    const raw = rawTransaction(tx);
    const send = (intentId: string) => ({
      hash: tx.hash,
      intentId,
      account: getAddress(tx.from),
      chainId,
      nonce: tx.nonce,
      kind: "original" as const,
      raw,
      maxFeePerGas: tx.maxFeePerGas!,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
      status: "broadcast" as const,
    });
    const batch = tx.to?.toLowerCase() === gate.toLowerCase() ? readExecute(tx, gate) : undefined;
    if (batch) {
      const nonce = pooledGateNonce++;
      const id = addProposal(planned, {
        chainId,
        gate,
        vault,
        nonce,
        batch,
        status: "submitted",
        from: tx.from,
      });
      const intentId = submitIntentId(id, getAddress(tx.from));
      planned.leases.push({ key: submitLeaseKey(id), holder: getAddress(tx.from) });
      planned.intents.push({
        intent: {
          id: intentId,
          account: getAddress(tx.from),
          chainId,
          to: gate,
          data: tx.input,
          value: tx.value,
        },
        status: "sent",
        txHash: tx.hash,
        send: send(intentId),
      });
      continue;
    }
    // Not a gate batch (a mandate action, a settlement, a gap fill): journaled under its own hash,
    // so the sender sees the nonce taken and settles the transaction when it is mined.
    const intentId = mandateIntentId(tx, gate) ?? `rebuilt:${tx.hash}`;
    planned.intents.push({
      intent: {
        id: intentId,
        account: getAddress(tx.from),
        chainId,
        to: tx.to!,
        data: tx.input,
        value: tx.value,
      },
      status: "sent",
      txHash: tx.hash,
      send: send(intentId),
    });
  }

  for (const p of planned.proposals) await store.insertProposal(p);
  for (const s of planned.signatures) await store.addSignature(s);
  for (const { intent, status, txHash, send } of planned.intents) {
    await store.upsertIntent(intent);
    if (send) await store.insertSend(send);
    await store.setIntentStatus(intent.id, status, { txHash });
  }
  for (const lease of planned.leases)
    await store.acquireLease(lease.key, lease.holder, REBUILT_PROPOSER, options.leaseTtlMs ?? 90_000);
  const gateNonce = await client.readContract({ address: gate, abi: keeperGateAbi, functionName: "nonce" });
  const report: RebuildReport = {
    scannedBlocks: { from, to: head },
    executed,
    unreadable,
    signatures: planned.signatures.length,
    mandateActions,
    pending: pending.length,
    gateNonce,
  };
  logger.info("store rebuilt from the chain", { ...report });
  return report;
}

interface ExecuteBatch {
  readonly calls: GateCall[];
  readonly deadline: bigint;
  readonly provenance: Hex;
  readonly signatures: { readonly signer: Address; readonly signature: Hex }[];
}

/** The batch of a direct `execute` call to the gate, or undefined for anything else. */
function readExecute(tx: Transaction, gate: Address): ExecuteBatch | undefined {
  if (tx.to?.toLowerCase() !== gate.toLowerCase()) return undefined;
  let decoded;
  try {
    decoded = decodeFunctionData({ abi: keeperGateAbi, data: tx.input });
  } catch {
    return undefined;
  }
  if (decoded.functionName !== "execute") return undefined;
  const [calls, deadline, provenance, signatures] = decoded.args;
  return {
    calls: calls.map((c) => ({ target: getAddress(c.target), data: c.data.toLowerCase() as Hex })),
    deadline,
    provenance: provenance.toLowerCase() as Hex,
    signatures: signatures.map((s) => ({ signer: getAddress(s.signer), signature: s.signature })),
  };
}

function mandateIntentId(tx: Transaction, gate: Address): string | undefined {
  if (tx.to?.toLowerCase() !== gate.toLowerCase()) return undefined;
  try {
    const decoded = decodeFunctionData({ abi: keeperGateAbi, data: tx.input });
    if (decoded.functionName !== "executeMandate") return undefined;
    const [mandateId, , provenance] = decoded.args;
    return `mandate:${mandateId}:${provenance}`;
  } catch {
    return undefined;
  }
}

function addProposal(
  planned: Planned,
  p: {
    chainId: number;
    gate: Address;
    vault: Address;
    nonce: bigint;
    batch: ExecuteBatch;
    status: "executed" | "submitted";
    txHash?: Hex;
    from: Address;
  },
): Hex {
  const id = executeDigest(p.chainId, p.gate, {
    vault: p.vault,
    calls: p.batch.calls,
    nonce: p.nonce,
    deadline: p.batch.deadline,
    provenance: p.batch.provenance,
  });
  planned.proposals.push({
    id,
    chainId: p.chainId,
    gate: p.gate,
    vault: p.vault,
    calls: p.batch.calls,
    nonce: p.nonce,
    deadline: p.batch.deadline,
    provenance: p.batch.provenance,
    planJson: REBUILT_PLAN_JSON,
    snapshotJson: REBUILT_PLAN_JSON,
    proposer: REBUILT_PROPOSER,
    status: p.status,
    statusReason:
      p.status === "executed"
        ? `rebuilt from the chain (Executed, sent by ${getAddress(p.from)})`
        : `rebuilt from the node's pool (sent by ${getAddress(p.from)}, not mined yet)`,
    txHash: p.txHash,
  });
  for (const s of p.batch.signatures)
    planned.signatures.push({ proposalId: id, signer: s.signer, signature: s.signature });
  return id;
}

/**
 * This account's transactions the node holds unmined: every nonce from its mined count (`latest`)
 * to its pool-inclusive count (`pending`), read from the node's pending block. A nonce the node
 * counts but does not show cannot be journaled, so the rebuild refuses.
 */
async function pendingTransactions(client: PublicClient, account: Address): Promise<Transaction[]> {
  const [latest, pending] = await Promise.all([
    client.getTransactionCount({ address: account, blockTag: "latest" }),
    client.getTransactionCount({ address: account, blockTag: "pending" }),
  ]);
  if (pending <= latest) return [];
  const block = await client.getBlock({ blockTag: "pending", includeTransactions: true });
  const ours = block.transactions.filter((tx) => tx.from.toLowerCase() === account.toLowerCase());
  const found: Transaction[] = [];
  for (let nonce = latest; nonce < pending; nonce++) {
    const tx = ours.find((t) => t.nonce === nonce);
    if (!tx)
      throw new RebuildError(
        `account ${account} has nonce ${nonce} in the node's pool but the node's pending block does not show it; ` +
          `rebuild again once transactions ${latest}..${pending - 1} are mined`,
      );
    found.push(tx as Transaction);
  }
  return found;
}

/** The signed bytes of a pooled transaction, re-serialized and checked against its hash. */
function rawTransaction(tx: Transaction): Hex {
  if (tx.type !== "eip1559")
    throw new RebuildError(
      `pooled transaction ${tx.hash} is of type ${tx.type}; the keeper only sends eip1559`,
    );
  const raw = serializeTransaction(
    {
      type: "eip1559",
      chainId: tx.chainId!,
      nonce: tx.nonce,
      gas: tx.gas,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      to: tx.to ?? undefined,
      value: tx.value,
      data: tx.input,
      accessList: tx.accessList,
    },
    { r: tx.r, s: tx.s, yParity: tx.yParity },
  );
  if (keccak256(raw) !== tx.hash)
    throw new RebuildError(
      `pooled transaction ${tx.hash} does not re-serialize to its hash; not journaling it`,
    );
  return raw;
}
