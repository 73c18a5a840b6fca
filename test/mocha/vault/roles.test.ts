import { expect } from "chai";
import { type Address, type Hex, getAddress } from "viem";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import { DAY, USDC, type VaultFixture, vaultChain } from "./fixture.js";

const { viem, networkHelpers, accounts, deployFixture, clientsFor, publicClient } = await vaultChain();
const { gov, keeper, guardian, alice, bob, stranger } = accounts;

type Role = "governance" | "keeper" | "guardian" | "stranger";
const ROLE_ACCOUNTS: Record<Role, Address> = { governance: gov, keeper, guardian, stranger };
const ROLES = Object.keys(ROLE_ACCOUNTS) as Role[];

/** A vault with holders, pending requests on both sides, idle assets and a donation to recover. */
async function preparedVault() {
  const fx = await deployFixture();
  const { vault, asset } = fx;
  await vault.write.requestDeposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.settle({ account: keeper });
  await vault.write.deposit([USDC("1000"), alice, alice], { account: alice });
  await vault.write.requestDeposit([USDC("10"), bob, bob], { account: bob });
  await vault.write.requestRedeem([(await vault.read.balanceOf([alice])) / 10n, alice, alice], {
    account: alice,
  });
  await asset.write.mint([vault.address, USDC("3")]);
  return fx;
}

interface Gated {
  readonly name: string;
  readonly allowed: readonly Role[];
  readonly error: string;
  readonly errorSource?: "vault" | "registry";
  readonly call: (fx: VaultFixture, account: Address) => Promise<Hex>;
}

async function truthTable(rows: readonly Gated[]) {
  for (const row of rows) {
    describe(row.name, function () {
      for (const role of ROLES) {
        const allowed = row.allowed.includes(role);
        it(`${allowed ? "allows" : "refuses"} ${role}`, async function () {
          const fx = await networkHelpers.loadFixture(preparedVault);
          const promise = row.call(fx, ROLE_ACCOUNTS[role]);
          if (allowed) {
            const receipt = await publicClient.waitForTransactionReceipt({ hash: await promise });
            expect(receipt.status).to.equal("success");
          } else {
            const source = row.errorSource === "registry" ? fx.registry : fx.vault;
            await viem.assertions.revertWithCustomError(promise, source as never, row.error as never);
          }
        });
      }
    });
  }
}

describe("[AC21 role and modifier logic] AccountingManager role truth table", function () {
  const onlyGovernance = (name: string, call: Gated["call"]): Gated => ({
    name,
    allowed: ["governance"],
    error: "NotGovernance",
    call,
  });
  truthTable([
    {
      name: "settle before the deadline (keeper gate only)",
      allowed: ["keeper"],
      error: "SettlementNotDue",
      call: (fx, account) => fx.vault.write.settle({ account }),
    },
    {
      name: "settle after the deadline (anyone)",
      allowed: ROLES,
      error: "",
      call: async (fx, account) => {
        await networkHelpers.time.increase(4n * DAY);
        return fx.vault.write.settle({ account });
      },
    },
    {
      name: "transferToConnector (keeper gate only)",
      allowed: ["keeper"],
      error: "NotKeeperGate",
      call: (fx, account) =>
        fx.vault.write.transferToConnector([fx.connectorA.address, USDC("1")], { account }),
    },
    {
      name: "pauseDeposits (guardian or governance)",
      allowed: ["governance", "guardian"],
      error: "NotGuardianOrGovernance",
      call: (fx, account) => fx.vault.write.pauseDeposits({ account }),
    },
    {
      name: "pauseRedeems (guardian or governance)",
      allowed: ["governance", "guardian"],
      error: "NotGuardianOrGovernance",
      call: (fx, account) => fx.vault.write.pauseRedeems({ account }),
    },
    onlyGovernance("unpauseDeposits", (fx, account) => fx.vault.write.unpauseDeposits({ account })),
    onlyGovernance("unpauseRedeems", (fx, account) => fx.vault.write.unpauseRedeems({ account })),
    onlyGovernance("forceSettle", (fx, account) => fx.vault.write.forceSettle({ account })),
    onlyGovernance("setFeeConfig", (fx, account) =>
      fx.vault.write.setFeeConfig([gov, 100, 1000], { account }),
    ),
    onlyGovernance("setDepositCap", (fx, account) => fx.vault.write.setDepositCap([USDC("5")], { account })),
    onlyGovernance("setMinRequestAssets", (fx, account) =>
      fx.vault.write.setMinRequestAssets([5n], { account }),
    ),
    onlyGovernance("setGuardrails", async (fx, account) =>
      fx.vault.write.setGuardrails(
        [{ ...(await fx.lens.read.guardrails([fx.vault.address])), toleranceBps: 5 }],
        { account },
      ),
    ),
    onlyGovernance("recoverSurplus", (fx, account) =>
      fx.vault.write.recoverSurplus([fx.asset.address, gov], { account }),
    ),
  ]);

  it("receiveFromConnector: only a connector registered for this vault", async function () {
    const fx = await networkHelpers.loadFixture(preparedVault);
    const { vault, connectorA } = fx;
    await vault.write.transferToConnector([connectorA.address, USDC("5")], { account: keeper });
    for (const account of [gov, keeper, guardian, stranger]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        vault.write.receiveFromConnector([1n], { account }),
        vault,
        "NotVaultConnector",
        [getAddress(account)],
      );
    }
    await viem.assertions.emitWithArgs(
      connectorA.write.sendToVault([USDC("5")]),
      vault,
      "AssetsReceivedFromConnector",
      [getAddress(connectorA.address), USDC("5")],
    );
  });

  describe("controller checks (controller, its operator, a stranger)", function () {
    const rows: { name: string; call: (fx: VaultFixture, account: Address) => Promise<Hex> }[] = [
      {
        name: "deposit",
        call: (fx, account) => fx.vault.write.deposit([USDC("1"), account, alice], { account }),
      },
      { name: "mint", call: (fx, account) => fx.vault.write.mint([1000n, account, alice], { account }) },
      {
        name: "redeem",
        call: (fx, account) => fx.vault.write.redeem([10n ** 12n, account, alice], { account }),
      },
      {
        name: "withdraw",
        call: (fx, account) => fx.vault.write.withdraw([USDC("1"), account, alice], { account }),
      },
      {
        name: "cancelDepositRequest",
        call: (fx, account) => fx.vault.write.cancelDepositRequest([0n, alice], { account }),
      },
      {
        name: "cancelRedeemRequest",
        call: (fx, account) => fx.vault.write.cancelRedeemRequest([0n, alice], { account }),
      },
      {
        name: "claimCancelDepositRequest",
        call: async (fx, account) => {
          await fx.vault.write.cancelDepositRequest([0n, alice], { account: alice });
          return fx.vault.write.claimCancelDepositRequest([0n, account, alice], { account });
        },
      },
      {
        name: "claimCancelRedeemRequest",
        call: async (fx, account) => {
          await fx.vault.write.cancelRedeemRequest([0n, alice], { account: alice });
          return fx.vault.write.claimCancelRedeemRequest([0n, account, alice], { account });
        },
      },
    ];
    /** Alice has a claimable deposit and redemption, and new pending requests on both sides. */
    async function controllerVault() {
      const fx = await preparedVault();
      const { vault } = fx;
      await vault.write.requestDeposit([USDC("10"), alice, alice], { account: alice });
      await vault.write.settle({ account: keeper });
      await vault.write.requestDeposit([USDC("10"), alice, alice], { account: alice });
      await vault.write.requestRedeem([2n * 10n ** 12n, alice, alice], { account: alice });
      await vault.write.setOperator([bob, true], { account: alice });
      return fx;
    }
    for (const row of rows) {
      it(`${row.name}: controller and operator allowed, stranger refused`, async function () {
        for (const [account, allowed] of [
          [alice, true],
          [bob, true],
          [stranger, false],
        ] as const) {
          const fx = await networkHelpers.loadFixture(controllerVault);
          if (allowed) {
            const hash = await row.call(fx, account);
            const receipt = await publicClient.waitForTransactionReceipt({ hash });
            expect(receipt.status).to.equal("success");
          } else {
            await viem.assertions.revertWithCustomErrorWithArgs(
              row.call(fx, account),
              fx.vault,
              "NotControllerOrOperator",
              [getAddress(account), getAddress(alice)],
            );
          }
        }
      });
    }
  });
});

describe("[AC21 role and modifier logic] Registry role truth table", function () {
  const ownerOnly = (name: string, call: Gated["call"]): Gated => ({
    name,
    allowed: ["governance"],
    error: "OwnableUnauthorizedAccount",
    errorSource: "registry",
    call,
  });
  const deRisk = (name: string, call: Gated["call"]): Gated => ({
    name,
    allowed: ["governance", "guardian"],
    error: "NotGuardianOrGovernance",
    errorSource: "registry",
    call,
  });
  truthTable([
    ownerOnly("registerVault", (fx, account) =>
      fx.registry.write.registerVault(
        [
          stranger,
          {
            asset: fx.asset.address,
            valueOracle: gov,
            swapHandler: gov,
            keeperGate: gov,
            guardian: gov,
            registered: true,
          },
        ],
        { account },
      ),
    ),
    ownerOnly("setValueOracle", (fx, account) =>
      fx.registry.write.setValueOracle([fx.vault.address, bob], { account }),
    ),
    ownerOnly("setSwapHandler", (fx, account) =>
      fx.registry.write.setSwapHandler([fx.vault.address, bob], { account }),
    ),
    ownerOnly("setKeeperGate", (fx, account) =>
      fx.registry.write.setKeeperGate([fx.vault.address, bob], { account }),
    ),
    ownerOnly("setGuardian", (fx, account) =>
      fx.registry.write.setGuardian([fx.vault.address, bob], { account }),
    ),
    ownerOnly("addConnector", async (fx, account) => {
      const extra = await deploy(clientsFor(0), projectArtifact("MockConnector"), [
        fx.vault.address,
        fx.asset.address,
      ]);
      return fx.registry.write.addConnector([fx.vault.address, extra, 1n], { account });
    }),
    ownerOnly("enableConnector", (fx, account) =>
      fx.registry.write.enableConnector([fx.connectorA.address], { account }),
    ),
    ownerOnly("setConnectorToken (allow)", (fx, account) =>
      fx.registry.write.setConnectorToken([fx.connectorA.address, bob, true], { account }),
    ),
    ownerOnly("setAllowedCall (allow)", (fx, account) =>
      fx.registry.write.setAllowedCall([fx.vault.address, bob, "0x12345678", true], { account }),
    ),
    ownerOnly("transferOwnership", (fx, account) => fx.registry.write.transferOwnership([bob], { account })),
    deRisk("disableConnector", (fx, account) =>
      fx.registry.write.disableConnector([fx.connectorA.address], { account }),
    ),
    deRisk("setConnectorCap (lower)", (fx, account) =>
      fx.registry.write.setConnectorCap([fx.connectorA.address, 1n], { account }),
    ),
    deRisk("setConnectorToken (forbid)", (fx, account) =>
      fx.registry.write.setConnectorToken([fx.connectorA.address, bob, false], { account }),
    ),
    deRisk("setAllowedCall (forbid)", (fx, account) =>
      fx.registry.write.setAllowedCall([fx.vault.address, bob, "0x12345678", false], { account }),
    ),
  ]);

  it("setConnectorCap: the guardian cannot raise a cap (CapIncreaseNeedsGovernance), strangers cannot set it", async function () {
    const fx = await networkHelpers.loadFixture(preparedVault);
    const { registry, connectorA } = fx;
    await registry.write.setConnectorCap([connectorA.address, 5n], { account: gov });
    await viem.assertions.revertWithCustomErrorWithArgs(
      registry.write.setConnectorCap([connectorA.address, 6n], { account: guardian }),
      registry,
      "CapIncreaseNeedsGovernance",
      [5n, 6n],
    );
    for (const account of [keeper, stranger]) {
      await viem.assertions.revertWithCustomError(
        registry.write.setConnectorCap([connectorA.address, 6n], { account }),
        registry,
        "NotGuardianOrGovernance",
      );
    }
    await registry.write.setConnectorCap([connectorA.address, 6n], { account: gov });
    expect((await registry.read.connectorConfig([connectorA.address])).cap).to.equal(6n);
  });
});
