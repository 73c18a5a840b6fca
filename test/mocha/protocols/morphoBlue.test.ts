import { expect } from "chai";
import { maxUint256, parseEther, parseUnits } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import {
  createMorphoMarket,
  deployMorphoBlue,
  morphoMarketId,
} from "../../../deploy/protocols/morphoBlue.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

const { clientsFor } = await localChain();

describe("Morpho Blue 1.0.0 (npm sources, solc 0.8.19)", function () {
  it("creates a market; supply, collateral, borrow within LLTV and refuses beyond it", async function () {
    const admin = clientsFor(0);
    const lender = clientsFor(1);
    const borrower = clientsFor(2);
    const usdc = await deployMockToken(admin, "USD Coin", "USDC", 6);
    const weth = await deployMockToken(admin, "Wrapped Ether", "WETH", 18);
    const blue = await deployMorphoBlue(admin);
    // price of 1 WETH wei in USDC units, scaled by 1e36: 3000e6 / 1e18 * 1e36
    const market = await createMorphoMarket(admin, blue, {
      loanToken: usdc,
      collateralToken: weth,
      price: 3000n * 10n ** 6n * 10n ** 18n,
      lltv: parseEther("0.86"),
    });
    const morphoAbi = projectArtifact("Morpho").abi;
    const erc20 = projectArtifact("MockERC20").abi;
    await mintMockToken(admin, usdc, lender.wallet.account.address, parseUnits("100000", 6));
    await mintMockToken(admin, weth, borrower.wallet.account.address, parseEther("1"));
    await send(lender, {
      address: usdc,
      abi: erc20,
      functionName: "approve",
      args: [blue.morpho, maxUint256],
    });
    await send(borrower, {
      address: weth,
      abi: erc20,
      functionName: "approve",
      args: [blue.morpho, maxUint256],
    });
    await send(lender, {
      address: blue.morpho,
      abi: morphoAbi,
      functionName: "supply",
      args: [market, parseUnits("100000", 6), 0n, lender.wallet.account.address, "0x"],
    });
    await send(borrower, {
      address: blue.morpho,
      abi: morphoAbi,
      functionName: "supplyCollateral",
      args: [market, parseEther("1"), borrower.wallet.account.address, "0x"],
    });
    const borrowerAddr = borrower.wallet.account.address;
    await send(borrower, {
      address: blue.morpho,
      abi: morphoAbi,
      functionName: "borrow",
      args: [market, parseUnits("2500", 6), 0n, borrowerAddr, borrowerAddr],
    });
    expect(
      await read<bigint>(borrower, {
        address: usdc,
        abi: erc20,
        functionName: "balanceOf",
        args: [borrowerAddr],
      }),
    ).to.equal(parseUnits("2500", 6));
    let reverted = false;
    try {
      await send(borrower, {
        address: blue.morpho,
        abi: morphoAbi,
        functionName: "borrow",
        args: [market, parseUnits("200", 6), 0n, borrowerAddr, borrowerAddr],
      });
    } catch (error) {
      reverted = String(error).includes("insufficient collateral");
    }
    expect(reverted).to.equal(true);
    const state = await read<readonly bigint[]>(admin, {
      address: blue.morpho,
      abi: morphoAbi,
      functionName: "market",
      args: [morphoMarketId(market)],
    });
    expect(state[2]).to.equal(parseUnits("2500", 6)); // totalBorrowAssets
  });
});
