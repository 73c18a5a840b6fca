// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {BaseConnector} from "./BaseConnector.sol";

/// @title ERC4626Connector
/// @notice Deposits one vault's assets into one ERC-4626 vault (`target`). Value = convertToAssets of the
///         shares held, priced through the ValueOracle when the target's asset is not the base asset.
///         Every deposit, withdraw and redeem is checked twice: against the keeper's own bound
///         (minShares / maxShares / minAssets) and against `maxLossBps` of the value moved, measured with
///         the target's own exchange rate before and after.
contract ERC4626Connector is BaseConnector {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    /// @notice Largest max-loss governance may set (5%).
    uint16 public constant MAX_LOSS_CAP_BPS = 500;

    IERC4626 public immutable target;
    address public immutable targetAsset;
    /// @notice Largest loss, in basis points of the value moved, a deposit/withdraw/redeem may realise.
    uint16 public maxLossBps;

    event Deposited(uint256 assets, uint256 shares);
    event Withdrawn(uint256 assets, uint256 shares);
    event MaxLossSet(uint16 maxLossBps);

    error WrongToken(address token, address expected);
    error SlippageExceeded(uint256 actual, uint256 bound);
    error MaxLossExceeded(uint256 valueIn, uint256 valueOut);
    error InvalidMaxLoss(uint16 maxLossBps);

    /// @param target_ the ERC-4626 vault this connector deposits into
    /// @param maxLossBps_ initial max loss per operation, at most MAX_LOSS_CAP_BPS
    constructor(IRegistry registry_, address vault_, IERC4626 target_, uint16 maxLossBps_)
        BaseConnector(registry_, vault_)
    {
        if (address(target_) == address(0)) revert ZeroAddress();
        if (maxLossBps_ > MAX_LOSS_CAP_BPS) revert InvalidMaxLoss(maxLossBps_);
        target = target_;
        targetAsset = target_.asset();
        maxLossBps = maxLossBps_;
        emit MaxLossSet(maxLossBps_);
        // exits pay out the target's asset: tracked from the start so an exit can never go uncounted
        _track(targetAsset);
    }

    /// @notice Governance: sets the max loss per operation (at most MAX_LOSS_CAP_BPS).
    function setMaxLoss(uint16 maxLossBps_) external {
        _checkGovernance();
        if (maxLossBps_ > MAX_LOSS_CAP_BPS) revert InvalidMaxLoss(maxLossBps_);
        maxLossBps = maxLossBps_;
        emit MaxLossSet(maxLossBps_);
    }

    /// @notice Deposits `amount` of the target's asset for at least `minShares` shares.
    function deposit(address token, uint256 amount, uint256 minShares)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 shares)
    {
        if (token != targetAsset) revert WrongToken(token, targetAsset);
        _requireAllowed(token);
        IERC20(token).forceApprove(address(target), amount);
        shares = target.deposit(amount, address(this));
        IERC20(token).forceApprove(address(target), 0);
        if (shares < minShares) revert SlippageExceeded(shares, minShares);
        _checkLoss(amount, target.convertToAssets(shares));
        emit Deposited(amount, shares);
    }

    /// @notice Withdraws exactly `amount` of the target's asset burning at most `maxShares` shares.
    function withdraw(address token, uint256 amount, uint256 maxShares)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 shares)
    {
        if (token != targetAsset) revert WrongToken(token, targetAsset);
        uint256 received = IERC20(token).balanceOf(address(this));
        uint256 sharesValue = target.convertToAssets(target.balanceOf(address(this)));
        shares = target.withdraw(amount, address(this), address(this));
        if (shares > maxShares) revert SlippageExceeded(shares, maxShares);
        received = IERC20(token).balanceOf(address(this)) - received;
        _checkLoss(sharesValue - target.convertToAssets(target.balanceOf(address(this))), received);
        emit Withdrawn(received, shares);
    }

    /// @notice Redeems `shares` of the target (`token` = the target's share token) for at least `minAssets`.
    function redeem(address token, uint256 shares, uint256 minAssets)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 received)
    {
        if (token != address(target)) revert WrongToken(token, address(target));
        uint256 balanceBefore = IERC20(targetAsset).balanceOf(address(this));
        uint256 burnedValue = target.convertToAssets(shares);
        target.redeem(shares, address(this), address(this));
        received = IERC20(targetAsset).balanceOf(address(this)) - balanceBefore;
        if (received < minAssets) revert SlippageExceeded(received, minAssets);
        _checkLoss(burnedValue, received);
        emit Withdrawn(received, shares);
    }

    function _checkLoss(uint256 valueIn, uint256 valueOut) private view {
        if (valueOut >= valueIn) return;
        if ((valueIn - valueOut) * BPS > valueIn * maxLossBps) revert MaxLossExceeded(valueIn, valueOut);
    }

    function _positionValue(address oracle)
        internal
        view
        override
        returns (uint256 assets, uint256 liabilities, bool priced)
    {
        uint256 shares = target.balanceOf(address(this));
        if (shares == 0) return (0, 0, true);
        try target.convertToAssets(shares) returns (uint256 underlying) {
            (priced, assets) = _tryValue(oracle, targetAsset, underlying);
        } catch {
            priced = false;
        }
        liabilities = 0;
    }

    function _isPositionToken(address token) internal view override returns (bool) {
        return token == address(target) || token == targetAsset;
    }
}
