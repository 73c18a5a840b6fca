// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";

/// @title RecordingSwapHandler
/// @notice Test double of our own ISwapHandler that is also its own "Diamond": `lifiCalldata` is a call of
///         `fill(tokenIn, amountIn, tokenOut, amountOut)` on this contract. `checkSwap` accepts it as is;
///         `fill` pulls exactly amountIn from the caller, pays amountOut from its own balance and records the
///         allowance it was given, so connector tests can check the approval discipline.
contract RecordingSwapHandler is ISwapHandler {
    uint256 public allowanceSeen;

    /// @inheritdoc ISwapHandler
    function checkSwap(address, uint256, bytes calldata lifiCalldata) external view returns (SwapPlan memory plan) {
        (, , address tokenOut, uint256 amountOut) =
            abi.decode(lifiCalldata[4:], (address, uint256, address, uint256));
        plan.diamond = address(this);
        plan.receivingAsset = tokenOut;
        plan.minAmountOut = amountOut;
        plan.crossChecked = true;
    }

    /// @notice The "Diamond" side of the swap.
    function fill(address tokenIn, uint256 amountIn, address tokenOut, uint256 amountOut) external {
        allowanceSeen = IERC20(tokenIn).allowance(msg.sender, address(this));
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        IERC20(tokenOut).transfer(msg.sender, amountOut);
    }
}
