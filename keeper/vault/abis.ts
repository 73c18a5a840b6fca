import type { Abi, Hex } from "viem";
import { projectArtifact } from "../../deploy/lib/artifacts.js";
import { uniswapArtifacts } from "../../deploy/protocols/uniswapV3.js";

/**
 * ABIs of the product contracts the keeper reads and calls, taken from the compiled artifacts
 * (`npx hardhat build`), so a contract change is picked up without a hand-copied ABI.
 */
const cache = new Map<string, Abi>();
function abiOf(contract: string): Abi {
  let abi = cache.get(contract);
  if (!abi) {
    abi = projectArtifact(contract).abi;
    cache.set(contract, abi);
  }
  return abi;
}

export const productAbis = {
  vault: () => abiOf("AccountingManager"),
  registry: () => abiOf("Registry"),
  oracle: () => abiOf("ValueOracle"),
  gate: () => abiOf("KeeperGate"),
  connector: () => abiOf("BaseConnector"),
  aave: () => abiOf("AaveV3Connector"),
  erc4626: () => abiOf("ERC4626Connector"),
  uniswap: () => abiOf("UniswapV3Connector"),
  swapHandler: () => abiOf("LiFiSwapHandler"),
  uniswapPool: () => uniswapArtifacts.pool().abi as Abi,
  /** any ERC-4626 (previewDeposit / previewWithdraw); the local stack's Morpho supply vault is one */
  erc4626Target: () => abiOf("MorphoBlueSupplyVault"),
  erc20: () => abiOf("MockERC20"),
  feed: () => abiOf("MockV3Aggregator"),
  batchProbe: () => abiOf("BatchProbe"),
} as const;

/** Runtime code of the simulation-only BatchProbe (contracts/lens), placed by state override. */
export function batchProbeCode(): Hex {
  const code = projectArtifact("BatchProbe").deployedBytecode;
  if (!code) throw new Error("the BatchProbe artifact has no runtime code: run `npm run build`");
  return code;
}
