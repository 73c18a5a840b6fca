import { type Address, getAddress, parseEther, parseUnits, toFunctionSelector, zeroAddress } from "viem";
import { deploy, projectArtifact, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";
import { deployMockToken, deployWeth, mintMockToken } from "../protocols/tokens.js";
import {
  type UniswapV3Deployment,
  addLiquidity,
  createPool,
  deployUniswapV3,
  fullRangeTicks,
  sqrtPriceX96,
} from "../protocols/uniswapV3.js";
import {
  type Mandate,
  type SignerSignature,
  deployKeeperGate,
  gateDomain,
  signMandate,
  sortSignatures,
} from "../product/gate.js";
import type { VaultRoles } from "../product/core.js";
import { deployLiFiSwapHandler, deployLocalLiFiDiamond } from "../product/lifi.js";

/**
 * Local testbeds for the keeper gate and the LI.FI swap path, shared by tests and the gas benchmark.
 * The vault, oracle and connectors are test doubles (contracts/mocks) until the product ones are wired in;
 * Uniswap v3 is the real npm deployment.
 */

/** Whole-share price of the testbed vault: 1 USDC (6 decimals) per 1e18-unit share. */
export const VAULT_TOTAL_ASSETS = parseUnits("1000000", 6);
export const VAULT_TOTAL_SUPPLY = parseEther("1000000");
/** Oracle price of 1 WETH in USDC units per wei, scaled by 1e18 (3000 USDC per WETH). */
export const WETH_PRICE_WAD = 3000n * 10n ** 6n;

export const ACT_SELECTOR = toFunctionSelector("act(address,uint256,uint256)");
export const SWAP_SELECTOR = toFunctionSelector("swap(address,uint256,bytes)");

export interface Roles {
  readonly governance: Clients;
  readonly guardian: Clients;
  readonly keeper: Clients;
  readonly outsider: Clients;
  /** Signer wallets, sorted by ascending address. */
  readonly signers: readonly Clients[];
}

const DAY = 86_400n;

/**
 * A mandate for the testbed's keeper to `act` on USDC through the action connector: 10,000 USDC per action,
 * 30,000 per day, 0.5% slippage, 1% loss over 7 days, expiring 30 days after `now`.
 */
export function actionMandate(tb: GateTestbed, now: bigint, overrides: Partial<Mandate> = {}): Mandate {
  return {
    keeper: tb.keeper.wallet.account.address,
    connectors: [tb.actionConnector],
    tokens: [tb.usdc],
    selectors: [ACT_SELECTOR],
    maxNotionalPerAction: parseUnits("10000", 6),
    maxNotionalPerPeriod: parseUnits("30000", 6),
    period: DAY,
    maxSlippageBps: 50n,
    maxLossBps: 100n,
    lossWindow: 7n * DAY,
    expiry: now + 30n * DAY,
    nonce: 1n,
    ...overrides,
  };
}

/** The first two signers' signatures over `mandate` for the testbed's gate, sorted as the gate expects. */
export async function twoSignerMandateSignatures(
  tb: GateTestbed,
  chainId: number,
  mandate: Mandate,
): Promise<SignerSignature[]> {
  return sortSignatures(
    await Promise.all(
      tb.signers
        .slice(0, 2)
        .map((s) => signMandate(s.wallet, gateDomain(chainId, tb.gate), tb.vault, mandate)),
    ),
  );
}

/** Splits funded accounts into roles: 0 governance, 1 guardian, 2 keeper, 3 outsider, 4.. signers. */
export function assignRoles(accounts: readonly Clients[], signerCount: number): Roles {
  const at = (i: number): Clients => {
    const clients = accounts[i];
    if (!clients) throw new Error(`testbed needs at least ${4 + signerCount} funded accounts`);
    return clients;
  };
  const signers = Array.from({ length: signerCount }, (_, i) => at(4 + i)).sort((a, b) =>
    BigInt(a.wallet.account.address) < BigInt(b.wallet.account.address) ? -1 : 1,
  );
  return { governance: at(0), guardian: at(1), keeper: at(2), outsider: at(3), signers };
}

export interface GateTestbed extends Roles {
  readonly registry: Address;
  readonly usdc: Address;
  readonly vault: Address;
  readonly oracle: Address;
  readonly gate: Address;
  /** A MockActionConnector registered for the vault, with `act` allowlisted for the gate. */
  readonly actionConnector: Address;
}

/** The vault double (18-decimal shares over VAULT_TOTAL_ASSETS of USDC) and a fixed-price oracle in USDC. */
async function deployVaultDouble(gov: Clients, usdc: Address): Promise<{ vault: Address; oracle: Address }> {
  const vault = await deploy(gov, projectArtifact("MockPricedVault"), [
    18,
    VAULT_TOTAL_ASSETS,
    VAULT_TOTAL_SUPPLY,
  ]);
  const oracle = await deploy(gov, projectArtifact("MockFixedPriceOracle"), [usdc]);
  return { vault, oracle };
}

async function registerVault(
  gov: Clients,
  registry: Address,
  vault: Address,
  asset: Address,
  roles: VaultRoles,
): Promise<void> {
  await send(gov, {
    address: registry,
    abi: projectArtifact("Registry").abi,
    functionName: "registerVault",
    args: [vault, { asset, ...roles, registered: true }],
  });
}

/** Registry, vault double, fixed-price oracle, a KeeperGate (k of n) and one allowlisted action connector. */
export async function deployGateTestbed(
  accounts: readonly Clients[],
  options: { signerCount: number; threshold: bigint },
): Promise<GateTestbed> {
  const roles = assignRoles(accounts, options.signerCount);
  const gov = roles.governance;
  const registry = await deploy(gov, projectArtifact("Registry"), [gov.wallet.account.address]);
  const usdc = await deployMockToken(gov, "USD Coin", "USDC", 6);
  const { vault, oracle } = await deployVaultDouble(gov, usdc);
  const gate = await deployKeeperGate(gov, {
    registry,
    vault,
    signers: roles.signers.map((s) => s.wallet.account.address),
    threshold: options.threshold,
  });
  const registryAbi = projectArtifact("Registry").abi;
  await registerVault(gov, registry, vault, usdc, {
    valueOracle: oracle,
    swapHandler: zeroAddress,
    keeperGate: gate,
    guardian: roles.guardian.wallet.account.address,
  });
  const actionConnector = await deploy(gov, projectArtifact("MockActionConnector"), [vault]);
  await send(gov, {
    address: registry,
    abi: registryAbi,
    functionName: "addConnector",
    args: [vault, actionConnector, 0n],
  });
  await send(gov, {
    address: registry,
    abi: registryAbi,
    functionName: "setAllowedCall",
    args: [vault, actionConnector, ACT_SELECTOR, true],
  });
  return { ...roles, registry, usdc, vault, oracle, gate, actionConnector };
}

export interface SwapTestbed extends Roles {
  readonly registry: Address;
  readonly usdc: Address;
  readonly weth: Address;
  readonly vault: Address;
  readonly oracle: Address;
  readonly uniswap: UniswapV3Deployment;
  readonly pool: Address;
  readonly diamond: Address;
  readonly handler: Address;
  /** A MockSwapConnector of the vault, allowed to hold USDC and WETH, funded with USDC. */
  readonly connector: Address;
}

/**
 * The LI.FI swap path on the local chain: real Uniswap v3 (USDC/WETH 0.3% pool at 3000 USDC per WETH with
 * deep liquidity), LocalLiFiDiamond, LiFiSwapHandler (1% oracle slippage bound), registry, vault double,
 * oracle double pricing WETH at 3000 USDC, and a funded MockSwapConnector. `keeperGate` is registered as
 * the vault's gate (an EOA in handler unit tests, a KeeperGate end to end).
 */
export async function deploySwapTestbed(
  accounts: readonly Clients[],
  options: { keeperGate?: Address; signerCount?: number; connectorFunds?: bigint } = {},
): Promise<SwapTestbed> {
  const roles = assignRoles(accounts, options.signerCount ?? 3);
  const gov = roles.governance;
  const me = gov.wallet.account.address;
  const usdc = await deployMockToken(gov, "USD Coin", "USDC", 6);
  const weth = await deployWeth(gov);
  const uniswap = await deployUniswapV3(gov, weth);
  const usdcIsToken0 = BigInt(usdc) < BigInt(weth);
  const price = usdcIsToken0
    ? sqrtPriceX96(parseEther("1"), parseUnits("3000", 6))
    : sqrtPriceX96(parseUnits("3000", 6), parseEther("1"));
  const pool = await createPool(gov, uniswap, usdc, weth, 3000, price);
  await mintMockToken(gov, usdc, me, parseUnits("3000000", 6));
  await send(gov, {
    address: weth,
    abi: projectArtifact("WETH9").abi,
    functionName: "deposit",
    value: parseEther("1000"),
  });
  await addLiquidity(gov, uniswap, {
    tokenA: usdc,
    tokenB: weth,
    fee: 3000,
    amountA: parseUnits("3000000", 6),
    amountB: parseEther("1000"),
    ...fullRangeTicks(3000),
  });

  const registry = await deploy(gov, projectArtifact("Registry"), [me]);
  const registryAbi = projectArtifact("Registry").abi;
  const { vault, oracle } = await deployVaultDouble(gov, usdc);
  await send(gov, {
    address: oracle,
    abi: projectArtifact("MockFixedPriceOracle").abi,
    functionName: "setPrice",
    args: [weth, WETH_PRICE_WAD],
  });
  const diamond = await deployLocalLiFiDiamond(gov, uniswap);
  const handler = await deployLiFiSwapHandler(gov, gov, {
    registry,
    diamond,
    maxSlippageBps: 100n,
    swapRouter: uniswap.swapRouter,
  });
  await registerVault(gov, registry, vault, usdc, {
    valueOracle: oracle,
    swapHandler: handler,
    keeperGate: options.keeperGate ?? roles.keeper.wallet.account.address,
    guardian: roles.guardian.wallet.account.address,
  });
  const connector = await deploy(gov, projectArtifact("MockSwapConnector"), [registry, vault]);
  await send(gov, {
    address: registry,
    abi: registryAbi,
    functionName: "addConnector",
    args: [vault, connector, 0n],
  });
  for (const token of [usdc, weth]) {
    await send(gov, {
      address: registry,
      abi: registryAbi,
      functionName: "setConnectorToken",
      args: [connector, token, true],
    });
  }
  await mintMockToken(gov, usdc, connector, options.connectorFunds ?? parseUnits("100000", 6));
  return {
    ...roles,
    registry,
    usdc: getAddress(usdc),
    weth: getAddress(weth),
    vault,
    oracle,
    uniswap,
    pool,
    diamond,
    handler,
    connector,
  };
}
