import { expect } from "chai";
import {
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { keccak256, toHex, type Address, type Hex } from "viem";
import {
  openCheckedStore,
  StoreCorruptError,
  StoreMissingError,
  type StoreLocation,
} from "../../../keeper/store/open.js";
import type { Store } from "../../../keeper/store/types.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

// A restart must not silently continue on a damaged store, nor start afresh when the store this host
// used is gone: the journal is what prevents double sends.

const GATE = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), "keeper-check-"));
}

async function fill(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await store.insertProposal({
      id: keccak256(toHex(`p${i}`)),
      chainId: 31337,
      gate: GATE,
      vault: GATE,
      calls: [{ target: GATE, data: `0x${"ab".repeat(200)}` as Hex }],
      nonce: BigInt(i),
      deadline: 10n ** 12n,
      provenance: keccak256(toHex(`v${i}`)),
      planJson: JSON.stringify({ i, pad: "x".repeat(400) }),
      snapshotJson: "{}",
      proposer: "op",
      status: "proposed",
    });
  }
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  return expect.fail("expected opening the store to be refused");
}

describe("keeper/store: checked open (integrity, missing or emptied stores)", function () {
  it("SQLite: a first start creates the store and records its id; a restart opens it again", async function () {
    const d = dir();
    const location: StoreLocation = { kind: "sqlite", path: path.join(d, "state.sqlite") };
    const idFile = path.join(d, "state.sqlite.id");
    const first = await openCheckedStore({ location, idFile });
    await first.setState("k", "v");
    await first.close();
    expect(existsSync(idFile)).to.equal(true);
    const again = await openCheckedStore({ location, idFile });
    expect(await again.getState("k")).to.equal("v");
    await again.close();
  });

  it("SQLite: corrupted pages are refused at start with the integrity check's findings", async function () {
    const d = dir();
    const file = path.join(d, "state.sqlite");
    const location: StoreLocation = { kind: "sqlite", path: file };
    const idFile = `${file}.id`;
    const store = await openCheckedStore({ location, idFile });
    await fill(store, 300);
    await store.close();
    const size = statSync(file).size;
    expect(size).to.be.greaterThan(64 * 4096);
    // Overwrite pages in the middle of the file (not the header) with garbage.
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(3 * 4096, 0x5a), 0, 3 * 4096, 20 * 4096);
    closeSync(fd);
    const error = await refusal(openCheckedStore({ location, idFile }));
    expect(error).to.be.instanceOf(StoreCorruptError);
    expect(error.message).to.match(/integrity check/);
    // A damaged header is refused the same way.
    const fd2 = openSync(file, "r+");
    writeSync(fd2, Buffer.alloc(100, 0x01), 0, 100, 0);
    closeSync(fd2);
    expect(await refusal(openCheckedStore({ location, idFile }))).to.be.instanceOf(StoreCorruptError);
  });

  it("SQLite: a store truncated to 0 bytes or deleted is refused unless a new one is asked for", async function () {
    const d = dir();
    const file = path.join(d, "state.sqlite");
    const location: StoreLocation = { kind: "sqlite", path: file };
    const idFile = `${file}.id`;
    const store = await openCheckedStore({ location, idFile });
    await fill(store, 3);
    await store.close();

    truncateSync(file, 0);
    const emptied = await refusal(openCheckedStore({ location, idFile }));
    expect(emptied).to.be.instanceOf(StoreMissingError);
    expect(emptied.message).to.include("empty (0 bytes)").and.include("--new-store");

    unlinkSync(file);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(file + suffix)) unlinkSync(file + suffix);
    const deleted = await refusal(openCheckedStore({ location, idFile }));
    expect(deleted).to.be.instanceOf(StoreMissingError);
    expect(deleted.message).to.include("missing");
    expect(existsSync(file)).to.equal(false, "refusing creates nothing");

    const fresh = await openCheckedStore({ location, idFile, allowNew: true });
    expect(await fresh.listProposals()).to.deep.equal([]);
    await fresh.close();
    const reopened = await openCheckedStore({ location, idFile });
    await reopened.close();
  });

  it("Postgres: an emptied database or another store is refused; --new-store starts afresh", async function () {
    this.timeout(60_000);
    const url = await freshPostgresDatabase();
    const d = dir();
    const idFile = path.join(d, "pg.id");
    const location: StoreLocation = { kind: "postgres", url };
    const store = await openCheckedStore({ location, idFile });
    await fill(store, 2);
    await store.close();

    // Everything dropped, as a restore to an empty database would leave it.
    const raw = postgres(url, { max: 1, onnotice: () => {} });
    await raw.unsafe("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").simple();
    await raw.end();
    const emptied = await refusal(openCheckedStore({ location, idFile }));
    expect(emptied).to.be.instanceOf(StoreMissingError);
    expect(emptied.message).to.include("it is empty");

    const other = await freshPostgresDatabase();
    const otherStore = await openCheckedStore({
      location: { kind: "postgres", url: other },
      idFile: path.join(d, "other.id"),
    });
    await otherStore.close();
    const mismatch = await refusal(openCheckedStore({ location: { kind: "postgres", url: other }, idFile }));
    expect(mismatch).to.be.instanceOf(StoreMissingError);
    expect(mismatch.message).to.include("this host last used");

    const fresh = await openCheckedStore({ location, idFile, allowNew: true });
    expect(await fresh.checkIntegrity()).to.deep.equal([]);
    await fresh.close();
  });
});
