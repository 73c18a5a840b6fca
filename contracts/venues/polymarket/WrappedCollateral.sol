// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title WrappedCollateral
/// @notice The ERC-20 a NegRiskAdapter uses as Conditional Tokens collateral, as in Polymarket's
///         neg-risk-ctf-adapter: anyone wraps the underlying 1:1 and unwraps what they hold; the adapter (owner)
///         may also mint unbacked units (to split the YES positions a conversion pays out, whose NO halves are
///         burnt) and release underlying it is owed (the collateral a conversion pays out).
contract WrappedCollateral is ERC20 {
    using SafeERC20 for IERC20;

    /// @notice Only the adapter that deployed this token may mint, burn and release.
    error OnlyOwner();

    /// @notice The adapter that deployed this token.
    address public immutable owner;
    /// @notice The collateral wrapped 1:1.
    IERC20 public immutable underlying;
    uint8 private immutable tokenDecimals;

    modifier onlyOwner() {
        if (msg.sender != owner) revert OnlyOwner();
        _;
    }

    /// @param underlying_ the collateral to wrap; `decimals_` is its decimals.
    constructor(address underlying_, uint8 decimals_) ERC20("Wrapped Collateral", "WCOL") {
        owner = msg.sender;
        underlying = IERC20(underlying_);
        tokenDecimals = decimals_;
    }

    /// @notice Same decimals as the underlying.
    function decimals() public view override returns (uint8) {
        return tokenDecimals;
    }

    /// @notice Pulls `amount` underlying from the caller and mints `amount` to `to`.
    function wrap(address to, uint256 amount) external {
        underlying.safeTransferFrom(msg.sender, address(this), amount);
        _mint(to, amount);
    }

    /// @notice Burns `amount` of the caller's and pays `amount` underlying to `to`.
    function unwrap(address to, uint256 amount) external {
        _burn(msg.sender, amount);
        underlying.safeTransfer(to, amount);
    }

    /// @notice Mints `amount` unbacked units to the owner.
    function mint(uint256 amount) external onlyOwner {
        _mint(owner, amount);
    }

    /// @notice Burns `amount` of the owner's units.
    function burn(uint256 amount) external onlyOwner {
        _burn(owner, amount);
    }

    /// @notice Pays `amount` underlying held here to `to` without burning.
    function release(address to, uint256 amount) external onlyOwner {
        underlying.safeTransfer(to, amount);
    }
}
