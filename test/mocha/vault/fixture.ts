import { type Address, parseUnits } from "viem";
import { mintMockToken } from "../../../deploy/protocols/tokens.js";
import {
  defaultVaultConfig,
  deployRegistry,
  deployVault,
  type VaultInitialConfig,
} from "../../../deploy/product/core.js";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import { localChain } from "../helpers/chain.js";

export const USDC = (amount: string) => parseUnits(amount, 6);
export const MAX_UINT128 = (1n << 128n) - 1n;
export const DAY = 24n * 3600n;
export const MIN_REQUEST = parseUnits("1", 6);
export const TEST_LIMITS = {
  depositCap: parseUnits("10000000", 6),
  minRequestAssets: MIN_REQUEST,
  depositsPaused: false,
  redeemsPaused: false,
};

/** Asserts lo <= value <= hi (chai's `within` is typed for numbers only). */
export function expectBetween(value: bigint, lo: bigint, hi: bigint): void {
  if (value < lo || value > hi) throw new Error(`expected ${value} to be within [${lo}, ${hi}]`);
}

/** MockConnector.Mode */
export const Mode = { Balance: 0, Fixed: 1, Revert: 2, BurnGas: 3, Malformed: 4 } as const;

/**
 * One EDR chain per test file with a vault whose Registry is owned by an EOA (`gov`), so unit tests can
 * call governance functions directly; the timelocked path is covered by governance.test.ts.
 */
export async function vaultChain() {
  const chain = await localChain();
  const { viem, networkHelpers, wallets, clientsFor } = chain;
  const [gov, keeper, guardian, feeReceiver, alice, bob, carol, stranger] = wallets.map(
    (w) => w.account.address,
  ) as [Address, Address, Address, Address, Address, Address, Address, Address];
  const accounts = { gov, keeper, guardian, feeReceiver, alice, bob, carol, stranger };
  const walletOf = (address: Address) => {
    const wallet = wallets.find((w) => w.account.address === address);
    if (!wallet) throw new Error(`no wallet for ${address}`);
    return wallet;
  };

  async function deployFixture(
    overrides: Partial<VaultInitialConfig> = {},
    tokenContract: "MockERC20" | "MockBlocklistERC20" | "MockFeeOnTransferERC20" = "MockERC20",
  ) {
    const deployer = clientsFor(0);
    const token = await deploy(deployer, projectArtifact(tokenContract), ["USD Coin", "USDC", 6]);
    const registryAddress = await deployRegistry(deployer, gov);
    const config = defaultVaultConfig(feeReceiver, { limits: TEST_LIMITS, ...overrides });
    const vaultAddress = await deployVault(deployer, {
      registry: registryAddress,
      asset: token,
      name: "Agent Vault USDC",
      symbol: "avUSDC",
      config,
    });
    const registry = await viem.getContractAt("Registry", registryAddress);
    const vault = await viem.getContractAt("AccountingManager", vaultAddress);
    const asset = await viem.getContractAt("MockERC20", token);
    await registry.write.registerVault([
      vaultAddress,
      {
        asset: token,
        valueOracle: stranger,
        swapHandler: stranger,
        keeperGate: keeper,
        guardian,
        registered: true,
      },
    ]);
    const connectorA = await viem.getContractAt(
      "MockConnector",
      await deploy(deployer, projectArtifact("MockConnector"), [vaultAddress, token]),
    );
    const connectorB = await viem.getContractAt(
      "MockConnector",
      await deploy(deployer, projectArtifact("MockConnector"), [vaultAddress, token]),
    );
    await registry.write.addConnector([vaultAddress, connectorA.address, MAX_UINT128]);
    await registry.write.addConnector([vaultAddress, connectorB.address, MAX_UINT128]);
    for (const user of [alice, bob, carol, stranger]) {
      await mintMockToken(deployer, token, user, USDC("1000000"));
      await asset.write.approve([vaultAddress, MAX_UINT128], { account: user });
    }
    const lens = await viem.deployContract("VaultLens");
    return { registry, vault, lens, asset, connectorA, connectorB, config };
  }

  return { ...chain, accounts, walletOf, deployFixture, networkHelpers };
}

export type VaultFixture = Awaited<ReturnType<Awaited<ReturnType<typeof vaultChain>>["deployFixture"]>>;
