// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMorpho, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {MorphoBalancesLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoBalancesLib.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title MorphoBlueSupplyVault
/// @notice An OpenZeppelin ERC-4626 vault that lends everything deposited into one Morpho Blue market and
///         withdraws from it on demand. Total assets are the idle balance plus the supply position with
///         interest accrued up to now (Morpho's own MorphoBalancesLib), so the share price grows with the
///         market's real interest. Used to put the ERC4626Connector in front of real lending.
contract MorphoBlueSupplyVault is ERC4626 {
    using MorphoBalancesLib for IMorpho;
    using SafeERC20 for IERC20;

    IMorpho public immutable morpho;
    address public immutable collateralToken;
    address public immutable oracle;
    address public immutable irm;
    uint256 public immutable lltv;

    /// @param morpho_ the Morpho Blue singleton
    /// @param market the market to supply into; its loan token is this vault's asset
    constructor(IMorpho morpho_, MarketParams memory market, string memory name_, string memory symbol_)
        ERC4626(IERC20(market.loanToken))
        ERC20(name_, symbol_)
    {
        morpho = morpho_;
        collateralToken = market.collateralToken;
        oracle = market.oracle;
        irm = market.irm;
        lltv = market.lltv;
    }

    /// @notice The Morpho Blue market this vault lends into.
    function marketParams() public view returns (MarketParams memory) {
        return MarketParams({loanToken: asset(), collateralToken: collateralToken, oracle: oracle, irm: irm, lltv: lltv});
    }

    /// @inheritdoc ERC4626
    function totalAssets() public view override returns (uint256) {
        return IERC20(asset()).balanceOf(address(this)) + morpho.expectedSupplyAssets(marketParams(), address(this));
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        super._deposit(caller, receiver, assets, shares);
        IERC20(asset()).forceApprove(address(morpho), assets);
        morpho.supply(marketParams(), assets, 0, address(this), "");
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        morpho.withdraw(marketParams(), assets, 0, address(this), address(this));
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}
