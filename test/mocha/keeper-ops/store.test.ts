import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256, toHex, type Address, type Hex } from "viem";
import postgres from "postgres";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "../../../keeper/store/migrations.js";
import { PostgresStore } from "../../../keeper/store/postgres.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { ProposalRecord, Store } from "../../../keeper/store/types.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

const ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const GATE = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;

function tempDb(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "keeper-store-")), "state.sqlite");
}

function proposal(seed: string, overrides: Partial<ProposalRecord> = {}) {
  return {
    id: keccak256(toHex(seed)),
    chainId: 31337,
    gate: GATE,
    vault: ACCOUNT,
    calls: [{ target: GATE, data: "0x1234" as Hex }],
    nonce: 3n,
    deadline: 2n ** 64n,
    provenance: keccak256(toHex(`prov-${seed}`)),
    planJson: '{"actions":[]}',
    snapshotJson: '{"markets":[]}',
    proposer: "op-1",
    status: "proposed" as const,
    ...overrides,
  };
}

/**
 * The store contract runs against both backends: SQLite (one host) and a real Postgres server
 * (several hosts). `open` gives a new empty store; `shared` gives two handles on one store, as two
 * operators (processes or hosts) have.
 */
const BACKENDS: {
  readonly name: string;
  open(): Promise<Store>;
  shared(): Promise<[Store, Store]>;
}[] = [
  {
    name: "SQLite",
    open: async () => SqliteStore.open({ path: ":memory:" }),
    shared: async () => {
      const file = tempDb();
      return [SqliteStore.open({ path: file }), SqliteStore.open({ path: file })];
    },
  },
  {
    name: "Postgres",
    open: async () => PostgresStore.open({ url: await freshPostgresDatabase() }),
    shared: async () => {
      const url = await freshPostgresDatabase();
      return Promise.all([PostgresStore.open({ url }), PostgresStore.open({ url })]);
    },
  },
];

for (const backend of BACKENDS) {
  describe(`keeper/store: the Store contract on ${backend.name}`, function () {
    it("stores and reads back proposals with bigint, JSON and call lists intact", async function () {
      const store = await backend.open();
      const p = proposal("a");
      expect(await store.insertProposal(p)).to.equal(true);
      expect(await store.insertProposal({ ...p, proposer: "other" })).to.equal(
        false,
        "same id is not overwritten",
      );
      const back = await store.getProposal(p.id);
      expect(back).to.deep.include({ ...p, statusReason: undefined, txHash: undefined });
      expect(back!.deadline).to.equal(2n ** 64n);
      expect(await store.getProposal(keccak256("0x00"))).to.equal(undefined);
      await store.close();
    });

    it("moves proposal status only from the expected states (compare-and-set)", async function () {
      const store = await backend.open();
      const p = proposal("b");
      await store.insertProposal(p);
      expect(await store.transitionProposal(p.id, ["signed"], "submitted")).to.equal(false);
      expect(await store.transitionProposal(p.id, ["proposed", "signed"], "submitted")).to.equal(true);
      const hash = keccak256("0x01");
      expect(await store.transitionProposal(p.id, ["submitted"], "executed", { txHash: hash })).to.equal(
        true,
      );
      expect(await store.transitionProposal(p.id, ["submitted"], "failed")).to.equal(
        false,
        "second writer loses",
      );
      const back = await store.getProposal(p.id);
      expect(back).to.include({ status: "executed", txHash: hash });
      const counts = await store.countProposalsByStatus();
      expect(counts).to.deep.equal({
        proposed: 0,
        signed: 0,
        submitted: 0,
        executed: 1,
        failed: 0,
        expired: 0,
      });
      expect((await store.listProposals({ statuses: ["executed"] })).map((r) => r.id)).to.deep.equal([p.id]);
      expect(await store.listProposals({ statuses: ["proposed"] })).to.deep.equal([]);
    });

    it("keeps one signature per (proposal, signer) and refuses signatures for unknown proposals", async function () {
      const store = await backend.open();
      const p = proposal("c");
      await store.insertProposal(p);
      expect(await store.addSignature({ proposalId: p.id, signer: ACCOUNT, signature: "0xaa" })).to.equal(
        true,
      );
      expect(await store.addSignature({ proposalId: p.id, signer: ACCOUNT, signature: "0xbb" })).to.equal(
        false,
      );
      expect((await store.listSignatures(p.id)).map((s) => s.signature)).to.deep.equal(["0xaa"]);
      let refused = false;
      try {
        await store.addSignature({ proposalId: keccak256("0x09"), signer: ACCOUNT, signature: "0xaa" });
      } catch (error) {
        refused = /foreign key/i.test(String(error));
      }
      expect(refused).to.equal(true);
    });

    it("creates intents idempotently and journals sends, listing open ones by nonce", async function () {
      const store = await backend.open();
      const intent = {
        id: "submit:1",
        account: ACCOUNT,
        chainId: 31337,
        to: GATE,
        data: "0x" as Hex,
        value: 0n,
      };
      const first = await store.upsertIntent(intent);
      await store.setIntentStatus("submit:1", "sent");
      const again = await store.upsertIntent({ ...intent, data: "0xdead" });
      expect(again).to.include({ status: "sent", data: "0x" });
      expect(first.status).to.equal("pending");
      const base = { intentId: "submit:1", account: ACCOUNT, chainId: 31337, raw: "0x02" as Hex };
      const fees = { maxFeePerGas: 10n, maxPriorityFeePerGas: 1n };
      await store.insertSend({
        ...base,
        ...fees,
        hash: keccak256("0x02"),
        nonce: 5,
        kind: "original",
        status: "broadcast",
      });
      await store.insertSend({
        ...base,
        ...fees,
        hash: keccak256("0x01"),
        nonce: 4,
        kind: "original",
        status: "signed",
      });
      await store.insertSend({
        ...base,
        ...fees,
        hash: keccak256("0x03"),
        nonce: 3,
        kind: "original",
        status: "mined",
      });
      expect((await store.listOpenSends(ACCOUNT, 31337)).map((s) => s.nonce)).to.deep.equal([4, 5]);
      await store.updateSend(keccak256("0x01"), "mined", { blockNumber: 9n, receiptStatus: "success" });
      const sends = await store.listSends("submit:1");
      expect(sends.find((s) => s.nonce === 4)).to.include({
        status: "mined",
        blockNumber: 9n,
        receiptStatus: "success",
      });
      expect(await store.countSendsByStatus()).to.deep.equal({
        signed: 0,
        broadcast: 1,
        mined: 2,
        replaced: 0,
        dropped: 0,
      });
      expect((await store.listIntents(ACCOUNT, ["sent"])).map((i) => i.id)).to.deep.equal(["submit:1"]);
    });

    it("leases: one holder at a time; the holder renews; another takes over only after expiry", async function () {
      const [a, b] = await backend.shared();
      const first = await a.acquireLease("submit:p1", ACCOUNT, "op-a", 400);
      expect(first).to.deep.include({ acquired: true, takenOverFrom: undefined });
      expect(first.lease).to.include({ holder: ACCOUNT.toLowerCase(), operator: "op-a" });
      const lost = await b.acquireLease("submit:p1", GATE, "op-b", 400);
      expect(lost.acquired).to.equal(false);
      expect(lost.lease.holder).to.equal(ACCOUNT.toLowerCase(), "the loser sees who holds it");
      const renewed = await a.acquireLease("submit:p1", ACCOUNT, "op-a", 400);
      expect(renewed.acquired).to.equal(true);
      expect(renewed.lease.expiresAt).to.be.at.least(first.lease.expiresAt);
      expect(renewed.lease.acquiredAt).to.equal(first.lease.acquiredAt, "a renewal keeps the start");
      await new Promise((r) => setTimeout(r, 450));
      const taken = await b.acquireLease("submit:p1", GATE, "op-b", 400);
      expect(taken).to.deep.include({ acquired: true, takenOverFrom: ACCOUNT.toLowerCase() });
      expect(await a.releaseLease("submit:p1", ACCOUNT)).to.equal(false, "only the holder releases");
      expect(await b.releaseLease("submit:p1", GATE)).to.equal(true);
      expect(await a.getLease("submit:p1")).to.equal(undefined);
      await a.close();
      await b.close();
    });

    it("leases: of many concurrent claimants exactly one acquires", async function () {
      const [a, b] = await backend.shared();
      const holders = Array.from({ length: 8 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`);
      const results = await Promise.all(
        holders.map((h, i) => (i % 2 === 0 ? a : b).acquireLease("submit:race", h, `op-${i}`, 60_000)),
      );
      expect(results.filter((r) => r.acquired)).to.have.length(1);
      const winner = results.find((r) => r.acquired)!.lease.holder;
      for (const r of results) expect(r.lease.holder).to.equal(winner);
      await a.close();
      await b.close();
    });

    it("lets two operators share one store: both see each other's writes, only one wins a transition", async function () {
      const [opA, opB] = await backend.shared();
      const p = proposal("e");
      await opA.insertProposal(p);
      expect(await opB.insertProposal(p)).to.equal(false);
      await opB.addSignature({ proposalId: p.id, signer: ACCOUNT, signature: "0x01" });
      expect(await opA.listSignatures(p.id)).to.have.length(1);
      const results = await Promise.all([
        opA.transitionProposal(p.id, ["proposed"], "submitted"),
        opB.transitionProposal(p.id, ["proposed"], "submitted"),
      ]);
      expect(results.filter(Boolean)).to.have.length(1);
      await opA.close();
      await opB.close();
    });

    it("a sound store passes its integrity check at the latest schema version", async function () {
      const store = await backend.open();
      expect(await store.checkIntegrity()).to.deep.equal([]);
      expect(await store.schemaVersion()).to.equal(SQLITE_MIGRATIONS.length);
      await store.close();
    });

    it("records estimates, resolves them once per token and lists them oldest first", async function () {
      const store = await backend.open();
      const base = {
        estimator: "cross-venue",
        venue: "polymarket",
        marketId: "m1",
        p: 0.62,
        stdError: 0.03,
        marketPrice: 0.55,
        inputsJson: JSON.stringify({ counterpart: "KX-1" }),
      };
      await store.recordEstimate({ ...base, tokenId: "t-yes", estimatedAt: 2_000 });
      await store.recordEstimate({ ...base, tokenId: "t-yes", p: 0.6, estimatedAt: 1_000 });
      await store.recordEstimate({ ...base, tokenId: "t-other", estimatedAt: 3_000 });
      expect(await store.resolveEstimates("polymarket", "t-yes", 1, 9_000)).to.equal(2);
      expect(await store.resolveEstimates("polymarket", "t-yes", 0, 9_500)).to.equal(0, "resolved once");
      const resolved = await store.listEstimates({ resolved: true });
      expect(resolved.map((e) => [e.p, e.estimatedAt, e.outcome, e.resolvedAt])).to.deep.equal([
        [0.6, 1_000, 1, 9_000],
        [0.62, 2_000, 1, 9_000],
      ]);
      const open = await store.listEstimates({ resolved: false });
      expect(open).to.have.length(1);
      expect(open[0]).to.deep.include({ tokenId: "t-other", outcome: null, resolvedAt: null });
      expect(await store.listEstimates({ limit: 1 })).to.have.length(1);
      await store.close();
    });
  });
}

describe("keeper/store: SQLite specifics", function () {
  it("persists across reopen and applies each migration version once, in order", async function () {
    const file = tempDb();
    const a = SqliteStore.open({ path: file, migrations: SQLITE_MIGRATIONS.slice(0, 1) });
    await a.insertProposal(proposal("d"));
    await a.setState("lastSettle", "123");
    expect(await a.schemaVersion()).to.equal(1);
    await a.close();
    const extra = [
      ...SQLITE_MIGRATIONS,
      {
        version: SQLITE_MIGRATIONS.length + 1,
        name: "add alerts",
        sql: "CREATE TABLE alerts_seen (k TEXT PRIMARY KEY)",
      },
    ];
    const b = SqliteStore.open({ path: file, migrations: extra });
    expect(await b.schemaVersion()).to.equal(extra.length);
    expect(await b.getState("lastSettle")).to.equal("123");
    expect((await b.getProposal(proposal("d").id))!.status).to.equal("proposed");
    await b.close();
    const c = SqliteStore.open({ path: file, migrations: extra });
    expect(await c.schemaVersion()).to.equal(extra.length);
    await c.close();
    const raw = new DatabaseSync(file);
    const versions = raw.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(versions.map((v) => Number(v.version))).to.deep.equal(extra.map((m) => m.version));
    expect(raw.prepare("PRAGMA journal_mode").get()).to.deep.include({ journal_mode: "wal" });
    raw.close();
  });

  it("surfaces a held write lock as an error after busy_timeout instead of corrupting state", async function () {
    const file = tempDb();
    const store = SqliteStore.open({ path: file, busyTimeoutMs: 20 });
    const other = new DatabaseSync(file);
    other.exec("BEGIN IMMEDIATE");
    let message = "";
    try {
      await store.insertProposal(proposal("f"));
    } catch (error) {
      message = String(error);
    }
    other.exec("ROLLBACK");
    other.close();
    expect(message).to.include("locked");
    expect(await store.insertProposal(proposal("f"))).to.equal(true);
    await store.close();
  });
});

describe("keeper/store: Postgres specifics", function () {
  it("applies each migration version once, in order, also when several keepers start at once", async function () {
    const url = await freshPostgresDatabase();
    const first = await PostgresStore.open({ url, migrations: POSTGRES_MIGRATIONS.slice(0, 1) });
    await first.setState("lastSettle", "123");
    expect(await first.schemaVersion()).to.equal(1);
    await first.close();
    const starts = await Promise.all([1, 2, 3].map(() => PostgresStore.open({ url })));
    for (const s of starts) expect(await s.schemaVersion()).to.equal(POSTGRES_MIGRATIONS.length);
    expect(await starts[0]!.getState("lastSettle")).to.equal("123");
    await Promise.all(starts.map((s) => s.close()));
    const raw = postgres(url, { max: 1, onnotice: () => {} });
    const versions = await raw`SELECT version FROM schema_migrations ORDER BY version`;
    expect(versions.map((v) => Number(v.version))).to.deep.equal(POSTGRES_MIGRATIONS.map((m) => m.version));
    await raw.end();
  });

  it("has the same schema history as SQLite, version for version", function () {
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).to.deep.equal(
      SQLITE_MIGRATIONS.map((m) => [m.version, m.name]),
    );
  });

  it("reports a damaged schema (a missing table) in its integrity check", async function () {
    const url = await freshPostgresDatabase();
    const store = await PostgresStore.open({ url });
    const raw = postgres(url, { max: 1, onnotice: () => {} });
    await raw`DROP TABLE leases`;
    await raw.end();
    expect(await store.checkIntegrity()).to.deep.equal(["table leases is missing"]);
    await store.close();
  });
});
