import {
  keccak256,
  parseTransaction,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { silentLogger, type Logger } from "../log/logger.js";
import type { IntentRecord, SendKind, SendRecord, Store } from "../store/types.js";
import { causeChain, errorMessage, isRevert, realSleep, withRetry, type RetryPolicy } from "./retry.js";

/** A transaction to be mined exactly once. `id` is the idempotency key (e.g. `submit:<proposalId>`). */
export interface TxIntent {
  readonly id: string;
  readonly to: Address;
  readonly data: Hex;
  readonly value?: bigint;
}

/** Bounds on one wait: a timeout, and a signal (shutdown) that ends it early. */
export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Aborted: stop waiting at the next poll; the intent stays journaled for the next call. */
  readonly signal?: AbortSignal;
}

export interface SendOutcome {
  readonly intentId: string;
  /** `cancelled`: our cancel tx took the nonce, so the intent's call never executed. */
  readonly status: "confirmed" | "reverted" | "cancelled";
  readonly hash: Hex;
  readonly blockNumber: bigint;
}

/** Points between which a crash must leave a recoverable journal; reported to `onCheckpoint`. */
export type SendCheckpoint =
  "simulated" | "journaled" | "broadcast" | "replaced" | "cancel-broadcast" | "mined";

export interface SenderOptions {
  readonly client: PublicClient;
  readonly account: LocalAccount;
  readonly chainId: number;
  readonly store: Store;
  readonly retry: RetryPolicy;
  /** A broadcast tx not mined after this long is replaced with bumped fees. */
  readonly stuckAfterMs: number;
  /** Fee increase per replacement, in percent (nodes want at least 10). */
  readonly feeBumpPercent: number;
  readonly maxReplacements: number;
  readonly pollIntervalMs: number;
  /**
   * `send` gives up waiting after this long (the intent stays journaled and is resumed by the next
   * call); nothing in the sender waits longer. Default 5 minutes.
   */
  readonly sendTimeoutMs?: number;
  /** While waiting, journaled txs the node no longer knows are re-broadcast this often. */
  readonly rebroadcastEveryMs?: number;
  /**
   * Still unmined this long after the last allowed replacement: a cancel (0-value self-transfer at
   * the same nonce, higher fees) is broadcast once and `onStuck` is told. Default 2 × stuckAfterMs.
   */
  readonly cancelAfterMs?: number;
  /** Told once per intent when it is stuck past its replacements (for alerts). */
  readonly onStuck?: (stuck: StuckSend) => void | Promise<void>;
  /** Blocks a receipt must be buried under before it counts (1 = mined). */
  readonly confirmations?: number;
  /** Gas limit = estimate × this / 100. */
  readonly gasHeadroomPercent?: number;
  readonly logger?: Logger;
  readonly onCheckpoint?: (checkpoint: SendCheckpoint, intentId: string, hash?: Hex) => void | Promise<void>;
  /** Monotonic milliseconds for timeouts and stuck detection (default `performance.now`). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export class SimulationRevertedError extends Error {
  override name = "SimulationRevertedError";
  constructor(
    readonly intentId: string,
    readonly reason: string,
    override readonly cause?: unknown,
  ) {
    super(`intent ${intentId} reverts in simulation: ${reason}`);
  }
}

export class NonceConsumedError extends Error {
  override name = "NonceConsumedError";
  constructor(
    readonly intentId: string,
    readonly nonce: number,
  ) {
    super(
      `nonce ${nonce} of intent ${intentId} was consumed by a transaction outside the journal; nothing of ours executed`,
    );
  }
}

export class IntentConflictError extends Error {
  override name = "IntentConflictError";
  constructor(readonly intentId: string) {
    super(`intent ${intentId} is already journaled with a different target, data or value`);
  }
}

/** An intent this sender is waiting on, unmined past its last allowed replacement. */
export interface StuckSend {
  readonly intentId: string;
  readonly nonce: number;
  /** Milliseconds since its newest transaction was broadcast. */
  readonly forMs: number;
  /** Whether a cancel has been broadcast for it. */
  readonly cancelled: boolean;
}

/** The intent was refused before any broadcast (e.g. simulation revert); waiting on it ends here. */
export class IntentFailedError extends Error {
  override name = "IntentFailedError";
  constructor(
    readonly intentId: string,
    readonly reason: string,
  ) {
    super(`intent ${intentId} failed: ${reason}`);
  }
}

/** The intent was journaled by another account: each sender reconciles only its own nonces. */
export class ForeignIntentError extends Error {
  override name = "ForeignIntentError";
  constructor(
    readonly intentId: string,
    readonly account: Address,
  ) {
    super(`intent ${intentId} belongs to account ${account}; it is not this sender's to send or reconcile`);
  }
}

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
  constructor(
    readonly intentId: string,
    readonly timeoutMs: number,
  ) {
    super(`intent ${intentId} not mined within ${timeoutMs} ms; it stays journaled and will be reconciled`);
  }
}

export interface GapReport {
  readonly latestNonce: number;
  readonly pendingNonce: number;
  /** Journaled txs the node did not know, broadcast again (same raw tx, same hash). */
  readonly rebroadcast: Hex[];
  /** Nonces below our highest open send with no journal entry, filled with a 0-value self transfer. */
  readonly filled: number[];
  /** Journaled intents the node lost that would now revert: cancelled at their nonce instead. */
  readonly cancelled: string[];
}

const OPEN = new Set(["signed", "broadcast"]);
const DEFAULT_SEND_TIMEOUT_MS = 5 * 60_000;
const TERMINAL = new Set(["confirmed", "reverted", "cancelled"]);
const CANCEL_GAS = 21_000n;

/** Serialises nonce allocation within one process. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * Sends transactions so that each intent executes at most once, across retries, stuck
 * transactions and process restarts. The chain is the source of truth for nonces; the store
 * journals every signed transaction (raw bytes and hash) *before* it is broadcast, so a restarted
 * sender finds it, looks it up by hash and nonce, and re-broadcasts the identical bytes instead of
 * signing something new. One process per key: the journal of an account is not shared.
 */
export class ReliableSender {
  private readonly o: Required<Omit<SenderOptions, "onCheckpoint" | "onStuck">> &
    Pick<SenderOptions, "onCheckpoint" | "onStuck">;
  private readonly nonceLock = new Mutex();
  /** When this process first saw each unmined tx (its own monotonic clock), to decide when it is stuck. */
  private readonly seenAt = new Map<Hex, number>();
  /** Intents currently stuck past their replacements, for `/health`. */
  private readonly stuckNow = new Map<string, { nonce: number; since: number; cancelled: boolean }>();

  constructor(options: SenderOptions) {
    this.o = {
      confirmations: 1,
      gasHeadroomPercent: 120,
      logger: silentLogger,
      now: () => performance.now(),
      sleep: realSleep,
      random: Math.random,
      sendTimeoutMs: DEFAULT_SEND_TIMEOUT_MS,
      rebroadcastEveryMs: Math.max(options.pollIntervalMs, Math.floor(options.stuckAfterMs / 2)),
      cancelAfterMs: options.stuckAfterMs * 2,
      ...options,
    };
  }

  /** Intents stuck past their last replacement right now (empty when the sender is healthy). */
  stuck(): StuckSend[] {
    const now = this.o.now();
    return [...this.stuckNow.entries()].map(([intentId, s]) => ({
      intentId,
      nonce: s.nonce,
      forMs: Math.round(now - s.since),
      cancelled: s.cancelled,
    }));
  }

  get address(): Address {
    return this.o.account.address;
  }

  /**
   * Simulates, journals, broadcasts and waits for `intent`, at most `timeoutMs` (default
   * `sendTimeoutMs`); on a repeated call resumes instead of resending.
   */
  async send(intent: TxIntent, options: WaitOptions = {}): Promise<SendOutcome> {
    const done = await this.submit(intent);
    if (typeof done !== "string") return done;
    return this.waitFor(intent.id, { ...options, timeoutMs: options.timeoutMs ?? this.o.sendTimeoutMs });
  }

  /**
   * Makes sure `intent` is broadcast (or already final) and returns its current tx hash, or its
   * outcome when it is already final. Idempotent by `intent.id`.
   */
  async submit(intent: TxIntent): Promise<Hex | SendOutcome> {
    const record = await this.o.store.upsertIntent({
      id: intent.id,
      account: this.address,
      chainId: this.o.chainId,
      to: intent.to,
      data: intent.data,
      value: intent.value ?? 0n,
    });
    if (record.account.toLowerCase() !== this.address.toLowerCase())
      throw new ForeignIntentError(intent.id, record.account);
    if (
      record.to.toLowerCase() !== intent.to.toLowerCase() ||
      record.data.toLowerCase() !== intent.data.toLowerCase() ||
      record.value !== (intent.value ?? 0n)
    ) {
      throw new IntentConflictError(intent.id);
    }
    if (TERMINAL.has(record.status)) return this.storedOutcome(record);
    // A journaled tx counts even if the crash came before the intent was marked `sent`.
    const journaled = (await this.o.store.listSends(intent.id)).some((s) => OPEN.has(s.status));
    if (record.status === "sent" || journaled) {
      const outcome = await this.reconcileIntent(record);
      if (outcome) return outcome;
      const open = (await this.o.store.listSends(intent.id)).filter((s) => OPEN.has(s.status));
      if (open.length > 0) return this.highestFee(open).hash;
    }
    return this.broadcastNew(record);
  }

  /**
   * Polls until the intent is mined or `timeoutMs` passes (default `sendTimeoutMs`): replaces it
   * when stuck, re-broadcasts it when the node dropped it, cancels it once when it stays stuck
   * after the last replacement. Throws {@link IntentFailedError} for an intent that failed.
   */
  async waitFor(intentId: string, options: WaitOptions = {}): Promise<SendOutcome> {
    const timeoutMs = options.timeoutMs ?? this.o.sendTimeoutMs;
    const started = this.o.now();
    let lastRebroadcastCheck = started;
    for (;;) {
      const intent = await this.o.store.getIntent(intentId);
      if (!intent) throw new Error(`unknown intent ${intentId}`);
      if (intent.account.toLowerCase() !== this.address.toLowerCase())
        throw new ForeignIntentError(intentId, intent.account);
      if (TERMINAL.has(intent.status)) {
        this.stuckNow.delete(intentId);
        return this.storedOutcome(intent);
      }
      if (intent.status === "failed") {
        this.stuckNow.delete(intentId);
        throw new IntentFailedError(intentId, intent.error ?? "failed");
      }
      const rebroadcast = this.o.now() - lastRebroadcastCheck >= this.o.rebroadcastEveryMs;
      if (rebroadcast) lastRebroadcastCheck = this.o.now();
      const outcome = await this.reconcileIntent(intent, { rebroadcast });
      if (outcome) {
        this.stuckNow.delete(intentId);
        return outcome;
      }
      await this.handleStuck(intent);
      if (this.o.now() - started >= timeoutMs || options.signal?.aborted)
        throw new WaitTimeoutError(intentId, Math.round(this.o.now() - started));
      await this.o.sleep(this.o.pollIntervalMs);
    }
  }

  /** Replaces a stuck intent while replacements are left; past them, cancels it once and reports it. */
  private async handleStuck(intent: IntentRecord): Promise<void> {
    const open = (await this.o.store.listSends(intent.id)).filter((s) => OPEN.has(s.status));
    if (open.length === 0) return;
    const now = this.o.now();
    for (const s of open) if (!this.seenAt.has(s.hash)) this.seenAt.set(s.hash, now);
    const newest = open.reduce((max, s) => Math.max(max, this.seenAt.get(s.hash)!), 0);
    if (now - newest < this.o.stuckAfterMs) return;
    const replacements = open.filter((s) => s.kind === "replacement").length;
    const cancelled = open.some((s) => s.kind === "cancel");
    if (replacements < this.o.maxReplacements && !cancelled) {
      await this.replace(intent);
      return;
    }
    const known = this.stuckNow.get(intent.id);
    if (!known) {
      this.stuckNow.set(intent.id, { nonce: open[0]!.nonce, since: newest, cancelled });
      this.o.logger.warn("transaction stuck after the last allowed replacement", {
        intentId: intent.id,
        nonce: open[0]!.nonce,
      });
      await this.o.onStuck?.({ intentId: intent.id, nonce: open[0]!.nonce, forMs: now - newest, cancelled });
      return;
    }
    if (!known.cancelled && now - newest >= this.o.cancelAfterMs) {
      await this.cancel(intent.id);
      known.cancelled = true;
    }
  }

  /**
   * Cancels a broadcast, unmined intent: a 0-value transfer to ourselves at its nonce with bumped
   * fees. Whichever of the two is mined decides the outcome (`cancelled` or `confirmed`).
   */
  async cancel(intentId: string): Promise<Hex> {
    return this.nonceLock.run(() => this.cancelLocked(intentId));
  }

  private async cancelLocked(intentId: string): Promise<Hex> {
    const open = (await this.o.store.listSends(intentId)).filter((s) => OPEN.has(s.status));
    if (open.length === 0) throw new Error(`intent ${intentId} has no unmined transaction to cancel`);
    const top = this.highestFee(open);
    const fees = await this.bumpedFees(top);
    const send = await this.signAndJournal(
      intentId,
      { to: this.address, data: "0x", value: 0n, gas: CANCEL_GAS, nonce: top.nonce, ...fees },
      "cancel",
    );
    await this.broadcast(send);
    await this.checkpoint("cancel-broadcast", intentId, send.hash);
    this.o.logger.warn("cancel broadcast", { intentId, nonce: top.nonce, txHash: send.hash });
    return send.hash;
  }

  /** Whether a journaled tx would still succeed if mined now (a simulation at `latest`). */
  private async stillSucceeds(send: SendRecord): Promise<boolean> {
    if (send.kind === "cancel") return true;
    const tx = parseTransaction(send.raw);
    try {
      await this.rpc("eth_call", () =>
        this.o.client.call({
          account: this.address,
          to: tx.to!,
          data: tx.data,
          value: tx.value,
          blockTag: "latest",
        }),
      );
      return true;
    } catch (error) {
      if (isRevert(error)) return false;
      throw error;
    }
  }

  /**
   * Brings the journal in line with the chain after a restart: settles every open intent from
   * receipts, re-broadcasts journaled txs the node lost, and fills nonce holes below our highest
   * open send so later transactions are not stuck behind a gap.
   */
  async reconcile(): Promise<GapReport> {
    for (const intent of await this.o.store.listIntents(this.address, ["pending", "sent"])) {
      try {
        await this.reconcileIntent(intent, { rebroadcast: false });
      } catch (error) {
        this.o.logger.error("reconcile failed", { intentId: intent.id, error: errorMessage(error) });
      }
    }
    return this.nonceLock.run(() => this.repairGaps());
  }

  /**
   * Re-checks the sends recorded `mined` in the last `depthBlocks` blocks: one whose receipt is
   * gone (a reorg removed its block) goes back to `broadcast` and its intent to `sent`, so the
   * next wait re-broadcasts it or sees it mined again. Returns the re-opened intent ids.
   */
  async recheckMined(depthBlocks = BigInt(Math.max(64, this.o.confirmations * 4))): Promise<string[]> {
    const head = await this.rpc("eth_blockNumber", () => this.o.client.getBlockNumber({ cacheTime: 0 }));
    const from = head > depthBlocks ? head - depthBlocks : 0n;
    const reopened: string[] = [];
    for (const send of await this.o.store.listMinedSince(this.address, this.o.chainId, from)) {
      const receipt = await this.receipt(send.hash);
      if (receipt) {
        if (receipt.blockNumber !== send.blockNumber)
          await this.o.store.updateSend(send.hash, "mined", { blockNumber: receipt.blockNumber });
        continue;
      }
      await this.o.store.updateSend(send.hash, "broadcast");
      await this.o.store.setIntentStatus(send.intentId, "sent");
      this.seenAt.delete(send.hash);
      reopened.push(send.intentId);
      this.o.logger.warn("mined transaction reorged out; waiting for it again", {
        intentId: send.intentId,
        nonce: send.nonce,
        txHash: send.hash,
        block: send.blockNumber,
      });
    }
    return reopened;
  }

  /** The account's mined (`latest`) and pool-inclusive (`pending`) nonces, read from the chain. */
  async chainNonces(): Promise<{ latest: number; pending: number }> {
    const [latest, pending] = await Promise.all([
      this.rpc("eth_getTransactionCount(latest)", () =>
        this.o.client.getTransactionCount({ address: this.address, blockTag: "latest" }),
      ),
      this.rpc("eth_getTransactionCount(pending)", () =>
        this.o.client.getTransactionCount({ address: this.address, blockTag: "pending" }),
      ),
    ]);
    return { latest, pending };
  }

  private async broadcastNew(intent: IntentRecord): Promise<Hex> {
    await this.simulate(intent, "pending");
    await this.checkpoint("simulated", intent.id);
    const send = await this.nonceLock.run(async () => {
      await this.repairGaps();
      const nonce = await this.nextNonce();
      const [fees, estimate] = await Promise.all([
        this.rpc("estimateFeesPerGas", () => this.o.client.estimateFeesPerGas()),
        this.rpc("eth_estimateGas", () =>
          this.o.client.estimateGas({
            account: this.address,
            to: intent.to,
            data: intent.data,
            value: intent.value,
          }),
        ),
      ]);
      const gas = (estimate * BigInt(this.o.gasHeadroomPercent)) / 100n;
      return this.signAndJournal(
        intent.id,
        {
          to: intent.to,
          data: intent.data,
          value: intent.value,
          gas,
          nonce,
          maxFeePerGas: fees.maxFeePerGas,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        },
        "original",
      );
    });
    await this.checkpoint("journaled", intent.id, send.hash);
    await this.broadcast(send);
    await this.checkpoint("broadcast", intent.id, send.hash);
    this.o.logger.info("transaction broadcast", {
      intentId: intent.id,
      nonce: send.nonce,
      txHash: send.hash,
    });
    return send.hash;
  }

  private async simulate(intent: IntentRecord, blockTag: "pending" | "latest"): Promise<void> {
    try {
      await this.rpc("eth_call", () =>
        this.o.client.call({
          account: this.address,
          to: intent.to,
          data: intent.data,
          value: intent.value,
          blockTag,
        }),
      );
    } catch (error) {
      if (!isRevert(error)) throw error;
      const reason = revertReason(error);
      await this.o.store.setIntentStatus(intent.id, intent.status === "sent" ? "sent" : "failed", {
        error: reason,
      });
      throw new SimulationRevertedError(intent.id, reason, error);
    }
  }

  private async nextNonce(): Promise<number> {
    const { pending } = await this.chainNonces();
    const open = await this.o.store.listOpenSends(this.address, this.o.chainId);
    const afterJournal = open.reduce((max, s) => Math.max(max, s.nonce + 1), 0);
    return Math.max(pending, afterJournal);
  }

  private async signAndJournal(
    intentId: string,
    tx: {
      to: Address;
      data: Hex;
      value?: bigint;
      gas: bigint;
      nonce: number;
      maxFeePerGas: bigint;
      maxPriorityFeePerGas: bigint;
    },
    kind: SendKind,
  ): Promise<SendRecord> {
    const raw = await this.o.account.signTransaction({ ...tx, type: "eip1559", chainId: this.o.chainId });
    const send: Omit<SendRecord, "createdAt" | "updatedAt"> = {
      hash: keccak256(raw),
      intentId,
      account: this.address,
      chainId: this.o.chainId,
      nonce: tx.nonce,
      kind,
      raw,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      status: "signed",
    };
    // Journal first: once this returns, a crash anywhere later is recovered from this row.
    await this.o.store.insertSend(send);
    if (kind === "original") await this.o.store.setIntentStatus(intentId, "sent", { txHash: send.hash });
    const stored = (await this.o.store.listSends(intentId)).find((s) => s.hash === send.hash);
    return stored!;
  }

  private async broadcast(send: SendRecord): Promise<void> {
    try {
      await this.rpc("eth_sendRawTransaction", () =>
        this.o.client.sendRawTransaction({ serializedTransaction: send.raw }),
      );
    } catch (error) {
      const message = causeMessages(error);
      if (/already known|known transaction|already imported|already exists/i.test(message)) {
        // The node has these exact bytes already (e.g. the response to an earlier attempt was lost).
      } else if (/nonce too low|nonce has already been used|nonce is too low/i.test(message)) {
        // Fine if the tx that took the nonce is this very one; reconciliation decides otherwise.
        if (!(await this.receipt(send.hash))) {
          this.o.logger.warn("nonce already used when broadcasting", {
            intentId: send.intentId,
            nonce: send.nonce,
          });
        }
      } else if (/underpriced|replacement/i.test(message)) {
        this.o.logger.warn("node kept another tx of ours at this nonce", {
          intentId: send.intentId,
          nonce: send.nonce,
        });
      } else {
        throw error;
      }
    }
    // A re-broadcast keeps its first time: being dropped does not restart the stuck clock.
    if (!this.seenAt.has(send.hash)) this.seenAt.set(send.hash, this.o.now());
    if (send.status === "signed") await this.o.store.updateSend(send.hash, "broadcast");
  }

  /** Settles `intent` from the chain if one of its txs is mined; otherwise re-broadcasts lost ones. */
  private async reconcileIntent(
    intent: IntentRecord,
    options: { readonly rebroadcast?: boolean } = {},
  ): Promise<SendOutcome | undefined> {
    // Only this account's own transactions: another account's nonces say nothing about ours.
    const sends = (await this.o.store.listSends(intent.id)).filter(
      (s) => s.account.toLowerCase() === this.address.toLowerCase(),
    );
    const open = sends.filter((s) => OPEN.has(s.status));
    if (open.length === 0) return undefined;
    const found = await this.findMined(open);
    if (found) return this.settle(intent, found.send, found.receipt, open);

    const { latest } = await this.chainNonces();
    const nonce = open[0]!.nonce;
    if (latest > nonce) {
      // The nonce is used but no receipt of ours exists: look once more (a lagging node), then give up.
      const again = await this.findMined(open);
      if (again) return this.settle(intent, again.send, again.receipt, open);
      for (const s of open) await this.o.store.updateSend(s.hash, "dropped");
      await this.o.store.setIntentStatus(intent.id, "failed", {
        error: `nonce ${nonce} consumed by a foreign tx`,
      });
      throw new NonceConsumedError(intent.id, nonce);
    }
    if (options.rebroadcast === false) return undefined;
    // Replaced txs are gone from the pool by design: only when the node knows none of them was
    // the nonce dropped, and then the highest-fee one goes out again.
    for (const s of open) if (await this.knownToNode(s.hash)) return undefined;
    const top = this.highestFee(open);
    this.o.logger.warn("re-broadcasting journaled transaction the node does not know", {
      intentId: intent.id,
      nonce: top.nonce,
      txHash: top.hash,
    });
    await this.broadcast(top);
    return undefined;
  }

  private async findMined(
    sends: readonly SendRecord[],
  ): Promise<{ send: SendRecord; receipt: TransactionReceipt } | undefined> {
    for (const send of sends) {
      const receipt = await this.receipt(send.hash);
      if (!receipt) continue;
      if (this.o.confirmations > 1) {
        const head = await this.rpc("eth_blockNumber", () => this.o.client.getBlockNumber({ cacheTime: 0 }));
        if (head - receipt.blockNumber + 1n < BigInt(this.o.confirmations)) return undefined;
      }
      return { send, receipt };
    }
    return undefined;
  }

  private async settle(
    intent: IntentRecord,
    mined: SendRecord,
    receipt: TransactionReceipt,
    open: readonly SendRecord[],
  ): Promise<SendOutcome> {
    await this.o.store.updateSend(mined.hash, "mined", {
      blockNumber: receipt.blockNumber,
      receiptStatus: receipt.status,
    });
    for (const other of open)
      if (other.hash !== mined.hash) await this.o.store.updateSend(other.hash, "replaced");
    const status =
      mined.kind === "cancel" ? "cancelled" : receipt.status === "success" ? "confirmed" : "reverted";
    await this.o.store.setIntentStatus(intent.id, status, { txHash: mined.hash });
    await this.checkpoint("mined", intent.id, mined.hash);
    this.o.logger.info("transaction final", {
      intentId: intent.id,
      status,
      txHash: mined.hash,
      nonce: mined.nonce,
    });
    return { intentId: intent.id, status, hash: mined.hash, blockNumber: receipt.blockNumber };
  }

  private async replace(intent: IntentRecord): Promise<void> {
    try {
      await this.simulate(intent, "latest");
    } catch (error) {
      if (!(error instanceof SimulationRevertedError)) throw error;
      this.o.logger.warn("stuck transaction would now revert: cancelling instead of replacing", {
        intentId: intent.id,
        reason: error.reason,
      });
      await this.cancel(intent.id);
      return;
    }
    await this.nonceLock.run(async () => {
      const open = (await this.o.store.listSends(intent.id)).filter((s) => OPEN.has(s.status));
      if (open.length === 0) return;
      const top = this.highestFee(open);
      const original = parseTransaction(top.raw);
      const fees = await this.bumpedFees(top);
      const send = await this.signAndJournal(
        intent.id,
        {
          to: original.to!,
          data: original.data ?? "0x",
          value: original.value,
          gas: original.gas!,
          nonce: top.nonce,
          ...fees,
        },
        "replacement",
      );
      await this.broadcast(send);
      await this.checkpoint("replaced", intent.id, send.hash);
      this.o.logger.warn("stuck transaction replaced with higher fees", {
        intentId: intent.id,
        nonce: top.nonce,
        txHash: send.hash,
        maxFeePerGas: fees.maxFeePerGas,
      });
    });
  }

  private async repairGaps(): Promise<GapReport> {
    const { latest, pending } = await this.chainNonces();
    const open = await this.o.store.listOpenSends(this.address, this.o.chainId);
    const report: GapReport = {
      latestNonce: latest,
      pendingNonce: pending,
      rebroadcast: [],
      filled: [],
      cancelled: [],
    };
    const byNonce = new Map<number, SendRecord[]>();
    for (const s of open) if (s.nonce >= latest) byNonce.set(s.nonce, [...(byNonce.get(s.nonce) ?? []), s]);
    if (byNonce.size === 0) return report;
    const highest = Math.max(...byNonce.keys());
    for (let nonce = latest; nonce <= highest; nonce++) {
      const sends = byNonce.get(nonce);
      if (!sends) {
        // Below `pending` the node holds some tx for this nonce already (not ours): no hole.
        if (nonce >= pending) {
          report.filled.push(nonce);
          await this.fillNonce(nonce);
        }
        continue;
      }
      let known = false;
      for (const s of sends) if (await this.knownToNode(s.hash)) known = true;
      if (!known) {
        const top = this.highestFee(sends);
        if (await this.stillSucceeds(top)) {
          await this.broadcast(top);
          report.rebroadcast.push(top.hash);
        } else {
          // e.g. a submit another operator executed meanwhile: take the nonce with a cancel instead
          // of spending gas on an execute that reverts.
          await this.cancelLocked(top.intentId);
          report.cancelled.push(top.intentId);
        }
      }
    }
    if (report.rebroadcast.length > 0 || report.filled.length > 0 || report.cancelled.length > 0)
      this.o.logger.warn("nonce gap repaired", { ...report });
    return report;
  }

  private async fillNonce(nonce: number): Promise<void> {
    const id = `gap-fill:${this.address}:${this.o.chainId}:${nonce}`;
    await this.o.store.upsertIntent({
      id,
      account: this.address,
      chainId: this.o.chainId,
      to: this.address,
      data: "0x",
      value: 0n,
    });
    const fees = await this.rpc("estimateFeesPerGas", () => this.o.client.estimateFeesPerGas());
    const send = await this.signAndJournal(
      id,
      { to: this.address, data: "0x", value: 0n, gas: CANCEL_GAS, nonce, ...fees },
      "original",
    );
    await this.broadcast(send);
  }

  private highestFee(sends: readonly SendRecord[]): SendRecord {
    return sends.reduce((top, s) => (s.maxFeePerGas > top.maxFeePerGas ? s : top));
  }

  private async bumpedFees(
    previous: SendRecord,
  ): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const bump = (value: bigint) => (value * BigInt(100 + this.o.feeBumpPercent) + 99n) / 100n;
    const current = await this.rpc("estimateFeesPerGas", () => this.o.client.estimateFeesPerGas());
    const maxPriorityFeePerGas = bigMax(bump(previous.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
    const maxFeePerGas = bigMax(bump(previous.maxFeePerGas), current.maxFeePerGas, maxPriorityFeePerGas);
    return { maxFeePerGas, maxPriorityFeePerGas };
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.rpc("eth_getTransactionReceipt", () => this.o.client.getTransactionReceipt({ hash }));
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    }
  }

  private async knownToNode(hash: Hex): Promise<boolean> {
    try {
      await this.rpc("eth_getTransactionByHash", () => this.o.client.getTransaction({ hash }));
      return true;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false;
      throw error;
    }
  }

  private async storedOutcome(intent: IntentRecord): Promise<SendOutcome> {
    const mined = (await this.o.store.listSends(intent.id)).find((s) => s.status === "mined");
    return {
      intentId: intent.id,
      status: intent.status as SendOutcome["status"],
      hash: mined?.hash ?? intent.txHash!,
      blockNumber: mined?.blockNumber ?? 0n,
    };
  }

  private rpc<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(label, fn, this.o.retry, {
      sleep: this.o.sleep,
      random: this.o.random,
      onRetry: ({ attempt, delayMs, error }) =>
        this.o.logger.warn("rpc retry", { call: label, attempt, delayMs, error: errorMessage(error) }),
    });
  }

  private async checkpoint(checkpoint: SendCheckpoint, intentId: string, hash?: Hex): Promise<void> {
    await this.o.onCheckpoint?.(checkpoint, intentId, hash);
  }
}

/** The most specific revert message in the cause chain (viem's outer messages are generic). */
function revertReason(error: unknown): string {
  const messages: string[] = [];
  for (const e of causeChain(error))
    if (e instanceof Error) {
      messages.push((e as { shortMessage?: string }).shortMessage ?? e.message);
      messages.push((e as { details?: string }).details ?? "");
    }
  const specific = messages.filter((m) => /revert/i.test(m));
  return (specific[specific.length - 1] ?? messages[0] ?? "reverted").split("\n")[0]!.trim();
}

function bigMax(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}

function causeMessages(error: unknown): string {
  return causeChain(error)
    .filter((e): e is Error => e instanceof Error)
    .flatMap((e) => [e.message, (e as { details?: string }).details ?? ""])
    .join(" | ");
}
