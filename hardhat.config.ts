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
const testJobOverrides = Object.fromEntries(
  readdirSync("test/sol")
    .filter((file) => file.endsWith(".sol"))
    .sort()
    .map((file, index) => [
      `test/sol/${file}`,
      {
        version: "0.8.28",
        path: SOLC_0_8_28,
        settings: {
          ...PRODUCT_SETTINGS,
          optimizer: { enabled: true, runs: 201 + Math.floor(index / TEST_FILES_PER_JOB) },
        },
      },
    ]),
);

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
