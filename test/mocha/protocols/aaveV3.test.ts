import { expect } from "chai";
import { maxUint256, parseEther, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import { aaveArtifacts, deployAaveV3 } from "../../../deploy/protocols/aaveV3.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

const { clientsFor } = await localChain();

describe("Aave v3 (@aave/core-v3 artifacts)", function () {
  it("lists two reserves; supply, borrow against collateral, repay and withdraw", async function () {
    const admin = clientsFor(0);
    const lender = clientsFor(1);
    const borrower = clientsFor(2);
    const usdc = await deployMockToken(admin, "USD Coin", "USDC", 6);
    const weth = await deployMockToken(admin, "Wrapped Ether", "WETH", 18);
    const aave = await deployAaveV3(admin, [
      { asset: usdc, decimals: 6, priceUsd8: 1_00000000n, borrowingEnabled: true },
      {
        asset: weth,
        decimals: 18,
        priceUsd8: 3000_00000000n,
        ltvBps: 8000n,
        liquidationThresholdBps: 8250n,
        borrowingEnabled: false,
      },
    ]);
    const erc20 = projectArtifact("MockERC20").abi;
    const poolAbi = aaveArtifacts.poolAbi();
    await mintMockToken(admin, usdc, lender.wallet.account.address, parseUnits("100000", 6));
    await mintMockToken(admin, weth, borrower.wallet.account.address, parseEther("10"));
    await send(lender, { address: usdc, abi: erc20, functionName: "approve", args: [aave.pool, maxUint256] });
    await send(borrower, {
      address: weth,
      abi: erc20,
      functionName: "approve",
      args: [aave.pool, maxUint256],
    });
    await send(borrower, {
      address: usdc,
      abi: erc20,
      functionName: "approve",
      args: [aave.pool, maxUint256],
    });

    await send(lender, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "supply",
      args: [usdc, parseUnits("50000", 6), lender.wallet.account.address, 0],
    });
    const aUsdc = aave.aTokens[usdc];
    if (!aUsdc) throw new Error("aToken missing");
    expect(
      await read<bigint>(lender, {
        address: aUsdc,
        abi: erc20,
        functionName: "balanceOf",
        args: [lender.wallet.account.address],
      }),
    ).to.equal(parseUnits("50000", 6));

    await send(borrower, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "supply",
      args: [weth, parseEther("10"), borrower.wallet.account.address, 0],
    });
    await send(borrower, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "borrow",
      args: [usdc, parseUnits("10000", 6), 2n, 0, borrower.wallet.account.address],
    });
    const account = await read<readonly bigint[]>(borrower, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "getUserAccountData",
      args: [borrower.wallet.account.address],
    });
    // health factor = 30000 * 0.825 / 10000 = 2.475
    expect(Number(account[5]) / 1e18).to.be.closeTo(2.475, 0.001);

    await mintMockToken(admin, usdc, borrower.wallet.account.address, parseUnits("1", 6));
    await send(borrower, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "repay",
      args: [usdc, maxUint256, 2n, borrower.wallet.account.address],
    });
    await send(lender, {
      address: aave.pool,
      abi: poolAbi,
      functionName: "withdraw",
      args: [usdc, maxUint256, lender.wallet.account.address],
    });
    expect(
      (await read<bigint>(lender, {
        address: usdc,
        abi: erc20,
        functionName: "balanceOf",
        args: [lender.wallet.account.address],
      })) >= parseUnits("100000", 6),
    ).to.equal(true);
  });
});
