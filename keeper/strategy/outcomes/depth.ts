import type { BookLevel } from "../../signals/types.js";
import { ctfBuyFeeTokens, ctfSellFeeCollateral } from "../fees.js";

/** Tokens taken (BUY) or given (SELL) at one price level of one leg. */
export interface LevelFill {
  readonly price: number;
  /** Gross outcome tokens traded at this level (before the BUY fee in tokens). */
  readonly tokens: number;
}

/** What one leg trades for `sets` sets: its levels, collateral and fee. */
export interface LegFill {
  readonly tokenId: string;
  readonly side: "BUY" | "SELL";
  readonly levels: readonly LevelFill[];
  /** Σ gross tokens. */
  readonly tokens: number;
  /** BUY: collateral paid; SELL: collateral received before the fee. */
  readonly collateral: number;
  /** USD value of the exchange fee (BUY: fee tokens × price; SELL: collateral withheld). */
  readonly feeUsd: number;
  /** The worst level price used (the order's limit). */
  readonly limitPrice: number;
}

/** The result of walking every leg's book together. */
export interface SetWalk {
  /** Net sets: every leg delivers (BUY) or sells (SELL) exactly this many tokens net of fees. */
  readonly sets: number;
  readonly legs: readonly LegFill[];
  /** BUY: Σ collateral paid; SELL: Σ collateral received net of fees. */
  readonly collateral: number;
  readonly feeUsd: number;
  /** Cost (BUY) or proceeds (SELL) of the last set taken. */
  readonly marginalPerSet: number;
}

/** One leg's book side, best first, and its exchange fee rate. */
export interface WalkLeg {
  readonly tokenId: string;
  readonly levels: readonly BookLevel[];
  readonly feeRateBps: number;
}

/**
 * Net tokens one gross token yields (BUY: the fee is taken in tokens) and what one net token
 * costs or brings in collateral at `price` (the CTF Exchange formula, keeper/strategy/fees.ts).
 */
function perNetToken(side: "BUY" | "SELL", feeRateBps: number, price: number) {
  if (side === "BUY") {
    const net = 1 - ctfBuyFeeTokens(feeRateBps, price, 1);
    return { grossPerNet: 1 / net, collateralPerNet: price / net };
  }
  return { grossPerNet: 1, collateralPerNet: price - ctfSellFeeCollateral(feeRateBps, price, 1) };
}

/**
 * Walks the books of every leg together, taking sets while the marginal set stays acceptable:
 * BUY, while Σ collateral per net token ≤ `limitPerSet` (par − minimum profit); SELL, while Σ
 * proceeds per token ≥ `limitPerSet` (par + minimum profit). Stops at `maxSets`, at `budget`
 * collateral (BUY) and when a leg's book runs out. Prices are walked level by level, never just the
 * best price; each level's fee is the exchange's fee for an order at that level's price.
 */
export function walkSets(
  legs: readonly WalkLeg[],
  side: "BUY" | "SELL",
  limitPerSet: number,
  limits: { readonly maxSets: number; readonly budget: number },
): SetWalk {
  const cursor = legs.map(() => ({ level: 0, usedNet: 0 }));
  const fills = legs.map(() => new Map<number, number>());
  let sets = 0;
  let collateral = 0;
  let marginal = Number.NaN;
  while (sets < limits.maxSets) {
    let perSet = 0;
    let room = limits.maxSets - sets;
    const here: { grossPerNet: number; collateralPerNet: number; price: number }[] = [];
    for (const [i, leg] of legs.entries()) {
      const c = cursor[i]!;
      let level = leg.levels[c.level];
      let unit = level && perNetToken(side, leg.feeRateBps, level.price);
      while (level && unit && level.size / unit.grossPerNet - c.usedNet <= 1e-9) {
        c.level += 1;
        c.usedNet = 0;
        level = leg.levels[c.level];
        unit = level && perNetToken(side, leg.feeRateBps, level.price);
      }
      if (!level || !unit) return finish();
      const netAtLevel = level.size / unit.grossPerNet;
      room = Math.min(room, netAtLevel - c.usedNet);
      perSet += unit.collateralPerNet;
      here.push({ ...unit, price: level.price });
    }
    const acceptable = side === "BUY" ? perSet <= limitPerSet : perSet >= limitPerSet;
    if (!acceptable || !(perSet > 0)) break;
    if (side === "BUY" && collateral + room * perSet > limits.budget)
      room = (limits.budget - collateral) / perSet;
    if (!(room > 1e-12)) break;
    sets += room;
    collateral += room * perSet;
    marginal = perSet;
    for (const i of legs.keys()) {
      const c = cursor[i]!;
      const unit = here[i]!;
      const map = fills[i]!;
      map.set(unit.price, (map.get(unit.price) ?? 0) + room * unit.grossPerNet);
      c.usedNet += room;
    }
  }
  return finish();

  function finish(): SetWalk {
    let feeUsd = 0;
    const legFills = legs.map((leg, i): LegFill => {
      const levels = [...fills[i]!.entries()].map(([price, tokens]) => ({ price, tokens }));
      let tokens = 0;
      let paid = 0;
      let fee = 0;
      for (const l of levels) {
        tokens += l.tokens;
        paid += l.price * l.tokens;
        fee +=
          side === "BUY"
            ? ctfBuyFeeTokens(leg.feeRateBps, l.price, l.tokens) * l.price
            : ctfSellFeeCollateral(leg.feeRateBps, l.price, l.tokens);
      }
      feeUsd += fee;
      return {
        tokenId: leg.tokenId,
        side,
        levels,
        tokens,
        collateral: paid,
        feeUsd: fee,
        limitPrice: levels.at(-1)?.price ?? Number.NaN,
      };
    });
    return { sets, legs: legFills, collateral, feeUsd, marginalPerSet: marginal };
  }
}
