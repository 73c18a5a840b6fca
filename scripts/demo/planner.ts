import { TOTAL_BPS } from "../../keeper/strategy/policy.js";

/** The policy's connector keys the demo vault has; "idle" is the vault itself. */
export const CONNECTOR_KEYS = ["aave-usdc", "morpho-usdc", "uniswap-usdc-weth"] as const;
export type ConnectorKey = (typeof CONNECTOR_KEYS)[number];

/** What the planner reads from the chain, in base-asset units (USDC, 6 decimals). */
export interface VaultPosition {
  readonly idle: bigint;
  readonly connectorValues: Readonly<Record<ConnectorKey, bigint>>;
  readonly pendingDepositAssets: bigint;
  /** pending redeem shares valued at the live price per share */
  readonly pendingRedeemAssets: bigint;
}

/** USDC moving from a connector or the vault to a connector or the vault. */
export interface Transfer {
  readonly from: ConnectorKey | "vault";
  readonly to: ConnectorKey | "vault";
  readonly amount: bigint;
}

/** Moves before `settle` (connector to connector, connector to vault) and after it (vault to connector). */
export interface RebalancePlan {
  /** NAV after this epoch's requests settle: idle + connectors + pending deposits − pending redemptions */
  readonly navAfterSettle: bigint;
  readonly targets: Readonly<Record<ConnectorKey | "idle", bigint>>;
  readonly beforeSettle: readonly Transfer[];
  readonly afterSettle: readonly Transfer[];
  readonly notes: readonly string[];
}

/** Extra idle kept above the redemptions due, so a small price move cannot defer them. */
const REDEEM_MARGIN_BPS = 50n;

const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * Turns target weights into USDC transfers. Surpluses go straight to the connectors short of their
 * target (`sendToConnector`), the rest to the vault; redemptions due are covered before `settle`; the
 * vault funds what is still short after `settle`. Moves smaller than `minMove` are skipped. The
 * Uniswap LP is only ever topped up: unwinding a position needs a swap back and is left to a strategist
 * batch (`scripts/strategist.ts propose --calls`).
 */
export function planRebalance(
  weightsBps: Readonly<Record<string, number>>,
  position: VaultPosition,
  minMove: bigint,
): RebalancePlan {
  const notes: string[] = [];
  const navAfterSettle =
    position.idle +
    sum(Object.values(position.connectorValues)) +
    position.pendingDepositAssets -
    position.pendingRedeemAssets;
  const targetOf = (key: string) => (navAfterSettle * BigInt(weightsBps[key] ?? 0)) / BigInt(TOTAL_BPS);
  const targets = {
    "aave-usdc": targetOf("aave-usdc"),
    "morpho-usdc": targetOf("morpho-usdc"),
    "uniswap-usdc-weth": targetOf("uniswap-usdc-weth"),
    idle: targetOf("idle"),
  };

  const surplus = new Map<ConnectorKey, bigint>();
  const deficit = new Map<ConnectorKey, bigint>();
  for (const key of CONNECTOR_KEYS) {
    const delta = targets[key] - position.connectorValues[key];
    if (delta >= minMove) deficit.set(key, delta);
    else if (-delta >= minMove) {
      if (key === "uniswap-usdc-weth")
        notes.push(`uniswap-usdc-weth is ${Number(-delta) / 1e6} USDC over target: LP left as is`);
      else surplus.set(key, -delta);
    }
  }

  const beforeSettle: Transfer[] = [];
  for (const [from, available] of surplus) {
    let left = available;
    for (const [to, short] of deficit) {
      if (left === 0n) break;
      const amount = min(left, short);
      beforeSettle.push({ from, to, amount });
      left -= amount;
      deficit.set(to, short - amount);
    }
    if (left >= minMove) beforeSettle.push({ from, to: "vault", amount: left });
  }

  // Redemptions settle from idle: pull the shortfall from the lending connectors, largest first.
  const returned = sum(beforeSettle.filter((t) => t.to === "vault").map((t) => t.amount));
  const due =
    position.pendingRedeemAssets + (position.pendingRedeemAssets * REDEEM_MARGIN_BPS) / BigInt(TOTAL_BPS);
  let shortfall = due - position.idle - returned;
  if (shortfall > 0n) {
    const lenders = (["aave-usdc", "morpho-usdc"] as const)
      .map((key) => ({
        key,
        free:
          position.connectorValues[key] -
          sum(beforeSettle.filter((t) => t.from === key).map((t) => t.amount)),
      }))
      .sort((a, b) => (a.free > b.free ? -1 : 1));
    for (const { key, free } of lenders) {
      if (shortfall <= 0n) break;
      const amount = min(free, shortfall);
      if (amount <= 0n) continue;
      beforeSettle.push({ from: key, to: "vault", amount });
      shortfall -= amount;
      notes.push(`${Number(amount) / 1e6} USDC pulled from ${key} to pay redemptions`);
    }
    if (shortfall > 0n)
      notes.push(`redemptions short by ${Number(shortfall) / 1e6} USDC: part will be deferred`);
  }

  const idleAfterSettle =
    position.idle +
    sum(beforeSettle.filter((t) => t.to === "vault").map((t) => t.amount)) +
    position.pendingDepositAssets -
    position.pendingRedeemAssets;
  let spendable = idleAfterSettle - targets.idle;
  const afterSettle: Transfer[] = [];
  for (const [to, short] of deficit) {
    if (short < minMove || spendable < minMove) continue;
    const amount = min(short, spendable);
    afterSettle.push({ from: "vault", to, amount });
    spendable -= amount;
  }
  return { navAfterSettle, targets, beforeSettle, afterSettle, notes };
}
