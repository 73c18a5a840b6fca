import { expect } from "chai";
import { type Address, getAddress, zeroAddress } from "viem";
import {
  advanceTime,
  defaultVaultConfig,
  deployCore,
  eoaGovernance,
  executeTimelockBatch,
  governanceCall,
  safeGovernance,
  scheduleBatchData,
  timelockBatchId,
} from "../../../deploy/product/core.js";
import {
  buildSafeTx,
  createSafe,
  deploySafeInfrastructure,
  execSafeTx,
} from "../../../deploy/protocols/safe.js";
import { deployMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

const { viem, networkHelpers, clientsFor, wallets } = await localChain();
const DELAY = 2n * 24n * 3600n;
const [deployer, keeper, guardian, feeReceiver, owner1, owner2, owner3, stranger] = wallets.map(
  (w) => w.account.address,
) as Address[] as [Address, Address, Address, Address, Address, Address, Address, Address];
const roles = { keeperGate: keeper, guardian, valueOracle: stranger, swapHandler: stranger };

async function eoaGoverned() {
  const clients = clientsFor(0);
  const asset = await deployMockToken(clients, "USD Coin", "USDC", 6);
  const core = await deployCore(
    clients,
    {
      proposers: [deployer],
      executors: [deployer],
      minDelay: DELAY,
      asset,
      name: "Agent Vault USDC",
      symbol: "avUSDC",
      config: defaultVaultConfig(feeReceiver),
      roles,
    },
    (timelock) => eoaGovernance(clients, timelock, DELAY),
  );
  return { ...core, asset };
}

async function safeGoverned() {
  const clients = clientsFor(0);
  const infra = await deploySafeInfrastructure(clients);
  const safe = await createSafe(clients, infra, [owner1, owner2, owner3], 2n);
  const signers = [wallets[4]!, wallets[6]!];
  const asset = await deployMockToken(clients, "USD Coin", "USDC", 6);
  const core = await deployCore(
    clients,
    {
      proposers: [safe],
      executors: [zeroAddress], // anyone executes once the delay passed
      minDelay: DELAY,
      asset,
      name: "Agent Vault USDC",
      symbol: "avUSDC",
      config: defaultVaultConfig(feeReceiver),
      roles,
    },
    (timelock) => safeGovernance(clients, safe, signers, timelock, DELAY),
  );
  return { ...core, asset, safe, signers };
}

describe("Governance: TimelockController owns the Registry; vault settings are timelocked", function () {
  it("deployCore registers the vault through the timelock, which owns the registry", async function () {
    const { timelock, registry, vault, asset } = await networkHelpers.loadFixture(eoaGoverned);
    const reg = await viem.getContractAt("Registry", registry);
    expect(await reg.read.owner()).to.equal(getAddress(timelock));
    expect(await reg.read.governance()).to.equal(getAddress(timelock));
    const config = await reg.read.vaultConfig([vault]);
    expect(config.registered).to.equal(true);
    expect(config.asset).to.equal(getAddress(asset));
    expect(await reg.read.keeperGateOf([vault])).to.equal(getAddress(keeper));
  });

  it("the proposer's EOA cannot act directly; a change executes only after the delay", async function () {
    const { timelock, registry, vault } = await networkHelpers.loadFixture(eoaGoverned);
    const am = await viem.getContractAt("AccountingManager", vault);
    const reg = await viem.getContractAt("Registry", registry);
    await viem.assertions.revertWithCustomError(
      am.write.setFeeConfig([feeReceiver, 100, 1000]),
      am,
      "NotGovernance",
    );
    await viem.assertions.revertWithCustomError(
      reg.write.setGuardian([vault, stranger]),
      reg,
      "OwnableUnauthorizedAccount",
    );

    const calls = [governanceCall(vault, "AccountingManager", "setFeeConfig", [feeReceiver, 100, 1000])];
    const salt = `0x${"11".repeat(32)}` as const;
    const tl = await viem.getContractAt("TimelockController", timelock);
    await tl.write.scheduleBatch([[vault], [0n], [calls[0]!.data], `0x${"00".repeat(32)}`, salt, DELAY]);
    expect(await tl.read.isOperationPending([timelockBatchId(calls, salt)])).to.equal(true);
    await viem.assertions.revertWithCustomError(
      executeTimelockBatch(clientsFor(0), timelock, calls, salt),
      tl,
      "TimelockUnexpectedOperationState",
    );
    await advanceTime(clientsFor(0), DELAY);
    await executeTimelockBatch(clientsFor(0), timelock, calls, salt);
    const lens = await viem.deployContract("VaultLens");
    const [, queued] = await lens.read.feeState([am.address]);
    expect([queued.managementFeeBps, queued.performanceFeeBps]).to.deep.equal([100, 1000]);
    expect(await tl.read.isOperationDone([timelockBatchId(calls, salt)])).to.equal(true);
  });

  it("an account without the proposer role cannot schedule", async function () {
    const { timelock, vault } = await networkHelpers.loadFixture(eoaGoverned);
    const tl = await viem.getContractAt("TimelockController", timelock);
    const calls = [governanceCall(vault, "AccountingManager", "unpauseDeposits", [])];
    await viem.assertions.revertWithCustomError(
      tl.write.scheduleBatch(
        [[vault], [0n], [calls[0]!.data], `0x${"00".repeat(32)}`, `0x${"22".repeat(32)}`, DELAY],
        {
          account: stranger,
        },
      ),
      tl,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("a Safe-proposed (2-of-3) timelocked change works end to end", async function () {
    const { timelock, registry, vault, safe, signers } = await networkHelpers.loadFixture(safeGoverned);
    const clients = clientsFor(0);
    const reg = await viem.getContractAt("Registry", registry);
    expect(await reg.read.owner()).to.equal(getAddress(timelock));
    expect((await reg.read.vaultConfig([vault])).registered).to.equal(true);

    // one Safe owner alone cannot schedule (the Safe refuses one signature)
    const calls = [
      governanceCall(vault, "AccountingManager", "setDepositCap", [123_000_000n]),
      governanceCall(registry, "Registry", "setGuardian", [vault, stranger]),
    ];
    const salt = `0x${"33".repeat(32)}` as const;
    const tx = await buildSafeTx(clients, safe, timelock, scheduleBatchData(calls, salt, DELAY));
    let refused = false;
    try {
      await execSafeTx(clients, safe, tx, [signers[0]!]);
    } catch (error) {
      refused = String(error).includes("GS020");
    }
    expect(refused).to.equal(true);

    await safeGovernance(clients, safe, signers, timelock, DELAY)(calls);
    const lens = await viem.deployContract("VaultLens");
    const limits = await lens.read.limits([vault]);
    expect(limits.depositCap).to.equal(123_000_000n);
    expect(await reg.read.guardianOf([vault])).to.equal(getAddress(stranger));
  });
});
