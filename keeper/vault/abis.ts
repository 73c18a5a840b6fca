import { erc20Abi, erc4626Abi, type Hex } from "viem";
import {
  aaveV3ConnectorAbi,
  accountingManagerAbi,
  aggregatorV3Abi,
  baseConnectorAbi,
  batchProbeAbi,
  conditionalTokensConnectorAbi,
  batchProbeRuntimeCode,
  ctfExchangeAbi,
  erc4626ConnectorAbi,
  keeperGateAbi,
  liFiSwapHandlerAbi,
  negRiskAdapterAbi,
  nonfungiblePositionManagerAbi,
  polymarketConnectorAbi,
  registryAbi,
  uniswapV3ConnectorAbi,
  uniswapV3PoolAbi,
  valueOracleAbi,
} from "../abi/contracts.js";

/**
 * The ABIs the keeper's chain side reads and calls, by role: the product's own contracts
 * (keeper/abi/contracts.ts, generated from the build), the protocols' published ABIs, and viem's
 * standard ERC-20 and ERC-4626 interfaces. All `as const`, so viem types every read and write.
 */
export const productAbis = {
  vault: accountingManagerAbi,
  registry: registryAbi,
  oracle: valueOracleAbi,
  gate: keeperGateAbi,
  connector: baseConnectorAbi,
  aave: aaveV3ConnectorAbi,
  erc4626: erc4626ConnectorAbi,
  uniswap: uniswapV3ConnectorAbi,
  outcomes: conditionalTokensConnectorAbi,
  polymarket: polymarketConnectorAbi,
  /** Polymarket's CTF Exchange and NegRisk CTF Exchange (one ABI), and its NegRiskAdapter */
  ctfExchange: ctfExchangeAbi,
  negRiskAdapter: negRiskAdapterAbi,
  swapHandler: liFiSwapHandlerAbi,
  uniswapPool: uniswapV3PoolAbi,
  positionManager: nonfungiblePositionManagerAbi,
  /** any ERC-4626 vault a connector deposits into (previewDeposit / previewWithdraw) */
  erc4626Target: erc4626Abi,
  erc20: erc20Abi,
  feed: aggregatorV3Abi,
  /** simulation-only contract (contracts/lens/BatchProbe.sol), placed by state override */
  batchProbe: batchProbeAbi,
} as const;

/** Runtime code of the simulation-only BatchProbe (contracts/lens), placed by state override. */
export const batchProbeCode: Hex = batchProbeRuntimeCode;
