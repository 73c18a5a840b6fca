import { expect } from "chai";
import { getAddress, zeroAddress } from "viem";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import { deployVault } from "../../../deploy/product/core.js";
import { USDC, vaultChain } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture, clientsFor } = await vaultChain();
const { gov, keeper, guardian, alice, bob, stranger } = accounts;

/** Two vaults in one registry, each with its own guardian, keeper gate and connector. */
async function twoVaults() {
  const fx = await deployFixture();
  const otherVault = await deployVault(clientsFor(0), {
    registry: fx.registry.address,
    asset: fx.asset.address,
    name: "Other",
    symbol: "OTH",
    config: fx.config,
  });
  await fx.registry.write.registerVault([
    otherVault,
    {
      asset: fx.asset.address,
      valueOracle: stranger,
      swapHandler: stranger,
      keeperGate: bob,
      guardian: alice,
      registered: true,
    },
  ]);
  const otherConnector = await deploy(clientsFor(0), projectArtifact("MockConnector"), [
    otherVault,
    fx.asset.address,
  ]);
  await fx.registry.write.addConnector([otherVault, otherConnector, USDC("1000")]);
  return { ...fx, otherVault: await viem.getContractAt("AccountingManager", otherVault), otherConnector };
}

describe("Registry: configuration, bad input and vault isolation", function () {
  it("stores every setting and emits an event for each change", async function () {
    const { registry, vault, connectorA, asset } = await networkHelpers.loadFixture(twoVaults);
    const v = vault.address;
    await viem.assertions.emitWithArgs(registry.write.setValueOracle([v, bob]), registry, "ValueOracleSet", [
      getAddress(v),
      getAddress(bob),
    ]);
    await viem.assertions.emitWithArgs(registry.write.setSwapHandler([v, bob]), registry, "SwapHandlerSet", [
      getAddress(v),
      getAddress(bob),
    ]);
    await viem.assertions.emitWithArgs(registry.write.setKeeperGate([v, bob]), registry, "KeeperGateSet", [
      getAddress(v),
      getAddress(bob),
    ]);
    await viem.assertions.emitWithArgs(registry.write.setGuardian([v, bob]), registry, "GuardianSet", [
      getAddress(v),
      getAddress(bob),
    ]);
    expect(await registry.read.valueOracleOf([v])).to.equal(getAddress(bob));
    expect(await registry.read.swapHandlerOf([v])).to.equal(getAddress(bob));
    expect(await registry.read.keeperGateOf([v])).to.equal(getAddress(bob));
    expect(await registry.read.guardianOf([v])).to.equal(getAddress(bob));
    await viem.assertions.emitWithArgs(
      registry.write.setConnectorToken([connectorA.address, asset.address, true]),
      registry,
      "ConnectorTokenSet",
      [getAddress(v), getAddress(connectorA.address), getAddress(asset.address), true],
    );
    expect(await registry.read.isConnectorToken([connectorA.address, asset.address])).to.equal(true);
    await viem.assertions.emitWithArgs(
      registry.write.setAllowedCall([v, connectorA.address, "0xabcdef01", true]),
      registry,
      "AllowedCallSet",
      [getAddress(v), getAddress(connectorA.address), "0xabcdef01", true],
    );
    expect(await registry.read.isAllowedCall([v, connectorA.address, "0xabcdef01"])).to.equal(true);
    await viem.assertions.emitWithArgs(
      registry.write.disableConnector([connectorA.address]),
      registry,
      "ConnectorEnabled",
      [getAddress(v), getAddress(connectorA.address), false],
    );
    await viem.assertions.emitWithArgs(
      registry.write.enableConnector([connectorA.address]),
      registry,
      "ConnectorEnabled",
      [getAddress(v), getAddress(connectorA.address), true],
    );
    await viem.assertions.emitWithArgs(
      registry.write.setConnectorCap([connectorA.address, 9n]),
      registry,
      "ConnectorCapSet",
      [getAddress(v), getAddress(connectorA.address), 9n],
    );
    expect((await registry.read.connectorConfig([connectorA.address])).cap).to.equal(9n);
    expect((await registry.read.connectorsOf([v])).length).to.equal(2);
  });

  it("bad input: zero addresses, duplicates, unknown vaults and connectors, mismatched connector", async function () {
    const { registry, vault, connectorA, asset, otherVault, otherConnector } =
      await networkHelpers.loadFixture(twoVaults);
    const config = {
      asset: asset.address,
      valueOracle: gov,
      swapHandler: gov,
      keeperGate: gov,
      guardian: gov,
      registered: false,
    };
    await viem.assertions.revertWithCustomError(
      registry.write.registerVault([zeroAddress, config]),
      registry,
      "ZeroAddress",
    );
    await viem.assertions.revertWithCustomError(
      registry.write.registerVault([stranger, { ...config, asset: zeroAddress }]),
      registry,
      "ZeroAddress",
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.registerVault([vault.address, config]),
      registry,
      "VaultAlreadyRegistered",
      [getAddress(vault.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.setGuardian([stranger, bob]),
      registry,
      "UnknownVault",
      [getAddress(stranger)],
    );
    await viem.assertions.revertWithCustomError(
      registry.write.addConnector([vault.address, zeroAddress, 1n]),
      registry,
      "ZeroAddress",
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.addConnector([vault.address, connectorA.address, 1n]),
      registry,
      "ConnectorAlreadyAdded",
      [getAddress(connectorA.address)],
    );
    const foreign = await deploy(clientsFor(0), projectArtifact("MockConnector"), [
      otherVault.address,
      asset.address,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.addConnector([vault.address, foreign, 1n]),
      registry,
      "ConnectorVaultMismatch",
      [getAddress(foreign), getAddress(vault.address), getAddress(otherVault.address)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.disableConnector([stranger]),
      registry,
      "UnknownConnector",
      [getAddress(stranger)],
    );
    await viem.assertions.revertWithCustomError(
      registry.write.enableConnector([stranger]),
      registry,
      "UnknownConnector",
    );
    await viem.assertions.revertWithCustomError(
      registry.write.setConnectorCap([stranger, 1n]),
      registry,
      "UnknownConnector",
    );
    await viem.assertions.revertWithCustomError(
      registry.write.setAllowedCall([stranger, bob, "0x12345678", false]),
      registry,
      "UnknownVault",
    );
    expect((await registry.read.connectorConfig([otherConnector])).vault).to.equal(
      getAddress(otherVault.address),
    );
  });

  it("caps the number of connectors per vault (bounded NAV gas)", async function () {
    const { registry, vault, asset } = await networkHelpers.loadFixture(twoVaults);
    const max = await registry.read.MAX_CONNECTORS_PER_VAULT();
    for (let i = 2n; i < max; i++) {
      const c = await deploy(clientsFor(0), projectArtifact("MockConnector"), [vault.address, asset.address]);
      await registry.write.addConnector([vault.address, c, 1n]);
    }
    const extra = await deploy(clientsFor(0), projectArtifact("MockConnector"), [
      vault.address,
      asset.address,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.addConnector([vault.address, extra, 1n]),
      registry,
      "TooManyConnectors",
      [getAddress(vault.address)],
    );
    expect(BigInt((await registry.read.connectorsOf([vault.address])).length)).to.equal(max);
  });

  it("[AC17 cross-vault isolation] one vault's guardian and keeper gate cannot touch another vault", async function () {
    const { registry, vault, connectorA, otherVault, otherConnector } =
      await networkHelpers.loadFixture(twoVaults);
    // alice guards the other vault only; guardian guards the first only
    await viem.assertions.revertWithCustomError(
      registry.write.disableConnector([connectorA.address], { account: alice }),
      registry,
      "NotGuardianOrGovernance",
    );
    await viem.assertions.revertWithCustomError(
      registry.write.disableConnector([otherConnector], { account: guardian }),
      registry,
      "NotGuardianOrGovernance",
    );
    await viem.assertions.revertWithCustomError(
      vault.write.pauseDeposits({ account: alice }),
      vault,
      "NotGuardianOrGovernance",
    );
    await viem.assertions.revertWithCustomError(
      otherVault.write.pauseDeposits({ account: guardian }),
      otherVault,
      "NotGuardianOrGovernance",
    );
    // the first vault's keeper gate cannot move the other vault's money, nor send to its connector
    await viem.assertions.revertWithCustomError(
      otherVault.write.transferToConnector([otherConnector, 1n], { account: keeper }),
      otherVault,
      "NotKeeperGate",
    );
    await viem.assertions.revertWithCustomError(
      vault.write.transferToConnector([otherConnector, 1n], { account: keeper }),
      vault,
      "NotVaultConnector",
    );
    // a connector of the other vault cannot book assets into this one
    expect(await registry.read.connectorsOf([vault.address])).to.not.include(getAddress(otherConnector));
  });
});
