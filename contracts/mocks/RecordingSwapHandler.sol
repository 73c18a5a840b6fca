// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";

/// @title RecordingSwapHandler
/// @notice Test double of our own ISwapHandler: `lifiCalldata` is abi.encode(tokenIn, amountIn, tokenOut,
///         amountOut); it pulls exactly amountIn from the caller, pays amountOut from its own balance and
///         records the allowance it was given, so connector tests can check the approval discipline.
contract RecordingSwapHandler is ISwapHandler {
    uint256 public allowanceSeen;

    /// @inheritdoc ISwapHandler
    function swap(bytes calldata lifiCalldata) external returns (uint256 amountOut) {
        (address tokenIn, uint256 amountIn, address tokenOut, uint256 out) =
            abi.decode(lifiCalldata, (address, uint256, address, uint256));
        allowanceSeen = IERC20(tokenIn).allowance(msg.sender, address(this));
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        IERC20(tokenOut).transfer(msg.sender, out);
        return out;
    }
}
