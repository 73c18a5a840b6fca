import { expect } from "chai";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { PostgresStore } from "../../../keeper/store/postgres.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";
import { freshPostgresDatabase } from "../helpers/postgres.js";

const VAULT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Address;
const CONNECTOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Address;
const id = (seed: string): Hex => keccak256(toHex(seed));

const BACKENDS: { readonly name: string; open(): Promise<Store> }[] = [
  { name: "SQLite", open: async () => SqliteStore.open({ path: ":memory:" }) },
  { name: "Postgres", open: async () => PostgresStore.open({ url: await freshPostgresDatabase() }) },
];

for (const backend of BACKENDS) {
  describe(`store (${backend.name}): outcome batches, orders, fills and positions (migration 4)`, function () {
    this.timeout(60_000);
    let store: Store;
    beforeEach(async function () {
      store = await backend.open();
    });
    afterEach(async function () {
      await store.close();
    });

    it("a batch is recorded once and moves by compare-and-set; its orders, fills and the positions round-trip", async function () {
      const batch = {
        id: id("batch"),
        vault: VAULT,
        connector: CONNECTOR,
        strategy: "dutch-book",
        setId: "0xset",
        status: "placing" as const,
        batchJson: '{"orders":[]}',
        profit: "12345",
        cost: "930000",
      };
      expect(await store.insertOutcomeBatch(batch)).to.equal(true);
      expect(await store.insertOutcomeBatch({ ...batch, profit: "1" })).to.equal(false);
      expect((await store.getOutcomeBatch(batch.id))?.profit).to.equal("12345");
      expect(await store.transitionOutcomeBatch(batch.id, ["placed"], "locked")).to.equal(false);
      expect(await store.transitionOutcomeBatch(batch.id, ["placing"], "placed")).to.equal(true);
      expect(
        await store.transitionOutcomeBatch(batch.id, ["placing", "placed"], "locked", { realized: "12345" }),
      ).to.equal(true);
      const [locked] = await store.listOutcomeBatches({ statuses: ["locked"] });
      expect(locked).to.include({ status: "locked", realized: "12345", strategy: "dutch-book" });
      expect(await store.listOutcomeBatches({ statuses: ["placed"] })).to.deep.equal([]);

      const order = {
        hash: id("order"),
        batchId: batch.id,
        tokenId: "123456789012345678901234567890",
        side: "BUY" as const,
        makerAmount: "450000",
        takerAmount: "1000000",
        price: 0.45,
        expiration: 1_769_600_120,
        status: "placed" as const,
        filled: "0",
        received: "0",
      };
      await store.upsertOutcomeOrder(order);
      await store.upsertOutcomeOrder({ ...order, status: "filled", filled: "450000", received: "990000" });
      const [stored] = await store.listOutcomeOrders(batch.id);
      expect(stored).to.include({ status: "filled", filled: "450000", received: "990000", price: 0.45 });
      expect(await store.countOutcomeOrdersByStatus()).to.include({ filled: 1, placed: 0 });

      const fill = { id: "trade-1", orderHash: order.hash, makerFilled: "450000", taken: "1000000", at: 5 };
      expect(await store.recordOutcomeFill(fill)).to.equal(true);
      expect(await store.recordOutcomeFill(fill)).to.equal(false);
      expect(await store.listOutcomeFills(order.hash)).to.deep.equal([fill]);

      await store.setOutcomePosition({ connector: CONNECTOR, tokenId: "1", amount: "5", valuation: "set" });
      await store.setOutcomePosition({
        connector: CONNECTOR,
        tokenId: "2",
        amount: "7",
        valuation: "unpaired",
      });
      await store.setOutcomePosition({ connector: CONNECTOR, tokenId: "1", amount: "0", valuation: "set" });
      const positions = await store.listOutcomePositions(CONNECTOR);
      expect(positions.map((p) => [p.tokenId, p.amount, p.valuation])).to.deep.equal([
        ["2", "7", "unpaired"],
      ]);
    });

    it("refuses an order of an unknown batch and a price outside (0, 1): the schema's own checks", async function () {
      const bad = {
        hash: id("orphan"),
        batchId: id("no-such-batch"),
        tokenId: "1",
        side: "BUY" as const,
        makerAmount: "1",
        takerAmount: "1",
        price: 0.5,
        expiration: 1,
        status: "placed" as const,
        filled: "0",
        received: "0",
      };
      let failed = false;
      await store.upsertOutcomeOrder(bad).catch(() => (failed = true));
      expect(failed, "foreign key on batch_id").to.equal(true);
      await store.insertOutcomeBatch({
        id: bad.batchId,
        vault: VAULT,
        connector: CONNECTOR,
        strategy: "dutch-book",
        setId: "s",
        status: "placing",
        batchJson: "{}",
        profit: "0",
        cost: "0",
      });
      failed = false;
      await store.upsertOutcomeOrder({ ...bad, price: 1.5 }).catch(() => (failed = true));
      expect(failed, "price check").to.equal(true);
    });
  });
}
