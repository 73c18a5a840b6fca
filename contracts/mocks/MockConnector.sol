// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {IConnector} from "../interfaces/IConnector.sol";

/// @title MockConnector
/// @notice Test double of our own IConnector for vault tests: holds the base asset and can be told to
///         report a given value, revert, burn gas, return malformed data or report unhealthy.
contract MockConnector is IConnector {
    using SafeERC20 for IERC20;

    enum Mode {
        Balance,
        Fixed,
        Revert,
        BurnGas,
        Malformed
    }

    address public immutable vault;
    IERC20 public immutable baseAsset;
    Mode public mode;
    uint256 public fixedValue;
    bool public unhealthy;

    error Broken();

    event ModeSet(Mode mode, uint256 fixedValue, bool unhealthy);

    constructor(address vault_, IERC20 baseAsset_) {
        vault = vault_;
        baseAsset = baseAsset_;
    }

    /// @notice Sets how `totalValue` behaves.
    function setMode(Mode mode_, uint256 fixedValue_, bool unhealthy_) external {
        mode = mode_;
        fixedValue = fixedValue_;
        unhealthy = unhealthy_;
        emit ModeSet(mode_, fixedValue_, unhealthy_);
    }

    /// @inheritdoc IConnector
    function totalValue() external view returns (uint256 value, bool healthy) {
        Mode current = mode;
        if (current == Mode.Revert) revert Broken();
        if (current == Mode.BurnGas) {
            uint256 spin;
            while (gasleft() > 0) ++spin;
        }
        if (current == Mode.Malformed) {
            assembly ("memory-safe") {
                mstore(0, 7)
                return(0, 16)
            }
        }
        value = current == Mode.Fixed ? fixedValue : baseAsset.balanceOf(address(this));
        healthy = !unhealthy;
    }

    /// @inheritdoc IConnector
    /// @dev Returns assets the way real connectors must: exact approval, then the vault pulls and books it.
    function sendToVault(uint256 amount) external {
        baseAsset.forceApprove(vault, amount);
        IAccountingManager(vault).receiveFromConnector(amount);
        baseAsset.forceApprove(vault, 0);
    }

    /// @inheritdoc IConnector
    function sendToConnector(address to, address token, uint256 amount) external {
        IERC20(token).safeTransfer(to, amount);
    }
}
