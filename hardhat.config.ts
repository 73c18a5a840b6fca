import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import hardhatIgnition from "@nomicfoundation/hardhat-ignition";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import hardhatViemAssertions from "@nomicfoundation/hardhat-viem-assertions";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

// No compiler can be downloaded on this machine: every pragma in the build must match one of
// these WASM builds shipped in npm `solc` packages.
const SOLC_0_8_28 = require.resolve("solc/soljson.js");
const SOLC_0_8_19 = require.resolve("solc-0.8.19/soljson.js");

const DEEP = process.env.DEEP === "1";

const PRODUCT_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } as const;

// WASM solc crashes ("table index is out of bounds") when one job compiles every Solidity test at
// once. Hardhat makes one job per distinct compiler configuration, so each small group of test files
// gets its own `runs` value (meaningless for test contracts, which are never deployed) and thereby its
// own job.
const TEST_FILES_PER_JOB = 4;
// The Polymarket tests (each deploys the vault, both exchanges and the adapter) get one job each and stay out
// of the grouping, so adding one leaves every other group, and its tested WASM memory footprint, as it was.
const isPolymarketTest = (file: string) => file.startsWith("Polymarket");
const testSettings = (runs: number) => ({
  version: "0.8.28",
  path: SOLC_0_8_28,
  settings: { ...PRODUCT_SETTINGS, optimizer: { enabled: true, runs } },
});
const testFiles = readdirSync("test/sol")
  .filter((file) => file.endsWith(".sol"))
  .sort();
const testJobOverrides = Object.fromEntries([
  ...testFiles
    .filter((file) => !isPolymarketTest(file))
    .map((file, index) => [`test/sol/${file}`, testSettings(201 + Math.floor(index / TEST_FILES_PER_JOB))]),
  ...testFiles.filter(isPolymarketTest).map((file, index) => [`test/sol/${file}`, testSettings(401 + index)]),
]);

export default defineConfig({
  // hardhat-ignition: `npx hardhat ignition status|verify <id>` on the deployments scripts/deploy.ts journals
  plugins: [hardhatIgnition, hardhatMocha, hardhatViem, hardhatViemAssertions, hardhatNetworkHelpers],
  solidity: {
    compilers: [
      {
        version: "0.8.28",
        path: SOLC_0_8_28,
        settings: PRODUCT_SETTINGS,
      },
    ],
    overrides: {
      ...testJobOverrides,
      // Fewer optimizer runs keep the connector inside the 2 KB size headroom every product contract keeps
      // (bench/contractSizes.ts); measured gas of its actions is in docs/outcome-positions.md.
      "contracts/connectors/ConditionalTokensConnector.sol": {
        version: "0.8.28",
        path: SOLC_0_8_28,
        settings: { ...PRODUCT_SETTINGS, optimizer: { enabled: true, runs: 1 } },
      },
      // The IR pipeline keeps the Polymarket connector inside the same budget (legacy codegen: 24.2 KB); its
      // arithmetic lives in PolymarketValuer for the same reason (docs/outcome-positions.md).
      "contracts/connectors/PolymarketConnector.sol": {
        version: "0.8.28",
        path: SOLC_0_8_28,
        settings: { ...PRODUCT_SETTINGS, viaIR: true },
      },
      "@morpho-org/morpho-blue/src/Morpho.sol": {
        version: "0.8.19",
        path: SOLC_0_8_19,
        settings: { optimizer: { enabled: true, runs: 999999 } },
      },
    },
    // One WASM solc job over every contract and every Solidity test runs out of WASM memory
    // ("memory access out of bounds"); compiling the tests in their own job keeps each one small.
    splitTestsCompilation: true,
    npmFilesToBuild: [
      "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol",
      "@morpho-org/morpho-blue/src/Morpho.sol",
      "@morpho-org/morpho-blue/src/mocks/IrmMock.sol",
      "@morpho-org/morpho-blue/src/mocks/OracleMock.sol",
      "@openzeppelin/contracts/governance/TimelockController.sol",
    ],
  },
  networks: {
    default: { type: "edr-simulated", chainType: "l1", allowUnlimitedContractSize: false },
  },
  test: {
    mocha: { timeout: 120_000 },
    solidity: {
      // The Conditional Tokens tests deploy the real contracts from the bytecode their npm packages ship.
      fsPermissions: {
        readFile: [
          "node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json",
          "node_modules/@gnosis.pm/conditional-tokens-market-makers/build/contracts/FixedProductMarketMakerFactory.json",
          // The Polymarket tests deploy the venue stand-ins and the connector from their built artifacts: with
          // their creation code inline the test contracts are too large for WASM solc's output.
          "artifacts/contracts/venues/polymarket/CtfExchange.sol/CtfExchange.json",
          "artifacts/contracts/venues/polymarket/NegRiskAdapter.sol/NegRiskAdapter.json",
          "artifacts/contracts/connectors/PolymarketConnector.sol/PolymarketConnector.json",
          "artifacts/contracts/connectors/PolymarketValuer.sol/PolymarketValuer.json",
        ],
      },
      fuzz: { runs: DEEP ? 10_000 : 256 },
      invariant: DEEP ? { runs: 256, depth: 200 } : { runs: 32, depth: 50 },
    },
  },
  paths: {
    tests: { mocha: "test/mocha", solidity: "test/sol" },
  },
});
