// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";

/// @title MockSwapConnector
/// @notice Test double of our own BaseConnector's swap path (contracts.md): keeper gate only, approves
///         exactly `amountIn` of `tokenIn` to the vault's swap handler, calls `ISwapHandler.swap`, resets the
///         approval to zero. Stands in until the real connectors land; it holds no position and no NAV logic.
contract MockSwapConnector is RegistryAccess {
    using SafeERC20 for IERC20;

    /// @notice The vault this connector belongs to (read by Registry.addConnector).
    address public immutable vault;

    event Swapped(address indexed tokenIn, uint256 amountIn, uint256 amountOut);

    constructor(IRegistry registry_, address vault_) RegistryAccess(registry_) {
        vault = vault_;
    }

    /// @notice Swaps `amountIn` of `tokenIn` through the vault's swap handler with LI.FI Diamond calldata.
    function swap(address tokenIn, uint256 amountIn, bytes calldata lifiCalldata) external returns (uint256 amountOut) {
        _checkKeeperGate(vault);
        address handler = registry.swapHandlerOf(vault);
        IERC20(tokenIn).forceApprove(handler, amountIn);
        amountOut = ISwapHandler(handler).swap(lifiCalldata);
        IERC20(tokenIn).forceApprove(handler, 0);
        emit Swapped(tokenIn, amountIn, amountOut);
    }
}
