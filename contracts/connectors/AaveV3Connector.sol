// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {DataTypes} from "@aave/core-v3/contracts/protocol/libraries/types/DataTypes.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {BaseConnector} from "./BaseConnector.sol";

/// @title AaveV3Connector
/// @notice Supplies, withdraws, borrows (variable rate) and repays on one Aave v3 pool for one vault.
///         Value = collateral - debt, each priced by the vault's ValueOracle (never Aave's oracle alone).
///         Every risk-increasing action (borrow, withdraw) must leave both Aave's health factor and the
///         health factor recomputed with ValueOracle prices and Aave's liquidation thresholds at or above
///         `minHealthFactor`. Supplying (adding collateral) and repaying are never blocked by it.
/// @dev E-mode is not used by this connector, so the reserve's own liquidation threshold applies.
contract AaveV3Connector is BaseConnector {
    using SafeERC20 for IERC20;

    /// @dev `borrowed` shares the aToken's slot so the value report skips the debt read for reserves this
    ///      connector never borrowed (nobody else can open debt for it: it never delegates credit).
    struct Reserve {
        address aToken;
        bool borrowed;
        address variableDebtToken;
    }

    uint256 public constant MAX_RESERVES = 6;
    /// @notice The lowest minimum health factor governance may set (1.05).
    uint256 public constant HEALTH_FACTOR_FLOOR = 1.05e18;
    uint256 private constant VARIABLE_RATE = 2;
    uint256 private constant BPS = 10_000;
    uint256 private constant LIQUIDATION_THRESHOLD_SHIFT = 16;
    uint256 private constant LIQUIDATION_THRESHOLD_MASK = 0xFFFF;

    IPool public immutable pool;
    /// @notice Health factor (1e18 = 1.0) every borrow and withdraw must leave.
    uint256 public minHealthFactor;

    address[] private _reserveList;
    mapping(address asset => Reserve) private _reserves;

    event Supplied(address indexed asset, uint256 amount);
    event Withdrawn(address indexed asset, uint256 amount);
    event Borrowed(address indexed asset, uint256 amount);
    event Repaid(address indexed asset, uint256 amount);
    event MinHealthFactorSet(uint256 minHealthFactor);

    error HealthFactorTooLow(uint256 aaveHealthFactor, uint256 oracleHealthFactor, uint256 minHealthFactor);
    error PositionNotPriced();
    error InvalidHealthFactor(uint256 minHealthFactor);
    error TooManyReserves();
    error UnknownReserve(address asset);

    /// @param pool_ the Aave v3 Pool
    /// @param minHealthFactor_ initial minimum health factor, at least HEALTH_FACTOR_FLOOR
    constructor(IRegistry registry_, address vault_, IPool pool_, uint256 minHealthFactor_)
        BaseConnector(registry_, vault_)
    {
        if (address(pool_) == address(0)) revert ZeroAddress();
        if (minHealthFactor_ < HEALTH_FACTOR_FLOOR) revert InvalidHealthFactor(minHealthFactor_);
        pool = pool_;
        minHealthFactor = minHealthFactor_;
        emit MinHealthFactorSet(minHealthFactor_);
    }

    /// @notice Governance: sets the minimum health factor (at least HEALTH_FACTOR_FLOOR).
    function setMinHealthFactor(uint256 minHealthFactor_) external {
        _checkGovernance();
        if (minHealthFactor_ < HEALTH_FACTOR_FLOOR) revert InvalidHealthFactor(minHealthFactor_);
        minHealthFactor = minHealthFactor_;
        emit MinHealthFactorSet(minHealthFactor_);
    }

    /// @notice Supplies `amount` of `token` as collateral. Never blocked by the health check.
    function supply(address token, uint256 amount) external onlyKeeperGate nonReentrant {
        _requireAllowed(token);
        _addReserve(token);
        IERC20(token).forceApprove(address(pool), amount);
        pool.supply(token, amount, address(this), 0);
        IERC20(token).forceApprove(address(pool), 0);
        emit Supplied(token, amount);
    }

    /// @notice Withdraws `amount` of `token` (type(uint256).max = everything); health-checked if in debt.
    function withdraw(address token, uint256 amount) external onlyKeeperGate nonReentrant {
        if (_reserves[token].aToken == address(0)) revert UnknownReserve(token);
        uint256 withdrawn = pool.withdraw(token, amount, address(this));
        _checkHealth();
        emit Withdrawn(token, withdrawn);
    }

    /// @notice Borrows `amount` of `token` at the variable rate; health-checked.
    function borrow(address token, uint256 amount) external onlyKeeperGate nonReentrant {
        _requireAllowed(token);
        _addReserve(token);
        _reserves[token].borrowed = true;
        pool.borrow(token, amount, VARIABLE_RATE, 0, address(this));
        _checkHealth();
        emit Borrowed(token, amount);
    }

    /// @notice Repays up to `amount` of `token` debt (type(uint256).max = all). Never blocked by the health check.
    function repay(address token, uint256 amount) external onlyKeeperGate nonReentrant {
        if (_reserves[token].aToken == address(0)) revert UnknownReserve(token);
        IERC20(token).forceApprove(address(pool), amount);
        uint256 repaid = pool.repay(token, amount, VARIABLE_RATE, address(this));
        IERC20(token).forceApprove(address(pool), 0);
        emit Repaid(token, repaid);
    }

    /// @notice Assets this connector has touched on Aave, with their aToken and debt token.
    function reserves() external view returns (address[] memory assets, Reserve[] memory data) {
        assets = _reserveList;
        data = new Reserve[](assets.length);
        for (uint256 i; i < assets.length; ++i) data[i] = _reserves[assets[i]];
    }

    /// @notice Health factor recomputed with ValueOracle prices: sum(collateral x liquidation threshold) / debt.
    /// @return healthFactor 1e18 = 1.0; type(uint256).max without debt
    /// @return priced false if any collateral or debt could not be priced
    function oracleHealthFactor() public view returns (uint256 healthFactor, bool priced) {
        address oracle = registry.valueOracleOf(vault);
        priced = true;
        uint256 weightedCollateral;
        uint256 debt;
        uint256 length = _reserveList.length;
        for (uint256 i; i < length; ++i) {
            address asset = _reserveList[i];
            Reserve memory reserve = _reserves[asset];
            (bool okC, uint256 collateral) = _tryValue(oracle, asset, IERC20(reserve.aToken).balanceOf(address(this)));
            (bool okD, uint256 owed) = _tryValue(oracle, asset, IERC20(reserve.variableDebtToken).balanceOf(address(this)));
            priced = priced && okC && okD;
            // read live: Aave governance may change a reserve's threshold at any time
            uint256 threshold = (pool.getConfiguration(asset).data >> LIQUIDATION_THRESHOLD_SHIFT)
                & LIQUIDATION_THRESHOLD_MASK;
            weightedCollateral += collateral * threshold;
            debt += owed;
        }
        healthFactor = debt == 0 ? type(uint256).max : (weightedCollateral * 1e18) / (debt * BPS);
    }

    function _positionValue(address oracle)
        internal
        view
        override
        returns (uint256 assets, uint256 liabilities, bool priced)
    {
        priced = true;
        uint256 length = _reserveList.length;
        for (uint256 i; i < length; ++i) {
            address asset = _reserveList[i];
            Reserve storage reserve = _reserves[asset];
            if (reserve.borrowed) {
                uint256 owed = IERC20(reserve.variableDebtToken).balanceOf(address(this));
                (bool okD, uint256 debt) = _tryValue(oracle, asset, owed);
                if (!okD) return (0, 0, false); // debt of unknown size: nothing can be proven
                liabilities += debt;
            }
            (bool okC, uint256 collateral) =
                _tryValue(oracle, asset, IERC20(reserve.aToken).balanceOf(address(this)));
            if (okC) assets += collateral;
            else priced = false;
        }
    }

    function _isPositionToken(address token) internal view override returns (bool) {
        uint256 length = _reserveList.length;
        for (uint256 i; i < length; ++i) {
            address asset = _reserveList[i];
            Reserve memory reserve = _reserves[asset];
            if (token == asset || token == reserve.aToken || token == reserve.variableDebtToken) return true;
        }
        return false;
    }

    function _addReserve(address asset) private {
        if (_reserves[asset].aToken != address(0)) return;
        if (_reserveList.length >= MAX_RESERVES) revert TooManyReserves();
        DataTypes.ReserveData memory data = pool.getReserveData(asset);
        if (data.aTokenAddress == address(0)) revert UnknownReserve(asset);
        _reserves[asset] =
            Reserve({aToken: data.aTokenAddress, borrowed: false, variableDebtToken: data.variableDebtTokenAddress});
        _reserveList.push(asset);
        // tracked on entry, so a later withdraw or borrow can never fail for a full token list
        _track(asset);
    }

    function _checkHealth() private view {
        (,,,,, uint256 aaveHealthFactor) = pool.getUserAccountData(address(this));
        (uint256 ownHealthFactor, bool priced) = oracleHealthFactor();
        if (!priced) revert PositionNotPriced();
        uint256 minimum = minHealthFactor;
        if (aaveHealthFactor < minimum || ownHealthFactor < minimum) {
            revert HealthFactorTooLow(aaveHealthFactor, ownHealthFactor, minimum);
        }
    }
}
