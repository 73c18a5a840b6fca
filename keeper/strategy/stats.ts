/** Small statistics library for the estimators, the decision gate and the replay report. Pure. */

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal CDF Φ(x) via the Abramowitz–Stegun 26.2.17 polynomial (absolute error < 7.5e-8),
 * ample for probabilities that are then compared with prices quoted to 0.001.
 */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly =
    t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const upper = normalPdf(x) * poly;
  return x >= 0 ? 1 - upper : upper;
}

/** Brier score of one forecast `p` for outcome `o` ∈ {0, 1}. */
export function brier(p: number, o: number): number {
  return (p - o) * (p - o);
}

/** Probabilities are clipped to [LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON] so a 0/1 price scores finitely. */
export const LOG_LOSS_EPSILON = 1e-4;

/** Log-loss (negative log-likelihood, nats) of one forecast `p` for outcome `o` ∈ {0, 1}. */
export function logLoss(p: number, o: number): number {
  const q = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p));
  return -(o === 1 ? Math.log(q) : Math.log(1 - q));
}

/** Deterministic 32-bit PRNG (mulberry32), so a bootstrap interval is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/**
 * Percentile bootstrap interval of `statistic(sample)`: `resamples` draws with replacement, the
 * (1 − level)/2 and (1 + level)/2 quantiles. An empty sample gives a zero-width interval at 0.
 */
export function bootstrapInterval<T>(
  sample: readonly T[],
  statistic: (items: readonly T[]) => number,
  options: { resamples?: number; level?: number; seed?: number } = {},
): Interval {
  if (sample.length === 0) return { estimate: 0, lo: 0, hi: 0 };
  const resamples = options.resamples ?? 2_000;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 1);
  const values = new Float64Array(resamples);
  const draw = new Array<T>(sample.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < sample.length; i++) draw[i] = sample[Math.floor(random() * sample.length)] as T;
    values[r] = statistic(draw);
  }
  values.sort();
  const at = (q: number) => values[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))] as number;
  return { estimate: statistic(sample), lo: at((1 - level) / 2), hi: at((1 + level) / 2) };
}
