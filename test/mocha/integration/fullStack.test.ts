import { getQuote } from "@lifi/sdk";
import { expect } from "chai";
import { type Address, type Hex, parseEventLogs, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import type { LiFiQuoteServiceConfig } from "../../../deploy/local/lifiQuoteService.js";
import { type LocalProtocols, deployLocalProtocols } from "../../../deploy/local/protocols.js";
import { connectorValue } from "../../../deploy/product/connectors.js";
import {
  type Mandate,
  gateDomain,
  keeperGateArtifact,
  signMandate,
  sortSignatures,
} from "../../../deploy/product/gate.js";
import {
  DEFAULT_ROLE_INDICES,
  type ProductStack,
  deployProductStack,
  gateExecute,
  productCall,
  provenanceHash,
  stackAccount,
  stackCalls,
  stackGovernanceRunner,
  validateStackOptions,
} from "../../../deploy/product/stack.js";
import { governanceCall } from "../../../deploy/product/core.js";
import { tryValueOf } from "../../../deploy/product/oracle.js";
import { safeArtifacts } from "../../../deploy/protocols/safe.js";
import { sortTokens, uniswapArtifacts } from "../../../deploy/protocols/uniswapV3.js";
import { expectWithin } from "../helpers/bigintAssert.js";
import { expectRevert } from "../helpers/revert.js";
import { localChain } from "../helpers/chain.js";
import { withLocalLiFi } from "../helpers/localLiFi.js";

// Attack classes covered (../shared/research/attack-classes.md): AC17 (only allowlisted gate calls move
// funds), AC18 (real @lifi/sdk calldata through the handler), AC19 (oracle-bounded swap), AC20 (2-of-3
// signed batches), AC21 (governance is the Safe-proposed timelock), AC8 (NAV equals the sum of its parts).

const { publicClient, networkHelpers, wallets, clientsFor, deployer } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const alice = clientsFor(10);
const bob = clientsFor(11);
const USDC = (amount: string) => parseUnits(amount, 6);
/** What each depositor brings: funded and approved by every fixture, deposited by the tests. */
const DEPOSITS = [
  [alice, USDC("600000")],
  [bob, USDC("400000")],
] as const;

const abi = {
  vault: () => projectArtifact("AccountingManager").abi,
  erc20: () => projectArtifact("MockERC20").abi,
  registry: () => projectArtifact("Registry").abi,
  timelock: () => projectArtifact("TimelockController").abi,
  uniConnector: () => projectArtifact("UniswapV3Connector").abi,
};

/** Each fixture deploys from its own account: one account's ETH funds one set of protocols (5,000 WETH). */
async function deployWithDepositors(governance: "safe-timelock" | "eoa", deployerIndex: number) {
  const from = clientsFor(deployerIndex);
  const protocols = await deployLocalProtocols(from);
  const stack = await deployProductStack(from, protocols, {
    accounts,
    governance,
    roles: { ...DEFAULT_ROLE_INDICES, deployer: deployerIndex },
  });
  for (const [who, amount] of DEPOSITS) {
    const to = who.wallet.account.address;
    await send(from, {
      address: stack.asset,
      abi: abi.erc20(),
      functionName: "transfer",
      args: [to, amount],
    });
    await send(who, {
      address: stack.asset,
      abi: abi.erc20(),
      functionName: "approve",
      args: [stack.vault, amount],
    });
  }
  return { protocols, stack };
}
/** The local LI.FI API over the stack's Diamond and the local Uniswap v3. */
const quoteService = (stack: ProductStack, protocols: LocalProtocols): LiFiQuoteServiceConfig => ({
  client: publicClient,
  diamond: stack.lifiDiamond,
  swapRouter: protocols.uniswap.swapRouter,
  quoterV2: protocols.uniswap.quoterV2,
});
const stackFixture = () => deployWithDepositors("safe-timelock", 0);
const eoaStackFixture = () => deployWithDepositors("eoa", 12);

/** Both depositors request, the gate settles, both claim. */
async function depositAndSettle(stack: ProductStack): Promise<void> {
  for (const [who, assets] of DEPOSITS) {
    const me = who.wallet.account.address;
    await vaultWrite(who, stack, "requestDeposit", [assets, me, me]);
  }
  await gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("settle deposits"));
  for (const [who, assets] of DEPOSITS) {
    const me = who.wallet.account.address;
    await vaultWrite(who, stack, "deposit", [assets, me, me]);
  }
}

const vaultRead = <T>(stack: ProductStack, functionName: string, args: readonly unknown[] = []) =>
  read<T>(deployer, { address: stack.vault, abi: abi.vault(), functionName, args });
const vaultWrite = (who: Clients, stack: ProductStack, functionName: string, args: readonly unknown[]) =>
  send(who, { address: stack.vault, abi: abi.vault(), functionName, args });
const balanceOf = (token: Address, owner: Address) =>
  read<bigint>(deployer, { address: token, abi: abi.erc20(), functionName: "balanceOf", args: [owner] });

/** idle (not reserved) + every connector's value, read independently of totalAssets */
async function navFromParts(stack: ProductStack): Promise<{ idle: bigint; connectors: bigint }> {
  const book = await vaultRead<{ idle: bigint }>(stack, "assetBook");
  let connectors = 0n;
  for (const connector of Object.values(stack.connectors)) {
    const { value, healthy } = await connectorValue(deployer, connector);
    expect(healthy, `connector ${connector} unhealthy`).to.equal(true);
    connectors += value;
  }
  return { idle: book.idle, connectors };
}

/** A Uniswap mint around the pool's current tick with everything the connector holds. */
async function mintRequest(stack: ProductStack, pool: Address, weth: Address, wethAmount: bigint) {
  const [, tick] = await read<readonly [bigint, number]>(deployer, {
    address: pool,
    abi: uniswapArtifacts.pool().abi,
    functionName: "slot0",
  });
  const spacing = 10;
  const center = Math.floor(tick / spacing) * spacing;
  const [token0, token1] = sortTokens(stack.asset, weth);
  const usdcAmount = await balanceOf(stack.asset, stack.connectors.uniswap);
  const usdcIs0 = token0 === stack.asset;
  return {
    token0,
    amount0: usdcIs0 ? usdcAmount : wethAmount,
    token1,
    amount1: usdcIs0 ? wethAmount : usdcAmount,
    fee: 500,
    tickLower: center - 600,
    tickUpper: center + 600,
    amount0Min: 0n,
    amount1Min: 0n,
  };
}

describe("Full product stack on the local protocols (Safe + timelock governance, 2-of-3 keeper gate)", function () {
  it("[AC21 governance] the timelock owns the Registry, the 2-of-3 Safe proposes, every keeper call is allowlisted", async function () {
    const { stack, protocols } = await networkHelpers.loadFixture(stackFixture);
    if (stack.governance.kind !== "safe-timelock")
      throw new Error("the default stack must be Safe + timelock");
    const { safe, timelock } = stack.governance;
    expect(
      await read(deployer, { address: stack.registry, abi: abi.registry(), functionName: "owner" }),
    ).to.equal(timelock);
    expect(
      await read(deployer, { address: safe, abi: safeArtifacts.safe().abi, functionName: "getThreshold" }),
    ).to.equal(2n);
    const proposer = await read<Hex>(deployer, {
      address: timelock,
      abi: abi.timelock(),
      functionName: "PROPOSER_ROLE",
    });
    expect(
      await read(deployer, {
        address: timelock,
        abi: abi.timelock(),
        functionName: "hasRole",
        args: [proposer, safe],
      }),
    ).to.equal(true);
    expect(
      await read(deployer, { address: stack.gate, abi: keeperGateArtifact().abi, functionName: "threshold" }),
    ).to.equal(2n);
    expect(stack.allowedCalls).to.have.length(2 + 3 * 4 + 4 + 3 + 5);
    for (const { target, selector, name } of stack.allowedCalls) {
      expect(
        await read(deployer, {
          address: stack.registry,
          abi: abi.registry(),
          functionName: "isAllowedCall",
          args: [stack.vault, target, selector],
        }),
        name,
      ).to.equal(true);
    }
    // WETH and USDT are priced by Chainlink, cross-checked against the Uniswap TWAPs
    const weth = await tryValueOf(deployer, stack.oracle, protocols.tokens.weth, 10n ** 18n);
    expect(weth).to.deep.equal({ ok: true, value: USDC("3000"), reason: "0x00000000" });
    const usdt = await tryValueOf(deployer, stack.oracle, protocols.tokens.usdt, USDC("1000"));
    expect(usdt).to.deep.equal({ ok: true, value: USDC("1000"), reason: "0x00000000" });
    // the deployer keeps no power: governance writes from it revert
    await expectRevert(
      send(deployer, {
        address: stack.registry,
        abi: abi.registry(),
        functionName: "setGuardian",
        args: [stack.vault, deployer.wallet.account.address],
      }),
      "OwnableUnauthorizedAccount",
    );
    // one operator signature is not enough
    await expectRevert(
      gateExecute(stack, accounts, [stackCalls.settle(stack)], provenanceHash("one signer"), {
        signers: [stack.roles.operators[0]],
      }),
      "BelowThreshold",
    );
  });

  it("[AC20 signed batches] deposits, settles, deploys into Aave, Morpho and Uniswap (LI.FI swap), values NAV, redeems", async function () {
    const { protocols, stack } = await networkHelpers.loadFixture(stackFixture);
    const { weth } = protocols.tokens;
    const provenances: Hex[] = [];
    const execute = async (calls: Parameters<typeof gateExecute>[2], label: string) => {
      const provenance = provenanceHash(`full stack test: ${label}`);
      provenances.push(provenance);
      return gateExecute(stack, accounts, calls, provenance);
    };

    // 1. two depositors request, the gate settles, both claim their shares
    await vaultWrite(alice, stack, "requestDeposit", [
      USDC("600000"),
      alice.wallet.account.address,
      alice.wallet.account.address,
    ]);
    await vaultWrite(bob, stack, "requestDeposit", [
      USDC("400000"),
      bob.wallet.account.address,
      bob.wallet.account.address,
    ]);
    await execute([stackCalls.settle(stack)], "settle deposits");
    for (const [who, assets] of DEPOSITS) {
      const me = who.wallet.account.address;
      expect(await vaultRead(stack, "claimableDepositRequest", [0n, me])).to.equal(assets);
      await vaultWrite(who, stack, "deposit", [assets, me, me]);
      expect(await vaultRead<bigint>(stack, "balanceOf", [me])).to.equal(assets * 10n ** 6n);
    }
    expect(await vaultRead(stack, "totalAssets")).to.equal(USDC("1000000"));

    // 2. one batch moves USDC into Aave and the Morpho ERC-4626
    await execute(
      [
        stackCalls.transferToConnector(stack, stack.connectors.aave, USDC("300000")),
        stackCalls.aaveSupply(stack, stack.asset, USDC("300000")),
        stackCalls.transferToConnector(stack, stack.connectors.morpho, USDC("250000")),
        stackCalls.morphoDeposit(stack, USDC("250000"), 0n),
        stackCalls.transferToConnector(stack, stack.connectors.uniswap, USDC("20000")),
      ],
      "allocate to lending",
    );
    expect((await connectorValue(deployer, stack.connectors.aave)).value).to.equal(USDC("300000"));
    expect((await connectorValue(deployer, stack.connectors.morpho)).value).to.equal(USDC("250000"));
    expect(await balanceOf(stack.asset, stack.morphoSupplyVault)).to.equal(0n); // lent on to Morpho Blue

    // 3. a LI.FI swap USDC -> WETH quoted by @lifi/sdk against the local API, then a liquidity mint
    const wethOut = await withLocalLiFi(quoteService(stack, protocols), async (lifi) => {
      const quote = await getQuote(lifi, {
        fromChain: chainId,
        toChain: chainId,
        fromToken: stack.asset,
        toToken: weth,
        fromAmount: USDC("10000").toString(),
        fromAddress: stack.swapHandler,
        toAddress: stack.connectors.uniswap,
        slippage: 0.003,
      });
      await execute(
        [
          stackCalls.trackToken(stack.connectors.uniswap, weth),
          stackCalls.swap(
            stack.connectors.uniswap,
            stack.asset,
            USDC("10000"),
            quote.transactionRequest!.data as Hex,
          ),
        ],
        "swap USDC to WETH",
      );
      const out = await balanceOf(weth, stack.connectors.uniswap);
      expect(out).to.equal(BigInt(quote.estimate.toAmount));
      return out;
    });
    const request = await mintRequest(stack, protocols.uniswap.usdcWethPool, weth, wethOut);
    await execute(
      [productCall(stack.connectors.uniswap, "UniswapV3Connector", "mint", [request])],
      "LP mint",
    );
    const positions = await read<readonly bigint[]>(deployer, {
      address: stack.connectors.uniswap,
      abi: abi.uniConnector(),
      functionName: "positionIds",
    });
    expect(positions).to.have.length(1);

    // 4. NAV = idle + connector values, and within a few bps of what was deposited (swap fee and impact)
    const parts = await navFromParts(stack);
    const nav = await vaultRead<bigint>(stack, "totalAssets");
    expect(nav).to.equal(parts.idle + parts.connectors);
    expect(parts.idle).to.equal(USDC("430000"));
    expectWithin(nav, USDC("999500"), USDC("1000000"));

    // 5. bob redeems everything; the gate pulls from Aave back to the vault and settles
    const bobShares = await vaultRead<bigint>(stack, "balanceOf", [bob.wallet.account.address]);
    const bobValue = await vaultRead<bigint>(stack, "convertToAssets", [bobShares]);
    await vaultWrite(bob, stack, "requestRedeem", [
      bobShares,
      bob.wallet.account.address,
      bob.wallet.account.address,
    ]);
    await execute(
      [
        stackCalls.aaveWithdraw(stack, stack.asset, USDC("150000")),
        stackCalls.sendToVault(stack.connectors.aave, USDC("150000")),
        stackCalls.settle(stack),
      ],
      "redeem settlement",
    );
    const claimable = await vaultRead<bigint>(stack, "maxWithdraw", [bob.wallet.account.address]);
    expectWithin(claimable, (bobValue * 9_995n) / 10_000n, bobValue);
    const before = await balanceOf(stack.asset, bob.wallet.account.address);
    await vaultWrite(bob, stack, "redeem", [
      bobShares,
      bob.wallet.account.address,
      bob.wallet.account.address,
    ]);
    expect((await balanceOf(stack.asset, bob.wallet.account.address)) - before).to.equal(claimable);
    expectWithin(claimable, USDC("399800"), USDC("400000"));

    // what remains is still valued from its parts; nothing is left reserved once bob has claimed
    const after = await navFromParts(stack);
    expect((await vaultRead<{ claimableRedeem: bigint }>(stack, "assetBook")).claimableRedeem).to.equal(0n);
    expect(await vaultRead(stack, "totalAssets")).to.equal(after.idle + after.connectors);

    // 6. every batch left its provenance on-chain, in nonce order
    const logs = await publicClient.getLogs({ address: stack.gate, fromBlock: 0n, toBlock: "latest" });
    const executed = parseEventLogs({
      abi: keeperGateArtifact().abi,
      logs,
      eventName: "Executed",
    }) as unknown as {
      args: { nonce: bigint; provenance: Hex };
    }[];
    expect(executed.map((e) => e.args.provenance)).to.deep.equal(provenances);
    expect(executed.map((e) => e.args.nonce)).to.deep.equal(provenances.map((_, i) => BigInt(i)));
  });

  it("[AC17 allowlist] a signed batch calling a function outside the allowlist reverts and moves nothing", async function () {
    const { stack } = await networkHelpers.loadFixture(stackFixture);
    await expectRevert(
      gateExecute(
        stack,
        accounts,
        [productCall(stack.connectors.aave, "AaveV3Connector", "recoverToken", [stack.asset])],
        provenanceHash("not allowlisted"),
      ),
      "CallNotAllowed",
    );
    expect(await vaultRead(stack, "totalAssets")).to.equal(0n);
  });

  it("[AC21 governance] later configuration goes through the Safe and the timelock delay", async function () {
    const { stack } = await networkHelpers.loadFixture(stackFixture);
    const connectorConfig = () =>
      read<{ cap: bigint }>(deployer, {
        address: stack.registry,
        abi: abi.registry(),
        functionName: "connectorConfig",
        args: [stack.connectors.uniswap],
      });
    expect((await connectorConfig()).cap).to.equal(stack.caps.uniswap);
    const before = (await publicClient.getBlock()).timestamp;
    await stackGovernanceRunner(
      stack,
      accounts,
    )([
      governanceCall(stack.registry, "Registry", "setConnectorCap", [stack.connectors.uniswap, USDC("1000")]),
    ]);
    expect((await connectorConfig()).cap).to.equal(USDC("1000"));
    if (stack.governance.kind !== "safe-timelock") throw new Error("expected the Safe + timelock stack");
    expect((await publicClient.getBlock()).timestamp - before >= stack.governance.minDelay).to.equal(true);
  });

  it("[AC21 governance] the EOA fast path owns the Registry directly and runs the same product", async function () {
    const { stack } = await networkHelpers.loadFixture(eoaStackFixture);
    expect(stack.governance).to.deep.equal({ kind: "eoa", owner: stack.addresses.safeOwners[0] });
    expect(
      await read(deployer, { address: stack.registry, abi: abi.registry(), functionName: "owner" }),
    ).to.equal(stack.addresses.safeOwners[0]);
    await depositAndSettle(stack);
    expect(await vaultRead(stack, "totalAssets")).to.equal(USDC("1000000"));
  });

  it("[AC19 slippage] under a 2-of-3 mandate the strategist swaps alone through the real connector, oracle and vault", async function () {
    const { protocols, stack } = await networkHelpers.loadFixture(eoaStackFixture);
    const { weth } = protocols.tokens;
    await depositAndSettle(stack);
    await gateExecute(
      stack,
      accounts,
      [
        stackCalls.transferToConnector(stack, stack.connectors.uniswap, USDC("20000")),
        stackCalls.trackToken(stack.connectors.uniswap, weth),
      ],
      provenanceHash("fund the swap connector"),
    );
    const strategist = stackAccount(stack, accounts, "strategist");
    const now = (await publicClient.getBlock()).timestamp;
    const mandate: Mandate = {
      keeper: strategist.wallet.account.address,
      connectors: [stack.connectors.uniswap],
      // what the swap spends and what it buys (the gate refuses an unlisted output)
      tokens: [stack.asset, weth],
      selectors: [stack.allowedCalls.find((c) => c.name === "UniswapV3Connector.swap")!.selector],
      maxNotionalPerAction: USDC("5000"),
      maxNotionalPerPeriod: USDC("8000"),
      period: 86_400n,
      maxSlippageBps: 100n,
      maxLossBps: 50n,
      lossWindow: 7n * 86_400n,
      expiry: now + 86_400n,
      nonce: 1n,
    };
    const domain = gateDomain(chainId, stack.gate);
    const signatures = sortSignatures(
      await Promise.all(
        stack.roles.operators
          .slice(1)
          .map((i) => signMandate(accounts[i]!.wallet, domain, stack.vault, mandate)),
      ),
    );
    const gateAbi = keeperGateArtifact().abi;
    await send(strategist, {
      address: stack.gate,
      abi: gateAbi,
      functionName: "approveMandate",
      args: [mandate, signatures],
    });
    const id = await read<Hex>(deployer, {
      address: stack.gate,
      abi: gateAbi,
      functionName: "mandateDigest",
      args: [mandate],
    });

    await withLocalLiFi(quoteService(stack, protocols), async (lifi) => {
      const swapCall = async (amount: bigint) => {
        const quote = await getQuote(lifi, {
          fromChain: chainId,
          toChain: chainId,
          fromToken: stack.asset,
          toToken: weth,
          fromAmount: amount.toString(),
          fromAddress: stack.swapHandler,
          toAddress: stack.connectors.uniswap,
          slippage: 0.003,
        });
        return stackCalls.swap(
          stack.connectors.uniswap,
          stack.asset,
          amount,
          quote.transactionRequest!.data as Hex,
        );
      };
      const navBefore = await vaultRead<bigint>(stack, "totalAssets");
      await send(strategist, {
        address: stack.gate,
        abi: gateAbi,
        functionName: "executeMandate",
        args: [id, await swapCall(USDC("5000")), provenanceHash("mandate swap")],
      });
      expect((await balanceOf(weth, stack.connectors.uniswap)) > 0n).to.equal(true);
      // NAV moved only by the swap's cost, valued by the real oracle through the real connector
      expectWithin(await vaultRead<bigint>(stack, "totalAssets"), navBefore - USDC("10"), navBefore);
      // the notional limits bind: above the per-action limit, then past the period budget
      await expectRevert(
        send(strategist, {
          address: stack.gate,
          abi: gateAbi,
          functionName: "executeMandate",
          args: [id, await swapCall(USDC("5001")), provenanceHash("too big")],
        }),
        "NotionalAboveActionLimit",
      );
      await expectRevert(
        send(strategist, {
          address: stack.gate,
          abi: gateAbi,
          functionName: "executeMandate",
          args: [id, await swapCall(USDC("4000")), provenanceHash("over budget")],
        }),
        "NotionalAbovePeriodLimit",
      );
    });
  });

  it("rejects stack options the contracts would refuse, before deploying anything", function () {
    expect(() => validateStackOptions({ accounts, twapWindow: 600 })).to.throw(/twapWindow must be/);
    expect(() =>
      validateStackOptions({ accounts, roles: { ...DEFAULT_ROLE_INDICES, operators: [4, 4, 5] } }),
    ).to.throw(/roles.operators must be distinct/);
    expect(() => validateStackOptions({ accounts: accounts.slice(0, 5) })).to.throw(/no funded account #5/);
    expect(() => validateStackOptions({ accounts })).to.not.throw();
  });
});
