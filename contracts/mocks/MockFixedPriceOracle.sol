// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IValueOracle} from "../interfaces/IValueOracle.sol";

/// @title MockFixedPriceOracle
/// @notice Test double of our own IValueOracle: values tokens at prices set by hand, so gate and swap
///         handler tests can pin exact notional and slippage bounds. Not a product oracle.
contract MockFixedPriceOracle is IValueOracle {
    uint256 private constant WAD = 1e18;

    /// @inheritdoc IValueOracle
    address public immutable baseAsset;

    /// @notice Base-asset units per raw token unit, scaled by 1e18; zero means unknown.
    mapping(address token => uint256) public priceWad;

    /// @notice Tokens reported as not cross-checked by `valueOfChecked`.
    mapping(address token => bool) public primaryOnly;

    error UnknownToken(address token);

    constructor(address baseAsset_) {
        baseAsset = baseAsset_;
        priceWad[baseAsset_] = WAD;
    }

    /// @notice Sets `token`'s price: `value = amount * priceWad_ / 1e18` base-asset units.
    function setPrice(address token, uint256 priceWad_) external {
        priceWad[token] = priceWad_;
    }

    /// @inheritdoc IValueOracle
    function valueOf(address token, uint256 amount) public view returns (uint256) {
        uint256 price = priceWad[token];
        if (price == 0) revert UnknownToken(token);
        return (amount * price) / WAD;
    }

    /// @inheritdoc IValueOracle
    function valueOfChecked(address token, uint256 amount) external view returns (uint256 value, bool crossChecked) {
        return (valueOf(token, amount), !primaryOnly[token]);
    }

    /// @notice Marks `token` as priced by its primary alone (an unavailable secondary), for limit-tightening tests.
    function setPrimaryOnly(address token, bool primaryOnly_) external {
        primaryOnly[token] = primaryOnly_;
    }

    /// @inheritdoc IValueOracle
    function tryValueOf(address token, uint256 amount) external view returns (bool ok, uint256 value, bytes4 reason) {
        uint256 price = priceWad[token];
        if (price == 0) return (false, 0, UnknownToken.selector);
        return (true, (amount * price) / WAD, bytes4(0));
    }
}
