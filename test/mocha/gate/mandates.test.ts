import { expect } from "chai";
import {
  type Address,
  type Hex,
  encodeFunctionData,
  getAddress,
  hashTypedData,
  keccak256,
  parseUnits,
  toHex,
} from "viem";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import {
  ACT_SELECTOR,
  SWAP_SELECTOR,
  VAULT_TOTAL_ASSETS,
  actionMandate,
  deployGateTestbed,
  twoSignerMandateSignatures,
} from "../../../deploy/local/gateTestbed.js";
import { MANDATE_TYPES, type Mandate, gateDomain, signMandate } from "../../../deploy/product/gate.js";
import { localChain } from "../helpers/chain.js";

// Attack classes covered (../shared/research/attack-classes.md): AC19 slippage on keeper-driven conversions,
// AC20 keeper multisig signature scheme (mandate approval), AC21 role and modifier logic (revocation, keeper).

const { viem, networkHelpers, wallets, clientsFor, publicClient } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const DAY = 86_400n;
const USDC = (n: string) => parseUnits(n, 6);
const PROVENANCE = keccak256(toHex("mandate action"));

async function fixture() {
  const tb = await deployGateTestbed(accounts, { signerCount: 3, threshold: 2n });
  const gate = await viem.getContractAt("KeeperGate", tb.gate);
  const registry = await viem.getContractAt("Registry", tb.registry);
  const vault = await viem.getContractAt("MockPricedVault", tb.vault);
  return { tb, gate, registry, vault };
}

type Testbed = Awaited<ReturnType<typeof fixture>>;

async function baseMandate(tb: Testbed["tb"], overrides: Partial<Mandate> = {}): Promise<Mandate> {
  return actionMandate(tb, (await publicClient.getBlock()).timestamp, overrides);
}

async function approve({ tb, gate }: Testbed, mandate: Mandate): Promise<Hex> {
  const signatures = await twoSignerMandateSignatures(tb, chainId, mandate);
  const id = await gate.read.mandateDigest([mandate]);
  await gate.write.approveMandate([mandate, signatures], { account: tb.outsider.wallet.account });
  return id;
}

function act(target: Address, token: Address, amount: bigint, assetsLost = 0n) {
  return {
    target,
    data: encodeFunctionData({
      abi: projectArtifact("MockActionConnector").abi,
      functionName: "act",
      args: [token, amount, assetsLost],
    }),
  };
}

describe("KeeperGate: mandates", function () {
  it("[AC20 signature scheme] signers approve a mandate with EIP-712 typed data; duplicates, too few signatures and bad bounds fail", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate } = t;
    const mandate = await baseMandate(tb);
    expect(await gate.read.mandateDigest([mandate])).to.equal(
      hashTypedData({
        domain: gateDomain(chainId, tb.gate),
        types: MANDATE_TYPES,
        primaryType: "Mandate",
        message: { vault: tb.vault, ...mandate },
      }),
    );
    const one = await signMandate(tb.signers[0]!.wallet, gateDomain(chainId, tb.gate), tb.vault, mandate);
    await viem.assertions.revertWithCustomError(
      gate.write.approveMandate([mandate, [one]]),
      gate,
      "BelowThreshold",
    );

    const id = await approve(t, mandate);
    const state = await gate.read.mandateState([id]);
    expect(state.keeper).to.equal(getAddress(tb.keeper.wallet.account.address));
    expect(state.lastPricePerShare).to.equal(USDC("1"));
    await viem.assertions.revertWithCustomErrorWithArgs(approve(t, mandate), gate, "MandateAlreadyExists", [
      id,
    ]);

    const now = (await publicClient.getBlock()).timestamp;
    for (const bad of [
      { expiry: now },
      { period: 0n },
      { lossWindow: 0n },
      { maxSlippageBps: 10_001n },
      { maxLossBps: 10_001n },
      { connectors: [] },
      { tokens: [] },
      { selectors: [] },
    ] as Partial<Mandate>[]) {
      await viem.assertions.revertWithCustomError(
        approve(t, await baseMandate(tb, { ...bad, nonce: 9n })),
        gate,
        "InvalidMandate",
      );
    }
  });

  it("[AC19 slippage] per-action notional (oracle value of the first two calldata words) and slippage against total assets", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate, vault } = t;
    const id = await approve(t, await baseMandate(tb));
    const keeper = { account: tb.keeper.wallet.account };

    await viem.assertions.revertWithCustomErrorWithArgs(
      gate.write.executeMandate(
        [id, act(tb.actionConnector, tb.usdc, USDC("10000.000001")), PROVENANCE],
        keeper,
      ),
      gate,
      "NotionalAboveActionLimit",
      [USDC("10000.000001"), USDC("10000")],
    );
    // 0.5% of a 10,000 notional may be lost across the action, not more.
    await viem.assertions.revertWithCustomErrorWithArgs(
      gate.write.executeMandate(
        [id, act(tb.actionConnector, tb.usdc, USDC("10000"), USDC("50.000001")), PROVENANCE],
        keeper,
      ),
      gate,
      "SlippageAboveMandate",
      [USDC("50.000001"), USDC("50")],
    );
    const ok = gate.write.executeMandate(
      [id, act(tb.actionConnector, tb.usdc, USDC("10000"), USDC("50")), PROVENANCE],
      keeper,
    );
    await viem.assertions.emitWithArgs(ok, gate, "MandateExecuted", [
      id,
      PROVENANCE,
      getAddress(tb.actionConnector),
      ACT_SELECTOR,
      getAddress(tb.usdc),
      USDC("10000"),
      USDC("10000"),
    ]);
    expect(await vault.read.totalAssets()).to.equal(VAULT_TOTAL_ASSETS - USDC("50"));
  });

  it("[AC19 slippage] the period limit is an exact sum over the trailing period (time travel), and a period holds at most 32 actions", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate } = t;
    const id = await approve(t, await baseMandate(tb));
    const keeper = { account: tb.keeper.wallet.account };
    const run = (amount: bigint) =>
      gate.write.executeMandate([id, act(tb.actionConnector, tb.usdc, amount), PROVENANCE], keeper);

    // Three actions an hour apart.
    await run(USDC("10000"));
    const first = (await publicClient.getBlock()).timestamp;
    await networkHelpers.time.increase(3600);
    await run(USDC("10000"));
    await networkHelpers.time.increase(3600);
    await run(USDC("10000"));
    expect(await gate.read.mandatePeriodHeadroom([id])).to.equal(0n);
    await viem.assertions.revertWithCustomErrorWithArgs(run(1n), gate, "NotionalAbovePeriodLimit", [
      USDC("30000") + 1n,
      USDC("30000"),
    ]);

    // Most of a day later nothing has left the trailing day: still no headroom (no refill).
    await networkHelpers.time.increaseTo(first + DAY - 600n);
    await viem.assertions.revertWithCustomError(run(1n), gate, "NotionalAbovePeriodLimit");

    // One day after the first action it leaves the window: exactly its 10,000 is available again.
    await networkHelpers.time.increaseTo(first + DAY);
    expect(await gate.read.mandatePeriodHeadroom([id])).to.equal(USDC("10000"));
    await run(USDC("10000"));
    await viem.assertions.revertWithCustomError(run(1n), gate, "NotionalAbovePeriodLimit");

    await networkHelpers.time.increase(Number(DAY));
    expect(await gate.read.mandatePeriodHeadroom([id])).to.equal(USDC("30000"));

    // 32 live actions fill the window; the 33rd waits even though notional is left.
    for (let i = 0; i < 32; i++) await run(USDC("1"));
    await viem.assertions.revertWithCustomErrorWithArgs(run(USDC("1")), gate, "WindowFull", [32n]);
  });

  it("[AC21 role truth table] expiry, scope (connector, token, selector), keeper identity, signer-set change and registry allowlist", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate, registry } = t;
    const id = await approve(t, await baseMandate(tb));
    const keeper = { account: tb.keeper.wallet.account };
    const good = act(tb.actionConnector, tb.usdc, USDC("1"));

    for (const other of [tb.outsider, tb.guardian, tb.governance, tb.signers[0]!]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        gate.write.executeMandate([id, good, PROVENANCE], { account: other.wallet.account }),
        gate,
        "NotMandateKeeper",
        [getAddress(other.wallet.account.address)],
      );
    }
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([keccak256("0x01"), good, PROVENANCE], keeper),
      gate,
      "UnknownMandate",
    );

    // A second connector the registry allows, but the mandate does not name.
    const second = await deploy(tb.governance, projectArtifact("MockActionConnector"), [tb.vault]);
    const gov = { account: tb.governance.wallet.account };
    await registry.write.addConnector([tb.vault, second, 0n], gov);
    await registry.write.setAllowedCall([tb.vault, second, ACT_SELECTOR, true], gov);
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([id, act(second, tb.usdc, USDC("1")), PROVENANCE], keeper),
      gate,
      "ConnectorNotInMandate",
    );
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate(
        [id, act(tb.actionConnector, tb.outsider.wallet.account.address, 1n), PROVENANCE],
        keeper,
      ),
      gate,
      "TokenNotInMandate",
    );
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([id, { target: tb.actionConnector, data: "0x12345678" }, PROVENANCE], keeper),
      gate,
      "MalformedActionCalldata",
    );
    const swapOnly = await approve(t, await baseMandate(tb, { selectors: [SWAP_SELECTOR], nonce: 2n }));
    await viem.assertions.revertWithCustomErrorWithArgs(
      gate.write.executeMandate([swapOnly, good, PROVENANCE], keeper),
      gate,
      "SelectorNotInMandate",
      [ACT_SELECTOR],
    );

    // The guardian forbids the call in the registry: the mandate cannot reach it any more.
    await registry.write.setAllowedCall([tb.vault, tb.actionConnector, ACT_SELECTOR, false], {
      account: tb.guardian.wallet.account,
    });
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([id, good, PROVENANCE], keeper),
      gate,
      "CallNotAllowed",
    );
    await registry.write.setAllowedCall([tb.vault, tb.actionConnector, ACT_SELECTOR, true], gov);
    await gate.write.executeMandate([id, good, PROVENANCE], keeper);

    // New signer set: mandates approved by the old one stop.
    await gate.write.setSigners([tb.signers.map((s) => s.wallet.account.address), 3n], gov);
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([id, good, PROVENANCE], keeper),
      gate,
      "MandateSignerSetChanged",
    );

    // And two signatures no longer approve a new one (threshold is 3 now).
    await viem.assertions.revertWithCustomErrorWithArgs(
      approve(t, await baseMandate(tb, { nonce: 3n })),
      gate,
      "BelowThreshold",
      [2n, 3n],
    );
  });

  it("[AC21 role truth table] expiry, and revocation by guardian, governance or the keeper itself, never by others", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate } = t;
    const keeper = { account: tb.keeper.wallet.account };
    const good = act(tb.actionConnector, tb.usdc, USDC("1"));

    const expiring = await baseMandate(tb, { nonce: 10n });
    const expiringId = await approve(t, expiring);
    await networkHelpers.time.increaseTo(expiring.expiry + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      gate.write.executeMandate([expiringId, good, PROVENANCE], keeper),
      gate,
      "MandateExpired",
      [expiringId, expiring.expiry],
    );

    const revokers = [tb.guardian, tb.governance, tb.keeper];
    for (const [i, revoker] of revokers.entries()) {
      const id = await approve(t, await baseMandate(tb, { nonce: 20n + BigInt(i) }));
      for (const other of [tb.outsider, tb.signers[0]!]) {
        await viem.assertions.revertWithCustomError(
          gate.write.revokeMandate([id], { account: other.wallet.account }),
          gate,
          "NotGuardianOrGovernance",
        );
      }
      await gate.write.executeMandate([id, good, PROVENANCE], keeper);
      await viem.assertions.emitWithArgs(
        gate.write.revokeMandate([id], { account: revoker.wallet.account }),
        gate,
        "MandateRevoked",
        [id, getAddress(revoker.wallet.account.address)],
      );
      await viem.assertions.revertWithCustomError(
        gate.write.executeMandate([id, good, PROVENANCE], keeper),
        gate,
        "MandateIsRevoked",
      );
      await viem.assertions.revertWithCustomError(
        gate.write.revokeMandate([id], { account: tb.guardian.wallet.account }),
        gate,
        "MandateIsRevoked",
      );
    }
  });

  it("[F7 mandate dip] a price-per-share dip beyond the limit between actions suspends the mandate while it lasts, never for good", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate, vault } = t;
    const id = await approve(t, await baseMandate(tb));
    const keeper = { account: tb.keeper.wallet.account };
    const good = act(tb.actionConnector, tb.usdc, USDC("1"));
    await gate.write.executeMandate([id, good, PROVENANCE], keeper);
    const before = await gate.read.mandateState([id]);

    // A 1.01% dip outside any action (a connector lost value, or its valuation was disrupted): the
    // attempt is refused without acting and without recording anything.
    await vault.write.setTotalAssets([(VAULT_TOTAL_ASSETS * 9899n) / 10_000n]);
    const { result } = await gate.simulate.executeMandate([id, good, PROVENANCE], {
      account: tb.keeper.wallet.account.address,
    });
    expect(result).to.equal(false);
    await viem.assertions.emitWithArgs(
      gate.write.executeMandate([id, good, PROVENANCE], keeper),
      gate,
      "MandateSuspended",
      [id, 101n, 100n],
    );
    expect(await gate.read.mandateState([id])).to.deep.equal(before);
    // The dip is not a realised loss: once the price per share is back, the same mandate acts again with
    // its whole loss budget.
    await vault.write.setTotalAssets([VAULT_TOTAL_ASSETS]);
    await viem.assertions.emit(
      gate.write.executeMandate([id, good, PROVENANCE], keeper),
      gate,
      "MandateExecuted",
    );
    expect((await gate.read.mandateState([id])).lossBps).to.equal(0n);
  });

  it("[AC19 slippage] cumulative action losses over the rolling window are capped and drain with time", async function () {
    const t = await networkHelpers.loadFixture(fixture);
    const { tb, gate } = t;
    // Slippage wide open so only the loss limit binds: 1% over 7 days.
    const id = await approve(t, await baseMandate(tb, { maxSlippageBps: 10_000n }));
    const keeper = { account: tb.keeper.wallet.account };
    const losing = () =>
      act(tb.actionConnector, tb.usdc, USDC("10000"), (VAULT_TOTAL_ASSETS * 40n) / 10_000n - USDC("1"));

    await gate.write.executeMandate([id, losing(), PROVENANCE], keeper);
    await gate.write.executeMandate([id, losing(), PROVENANCE], keeper);
    await viem.assertions.revertWithCustomError(
      gate.write.executeMandate([id, losing(), PROVENANCE], keeper),
      gate,
      "LossLimitExceeded",
    );
    // Half the window later half of the 1% budget has drained.
    await networkHelpers.time.increase(Number((7n * DAY) / 2n));
    await gate.write.executeMandate([id, losing(), PROVENANCE], keeper);
    expect((await gate.read.mandateState([id])).lossBps).to.be.greaterThan(0n);
  });
});
