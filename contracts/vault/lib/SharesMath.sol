// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SharesMath
/// @notice The one place that converts between assets and shares. It owns the virtual offset
///         (`VIRTUAL_SHARES` shares and `VIRTUAL_ASSETS` assets added to every supply and NAV) and the
///         rounding direction of each conversion, as OpenZeppelin's `ERC4626._convertToShares` and Morpho
///         Blue's `SharesMathLib` do. Callers pass raw NAV and raw supply and never add the offset.
/// @dev Invariant owned here: with the offset, a donation of `d` assets before the first deposit moves
///      the price of one share by at most `d / VIRTUAL_SHARES`, so inflating the first depositor away
///      costs the attacker about 10**6 times what it takes from the victim. `Down` results are what the
///      vault pays out; `Up` results are what it takes in.
library SharesMath {
    /// @notice Decimals the share has on top of the asset; `VIRTUAL_SHARES = 10**DECIMALS_OFFSET`.
    uint8 internal constant DECIMALS_OFFSET = 6;
    /// @notice Shares that exist in every conversion on top of the real supply.
    uint256 internal constant VIRTUAL_SHARES = 10 ** DECIMALS_OFFSET;
    /// @notice Assets that exist in every conversion on top of the real NAV.
    uint256 internal constant VIRTUAL_ASSETS = 1;
    /// @notice Fixed-point scale of prices per share unit (assets per share unit).
    uint256 internal constant PRICE_SCALE = 1e27;

    /// @notice Shares worth `assets` at NAV `totalAssets` and supply `totalShares`, rounded down.
    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @notice Assets worth `shares` at NAV `totalAssets` and supply `totalShares`, rounded down.
    function toAssetsDown(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }

    /// @notice Price of one share unit scaled by PRICE_SCALE, rounded down.
    function price(uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return Math.mulDiv(totalAssets + VIRTUAL_ASSETS, PRICE_SCALE, totalShares + VIRTUAL_SHARES);
    }

    /// @notice Shares to mint so that their holder owns `feeAssets` of the NAV after minting, rounded down.
    /// @dev Solves s / (supply + s) = fee / nav over the virtual amounts. `feeAssets` must be at most `totalAssets`.
    function toFeeSharesDown(
        uint256 feeAssets,
        uint256 totalAssets,
        uint256 totalShares
    ) internal pure returns (uint256) {
        return Math.mulDiv(feeAssets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS - feeAssets);
    }

    /// @notice NAV that keeps the price of `lastAssets` over `lastShares` for a supply of `newShares`, rounded down.
    /// @dev Carries a reference price across a change of supply without accepting a new NAV.
    function navAtPrice(uint256 lastAssets, uint256 lastShares, uint256 newShares) internal pure returns (uint256) {
        return
            Math.mulDiv(lastAssets + VIRTUAL_ASSETS, newShares + VIRTUAL_SHARES, lastShares + VIRTUAL_SHARES) -
            VIRTUAL_ASSETS;
    }
}
