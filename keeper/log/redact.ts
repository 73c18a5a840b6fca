import { english } from "viem/accounts";

/** What replaces a redacted value. Fixed so tests and log readers can grep for it. */
export const REDACTED = "[REDACTED]";

/** Field names whose values are secret whatever they contain (compared lower-case, without `_` and `-`). */
const SECRET_FIELD_NAMES = new Set([
  "key",
  "secret",
  "password",
  "passphrase",
  "privatekey",
  "mnemonic",
  "seed",
  "seedphrase",
  "apikey",
  "apitoken",
  "authorization",
]);
const SECRET_FIELD_SUFFIXES = ["secret", "password", "passphrase", "privatekey", "mnemonic"];

/**
 * Fields that legitimately carry 32-byte hex values (tx hashes, proposal ids, provenance). A private
 * key has the same shape as a hash, so outside these fields every 32-byte hex string is redacted.
 */
const HASH_FIELD =
  /^(id|ids|hash|hashes|provenance|digest|root|topics?)$|(Id|Ids|Hash|Hashes|Provenance|Digest|Root|_id|_hash)$/;

const HEX_32 = /(?<![0-9a-fA-F])(0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;
const WORDLIST = new Set(english);
/** Shortest BIP-39 mnemonic. */
const MIN_MNEMONIC_WORDS = 12;

function normalisedFieldName(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, "");
}

/** True when a field of this name must never be logged, whatever its value. */
export function isSecretFieldName(name: string): boolean {
  const normalised = normalisedFieldName(name);
  return SECRET_FIELD_NAMES.has(normalised) || SECRET_FIELD_SUFFIXES.some((s) => normalised.endsWith(s));
}

/** Replaces every run of 12 or more whitespace-separated BIP-39 English words by {@link REDACTED}. */
function redactMnemonics(text: string): string {
  const spans: [number, number][] = [];
  let run: { start: number; end: number; count: number } | undefined;
  const closeRun = () => {
    if (run && run.count >= MIN_MNEMONIC_WORDS) spans.push([run.start, run.end]);
    run = undefined;
  };
  for (const match of text.matchAll(/[A-Za-z]+/g)) {
    const start = match.index;
    const end = start + match[0].length;
    const inList = WORDLIST.has(match[0].toLowerCase());
    const adjacent = run !== undefined && /^\s+$/.test(text.slice(run.end, start));
    if (!inList) {
      closeRun();
      continue;
    }
    if (run && adjacent) {
      run.end = end;
      run.count++;
    } else {
      closeRun();
      run = { start, end, count: 1 };
    }
  }
  closeRun();
  let out = text;
  for (const [start, end] of spans.reverse()) out = out.slice(0, start) + REDACTED + out.slice(end);
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Redacts one string: exact registered secrets anywhere, BIP-39 mnemonics, and (unless the field
 * is known to carry hashes) anything shaped like a 32-byte private key.
 */
export function redactString(
  text: string,
  fieldName: string | undefined,
  secrets: readonly string[],
): string {
  let out = text;
  for (const secret of secrets) {
    const bare = secret.startsWith("0x") ? secret.slice(2) : secret;
    // Case-insensitive: a hex key may be printed upper-case; over-redacting a password is harmless.
    if (bare.length >= 8) out = out.replace(new RegExp(`(0x)?${escapeRegExp(bare)}`, "gi"), REDACTED);
    else if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  if (fieldName === undefined || !HASH_FIELD.test(fieldName)) out = out.replace(HEX_32, REDACTED);
  return redactMnemonics(out);
}

/**
 * Deep copy of `value` with secrets removed: secret-named fields, key-shaped hex, mnemonics, and
 * the exact `secrets` given. Errors become plain objects (name, message, stack), also redacted.
 * Cycles are cut. bigint becomes a decimal string so the result is JSON-serialisable.
 */
export function redact(value: unknown, secrets: readonly string[] = [], fieldName?: string): unknown {
  return redactInner(value, secrets, fieldName, new WeakSet());
}

function redactInner(
  value: unknown,
  secrets: readonly string[],
  fieldName: string | undefined,
  seen: WeakSet<object>,
): unknown {
  if (fieldName !== undefined && isSecretFieldName(fieldName)) return REDACTED;
  if (typeof value === "string") return redactString(value, fieldName, secrets);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") {
    return typeof value === "function" || typeof value === "symbol" ? String(typeof value) : value;
  }
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
    if (value.cause !== undefined) plain.cause = value.cause;
    return redactInner(plain, secrets, fieldName, seen);
  }
  if (Array.isArray(value)) return value.map((item) => redactInner(item, secrets, fieldName, seen));
  if (value instanceof Uint8Array) return REDACTED;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) out[name] = redactInner(inner, secrets, name, seen);
  return out;
}

/** A 32-byte hex value right after a word that labels it as a hash (`proposal 0x…`, `tx 0x…`). */
const LABELLED_HASH =
  /\b(proposal|proposals|tx|txHash|hash|provenance|id)(\s+|=|:\s*)((0x)?[0-9a-fA-F]{64})(?![0-9a-fA-F])/g;

/**
 * Redacts a message shown to the operator who ran the command: exact secrets and mnemonics
 * always, key-shaped hex unless a label says it is a proposal id, transaction hash or provenance,
 * so `proposal 0x…: not found` stays usable while a stray key is still hidden.
 */
export function redactMessage(text: string, secrets: readonly string[] = []): string {
  const kept: string[] = [];
  const marked = text.replace(LABELLED_HASH, (_all, label: string, sep: string, hex: string) => {
    kept.push(hex);
    return `${label}${sep}⟦kept:${kept.length - 1}⟧`;
  });
  const redacted = redactString(marked, undefined, secrets);
  return redacted.replace(/⟦kept:(\d+)⟧/g, (_all, index: string) => {
    const hex = kept[Number(index)]!;
    return secrets.some(
      (s) => s.length >= 8 && hex.toLowerCase().includes(s.toLowerCase().replace(/^0x/, "")),
    )
      ? REDACTED
      : hex;
  });
}

/** The values of environment variables named like secrets (`*_PRIVATE_KEY`, `*_PASSWORD`, ...). */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && value.length > 0 && isSecretFieldName(name))
    .map(([, value]) => value!);
}
