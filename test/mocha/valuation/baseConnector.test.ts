import { expect } from "chai";
import {
  type Address,
  encodeFunctionData,
  getAddress,
  maxUint256,
  parseEther,
  parseUnits,
  zeroAddress,
} from "viem";
import { deploy, projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { connectorValue, deployErc4626Connector } from "../../../deploy/product/connectors.js";
import { localChain } from "../helpers/chain.js";
import { expectRevert } from "../helpers/revert.js";
import {
  abis,
  actors,
  addConnector,
  allowConnectorToken,
  balanceOf,
  mint,
  tokenWithFeed,
  vaultIdle,
  usdcAndWeth,
  usdcVaultPricingWeth,
} from "./setup.js";

// Attack classes covered: AC2 stray tokens recoverable, AC17 cross-vault isolation of fund movements,
// AC19 swap approvals exact and reset, AC21 roles, AC26 WETH only (no native ETH path).
const chain = await localChain();
const { networkHelpers } = chain;
const who = actors(chain.clientsFor);
const connectorAbi = () => projectArtifact("ERC4626Connector").abi;

async function baseFixture() {
  const g = who.governance;
  const { usdc, weth } = await usdcAndWeth(g);
  const { registry, oracle, vault } = await usdcVaultPricingWeth(who, usdc, weth);
  const target = getAddress(await deploy(g, projectArtifact("PlainERC4626"), [usdc.token]));
  const connector = async (vault: Address) =>
    getAddress(await deployErc4626Connector(g, { registry, vault, target, maxLossBps: 10 }));
  const a = await connector(vault);
  const b = await connector(vault);
  await addConnector(g, registry, vault, a, maxUint256);
  await addConnector(g, registry, vault, b, maxUint256);
  // a second vault in the same registry, with its own connector
  const otherVault = who.stranger.wallet.account.address;
  await send(g, {
    address: registry,
    abi: abis.registry(),
    functionName: "registerVault",
    args: [
      otherVault,
      {
        asset: usdc.token,
        valueOracle: oracle,
        swapHandler: zeroAddress,
        keeperGate: who.keeper.wallet.account.address,
        guardian: who.guardian.wallet.account.address,
        registered: true,
      },
    ],
  });
  const foreign = await connector(otherVault);
  await addConnector(g, registry, otherVault, foreign, maxUint256);
  const handler = getAddress(await deploy(g, projectArtifact("RecordingSwapHandler")));
  await send(g, {
    address: registry,
    abi: abis.registry(),
    functionName: "setSwapHandler",
    args: [vault, handler],
  });
  await allowConnectorToken(g, registry, a, weth.token);
  await mint(g, usdc.token, a, parseUnits("10000", 6));
  await mint(g, weth.token, handler, parseEther("100"));
  return { usdc, weth, registry, oracle, vault, a, b, foreign, handler };
}

const keeper = (connector: Address, functionName: string, args: readonly unknown[]) =>
  send(who.keeper, { address: connector, abi: connectorAbi(), functionName, args });

describe("BaseConnector", function () {
  it("sends the base asset back to its own vault only", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    await keeper(f.a, "sendToVault", [parseUnits("400", 6)]);
    expect(await balanceOf(who.governance, f.usdc.token, f.vault)).to.equal(parseUnits("400", 6));
    // booked by the vault as idle shareholder assets, not left as an unpriced donation
    expect(await vaultIdle(who.governance, f.vault)).to.equal(parseUnits("400", 6));
    expect(
      await read<bigint>(who.governance, {
        address: f.vault,
        abi: abis.vault(),
        functionName: "totalAssets",
      }),
    ).to.equal(parseUnits("10000", 6));
    expect((await connectorValue(who.governance, f.a)).value).to.equal(parseUnits("9600", 6));
  });

  it("[AC17 cross-vault isolation] sends only to enabled connectors of the same vault, with tokens allowed there", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    await expectRevert(keeper(f.a, "sendToConnector", [f.foreign, f.usdc.token, 1n]), "NotConnectorOfVault");
    await expectRevert(
      keeper(f.a, "sendToConnector", [who.stranger.wallet.account.address, f.usdc.token, 1n]),
      "NotConnectorOfVault",
    );
    await expectRevert(keeper(f.a, "sendToConnector", [f.a, f.usdc.token, 1n]), "NotConnectorOfVault");
    await mint(who.governance, f.weth.token, f.a, parseEther("1"));
    await expectRevert(keeper(f.a, "sendToConnector", [f.b, f.weth.token, 1n]), "TokenNotAllowed");
    await allowConnectorToken(who.governance, f.registry, f.b, f.weth.token);
    await keeper(f.a, "sendToConnector", [f.b, f.weth.token, parseEther("1")]);
    // the receiver tracks the token at once, so NAV does not dip between the two connectors
    expect(
      await read<boolean>(who.governance, {
        address: f.b,
        abi: connectorAbi(),
        functionName: "isTracked",
        args: [f.weth.token],
      }),
    ).to.equal(true);
    expect((await connectorValue(who.governance, f.b)).value).to.equal(parseUnits("3000", 6));
    await send(who.guardian, {
      address: f.registry,
      abi: abis.registry(),
      functionName: "disableConnector",
      args: [f.b],
    });
    await expectRevert(keeper(f.a, "sendToConnector", [f.b, f.usdc.token, 1n]), "ConnectorDisabled");
    // a disabled connector still counts and can still be unwound
    expect((await connectorValue(who.governance, f.b)).value).to.equal(parseUnits("3000", 6));
  });

  it("[AC19 slippage / approvals] swaps through the vault's handler with an exact approval reset to 0", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    const data = encodeFunctionData({
      abi: projectArtifact("RecordingSwapHandler").abi,
      functionName: "fill",
      args: [f.usdc.token, parseUnits("3000", 6), f.weth.token, parseEther("0.99")],
    });
    await keeper(f.a, "swap", [f.usdc.token, parseUnits("3000", 6), data]);
    expect(
      await read<bigint>(who.governance, {
        address: f.handler,
        abi: projectArtifact("RecordingSwapHandler").abi,
        functionName: "allowanceSeen",
      }),
    ).to.equal(parseUnits("3000", 6));
    expect(
      await read<bigint>(who.governance, {
        address: f.usdc.token,
        abi: abis.erc20(),
        functionName: "allowance",
        args: [f.a, f.handler],
      }),
    ).to.equal(0n);
    await keeper(f.a, "trackToken", [f.weth.token]);
    expect((await connectorValue(who.governance, f.a)).value).to.equal(parseUnits("9970", 6));
    await send(who.governance, {
      address: f.registry,
      abi: abis.registry(),
      functionName: "setSwapHandler",
      args: [f.vault, zeroAddress],
    });
    await expectRevert(keeper(f.a, "swap", [f.usdc.token, 1n, data]), "NoSwapHandler");
  });

  it("[AC2 raw balances] stray tokens go to the vault; tracked and receipt tokens cannot be pulled out that way", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    await expectRevert(keeper(f.a, "recoverToken", [f.usdc.token]), "TokenNotStray");
    await keeper(f.a, "deposit", [f.usdc.token, parseUnits("100", 6), 0n]);
    const target = await read<Address>(who.governance, {
      address: f.a,
      abi: connectorAbi(),
      functionName: "target",
    });
    await expectRevert(keeper(f.a, "recoverToken", [target]), "TokenNotStray");
    await mint(who.governance, f.weth.token, f.a, 5n);
    await keeper(f.a, "recoverToken", [f.weth.token]);
    expect(await balanceOf(who.governance, f.weth.token, f.vault)).to.equal(5n);
  });

  it("tracks at most MAX_TRACKED_TOKENS, untracks only empty tokens, never the base asset", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    await expectRevert(keeper(f.b, "trackToken", [f.weth.token]), "TokenNotAllowed");
    await keeper(f.a, "trackToken", [f.weth.token]);
    await mint(who.governance, f.weth.token, f.a, 1n);
    await expectRevert(keeper(f.a, "untrackToken", [f.weth.token]), "TokenStillHeld");
    await expectRevert(keeper(f.a, "untrackToken", [f.usdc.token]), "TokenStillHeld");
    const extra: Address[] = [];
    for (let i = 0; i < 7; i++) {
      const t = (await tokenWithFeed(who.governance, `T${i}`, 18, 8, 1n)).token;
      await allowConnectorToken(who.governance, f.registry, f.b, t);
      extra.push(t);
    }
    for (const t of extra) await keeper(f.b, "trackToken", [t]);
    const one = (await tokenWithFeed(who.governance, "T8", 18, 8, 1n)).token;
    await allowConnectorToken(who.governance, f.registry, f.b, one);
    await expectRevert(keeper(f.b, "trackToken", [one]), "TooManyTrackedTokens");
    await keeper(f.b, "untrackToken", [extra[0]]);
    await keeper(f.b, "trackToken", [one]);
    // a tracked token the oracle cannot price makes the report unhealthy, not reverting
    await mint(who.governance, one, f.b, 1n);
    expect((await connectorValue(who.governance, f.b)).healthy).to.equal(false);
  });

  it("[AC21 role logic] fund movements are keeper-gate only; trackToken also accepts sibling connectors", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    for (const caller of [who.governance, who.guardian, who.stranger]) {
      await expectRevert(
        send(caller, { address: f.a, abi: connectorAbi(), functionName: "sendToVault", args: [1n] }),
        "NotKeeperGate",
      );
      await expectRevert(
        send(caller, {
          address: f.a,
          abi: connectorAbi(),
          functionName: "sendToConnector",
          args: [f.b, f.usdc.token, 1n],
        }),
        "NotKeeperGate",
      );
      await expectRevert(
        send(caller, {
          address: f.a,
          abi: connectorAbi(),
          functionName: "swap",
          args: [f.usdc.token, 1n, "0x"],
        }),
        "NotKeeperGate",
      );
      await expectRevert(
        send(caller, {
          address: f.a,
          abi: connectorAbi(),
          functionName: "recoverToken",
          args: [f.weth.token],
        }),
        "NotKeeperGate",
      );
      await expectRevert(
        send(caller, {
          address: f.a,
          abi: connectorAbi(),
          functionName: "untrackToken",
          args: [f.weth.token],
        }),
        "NotKeeperGate",
      );
      await expectRevert(
        send(caller, { address: f.a, abi: connectorAbi(), functionName: "trackToken", args: [f.weth.token] }),
        "NotKeeperGateOrSiblingConnector",
      );
    }
  });

  it("[AC26 native ETH] connectors refuse plain ETH, so none can sit untracked", async function () {
    const f = await networkHelpers.loadFixture(baseFixture);
    let reverted = false;
    await who.stranger.wallet
      .sendTransaction({ to: f.a, value: parseEther("1") })
      .catch(() => (reverted = true));
    expect(reverted).to.equal(true);
  });
});
