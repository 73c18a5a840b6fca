import { expect } from "chai";
import {
  RUNTIME_SIZE_BUDGET,
  RUNTIME_SIZE_LIMIT,
  productContractSizes,
} from "../../../bench/contractSizes.js";

describe("contract sizes: every product contract keeps 2 KB of headroom under EIP-170", function () {
  const sizes = productContractSizes();

  it("finds the product contracts of every area", function () {
    for (const name of [
      "AccountingManager",
      "VaultLens",
      "KeeperGate",
      "ValueOracle",
      "Registry",
      "LiFiSwapHandler",
    ]) {
      expect(sizes, name).to.have.property(name);
    }
  });

  for (const [name, bytes] of Object.entries(sizes)) {
    it(`${name}: ${bytes} bytes of runtime code fit the ${RUNTIME_SIZE_BUDGET}-byte budget`, function () {
      expect(bytes).to.be.at.most(
        RUNTIME_SIZE_BUDGET,
        `${name} is ${RUNTIME_SIZE_LIMIT - bytes} bytes under the limit`,
      );
    });
  }
});
