import { expect } from "chai";
import { mkdtempSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { SQLITE_MIGRATIONS } from "../../../keeper/store/migrations.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { ProposalRecord } from "../../../keeper/store/types.js";

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

describe("keeper/store: SQLite state behind the Store interface", function () {
  it("stores and reads back proposals with bigint, JSON and call lists intact", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
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
    const store = SqliteStore.open({ path: ":memory:" });
    const p = proposal("b");
    await store.insertProposal(p);
    expect(await store.transitionProposal(p.id, ["signed"], "submitted")).to.equal(false);
    expect(await store.transitionProposal(p.id, ["proposed", "signed"], "submitted")).to.equal(true);
    const hash = keccak256("0x01");
    expect(await store.transitionProposal(p.id, ["submitted"], "executed", { txHash: hash })).to.equal(true);
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
    const store = SqliteStore.open({ path: ":memory:" });
    const p = proposal("c");
    await store.insertProposal(p);
    expect(await store.addSignature({ proposalId: p.id, signer: ACCOUNT, signature: "0xaa" })).to.equal(true);
    expect(await store.addSignature({ proposalId: p.id, signer: ACCOUNT, signature: "0xbb" })).to.equal(
      false,
    );
    expect((await store.listSignatures(p.id)).map((s) => s.signature)).to.deep.equal(["0xaa"]);
    let refused = false;
    try {
      await store.addSignature({ proposalId: keccak256("0x09"), signer: ACCOUNT, signature: "0xaa" });
    } catch (error) {
      refused = String(error).includes("FOREIGN KEY");
    }
    expect(refused).to.equal(true);
  });

  it("creates intents idempotently and journals sends, listing open ones by nonce", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
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

  it("persists across reopen and applies each migration version once, in order", async function () {
    const file = tempDb();
    const a = SqliteStore.open({ path: file });
    await a.insertProposal(proposal("d"));
    await a.setState("lastSettle", "123");
    const latest = SQLITE_MIGRATIONS.length;
    expect(await a.schemaVersion()).to.equal(latest);
    await a.close();
    const extra = [
      ...SQLITE_MIGRATIONS,
      { version: latest + 1, name: "add alerts", sql: "CREATE TABLE alerts_seen (k TEXT PRIMARY KEY)" },
    ];
    const b = SqliteStore.open({ path: file, migrations: extra });
    expect(await b.schemaVersion()).to.equal(latest + 1);
    expect(await b.getState("lastSettle")).to.equal("123");
    expect((await b.getProposal(proposal("d").id))!.status).to.equal("proposed");
    await b.close();
    const c = SqliteStore.open({ path: file, migrations: extra });
    expect(await c.schemaVersion()).to.equal(latest + 1);
    await c.close();
    const raw = new DatabaseSync(file);
    const versions = raw.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(versions.map((v) => Number(v.version))).to.deep.equal(extra.map((m) => m.version));
    expect(raw.prepare("PRAGMA journal_mode").get()).to.deep.include({ journal_mode: "wal" });
    raw.close();
  });

  it("lets two operators share one file: both see each other's writes, only one wins a transition", async function () {
    const file = tempDb();
    const opA = SqliteStore.open({ path: file });
    const opB = SqliteStore.open({ path: file });
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
