// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockERC20} from "./MockERC20.sol";

/// @title MockFeeOnTransferERC20
/// @notice Test double of a token that burns 1% of every transfer, to show the vault refuses such tokens.
contract MockFeeOnTransferERC20 is MockERC20 {
    uint256 private constant FEE_BPS = 100;
    uint256 private constant BPS = 10_000;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) MockERC20(name_, symbol_, decimals_) {}

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * FEE_BPS) / BPS;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
