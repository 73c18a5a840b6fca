// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";
import {SwapExecution} from "../swap/lib/SwapExecution.sol";

/// @title MockSwapConnector
/// @notice Test double of our own BaseConnector's swap path: keeper gate only, runs `SwapExecution.run`
///         (handler check, exact approval to the Diamond, whole input spent, minimum received) exactly as
///         BaseConnector does. It holds no position and no NAV logic. `swapUnchecked` is the benchmark's
///         floor: the same Diamond call with the same exact approval and nothing checked.
contract MockSwapConnector is RegistryAccess {
    using SafeERC20 for IERC20;

    /// @notice The vault this connector belongs to (read by Registry.addConnector).
    address public immutable vault;

    event Swapped(address indexed tokenIn, uint256 amountIn, uint256 amountOut);

    error DiamondCallFailed(bytes reason);

    constructor(IRegistry registry_, address vault_) RegistryAccess(registry_) {
        vault = vault_;
    }

    /// @notice Swaps `amountIn` of `tokenIn` with LI.FI Diamond calldata the vault's handler validates.
    function swap(address tokenIn, uint256 amountIn, bytes calldata lifiCalldata) external returns (uint256 amountOut) {
        _checkKeeperGate(vault);
        amountOut = SwapExecution.run(ISwapHandler(registry.swapHandlerOf(vault)), tokenIn, amountIn, lifiCalldata);
        emit Swapped(tokenIn, amountIn, amountOut);
    }

    /// @notice Benchmark floor only: approves `diamond` exactly `amountIn`, calls it, resets the approval.
    function swapUnchecked(address diamond, address tokenIn, uint256 amountIn, bytes calldata lifiCalldata) external {
        _checkKeeperGate(vault);
        IERC20(tokenIn).forceApprove(diamond, amountIn);
        (bool ok, bytes memory reason) = diamond.call(lifiCalldata);
        if (!ok) revert DiamondCallFailed(reason);
        IERC20(tokenIn).forceApprove(diamond, 0);
    }
}
