// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @title PlainERC4626
/// @notice OpenZeppelin's ERC-4626 with nothing added (the abstract base made deployable), for tests only.
contract PlainERC4626 is ERC4626 {
    constructor(IERC20 asset_) ERC4626(asset_) ERC20("Plain 4626", "p4626") {}
}
