import { z } from "zod";
import type { AdapterStats } from "./types.js";

/**
 * Why one external item was refused. `path` names the offending field from the payload root
 * (`markets[3].outcomePrices`), so an operator can find it in the raw response.
 */
export class SignalRejection extends Error {
  override readonly name = "SignalRejection";
  constructor(
    readonly adapter: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${adapter}: ${path || "<root>"}: ${reason}`);
  }
}

/** Output of every parser: what was accepted and what was refused, never a throw. */
export interface ParseResult<T> {
  readonly items: T[];
  readonly rejected: SignalRejection[];
}

export function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let out = base;
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Turns the first zod issue into a rejection; the first issue is the one an operator must fix first. */
export function rejectionFromZod(adapter: string, base: string, error: z.ZodError): SignalRejection {
  const issue = error.issues[0];
  if (issue === undefined) return new SignalRejection(adapter, base, "invalid value");
  return new SignalRejection(adapter, joinPath(base, issue.path), issue.message);
}

/**
 * Validates one item and maps it, catching anything the mapper throws so one bad item can never
 * abort the page.
 */
export function parseOne<S extends z.ZodType, T>(
  adapter: string,
  path: string,
  schema: S,
  input: unknown,
  map: (value: z.output<S>) => T,
): { ok: true; value: T } | { ok: false; rejection: SignalRejection } {
  try {
    const parsed = schema.safeParse(input);
    if (!parsed.success) return { ok: false, rejection: rejectionFromZod(adapter, path, parsed.error) };
    return { ok: true, value: map(parsed.data) };
  } catch (error) {
    const reason = error instanceof SignalRejection ? error.reason : `mapping failed: ${String(error)}`;
    const where = error instanceof SignalRejection ? error.path : path;
    return { ok: false, rejection: new SignalRejection(adapter, where, reason) };
  }
}

/** Validates every element of an array payload independently; a non-array payload is one root rejection. */
export function parseArray<S extends z.ZodType, T>(
  adapter: string,
  base: string,
  schema: S,
  payload: unknown,
  map: (value: z.output<S>, index: number) => T[],
  stats?: AdapterStats,
): ParseResult<T> {
  const items: T[] = [];
  const rejected: SignalRejection[] = [];
  if (!Array.isArray(payload)) {
    rejected.push(new SignalRejection(adapter, base, `expected an array, got ${describe(payload)}`));
    if (stats) stats.rejected += 1;
    return { items, rejected };
  }
  for (let i = 0; i < payload.length; i++) {
    const path = `${base}[${i}]`;
    const result = parseOne(adapter, path, schema, payload[i], (value) => map(value, i));
    if (stats) stats.itemsSeen += 1;
    if (result.ok) {
      items.push(...result.value);
      if (stats) stats.accepted += 1;
    } else {
      rejected.push(result.rejection);
      if (stats) stats.rejected += 1;
    }
  }
  return { items, rejected };
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

// ---- shared field schemas -------------------------------------------------------------------

/** A probability carried as a JSON number. */
export const probability = z.number().finite().min(0).max(1);

/** A decimal carried as a string ("0.5400", "46224362.39"), as Kalshi and the CLOB do. */
export const decimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, "expected a decimal string")
  .transform(Number)
  .pipe(z.number().finite());

/** A probability carried as a decimal string. */
export const probabilityString = decimalString.pipe(z.number().min(0).max(1));

/** A non-negative size or USD amount carried as a decimal string. */
export const amountString = decimalString.pipe(z.number().min(0));

/** A number that the venue sends either as a JSON number or as a decimal string. */
export const looseNumber = z.union([z.number().finite(), decimalString]);

/** An ISO-8601 timestamp, returned as ms since epoch. */
export const isoDate = z.string().transform((s, ctx) => {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: `not a date: ${s.slice(0, 40)}` });
    return z.NEVER;
  }
  return ms;
});

/**
 * A JSON-encoded string array (Gamma's `outcomes`, `outcomePrices`, `clobTokenIds`): the string is
 * decoded and each element checked, so `"[\"0.5\", \"x\"]"` is refused at the right path.
 */
export function jsonStringArray<T extends z.ZodType>(element: T) {
  return z.string().transform((s, ctx): z.output<T>[] => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "not valid JSON" });
      return z.NEVER;
    }
    if (!Array.isArray(decoded)) {
      ctx.addIssue({ code: "custom", message: `JSON is ${describe(decoded)}, expected an array` });
      return z.NEVER;
    }
    const out: z.output<T>[] = [];
    for (let i = 0; i < decoded.length; i++) {
      const parsed = element.safeParse(decoded[i]);
      if (!parsed.success) {
        ctx.addIssue({
          code: "custom",
          message: `element ${i}: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        });
        return z.NEVER;
      }
      out.push(parsed.data);
    }
    return out;
  });
}
