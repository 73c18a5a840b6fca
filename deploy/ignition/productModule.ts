import { createRequire } from "node:module";
import { buildModule } from "@nomicfoundation/ignition-core";
import type { ArgumentType, Artifact, Future, IgnitionModule } from "@nomicfoundation/ignition-core";
import { type Address, encodeFunctionData, zeroAddress } from "viem";
import type { NetworkConfig } from "../networks/schema.js";
import { AAVE_MIN_HEALTH_FACTOR, ERC4626_MAX_LOSS_BPS } from "../product/connectors.js";
import { defaultVaultConfig } from "../product/core.js";
import {
  CARDINALITY_STEP,
  type NetworkDeployParams,
  type NetworkDeployment,
  networkOracleConfig,
  twapCardinalityFor,
} from "../product/deployToNetwork.js";
import { EXACT_INPUT, EXACT_INPUT_SINGLE } from "../product/lifi.js";
import { oracleConfigWrites } from "../product/oracle.js";
import { DEFAULT_CAPS, DEFAULT_TWAP_WINDOW, keeperAllowlist } from "../product/stack.js";
import { safeArtifacts } from "../protocols/safe.js";
import { uniswapArtifacts } from "../protocols/uniswapV3.js";

const require = createRequire(import.meta.url);
const SAFE = "@safe-global/safe-contracts/build/artifacts/contracts";
/** The npm Safe 1.4.1 artifacts in Hardhat format, as Ignition takes them. */
const safeArtifact = (file: string): Artifact => require(`${SAFE}/${file}`) as Artifact;

/** The module's id: Ignition keys its journal by it, so it never changes between releases. */
export const PRODUCT_MODULE_ID = "AgentVaultProduct";

/**
 * The product as one Hardhat Ignition module, built from a validated network config and deploy
 * parameters (the same inputs as `deployToNetwork`). Every deployment and configuration call is a
 * future with a stable id, so an interrupted deployment resumes where it stopped and a finished one
 * is not repeated. The calls run one after another in the order `deployToNetwork` uses (the Registry
 * checks each against the previous ones), ending with the Registry offered to the timelock.
 */
export function productModule(
  config: NetworkConfig,
  params: NetworkDeployParams,
  pools: NetworkDeployment["pools"],
  /** the Safe proxy's CREATE2 salt: one per deployment id, so two deployments never collide */
  safeSaltNonce: bigint,
): IgnitionModule {
  return buildModule(PRODUCT_MODULE_ID, (m) => {
    const deployer = m.getAccount(0);
    const usdc = config.tokens.USDC.address;
    const usdt = config.tokens.USDT.address;
    const weth = config.tokens.WETH.address;
    const swapRouter = config.uniswapV3.swapRouter!;

    const factory = m.contractAt(
      "SafeProxyFactory",
      safeArtifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json"),
      config.safe.proxyFactory,
    );
    const initializer = encodeFunctionData({
      abi: safeArtifacts.safe().abi,
      functionName: "setup",
      args: [
        params.safeOwners,
        params.safeThreshold,
        zeroAddress,
        "0x",
        config.safe.fallbackHandler,
        zeroAddress,
        0n,
        zeroAddress,
      ],
    });
    const createSafe = m.call(
      factory,
      "createProxyWithNonce",
      [config.safe.singleton, initializer, safeSaltNonce],
      {
        id: "CreateSafe",
      },
    );
    const safeAddress = m.readEventArgument(createSafe, "ProxyCreation", "proxy", { emitter: factory });
    const safe = m.contractAt("Safe", safeArtifact("Safe.sol/Safe.json"), safeAddress);

    const timelock = m.contract("TimelockController", [
      params.timelockDelay,
      [safeAddress],
      [zeroAddress],
      zeroAddress,
    ]);
    const registry = m.contract("Registry", [deployer]);
    const vault = m.contract("AccountingManager", [
      registry,
      usdc,
      "Agent Vault USDC",
      "avUSDC",
      defaultVaultConfig(safeAddress as unknown as Address) as unknown as ArgumentType,
    ]);
    const oracle = m.contract("ValueOracle", [registry, usdc]);
    const swapHandler = m.contract("LiFiSwapHandler", [
      registry,
      config.lifiDiamond,
      params.swapSlippageBps ?? 100n,
    ]);
    const gate = m.contract("KeeperGate", [registry, vault, [...params.operators], params.gateThreshold]);
    const morphoSupplyVault = m.contract("MorphoBlueSupplyVault", [
      config.morphoBlue,
      { ...params.morphoMarket },
      "Morpho Blue USDC supply",
      "mbUSDC",
    ]);
    // Configuration, strictly in sequence (the Registry checks each call against the earlier ones).
    let previous: Future = morphoSupplyVault;
    const step = <T extends Future>(make: (after: Future[]) => T): T => {
      const future = make([previous]);
      previous = future;
      return future;
    };
    // The TWAP pools' observation rings must cover the window (as in deployToNetwork). The steps
    // depend on the config only, so a resumed run plans the same calls; a pool already that large
    // ignores them.
    const twapWindow = params.twapWindow ?? DEFAULT_TWAP_WINDOW;
    const cardinality = twapCardinalityFor(twapWindow, config.blockTimeSeconds);
    const poolArtifact: Artifact = {
      _format: "hh-sol-artifact-1",
      contractName: "UniswapV3Pool",
      sourceName: "@uniswap/v3-core/contracts/UniswapV3Pool.sol",
      abi: uniswapArtifacts.pool().abi,
      bytecode: "0x",
      linkReferences: {},
    } as Artifact;
    for (const [name, pool] of [
      ["UsdcWethPool", pools.usdcWeth],
      ["UsdcUsdtPool", pools.usdcUsdt],
    ] as const) {
      const contract = m.contractAt(name, poolArtifact, pool, { id: name });
      for (let next = CARDINALITY_STEP; ; next += CARDINALITY_STEP) {
        const target = Math.min(next, cardinality);
        step((after) =>
          m.call(contract, "increaseObservationCardinalityNext", [target], {
            id: `${name}_Cardinality_${target}`,
            after,
          }),
        );
        if (target === cardinality) break;
      }
    }
    step((after) =>
      m.call(
        registry,
        "registerVault",
        [
          vault,
          {
            asset: usdc,
            keeperGate: gate,
            guardian: params.guardian,
            valueOracle: oracle,
            swapHandler,
            registered: true,
          },
        ],
        { after },
      ),
    );
    const oracleConfig = networkOracleConfig(config, pools, twapWindow, params.sequencerGracePeriod);
    oracleConfigWrites(zeroAddress, oracleConfig).forEach((write, i) =>
      step((after) =>
        m.call(oracle, write.functionName, [...((write.args ?? []) as ArgumentType[])], {
          id: `Oracle_${i}_${write.functionName}`,
          after,
        }),
      ),
    );
    [EXACT_INPUT_SINGLE, EXACT_INPUT].forEach((selector, i) =>
      step((after) =>
        m.call(swapHandler, "setDexCallAllowed", [swapRouter, selector, true], {
          id: `AllowDexCall_${i}`,
          after,
        }),
      ),
    );
    // Connectors check at construction that the Registry knows their vault.
    const aave = step((after) =>
      m.contract("AaveV3Connector", [registry, vault, config.aaveV3.pool, AAVE_MIN_HEALTH_FACTOR], { after }),
    );
    const morpho = step((after) =>
      m.contract("ERC4626Connector", [registry, vault, morphoSupplyVault, ERC4626_MAX_LOSS_BPS], { after }),
    );
    const uniswap = step((after) =>
      m.contract("UniswapV3Connector", [registry, vault, config.uniswapV3.positionManager], { after }),
    );
    const caps = params.caps ?? DEFAULT_CAPS;
    const registryCalls: [string, string, ArgumentType[]][] = [
      ["AddAave", "addConnector", [vault, aave, caps.aave]],
      ["AddMorpho", "addConnector", [vault, morpho, caps.morpho]],
      ["AddUniswap", "addConnector", [vault, uniswap, caps.uniswap]],
      ["AaveWeth", "setConnectorToken", [aave, weth, true]],
      ["AaveUsdt", "setConnectorToken", [aave, usdt, true]],
      ["UniswapWeth", "setConnectorToken", [uniswap, weth, true]],
      ...keeperAllowlist(vault as unknown as Address, {
        aave: aave as unknown as Address,
        morpho: morpho as unknown as Address,
        uniswap: uniswap as unknown as Address,
      }).map(
        (entry, i) =>
          [
            `Allow_${i}_${entry.name.replace(/\W/g, "_")}`,
            "setAllowedCall",
            [vault, entry.target as unknown as ArgumentType, entry.selector, true],
          ] as [string, string, ArgumentType[]],
      ),
      ["OfferRegistryToTimelock", "transferOwnership", [timelock]],
    ];
    for (const [id, functionName, args] of registryCalls)
      step((after) => m.call(registry, functionName, args, { id, after }));

    return {
      safe,
      timelock,
      registry,
      vault,
      oracle,
      swapHandler,
      gate,
      morphoSupplyVault,
      aave,
      morpho,
      uniswap,
    };
  });
}
