import { expect } from "chai";
import type { StuckSend } from "../../../keeper/chain/sender.js";
import { classifyStoreError, createHealthCheck } from "../../../keeper/ops/health.js";
import type { TaskProblem } from "../../../keeper/ops/scheduler.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";

// /health answers 503 with each reason named whenever the keeper is not doing its job.

function sources(overrides: {
  problems?: TaskProblem[];
  stuck?: StuckSend[];
  store?: Store;
  rpc?: () => Promise<unknown>;
  storeFile?: string;
  minFreeBytes?: number;
}) {
  return {
    scheduler: { stopping: false, problems: () => overrides.problems ?? [] },
    store: overrides.store ?? SqliteStore.open({ path: ":memory:" }),
    storeFile: overrides.storeFile,
    minFreeBytes: overrides.minFreeBytes,
    sender: { stuck: () => overrides.stuck ?? [] },
    rpc: overrides.rpc ?? (async () => 1n),
    probeTimeoutMs: 200,
  };
}

describe("keeper/ops: health tells the truth", function () {
  it("is ok with no reason when every probe passes", async function () {
    const health = await createHealthCheck(sources({}))();
    expect(health).to.deep.include({ ok: true, reasons: [] });
    expect(health.checks).to.deep.include({ store: "ok", sender: "ok", rpc: true });
  });

  it("names an overdue task, a stuck sender and a dead RPC, each as its own reason", async function () {
    const health = await createHealthCheck(
      sources({
        problems: [{ task: "multisig", problem: "step running for 300 s, budget 70 s" }],
        stuck: [{ intentId: "submit:0xab:0xcd", nonce: 7, forMs: 190_000, cancelled: true }],
        rpc: () => new Promise(() => {}),
      }),
    )();
    expect(health.ok).to.equal(false);
    expect(health.reasons).to.deep.equal([
      "task multisig: step running for 300 s, budget 70 s",
      "sender stuck: submit:0xab:0xcd nonce 7 unmined for 190 s (cancel broadcast)",
      "rpc: rpc did not answer within 200 ms",
    ]);
  });

  it("an unwritable (closed) store and a store failing its integrity check are reasons", async function () {
    const closed = SqliteStore.open({ path: ":memory:" });
    await closed.close();
    const unwritable = await createHealthCheck(sources({ store: closed }))();
    expect(unwritable.ok).to.equal(false);
    expect(unwritable.reasons[0]).to.match(/^store unwritable/);

    const store = SqliteStore.open({ path: ":memory:" });
    const corrupt: Store = Object.assign(Object.create(store) as Store, {
      setState: store.setState.bind(store),
      checkIntegrity: async () => ["*** in database main *** Page 21: btreeInitPage() returns error code 11"],
    });
    const report = await createHealthCheck(sources({ store: corrupt }))();
    expect(report.reasons).to.deep.equal([
      "store corrupt: *** in database main *** Page 21: btreeInitPage() returns error code 11",
    ]);
  });

  it("a full disk is named, from the store's error and from the free space on its disk", async function () {
    expect(classifyStoreError(new Error("database or disk is full"))).to.match(/^disk full/);
    expect(classifyStoreError(new Error("could not extend file: No space left on device"))).to.match(
      /^disk full/,
    );
    expect(classifyStoreError(new Error("database disk image is malformed"))).to.match(/^store corrupt/);
    const report = await createHealthCheck(
      sources({ storeFile: "/tmp/state.sqlite", minFreeBytes: Number.MAX_SAFE_INTEGER }),
    )();
    expect(report.ok).to.equal(false);
    expect(report.reasons[0]).to.match(/^disk full: \d+ bytes free on the store's disk/);
  });
});
