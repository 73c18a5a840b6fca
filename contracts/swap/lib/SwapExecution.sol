// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISwapHandler} from "../../interfaces/ISwapHandler.sol";

/// @title SwapExecution
/// @notice The connector side of a LI.FI swap, in one place: have the vault's handler check the calldata,
///         call the Diamond with exactly those bytes under an approval of exactly the input, then require that
///         the whole input was spent (nothing refunded, nothing left approved) and that at least the checked
///         minimum of the checked output arrived.
/// @dev The Diamond acts on amounts the handler does not decode (a DEX step's own calldata holds its input),
///      and LI.FI refunds a step's unspent input to the receiver; binding the result to the checked input
///      makes every such field harmless: the swap spends exactly `amountIn` or reverts.
library SwapExecution {
    using SafeERC20 for IERC20;

    error DiamondCallFailed(bytes reason);
    /// @notice The Diamond did not spend exactly the checked input: `unspent` of the approval is left, or the
    ///         connector's input balance is `balance` instead of `expectedBalance` (part of it came back).
    error InputNotFullySpent(uint256 amountIn, uint256 unspent, uint256 balance, uint256 expectedBalance);
    error InsufficientOutput(uint256 received, uint256 minAmountOut);

    /// @notice Runs a checked swap of `amountIn` of `tokenIn` from the calling contract.
    /// @return amountOut What arrived of the plan's output token.
    function run(
        ISwapHandler handler,
        address tokenIn,
        uint256 amountIn,
        bytes calldata lifiCalldata
    ) internal returns (uint256 amountOut) {
        ISwapHandler.SwapPlan memory plan = handler.checkSwap(tokenIn, amountIn, lifiCalldata);
        IERC20 input = IERC20(tokenIn);
        IERC20 output = IERC20(plan.receivingAsset);
        uint256 inputBefore = input.balanceOf(address(this));
        uint256 outputBefore = output.balanceOf(address(this));
        input.forceApprove(plan.diamond, amountIn);
        (bool ok, bytes memory reason) = plan.diamond.call(lifiCalldata);
        if (!ok) revert DiamondCallFailed(reason);
        uint256 unspent = input.allowance(address(this), plan.diamond);
        uint256 inputAfter = input.balanceOf(address(this));
        uint256 expected = inputBefore > amountIn ? inputBefore - amountIn : 0;
        if (unspent != 0 || inputAfter != expected) revert InputNotFullySpent(amountIn, unspent, inputAfter, expected);
        amountOut = output.balanceOf(address(this)) - outputBefore;
        if (amountOut < plan.minAmountOut) revert InsufficientOutput(amountOut, plan.minAmountOut);
        if (!plan.crossChecked) emit ISwapHandler.SwapLimitTightened(address(this), plan.slippageBps);
    }
}
