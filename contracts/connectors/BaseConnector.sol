// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {IConnector, IConnectorTokens} from "../interfaces/IConnector.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISwapHandler} from "../interfaces/ISwapHandler.sol";
import {IValueOracle} from "../interfaces/IValueOracle.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";
import {SwapExecution} from "../swap/lib/SwapExecution.sol";

/// @title BaseConnector
/// @notice What every connector shares: one vault fixed at construction, keeper-gate-only fund movements
///         (to the vault, to another enabled connector of the same vault, or through the vault's swap
///         handler), a bounded list of tracked wallet tokens, and a never-reverting value report that
///         sums wallet tokens and the protocol position through the vault's ValueOracle.
/// @dev A connector protocol implements `_positionValue` (assets and liabilities of its positions in base
///      units) and `_isPositionToken` (receipt tokens that must never leave through `recoverToken`).
abstract contract BaseConnector is IConnector, IConnectorTokens, RegistryAccess, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Bound on tracked wallet tokens, so a value report has a bounded cost.
    uint256 public constant MAX_TRACKED_TOKENS = 8;

    /// @inheritdoc IConnector
    address public immutable vault;
    /// @notice The vault's base asset (its unit of account), always tracked.
    address public immutable baseAsset;

    address[] private _trackedTokens;
    mapping(address token => bool) public isTracked;

    event SentToVault(uint256 amount);
    event SentToConnector(address indexed to, address indexed token, uint256 amount);
    event Swapped(address indexed tokenIn, uint256 amountIn, uint256 amountOut);
    event TokenTracked(address indexed token);
    event TokenUntracked(address indexed token);
    event TokenRecovered(address indexed token, uint256 amount);

    error ZeroAddress();
    error UnknownVault(address vault);
    error NotConnectorOfVault(address connector);
    error ConnectorDisabled(address connector);
    error TokenNotAllowed(address connector, address token);
    error TooManyTrackedTokens();
    error TokenStillHeld(address token, uint256 balance);
    error TokenNotStray(address token);
    error NotKeeperGateOrSiblingConnector(address caller);
    error NoSwapHandler();

    /// @param registry_ the registry (roles, allowed tokens, oracle, swap handler)
    /// @param vault_ the AccountingManager this connector serves; must already be registered
    constructor(IRegistry registry_, address vault_) RegistryAccess(registry_) {
        if (vault_ == address(0)) revert ZeroAddress();
        address asset = registry_.vaultConfig(vault_).asset;
        if (asset == address(0)) revert UnknownVault(vault_);
        vault = vault_;
        baseAsset = asset;
        _trackedTokens.push(asset);
        isTracked[asset] = true;
        emit TokenTracked(asset);
    }

    modifier onlyKeeperGate() {
        _checkKeeperGate(vault);
        _;
    }

    // --------------------------------------------------------------------------- fund movements

    /// @inheritdoc IConnector
    /// @dev Goes through `receiveFromConnector` so the vault books the assets as idle; a plain transfer
    ///      would be an unpriced donation. The approval is exact and reset to 0.
    function sendToVault(uint256 amount) external onlyKeeperGate nonReentrant {
        IERC20(baseAsset).forceApprove(vault, amount);
        IAccountingManager(vault).receiveFromConnector(amount);
        IERC20(baseAsset).forceApprove(vault, 0);
        emit SentToVault(amount);
    }

    /// @inheritdoc IConnector
    /// @dev `to` must be an enabled connector of the same vault that may hold `token`; it starts tracking it.
    function sendToConnector(address to, address token, uint256 amount) external onlyKeeperGate nonReentrant {
        IRegistry.ConnectorConfig memory target = registry.connectorConfig(to);
        if (target.vault != vault || to == address(this)) revert NotConnectorOfVault(to);
        if (!target.enabled) revert ConnectorDisabled(to);
        if (token != baseAsset && !registry.isConnectorToken(to, token)) revert TokenNotAllowed(to, token);
        IERC20(token).safeTransfer(to, amount);
        BaseConnector(to).trackToken(token);
        emit SentToConnector(to, token, amount);
    }

    /// @notice Swaps exactly `amountIn` of `tokenIn` with LI.FI Diamond calldata that the vault's swap
    ///         handler validated (receiver = this connector, allowed tokens, oracle-bounded minimum out).
    /// @dev `SwapExecution.run`: the Diamond gets an approval of exactly `amountIn` and must spend all of it;
    ///      at least the checked minimum must arrive. Track the output token with `trackToken` in the same
    ///      batch if it is not tracked yet.
    function swap(address tokenIn, uint256 amountIn, bytes calldata lifiCalldata)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 amountOut)
    {
        address handler = registry.swapHandlerOf(vault);
        if (handler == address(0)) revert NoSwapHandler();
        amountOut = SwapExecution.run(ISwapHandler(handler), tokenIn, amountIn, lifiCalldata);
        emit Swapped(tokenIn, amountIn, amountOut);
    }

    /// @notice Counts `token`'s wallet balance in this connector's value from now on.
    /// @dev Callable by the keeper gate and by connectors of the same vault (sendToConnector does it).
    function trackToken(address token) external {
        if (msg.sender != registry.keeperGateOf(vault) && registry.connectorConfig(msg.sender).vault != vault) {
            revert NotKeeperGateOrSiblingConnector(msg.sender);
        }
        if (isTracked[token]) return;
        if (!registry.isConnectorToken(address(this), token)) revert TokenNotAllowed(address(this), token);
        _track(token);
    }

    /// @notice Stops counting `token` once the connector no longer holds any, neither in its wallet nor
    ///         through a position that pays it out (so an exit can never land in an untracked token).
    function untrackToken(address token) external onlyKeeperGate {
        uint256 balance = IERC20(token).balanceOf(address(this));
        if (token == baseAsset || balance != 0 || _isPositionToken(token)) revert TokenStillHeld(token, balance);
        uint256 length = _trackedTokens.length;
        for (uint256 i; i < length; ++i) {
            if (_trackedTokens[i] == token) {
                _trackedTokens[i] = _trackedTokens[length - 1];
                _trackedTokens.pop();
                isTracked[token] = false;
                emit TokenUntracked(token);
                return;
            }
        }
    }

    /// @notice Sends the whole balance of a stray token (neither tracked nor a position receipt) to the vault.
    function recoverToken(address token) external onlyKeeperGate nonReentrant {
        if (isTracked[token] || _isPositionToken(token)) revert TokenNotStray(token);
        uint256 amount = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransfer(vault, amount);
        emit TokenRecovered(token, amount);
    }

    // ------------------------------------------------------------------------------------ value

    /// @inheritdoc IConnector
    function totalValue() external view returns (uint256 value, bool healthy) {
        address oracle = registry.valueOracleOf(vault);
        (uint256 wallet, bool walletPriced) = _walletValue(oracle);
        (uint256 assets, uint256 liabilities, bool positionPriced) = _positionValue(oracle);
        uint256 gross = wallet + assets;
        if (gross < liabilities) return (0, false);
        return (gross - liabilities, walletPriced && positionPriced);
    }

    /// @notice Tokens whose wallet balance counts in `totalValue`.
    function trackedTokens() external view returns (address[] memory) {
        return _trackedTokens;
    }

    // -------------------------------------------------------------------------------- internals

    /// @dev Value of the protocol positions in base units: `assets` held, `liabilities` owed, and whether
    ///      everything could be priced (an unpriced asset counts as 0; an unpriced liability must make
    ///      the implementation report what it can prove, which is nothing).
    function _positionValue(address oracle)
        internal
        view
        virtual
        returns (uint256 assets, uint256 liabilities, bool priced);

    /// @dev Tokens the positions are made of: receipts (aTokens, vault shares) that `recoverToken` must
    ///      never move, and underlyings the positions pay out, which must stay tracked.
    function _isPositionToken(address token) internal view virtual returns (bool);

    function _track(address token) internal {
        if (isTracked[token]) return;
        if (_trackedTokens.length >= MAX_TRACKED_TOKENS) revert TooManyTrackedTokens();
        _trackedTokens.push(token);
        isTracked[token] = true;
        emit TokenTracked(token);
    }

    function _requireAllowed(address token) internal view {
        if (token != baseAsset && !registry.isConnectorToken(address(this), token)) {
            revert TokenNotAllowed(address(this), token);
        }
    }

    function _walletValue(address oracle) internal view returns (uint256 value, bool priced) {
        priced = true;
        uint256 length = _trackedTokens.length;
        for (uint256 i; i < length; ++i) {
            address token = _trackedTokens[i];
            uint256 balance = IERC20(token).balanceOf(address(this));
            if (balance == 0) continue;
            (bool ok, uint256 v) = _tryValue(oracle, token, balance);
            if (ok) value += v;
            else priced = false;
        }
    }

    /// @dev Never reverts: the base asset is its own amount, anything else goes through the oracle's
    ///      tryValueOf, and a missing or broken oracle reads as "not priced".
    function _tryValue(address oracle, address token, uint256 amount) internal view returns (bool ok, uint256 value) {
        if (token == baseAsset || amount == 0) return (true, amount);
        if (oracle.code.length == 0) return (false, 0);
        try IValueOracle(oracle).tryValueOf(token, amount) returns (bool ok_, uint256 value_, bytes4) {
            return (ok_, value_);
        } catch {
            return (false, 0);
        }
    }
}
