import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PostgresStore } from "./postgres.js";
import { SqliteStore } from "./sqlite.js";
import type { Store } from "./types.js";

/** Where the store lives: a SQLite file (one host) or a Postgres URL (several hosts). */
export type StoreLocation =
  | { readonly kind: "sqlite"; readonly path: string; readonly busyTimeoutMs?: number }
  | { readonly kind: "postgres"; readonly url: string; readonly statementTimeoutMs?: number };

export interface OpenCheckedStoreOptions {
  readonly location: StoreLocation;
  /**
   * This host's memory of which store it used: a file holding the store's id. When it names a
   * store and the store found is missing, empty or another one, opening is refused.
   */
  readonly idFile: string;
  /** The operator asked for a new store (`--new-store`): a missing or empty one is started afresh. */
  readonly allowNew?: boolean;
}

/** The store is damaged: its integrity check failed. Nothing was changed. */
export class StoreCorruptError extends Error {
  override name = "StoreCorruptError";
  constructor(
    readonly where: string,
    readonly problems: readonly string[],
  ) {
    super(`store ${where} failed its integrity check: ${problems.slice(0, 5).join("; ")}`);
  }
}

/** A store was expected (this host used one before) but the one found is missing, empty or another. */
export class StoreMissingError extends Error {
  override name = "StoreMissingError";
  constructor(where: string, detail: string) {
    super(
      `store ${where}: ${detail}. The journal of earlier runs is not there; refusing to start on a new ` +
        `store. Restore it, or start with --new-store to begin a new one (then rebuild it from the chain).`,
    );
  }
}

const STORE_ID_KEY = "store:id";

function describe(location: StoreLocation): string {
  return location.kind === "sqlite" ? location.path : location.url.replace(/\/\/[^@/]*@/, "//***@");
}

/** The host-side file remembering the store's id (default: beside the SQLite file, or in the cwd). */
export function defaultIdFile(location: StoreLocation): string {
  return location.kind === "sqlite" ? `${location.path}.id` : "keeper-store-postgres.id";
}

/**
 * Opens the store with the checks a restart needs: integrity at start, and no silent fresh start
 * when the store this host used before is gone or emptied. A brand-new store gets an id that this
 * host records in `idFile`.
 */
export async function openCheckedStore(options: OpenCheckedStoreOptions): Promise<Store> {
  const { location, idFile } = options;
  const where = describe(location);
  if (location.kind === "sqlite" && location.path === ":memory:")
    return SqliteStore.open({ path: ":memory:", busyTimeoutMs: location.busyTimeoutMs });
  const expectedId = existsSync(idFile) ? readFileSync(idFile, "utf8").trim() : undefined;
  if (location.kind === "sqlite" && !options.allowNew) {
    if (!existsSync(location.path) && expectedId) throw new StoreMissingError(where, "the file is missing");
    if (existsSync(location.path) && statSync(location.path).size === 0)
      throw new StoreMissingError(where, "the file is empty (0 bytes)");
  }
  let store: Store;
  try {
    store =
      location.kind === "sqlite"
        ? SqliteStore.open({ path: location.path, busyTimeoutMs: location.busyTimeoutMs })
        : await PostgresStore.open({ url: location.url, statementTimeoutMs: location.statementTimeoutMs });
  } catch (error) {
    if (/malformed|not a database|corrupt/i.test(String((error as Error).message)))
      throw new StoreCorruptError(where, [(error as Error).message]);
    throw error;
  }
  try {
    const problems = await store.checkIntegrity();
    if (problems.length > 0) throw new StoreCorruptError(where, problems);
    const storedId = await store.getState(STORE_ID_KEY);
    if (storedId === undefined) {
      if (expectedId && !options.allowNew)
        throw new StoreMissingError(where, `it is empty, but this host last used store ${expectedId}`);
      const id = randomUUID();
      await store.setState(STORE_ID_KEY, id);
      writeIdFile(idFile, id);
    } else if (expectedId && expectedId !== storedId) {
      if (!options.allowNew)
        throw new StoreMissingError(where, `it is store ${storedId}, this host last used ${expectedId}`);
      writeIdFile(idFile, storedId);
    } else if (!expectedId) {
      writeIdFile(idFile, storedId);
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

function writeIdFile(file: string, id: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${id}\n`);
}
