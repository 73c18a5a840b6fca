import { parseEventLogs, type Address, type Hex, type PublicClient } from "viem";
import { accountingManagerAbi, keeperGateAbi } from "../../keeper/abi/contracts.js";
import type { Store } from "../../keeper/store/types.js";
import { planNote } from "../../keeper/vault/review.js";
import { type DashboardAddresses, readVaultState } from "../shared/vaultState.js";

/**
 * The vault's history as the dashboard charts it, indexed from the chain's events (settlements,
 * fees, gate executions, mandates) and the state at each settlement's block; joined with the
 * keeper store's proposals (note, signals, provenance) when a store is given. Indexing is
 * incremental: each refresh reads only the blocks since the last one.
 */

export interface SettlementPoint {
  readonly blockNumber: string;
  readonly txHash: Hex;
  readonly timestamp: number;
  readonly mode: number;
  readonly navBefore: string;
  readonly navAfter: string;
  readonly totalSupply: string;
  /** assets per 1 whole share, base-asset units */
  readonly pricePerShare: string;
  readonly idle: string;
  readonly connectors: Readonly<Record<string, string>>;
  readonly depositsSettled?: { readonly assets: string; readonly shares: string };
  readonly redeemsSettled?: { readonly shares: string; readonly assets: string };
}

export interface FeePoint {
  readonly blockNumber: string;
  readonly timestamp: number;
  readonly managementFee: string;
  readonly performanceFee: string;
  readonly shares: string;
  readonly highWaterMark: string;
}

export interface RebalancePoint {
  readonly nonce: string;
  readonly provenance: Hex;
  readonly txHash: Hex;
  readonly blockNumber: string;
  readonly timestamp: number;
  /** from the keeper store, when it has the proposal */
  readonly proposalId?: Hex;
  readonly note?: string;
  readonly reasons?: readonly string[];
  readonly signals?: readonly unknown[];
  readonly calls?: number;
}

export interface MandatePoint {
  readonly mandateId: Hex;
  readonly keeper: Address;
  readonly expiry: string;
  readonly maxNotionalPerAction: string;
  readonly maxNotionalPerPeriod: string;
  readonly periodHeadroom: string;
  readonly maxLossBps: string;
  readonly lossBps: string;
  readonly revoked: boolean;
  readonly executions: number;
}

export interface History {
  readonly toBlock: string;
  readonly settlements: readonly SettlementPoint[];
  readonly fees: readonly FeePoint[];
  readonly rebalances: readonly RebalancePoint[];
  readonly mandates: readonly MandatePoint[];
  /** why the store part is missing, when it is */
  readonly storeProblem?: string;
}

export class HistoryIndexer {
  private next = 0n;
  private readonly settlements: SettlementPoint[] = [];
  private readonly fees: FeePoint[] = [];
  private readonly executions: Omit<
    RebalancePoint,
    "proposalId" | "note" | "reasons" | "signals" | "calls"
  >[] = [];
  private readonly mandateIds = new Map<Hex, number>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: PublicClient,
    private readonly at: DashboardAddresses,
    private readonly store: (() => Store | undefined) | undefined,
    private readonly storeProblem: () => string | undefined,
  ) {}

  /** Brings the index up to the latest block (one refresh at a time) and returns the whole history. */
  async history(): Promise<History> {
    this.running ??= this.catchUp().finally(() => (this.running = undefined));
    await this.running;
    return {
      toBlock: (this.next - 1n).toString(),
      settlements: this.settlements,
      fees: this.fees,
      rebalances: await this.rebalances(),
      mandates: await this.mandates(),
      ...(this.storeProblem() ? { storeProblem: this.storeProblem() } : {}),
    };
  }

  private async catchUp(): Promise<void> {
    const latest = await this.client.getBlockNumber();
    if (latest < this.next) return;
    const logs = await this.client.getLogs({
      address: [this.at.vault, this.at.gate],
      fromBlock: this.next,
      toBlock: latest,
    });
    this.next = latest + 1n;
    const vaultLogs = logs.filter((l) => l.address.toLowerCase() === this.at.vault.toLowerCase());
    const gateLogs = logs.filter((l) => l.address.toLowerCase() === this.at.gate.toLowerCase());
    const vaultEvents = parseEventLogs({ abi: accountingManagerAbi, logs: vaultLogs });
    const gateEvents = parseEventLogs({ abi: keeperGateAbi, logs: gateLogs });
    const times = new Map<bigint, number>();
    const timeOf = async (block: bigint) => {
      let t = times.get(block);
      if (t === undefined) {
        t = Number((await this.client.getBlock({ blockNumber: block })).timestamp);
        times.set(block, t);
      }
      return t;
    };
    const byTx = <T extends { transactionHash: Hex }>(events: readonly T[], tx: Hex) =>
      events.filter((e) => e.transactionHash === tx);
    for (const e of vaultEvents) {
      if (e.eventName === "Settled") {
        const state = await readVaultState(this.client, this.at, { blockNumber: e.blockNumber });
        const sameTx = byTx(vaultEvents, e.transactionHash);
        const deposits = sameTx.find((x) => x.eventName === "DepositsSettled");
        const redeems = sameTx.find((x) => x.eventName === "RedeemsSettled");
        this.settlements.push({
          blockNumber: e.blockNumber.toString(),
          txHash: e.transactionHash,
          timestamp: await timeOf(e.blockNumber),
          mode: Number(e.args.mode),
          navBefore: e.args.navBefore.toString(),
          navAfter: e.args.navAfter.toString(),
          totalSupply: e.args.totalSupply.toString(),
          pricePerShare: state.pricePerShare.toString(),
          idle: state.idle.toString(),
          connectors: Object.fromEntries(state.connectors.map((c) => [c.name, c.value.toString()])),
          ...(deposits?.eventName === "DepositsSettled"
            ? {
                depositsSettled: {
                  assets: deposits.args.assets.toString(),
                  shares: deposits.args.shares.toString(),
                },
              }
            : {}),
          ...(redeems?.eventName === "RedeemsSettled"
            ? {
                redeemsSettled: {
                  shares: redeems.args.shares.toString(),
                  assets: redeems.args.assets.toString(),
                },
              }
            : {}),
        });
      } else if (e.eventName === "FeesAccrued") {
        this.fees.push({
          blockNumber: e.blockNumber.toString(),
          timestamp: await timeOf(e.blockNumber),
          managementFee: e.args.managementFee.toString(),
          performanceFee: e.args.performanceFee.toString(),
          shares: e.args.shares.toString(),
          highWaterMark: e.args.highWaterMark.toString(),
        });
      }
    }
    for (const e of gateEvents) {
      if (e.eventName === "Executed") {
        this.executions.push({
          nonce: e.args.nonce.toString(),
          provenance: e.args.provenance,
          txHash: e.transactionHash,
          blockNumber: e.blockNumber.toString(),
          timestamp: await timeOf(e.blockNumber),
        });
      } else if (e.eventName === "MandateApproved") {
        this.mandateIds.set(e.args.mandateId, this.mandateIds.get(e.args.mandateId) ?? 0);
      } else if (e.eventName === "MandateExecuted") {
        this.mandateIds.set(e.args.mandateId, (this.mandateIds.get(e.args.mandateId) ?? 0) + 1);
      }
    }
  }

  /** Gate executions, with the keeper store's account of each (note, reasons, signals) when it has one. */
  private async rebalances(): Promise<RebalancePoint[]> {
    const store = this.store?.();
    if (!store) return [...this.executions];
    const executed = await store.listProposals({
      statuses: ["executed"],
      vault: this.at.vault,
      limit: 10_000,
    });
    const byTx = new Map(executed.filter((p) => p.txHash).map((p) => [p.txHash!.toLowerCase(), p]));
    return this.executions.map((x) => {
      const p = byTx.get(x.txHash.toLowerCase());
      if (!p) return x;
      const plan = JSON.parse(p.planJson) as { reasons?: string[] };
      const snapshot = JSON.parse(p.snapshotJson) as unknown;
      const note = planNote(p.planJson);
      return {
        ...x,
        proposalId: p.id,
        ...(note ? { note } : {}),
        ...(Array.isArray(plan.reasons) ? { reasons: plan.reasons } : {}),
        signals: Array.isArray(snapshot) ? snapshot : [snapshot],
        calls: p.calls.length,
      };
    });
  }

  private async mandates(): Promise<MandatePoint[]> {
    if (this.mandateIds.size === 0) return [];
    const ids = [...this.mandateIds.keys()];
    const results = (await this.client.multicall({
      contracts: ids.flatMap((id) => [
        { address: this.at.gate, abi: keeperGateAbi, functionName: "mandateState", args: [id] },
        { address: this.at.gate, abi: keeperGateAbi, functionName: "mandatePeriodHeadroom", args: [id] },
      ]),
      allowFailure: false,
      deployless: true,
    })) as unknown[];
    return ids.map((id, i) => {
      const s = results[2 * i] as {
        keeper: Address;
        revoked: boolean;
        expiry: bigint;
        maxNotionalPerAction: bigint;
        maxNotionalPerPeriod: bigint;
        maxLossBps: bigint;
        lossBps: bigint;
      };
      return {
        mandateId: id,
        keeper: s.keeper,
        expiry: s.expiry.toString(),
        maxNotionalPerAction: s.maxNotionalPerAction.toString(),
        maxNotionalPerPeriod: s.maxNotionalPerPeriod.toString(),
        periodHeadroom: (results[2 * i + 1] as bigint).toString(),
        maxLossBps: s.maxLossBps.toString(),
        lossBps: s.lossBps.toString(),
        revoked: s.revoked,
        executions: this.mandateIds.get(id) ?? 0,
      };
    });
  }
}
