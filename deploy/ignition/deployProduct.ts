import { artifacts } from "hardhat";
import {
  HardhatArtifactResolver,
  errorDeploymentResultToExceptionMessage,
} from "@nomicfoundation/hardhat-ignition/helpers";
import {
  type DeploymentResult,
  DeploymentResultType,
  type EIP1193Provider,
  type ExecutionEventListener,
  deploy,
} from "@nomicfoundation/ignition-core";
import {
  type Address,
  type Hex,
  encodeFunctionData,
  getAddress,
  hexToBigInt,
  hexToNumber,
  keccak256,
  toHex,
} from "viem";
import type { Clients } from "../lib/clients.js";
import type { NetworkConfig } from "../networks/schema.js";
import {
  type NetworkDeployParams,
  type NetworkDeployment,
  DEFAULT_POOL_FEES,
  poolOf,
} from "../product/deployToNetwork.js";
import { projectArtifact } from "../lib/artifacts.js";
import { PRODUCT_MODULE_ID, productModule } from "./productModule.js";

/** Where a deployment's journal, addresses and build info live: `<root>/<deploymentId>`. */
export const DEFAULT_DEPLOYMENTS_ROOT = "ignition/deployments";
const LOCAL_CHAIN_ID = 31337;

interface TxRequest {
  readonly from?: Hex;
  readonly to?: Hex;
  readonly data?: Hex;
  readonly value?: Hex;
  readonly gas?: Hex;
  readonly nonce?: Hex;
  readonly maxFeePerGas?: Hex;
  readonly maxPriorityFeePerGas?: Hex;
  readonly gasPrice?: Hex;
}

/**
 * An EIP-1193 provider over the deployer's viem clients: the key signs locally, every other request
 * goes to the RPC unchanged. Ignition sends through it with its own nonces and fees.
 */
export function signingProvider(clients: Clients): EIP1193Provider {
  const account = clients.wallet.account;
  const forward = clients.public.request as unknown as (args: {
    method: string;
    params?: unknown;
  }) => Promise<unknown>;
  return {
    async request({ method, params }) {
      if (method === "eth_accounts" || method === "eth_requestAccounts") return [account.address];
      if (method !== "eth_sendTransaction") return forward({ method, params });
      const [tx] = params as [TxRequest];
      if (tx.from && tx.from.toLowerCase() !== account.address.toLowerCase())
        throw new Error(`asked to send from ${tx.from}, but the deployer key is ${account.address}`);
      const fees =
        tx.maxFeePerGas !== undefined
          ? {
              maxFeePerGas: hexToBigInt(tx.maxFeePerGas),
              maxPriorityFeePerGas: hexToBigInt(tx.maxPriorityFeePerGas ?? "0x0"),
            }
          : tx.gasPrice !== undefined
            ? { gasPrice: hexToBigInt(tx.gasPrice) }
            : {};
      return clients.wallet.sendTransaction({
        account,
        chain: clients.wallet.chain,
        ...(tx.to ? { to: tx.to } : {}),
        ...(tx.data ? { data: tx.data } : {}),
        ...(tx.value ? { value: hexToBigInt(tx.value) } : {}),
        ...(tx.gas ? { gas: hexToBigInt(tx.gas) } : {}),
        ...(tx.nonce ? { nonce: hexToNumber(tx.nonce) } : {}),
        ...fees,
      } as Parameters<Clients["wallet"]["sendTransaction"]>[0]);
    },
  };
}

export interface IgnitionDeployment extends NetworkDeployment {
  readonly deploymentId: string;
  readonly deploymentDir: string;
}

/**
 * Deploys (or resumes deploying) the product with Hardhat Ignition: the module from
 * `productModule`, its journal in `deploymentDir`. Running it again after an interruption continues
 * from the journal; after success it changes nothing. The network config and parameters must be
 * the validated ones of the first run (Ignition refuses a changed module for the same journal).
 */
export async function deployProductWithIgnition(
  clients: Clients,
  config: NetworkConfig,
  params: NetworkDeployParams,
  options: {
    readonly deploymentId: string;
    readonly deploymentDir: string;
    readonly onEvent?: (message: string) => void;
    readonly requiredConfirmations?: number;
  },
): Promise<IgnitionDeployment> {
  const fees = params.poolFees ?? DEFAULT_POOL_FEES;
  const usdc = config.tokens.USDC.address;
  const pools = {
    usdcWeth: await poolOf(
      clients,
      config.uniswapV3.factory,
      usdc,
      config.tokens.WETH.address,
      fees.usdcWeth,
    ),
    usdcUsdt: await poolOf(
      clients,
      config.uniswapV3.factory,
      usdc,
      config.tokens.USDT.address,
      fees.usdcUsdt,
    ),
  };
  if (!config.uniswapV3.swapRouter)
    throw new Error(
      `uniswapV3.swapRouter is missing in the ${config.name} config (SwapRouter02 support is not built)`,
    );
  if (getAddress(params.morphoMarket.loanToken) !== getAddress(usdc))
    throw new Error(`morphoMarket.loanToken must be USDC (${usdc}), got ${params.morphoMarket.loanToken}`);
  const local = config.chainId === LOCAL_CHAIN_ID;
  const onEvent = options.onEvent ?? (() => undefined);
  // Ignition reports every step; these few are printed, the rest ignored.
  const printed: Partial<ExecutionEventListener> = {
    deploymentStart: async () =>
      onEvent(`deployment ${options.deploymentId} (journal in ${options.deploymentDir})`),
    transactionSend: async (event) => onEvent(`  sent ${event.futureId} (tx ${event.hash})`),
    deploymentExecutionStateComplete: async (event) => onEvent(`  done ${event.futureId}`),
    callExecutionStateComplete: async (event) => onEvent(`  done ${event.futureId}`),
    reconciliationWarnings: async (event) => event.warnings.forEach((w) => onEvent(`  warning: ${w}`)),
  };
  const listener = new Proxy(printed, {
    get: (target, name) => target[name as keyof ExecutionEventListener] ?? (async () => undefined),
  }) as ExecutionEventListener;
  const result: DeploymentResult = await deploy({
    config: {
      requiredConfirmations: options.requiredConfirmations ?? (local ? 1 : 5),
      ...(local ? { blockPollingInterval: 100 } : {}),
    },
    artifactResolver: new HardhatArtifactResolver(artifacts),
    provider: signingProvider(clients),
    executionEventListener: listener,
    deploymentDir: options.deploymentDir,
    ignitionModule: productModule(config, params, pools, hexToBigInt(keccak256(toHex(options.deploymentId)))),
    deploymentParameters: {},
    accounts: [clients.wallet.account.address],
    defaultSender: clients.wallet.account.address,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT)
    throw new Error(errorDeploymentResultToExceptionMessage(result).replace(/\n\s*/g, " "));
  // Ignition keys deployed contracts by future id: `<module>#<contract name>`.
  const at = (contractName: string): Address => {
    const deployed = result.contracts[`${PRODUCT_MODULE_ID}#${contractName}`];
    if (!deployed) throw new Error(`the deployment has no ${contractName}`);
    return getAddress(deployed.address);
  };
  return {
    deploymentId: options.deploymentId,
    deploymentDir: options.deploymentDir,
    chainId: config.chainId,
    safe: at("Safe"),
    timelock: at("TimelockController"),
    registry: at("Registry"),
    vault: at("AccountingManager"),
    oracle: at("ValueOracle"),
    gate: at("KeeperGate"),
    swapHandler: at("LiFiSwapHandler"),
    lifiDiamond: config.lifiDiamond,
    morphoSupplyVault: at("MorphoBlueSupplyVault"),
    connectors: {
      aave: at("AaveV3Connector"),
      morpho: at("ERC4626Connector"),
      uniswap: at("UniswapV3Connector"),
    },
    pools,
    acceptOwnershipCall: {
      target: at("Registry"),
      data: encodeFunctionData({ abi: projectArtifact("Registry").abi, functionName: "acceptOwnership" }),
    },
  };
}
