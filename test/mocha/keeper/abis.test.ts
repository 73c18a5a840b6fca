import { readFileSync } from "node:fs";
import { expect } from "chai";
import { KEEPER_ABIS_FILE, keeperAbisSource } from "../../../scripts/generateKeeperAbis.js";

describe("keeper/abi/contracts.ts", function () {
  it("matches the ABIs of the current build and the protocols' packages (run `npm run abis` after a contract change)", async function () {
    const committed = readFileSync(KEEPER_ABIS_FILE, "utf8");
    const generated = await keeperAbisSource();
    expect(committed === generated, "keeper/abi/contracts.ts is stale: run `npm run abis`").to.equal(true);
  });
});
