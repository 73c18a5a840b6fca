import { readFileSync } from "node:fs";
import { isSecretFieldName } from "../log/redact.js";
import { keeperConfigSchema, type KeeperConfig } from "./schema.js";

/** One problem with the configuration: where it is, where the value came from, and what is wrong. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `chain.rpcUrl` (empty for the whole document). */
  readonly path: string;
  /** `file <name>`, `env KEEPER_…`, or `default`. */
  readonly source: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `invalid keeper configuration:\n${issues.map((i) => `  - ${i.path || "(root)"}: ${i.message} [${i.source}]`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

export const ENV_PREFIX = "KEEPER_";
/** Env vars that carry secrets read by keeper/keys, never part of the config document. */
export const SECRET_ENV_DEFAULTS = ["KEEPER_PRIVATE_KEY", "KEEPER_KEYSTORE_PASSWORD"] as const;

const PRIVATE_KEY_SHAPE = /^(0x)?[0-9a-fA-F]{64}$/;
/** Fields that hold 32-byte hashes, not keys: a mandate's id is `KeeperGate.mandateDigest`. */
const HASH_FIELDS = /^product\.mandates\.\d+\.id$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `KEEPER_CHAIN__RPC_URL` → `["chain", "rpcUrl"]`: `__` separates levels, `_` joins camelCase words. */
export function envNameToPath(name: string): string[] {
  return name.slice(ENV_PREFIX.length).split("__").map(camelCase);
}

/** Numbers, booleans, arrays and objects are written as JSON; anything else is taken as a string. */
function parseEnvValue(raw: string): Json {
  const trimmed = raw.trim();
  if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(trimmed) || /^[[{"]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as Json;
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(target: { [key: string]: Json }, path: readonly string[], value: Json): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next))
      node[segment] = {};
    node = node[segment] as { [key: string]: Json };
  }
  node[path[path.length - 1]!] = value;
}

/** `postgres://user:password@host/db`: the user-info part carries a password. */
const URL_WITH_PASSWORD = /^postgres(ql)?:\/\/[^/@:]*:[^/@]+@/i;

/** Refuses key material in the file: secret-named fields and key-shaped strings, wherever they are. */
function findSecretsInFile(value: Json, path: string[], source: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const last = path[path.length - 1];
  if (last !== undefined && isSecretFieldName(last)) {
    issues.push({
      path: path.join("."),
      source,
      message: "secrets are not allowed in the config file; pass them through environment variables",
    });
    return issues;
  }
  if (typeof value === "string" && URL_WITH_PASSWORD.test(value)) {
    issues.push({
      path: path.join("."),
      source,
      message:
        "a password in a database URL is a secret; pass the URL through KEEPER_STORE__URL or the password through PGPASSWORD",
    });
  } else if (
    typeof value === "string" &&
    PRIVATE_KEY_SHAPE.test(value) &&
    !HASH_FIELDS.test(path.join("."))
  ) {
    issues.push({
      path: path.join("."),
      source,
      message: "looks like a private key; keys are read from a keystore or an environment variable only",
    });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => issues.push(...findSecretsInFile(item, [...path, String(index)], source)));
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value))
      issues.push(...findSecretsInFile(inner, [...path, key], source));
  }
  return issues;
}

export interface LoadConfigOptions {
  /** JSON config file; optional when everything comes from the environment. */
  readonly file?: string;
  /** Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Already-validated CLI flags applied last (e.g. `{ dryRun: true }`). */
  readonly overrides?: { [key: string]: Json };
}

/**
 * Builds the keeper configuration from a JSON file, then `KEEPER_*` environment variables, then
 * CLI overrides, and validates it. Throws {@link ConfigError} listing every problem with its key
 * path and the place the bad value came from.
 */
export function loadConfig(options: LoadConfigOptions = {}): KeeperConfig {
  const env = options.env ?? process.env;
  const sources = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  let document: { [key: string]: Json } = {};

  if (options.file !== undefined) {
    const source = `file ${options.file}`;
    let text: string;
    try {
      text = readFileSync(options.file, "utf8");
    } catch (error) {
      throw new ConfigError([{ path: "", source, message: `cannot read: ${(error as Error).message}` }]);
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (error) {
      throw new ConfigError([{ path: "", source, message: `not valid JSON: ${(error as Error).message}` }]);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new ConfigError([{ path: "", source, message: "must be a JSON object" }]);
    }
    issues.push(...findSecretsInFile(parsed, [], source));
    document = parsed;
    const record = (value: Json, path: string[]) => {
      sources.set(path.join("."), source);
      if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) record(inner, [...path, key]);
      }
    };
    record(document, []);
  }

  const signer = document.signer as { [key: string]: Json } | undefined;
  const secretEnv = new Set<string>([
    ...SECRET_ENV_DEFAULTS,
    ...[signer?.passwordEnv, signer?.privateKeyEnv].filter((v): v is string => typeof v === "string"),
    ...[env.KEEPER_SIGNER__PASSWORD_ENV, env.KEEPER_SIGNER__PRIVATE_KEY_ENV].filter(
      (v): v is string => typeof v === "string",
    ),
  ]);
  for (const [name, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || secretEnv.has(name)) continue;
    const path = envNameToPath(name);
    if (path.some((segment) => segment.length === 0)) {
      issues.push({
        path: "",
        source: `env ${name}`,
        message: "malformed name: use KEEPER_SECTION__FIELD_NAME",
      });
      continue;
    }
    setPath(document, path, parseEnvValue(raw));
    sources.set(path.join("."), `env ${name}`);
  }

  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    setPath(document, key.split("."), value);
    sources.set(key, "command line");
  }

  const result = keeperConfigSchema.safeParse(document);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const base = issue.path.map(String);
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...base, k]) : [base];
      for (const keyPath of keys) {
        const dotted = keyPath.join(".");
        const source =
          sources.get(dotted) ??
          (issue.code === "invalid_type" && issue.input === undefined ? "missing" : "default");
        const message = issue.code === "unrecognized_keys" ? "unknown key" : issue.message;
        issues.push({ path: dotted, source, message });
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return result.data!;
}
