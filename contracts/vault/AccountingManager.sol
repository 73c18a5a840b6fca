// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {IERC7540Deposit, IERC7540Operator, IERC7540Redeem} from "../interfaces/IERC7540.sol";
import {IERC7887Deposit, IERC7887Redeem} from "../interfaces/IERC7887.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";
import {ConnectorValuation} from "./lib/ConnectorValuation.sol";
import {EpochMath} from "./lib/EpochMath.sol";
import {FeeMath} from "./lib/FeeMath.sol";
import {GuardrailMath} from "./lib/GuardrailMath.sol";
import {SharesMath} from "./lib/SharesMath.sol";

/// @title AccountingManager
/// @notice The vault: ERC-20 shares over one base asset, ERC-7540 asynchronous deposits and redemptions
///         settled in epochs at an on-chain NAV, ERC-7887 cancellation of pending requests.
/// @dev Settlement is O(1) in the number of requests: requests add to per-epoch aggregates, a settlement
///      prices the whole epoch at once, and each controller's claim is derived lazily from its epoch's
///      aggregate. Pricing uses internal balances only (never `balanceOf`); every asset/share conversion
///      goes through SharesMath (virtual offset, rounding in the vault's favour).
///
///      Invariants (checked by test/sol/VaultInvariants.t.sol and test/sol/DeadlineInvariants.t.sol):
///      1. Asset conservation: the asset balance equals idle + reserved redemptions + cancelled deposits +
///         pending deposits + donations; donations are never priced.
///      2. NAV is idle plus the connectors' reported values.
///      3. Share conservation: supply = shares minted for settled deposits + fee shares - redeemed shares,
///         and no deposit epoch mints shares without assets.
///      4. The escrow holds every claimable and cancelled share; the reserve covers every claimable asset.
///      5. A claimable amount never changes except by its own claim, at its settled price, and a pause
///         never blocks it.
///      6. The keeper and anyone after the deadline settle only inside the guardrail band; outside it the
///         vault pauses and prices nothing.
///      7. Nothing is priced while a connector's value is unknown (unless governance wrote it down or the
///         guardian disabled it).
///      8. No sequence of calls by unprivileged accounts moves value between holders through a settlement:
///         the price per share after a deadline settlement is never below the price before it.
///      9. Fees are charged before any share is minted, so nobody pays for time before they held shares.
///     10. Requests below the minimum are refused; a cancellation returns exactly the pending amount.
contract AccountingManager is
    ERC20,
    IERC4626,
    IERC7540Operator,
    IERC7540Deposit,
    IERC7540Redeem,
    IERC7887Deposit,
    IERC7887Redeem,
    IERC165,
    IAccountingManager,
    RegistryAccess,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Extra decimals of the share over the asset; 10**offset virtual shares dilute donations.
    uint8 public constant DECIMALS_OFFSET = SharesMath.DECIMALS_OFFSET;
    /// @notice Every request of a controller is fungible with its others (ERC-7540 requestId 0).
    uint256 public constant REQUEST_ID = 0;
    uint256 public constant MIN_SETTLEMENT_DEADLINE = 1 hours;
    uint256 public constant MAX_SETTLEMENT_DEADLINE = 30 days;
    bytes4 internal constant ERC7575_INTERFACE_ID = 0x2f0a18c5;

    struct EpochState {
        /// @dev Open deposit epoch; every epoch below it is settled.
        uint64 depositEpoch;
        /// @dev Open redeem epoch; every epoch below it is settled.
        uint64 redeemEpoch;
        /// @dev When the oldest unsettled request arrived (0 = nothing pending); starts the deadline.
        uint64 pendingSince;
        /// @dev When the last live NAV was accepted; the guardrail band widens with the time since.
        uint64 lastNavAt;
    }

    struct PendingTotals {
        uint128 depositAssets;
        uint128 redeemShares;
    }

    /// @dev Internal asset accounting. balanceOf(asset) minus these is a donation, never priced.
    struct AssetBook {
        /// @dev Shareholders' assets held by the vault itself (part of NAV).
        uint128 idle;
        /// @dev Reserved for settled redemptions not yet claimed.
        uint128 claimableRedeem;
        /// @dev Reserved for cancelled deposits not yet claimed.
        uint128 cancelledDeposits;
        /// @dev NAV accepted by the last settlement, after its flows.
        uint128 lastTotalAssets;
    }

    /// @dev An epoch's aggregate: `amountIn` (assets for deposits, shares for redeems) turned into `amountOut`.
    struct Settlement {
        uint128 amountIn;
        uint128 amountOut;
    }

    struct Limits {
        /// @dev Ceiling on last accepted NAV plus pending deposits.
        uint128 depositCap;
        /// @dev Smallest deposit request, and smallest redeem request by value (full exits excepted).
        uint96 minRequestAssets;
        bool depositsPaused;
        bool redeemsPaused;
    }

    struct FeeConfig {
        address receiver;
        uint16 managementFeeBps;
        uint16 performanceFeeBps;
    }

    struct DepositAccount {
        uint64 epoch;
        uint128 pendingAssets;
        uint128 claimableAssets;
        uint128 claimableShares;
        uint128 cancelledAssets;
    }

    struct RedeemAccount {
        uint64 epoch;
        uint128 pendingShares;
        uint128 claimableShares;
        uint128 claimableAssets;
        uint128 cancelledShares;
    }

    struct InitialConfig {
        FeeConfig fees;
        Limits limits;
        GuardrailMath.Guardrails guardrails;
    }

    IERC20 private immutable _asset;
    uint8 private immutable _decimals;

    EpochState private _epochs;
    PendingTotals private _pending;
    AssetBook private _book;
    Limits private _limits;
    GuardrailMath.Guardrails private _guardrails;
    FeeConfig private _fees;
    /// @dev Fee change waiting for the next fee accrual (receiver == 0 means none).
    FeeConfig private _queuedFees;
    uint64 private _lastFeeAccrual;
    /// @notice Highest post-fee price per share (scaled by FeeMath.PRICE_SCALE) fees were charged at.
    uint256 public highWaterMark;

    mapping(uint256 epoch => Settlement) private _depositSettlements;
    mapping(uint256 epoch => Settlement) private _redeemSettlements;
    mapping(address controller => DepositAccount) private _depositAccounts;
    mapping(address controller => RedeemAccount) private _redeemAccounts;
    mapping(address controller => mapping(address operator => bool)) private _operators;
    /// @dev Connectors governance accepted at their proven value while they cannot be valued.
    mapping(address connector => bool) private _writtenDown;

    /// @param registry_ Registry holding the roles of this vault (registered there after deployment).
    /// @param asset_ The base asset.
    /// @param config Initial fees, limits (pause flags included) and guardrails.
    constructor(
        IRegistry registry_,
        IERC20Metadata asset_,
        string memory name_,
        string memory symbol_,
        InitialConfig memory config
    ) ERC20(name_, symbol_) RegistryAccess(registry_) {
        if (address(asset_) == address(0)) revert ZeroAddress();
        _asset = asset_;
        _decimals = asset_.decimals() + DECIMALS_OFFSET;
        _checkFees(config.fees);
        _checkGuardrails(config.guardrails);
        _fees = config.fees;
        _limits = config.limits;
        _guardrails = config.guardrails;
        _epochs = EpochState({depositEpoch: 1, redeemEpoch: 1, pendingSince: 0, lastNavAt: uint64(block.timestamp)});
        _lastFeeAccrual = uint64(block.timestamp);
        // The empty vault's price; without it a first settlement that charges no fees (deadline mode)
        // would leave a zero mark and the next one would take a performance fee on the whole price.
        highWaterMark = SharesMath.price(0, 0);
    }

    // ------------------------------------------------------------------------------ requests

    /// @inheritdoc IERC7540Deposit
    function requestDeposit(
        uint256 assets,
        address controller,
        address owner
    ) external nonReentrant returns (uint256 requestId) {
        Limits memory rules = _limits;
        if (rules.depositsPaused) revert DepositsPaused();
        if (controller == address(0)) revert ZeroAddress();
        if (owner != msg.sender && !_operators[owner][msg.sender]) revert NotOwnerOrOperator(msg.sender, owner);
        if (assets == 0) revert ZeroAmount();
        if (assets < rules.minRequestAssets) revert BelowMinimumRequest(assets, rules.minRequestAssets);
        PendingTotals memory totals = _pending;
        uint256 afterRequest = _book.lastTotalAssets + totals.depositAssets + assets;
        if (afterRequest > rules.depositCap) revert DepositCapExceeded(afterRequest, rules.depositCap);

        _pullAssets(owner, assets);
        uint64 epoch = _openRequestWindow().depositEpoch;
        DepositAccount storage account = _depositAccounts[controller];
        _foldDeposit(account, epoch);
        account.epoch = epoch;
        account.pendingAssets += assets.toUint128();
        _pending.depositAssets = totals.depositAssets + uint128(assets);
        emit DepositRequest(controller, owner, REQUEST_ID, msg.sender, assets);
        return REQUEST_ID;
    }

    /// @inheritdoc IERC7540Redeem
    /// @dev Shares move into the vault's escrow at once. A caller other than `owner` needs operator
    ///      approval or an ERC-20 allowance. Requests worth less than the minimum are refused unless
    ///      they redeem the owner's whole balance.
    function requestRedeem(
        uint256 shares,
        address controller,
        address owner
    ) external nonReentrant returns (uint256 requestId) {
        Limits memory rules = _limits;
        if (rules.redeemsPaused) revert RedeemsPaused();
        if (controller == address(0)) revert ZeroAddress();
        if (shares == 0) revert ZeroAmount();
        if (owner != msg.sender && !_operators[owner][msg.sender]) _spendAllowance(owner, msg.sender, shares);
        if (shares < balanceOf(owner)) {
            uint256 value = _valueAtLastNav(shares);
            if (value < rules.minRequestAssets) revert BelowMinimumRequest(value, rules.minRequestAssets);
        }

        _transfer(owner, address(this), shares);
        uint64 epoch = _openRequestWindow().redeemEpoch;
        RedeemAccount storage account = _redeemAccounts[controller];
        _foldRedeem(account, epoch);
        account.epoch = epoch;
        account.pendingShares += shares.toUint128();
        _pending.redeemShares += uint128(shares);
        emit RedeemRequest(controller, owner, REQUEST_ID, msg.sender, shares);
        return REQUEST_ID;
    }

    // -------------------------------------------------------------------------------- claims

    /// @inheritdoc IERC7540Deposit
    /// @dev Shares are pro rata of the controller's claimable shares, rounded down.
    function deposit(uint256 assets, address receiver, address controller) public nonReentrant returns (uint256 shares) {
        (, shares) = _claimDeposit(assets, false, receiver, controller);
    }

    /// @inheritdoc IERC4626
    /// @dev Claim for `msg.sender` as controller.
    function deposit(uint256 assets, address receiver) external returns (uint256 shares) {
        return deposit(assets, receiver, msg.sender);
    }

    /// @inheritdoc IERC7540Deposit
    /// @dev The assets consumed are pro rata, rounded up.
    function mint(uint256 shares, address receiver, address controller) public nonReentrant returns (uint256 assets) {
        (assets, ) = _claimDeposit(shares, true, receiver, controller);
    }

    /// @inheritdoc IERC4626
    /// @dev Claim for `msg.sender` as controller.
    function mint(uint256 shares, address receiver) external returns (uint256 assets) {
        return mint(shares, receiver, msg.sender);
    }

    /// @inheritdoc IERC4626
    /// @dev Claims `shares` of settled redemptions of `controller`; assets pro rata, rounded down.
    function redeem(uint256 shares, address receiver, address controller) external nonReentrant returns (uint256 assets) {
        (assets, ) = _claimRedeem(shares, true, receiver, controller);
    }

    /// @inheritdoc IERC4626
    /// @dev Claims `assets` of settled redemptions of `controller`; shares consumed pro rata, rounded up.
    function withdraw(
        uint256 assets,
        address receiver,
        address controller
    ) external nonReentrant returns (uint256 shares) {
        (, shares) = _claimRedeem(assets, false, receiver, controller);
    }

    // -------------------------------------------------------------------------- cancellation

    /// @inheritdoc IERC7887Deposit
    /// @dev The cancellation is claimable at once: pending assets sit idle in the vault, outside NAV.
    ///      Allowed while paused, since it only returns what the controller put in.
    function cancelDepositRequest(uint256 requestId, address controller) external nonReentrant {
        _checkRequestId(requestId);
        _checkController(controller);
        DepositAccount storage account = _depositAccounts[controller];
        uint128 pendingAssets = account.pendingAssets;
        if (pendingAssets == 0 || account.epoch != _epochs.depositEpoch) revert NoPendingRequest(controller);
        account.pendingAssets = 0;
        account.cancelledAssets += pendingAssets;
        _pending.depositAssets -= pendingAssets;
        _book.cancelledDeposits += pendingAssets;
        _closeRequestWindowIfEmpty();
        emit CancelDepositRequest(controller, REQUEST_ID, msg.sender);
    }

    /// @inheritdoc IERC7887Deposit
    function claimCancelDepositRequest(
        uint256 requestId,
        address receiver,
        address controller
    ) external nonReentrant returns (uint256 assets) {
        _checkRequestId(requestId);
        _checkController(controller);
        if (receiver == address(0)) revert ZeroAddress();
        DepositAccount storage account = _depositAccounts[controller];
        assets = account.cancelledAssets;
        if (assets == 0) revert NothingToClaim(controller);
        account.cancelledAssets = 0;
        _book.cancelledDeposits -= uint128(assets);
        _sendAssets(receiver, assets);
        emit CancelDepositClaim(controller, receiver, REQUEST_ID, msg.sender, assets);
    }

    /// @inheritdoc IERC7887Redeem
    /// @dev Claimable at once and allowed while paused, like deposit cancellation.
    function cancelRedeemRequest(uint256 requestId, address controller) external nonReentrant {
        _checkRequestId(requestId);
        _checkController(controller);
        RedeemAccount storage account = _redeemAccounts[controller];
        uint128 pendingShares = account.pendingShares;
        if (pendingShares == 0 || account.epoch != _epochs.redeemEpoch) revert NoPendingRequest(controller);
        account.pendingShares = 0;
        account.cancelledShares += pendingShares;
        _pending.redeemShares -= pendingShares;
        _closeRequestWindowIfEmpty();
        emit CancelRedeemRequest(controller, REQUEST_ID, msg.sender);
    }

    /// @inheritdoc IERC7887Redeem
    function claimCancelRedeemRequest(
        uint256 requestId,
        address receiver,
        address controller
    ) external nonReentrant returns (uint256 shares) {
        _checkRequestId(requestId);
        _checkController(controller);
        if (receiver == address(0)) revert ZeroAddress();
        RedeemAccount storage account = _redeemAccounts[controller];
        shares = account.cancelledShares;
        if (shares == 0) revert NothingToClaim(controller);
        account.cancelledShares = 0;
        _transfer(address(this), receiver, shares);
        emit CancelRedeemClaim(controller, receiver, REQUEST_ID, msg.sender, shares);
    }

    /// @inheritdoc IERC7540Operator
    function setOperator(address operator, bool approved) external returns (bool) {
        if (operator == address(0)) revert ZeroAddress();
        _operators[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
        return true;
    }

    // ---------------------------------------------------------------------------- settlement

    /// @inheritdoc IAccountingManager
    /// @dev Keeper gate and deadline caller take the same path, so whoever triggers a settlement cannot
    ///      choose a better price than the live one: live NAV, fees accrued first, the band the only
    ///      refusal. A NAV outside the band does not revert: the vault pauses both sides, emits
    ///      GuardrailBreached and returns false (a revert would undo the pause). A connector that cannot
    ///      be valued makes it return false with SettlementAwaitingValuation, pricing nothing.
    function settle() external nonReentrant returns (bool settled) {
        _checkSettleable(false);
        if (msg.sender == registry.keeperGateOf(address(this))) return _settleLive(SettlementMode.Keeper);
        uint256 dueAt = settlementDueAt();
        if (block.timestamp < dueAt) revert SettlementNotDue(dueAt);
        return _settleLive(SettlementMode.Deadline);
    }

    /// @notice Governance only: accepts the live NAV without the guardrail band (a reported loss or
    ///         gain reviewed by governance), charges fees and settles every unpaused side.
    /// @dev Reverts with ValuationIncomplete while a connector cannot be valued and is not written down.
    function forceSettle() external nonReentrant {
        _checkGovernance();
        _settleLive(SettlementMode.Governance);
    }

    /// @inheritdoc IAccountingManager
    /// @dev De-risking, hence open to the guardian at once: deposits pay at least the last accepted and the
    ///      live price, redemptions get at most either, so no requester gains from a NAV nobody accepted.
    ///      Settles paused sides too (the pause of a breach is what it resumes from); request intake stays
    ///      paused until governance unpauses. The band's reference price is carried over, not moved.
    function settleConservatively() external nonReentrant {
        _checkGuardianOrGovernance(address(this));
        _checkSettleable(true);
        uint256 live = _completeNav(true);
        uint256 last = _book.lastTotalAssets;
        uint256 low = live < last ? live : last;
        uint256 supplyBefore = totalSupply();
        _accrueFees(low, supplyBefore);
        _settleFlows(live > last ? live : last, low, live, SettlementMode.Conservative, true);
        _book.lastTotalAssets = SharesMath.navAtPrice(last, supplyBefore, totalSupply()).toUint128();
    }

    /// @notice Governance only: while `connector` cannot be valued it counts at its proven value (0 when
    ///         its read fails) instead of holding settlement. For a position governance judged worthless.
    function setConnectorWrittenDown(address connector, bool writtenDown) external {
        _checkGovernance();
        if (registry.connectorConfig(connector).vault != address(this)) revert NotVaultConnector(connector);
        _writtenDown[connector] = writtenDown;
        emit ConnectorWrittenDown(connector, writtenDown);
    }

    /// @notice Keeper gate only: sends `amount` of idle assets to an enabled connector of this vault,
    ///         provided the connector reports healthy and stays within its cap.
    function transferToConnector(address connector, uint256 amount) external nonReentrant {
        _checkKeeperGate(address(this));
        if (amount == 0) revert ZeroAmount();
        IRegistry.ConnectorConfig memory config = registry.connectorConfig(connector);
        if (config.vault != address(this)) revert NotVaultConnector(connector);
        if (!config.enabled) revert ConnectorDisabled(connector);
        (bool ok, uint256 value, bool healthy) = ConnectorValuation.read(connector);
        if (!ok || !healthy) revert ConnectorNotHealthy(connector);
        if (value + amount > config.cap) revert ConnectorCapExceeded(connector, value + amount, config.cap);
        uint128 idle = _book.idle;
        if (amount > idle) revert InsufficientIdle(amount, idle);
        _book.idle = idle - uint128(amount);
        _asset.safeTransfer(connector, amount);
        emit AssetsSentToConnector(connector, amount);
    }

    /// @inheritdoc IAccountingManager
    function receiveFromConnector(uint256 amount) external nonReentrant {
        if (registry.connectorConfig(msg.sender).vault != address(this)) revert NotVaultConnector(msg.sender);
        if (amount == 0) revert ZeroAmount();
        _pullAssets(msg.sender, amount);
        _book.idle += amount.toUint128();
        emit AssetsReceivedFromConnector(msg.sender, amount);
    }

    // ---------------------------------------------------------------------- pause and config

    /// @notice Guardian or governance: stops deposit requests and deposit claims.
    function pauseDeposits() external {
        _checkGuardianOrGovernance(address(this));
        _limits.depositsPaused = true;
        emit DepositsPauseSet(true, msg.sender);
    }

    /// @notice Guardian or governance: stops redeem requests and redeem claims.
    function pauseRedeems() external {
        _checkGuardianOrGovernance(address(this));
        _limits.redeemsPaused = true;
        emit RedeemsPauseSet(true, msg.sender);
    }

    /// @notice Governance only: resumes deposits.
    function unpauseDeposits() external {
        _checkGovernance();
        _limits.depositsPaused = false;
        emit DepositsPauseSet(false, msg.sender);
    }

    /// @notice Governance only: resumes redemptions.
    function unpauseRedeems() external {
        _checkGovernance();
        _limits.redeemsPaused = false;
        emit RedeemsPauseSet(false, msg.sender);
    }

    /// @notice Governance only: queues new fee rates and receiver. They apply at the next fee accrual,
    ///         after the fees of the elapsed period were charged at the old rates to the old receiver.
    function setFeeConfig(address receiver, uint16 managementFeeBps, uint16 performanceFeeBps) external {
        _checkGovernance();
        FeeConfig memory config = FeeConfig(receiver, managementFeeBps, performanceFeeBps);
        _checkFees(config);
        _queuedFees = config;
        emit FeeConfigQueued(receiver, managementFeeBps, performanceFeeBps);
    }

    /// @notice Governance only: sets the ceiling on last accepted NAV plus pending deposits.
    function setDepositCap(uint128 cap) external {
        _checkGovernance();
        _limits.depositCap = cap;
        emit DepositCapSet(cap);
    }

    /// @notice Governance only: sets the smallest request, in assets.
    function setMinRequestAssets(uint96 minimum) external {
        _checkGovernance();
        _limits.minRequestAssets = minimum;
        emit MinRequestAssetsSet(minimum);
    }

    /// @notice Governance only: sets the price band and the settlement deadline.
    function setGuardrails(GuardrailMath.Guardrails calldata newGuardrails) external {
        _checkGovernance();
        _checkGuardrails(newGuardrails);
        _guardrails = newGuardrails;
        emit GuardrailsSet(newGuardrails);
    }

    /// @notice Governance only: sends tokens that are not vault accounting to `to`: any token other
    ///         than the base asset and the vault's own shares, and base asset above the internal books.
    function recoverSurplus(address token, address to) external nonReentrant {
        _checkGovernance();
        if (to == address(0)) revert ZeroAddress();
        if (token == address(this)) revert NotRecoverable(token);
        uint256 amount = IERC20(token).balanceOf(address(this));
        if (token == address(_asset)) {
            uint256 tracked = _trackedAssets();
            amount = amount > tracked ? amount - tracked : 0;
        }
        if (amount == 0) revert ZeroAmount();
        IERC20(token).safeTransfer(to, amount);
        emit SurplusRecovered(token, to, amount);
    }

    // --------------------------------------------------------------------------------- views

    /// @inheritdoc IERC4626
    function asset() external view returns (address) {
        return address(_asset);
    }

    /// @notice ERC-7575: the share token is the vault itself.
    function share() external view returns (address) {
        return address(this);
    }

    /// @inheritdoc ERC20
    function decimals() public view override(ERC20, IERC20Metadata) returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc IERC4626
    /// @dev Live NAV: idle assets plus every connector's reported value. Never reverts: a connector that
    ///      cannot be valued counts at what it proves (0 when its read fails), so this is then a lower bound
    ///      and settlement waits (VaultLens.valuationStatus says which connector and why).
    function totalAssets() public view returns (uint256 nav) {
        (nav, ) = _liveNav();
    }

    /// @inheritdoc IERC4626
    function convertToShares(uint256 assets) external view returns (uint256) {
        return SharesMath.toSharesDown(assets, totalAssets(), totalSupply());
    }

    /// @inheritdoc IERC4626
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return SharesMath.toAssetsDown(shares, totalAssets(), totalSupply());
    }

    /// @inheritdoc IERC4626
    /// @dev The assets `controller` can claim now (pauses never block claims).
    function maxDeposit(address controller) external view returns (uint256 assets) {
        (assets, , ) = _claimableDeposit(_depositAccounts[controller]);
    }

    /// @inheritdoc IERC4626
    /// @dev The shares `controller` can claim now.
    function maxMint(address controller) external view returns (uint256 shares) {
        (, shares, ) = _claimableDeposit(_depositAccounts[controller]);
    }

    /// @inheritdoc IERC4626
    /// @dev The assets `controller` can claim now.
    function maxWithdraw(address controller) external view returns (uint256 assets) {
        (, assets, ) = _claimableRedeem(_redeemAccounts[controller]);
    }

    /// @inheritdoc IERC4626
    /// @dev The shares `controller` can claim now.
    function maxRedeem(address controller) external view returns (uint256 shares) {
        (shares, , ) = _claimableRedeem(_redeemAccounts[controller]);
    }

    /// @inheritdoc IERC4626
    /// @dev ERC-7540: previews revert for asynchronous flows.
    function previewDeposit(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @inheritdoc IERC4626
    function previewMint(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @inheritdoc IERC4626
    function previewWithdraw(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @inheritdoc IERC4626
    function previewRedeem(uint256) external pure returns (uint256) {
        revert AsyncFlow();
    }

    /// @inheritdoc IERC7540Deposit
    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256) {
        DepositAccount storage account = _depositAccounts[controller];
        if (requestId != REQUEST_ID || account.epoch != _epochs.depositEpoch) return 0;
        return account.pendingAssets;
    }

    /// @inheritdoc IERC7540Deposit
    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets) {
        if (requestId != REQUEST_ID) return 0;
        (assets, , ) = _claimableDeposit(_depositAccounts[controller]);
    }

    /// @inheritdoc IERC7540Redeem
    function pendingRedeemRequest(uint256 requestId, address controller) external view returns (uint256) {
        RedeemAccount storage account = _redeemAccounts[controller];
        if (requestId != REQUEST_ID || account.epoch != _epochs.redeemEpoch) return 0;
        return account.pendingShares;
    }

    /// @inheritdoc IERC7540Redeem
    function claimableRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares) {
        if (requestId != REQUEST_ID) return 0;
        (shares, , ) = _claimableRedeem(_redeemAccounts[controller]);
    }

    /// @inheritdoc IERC7887Deposit
    /// @dev Cancellations are claimable at once, so none is ever pending.
    function pendingCancelDepositRequest(uint256, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC7887Deposit
    function claimableCancelDepositRequest(uint256 requestId, address controller) external view returns (uint256) {
        return requestId == REQUEST_ID ? _depositAccounts[controller].cancelledAssets : 0;
    }

    /// @inheritdoc IERC7887Redeem
    function pendingCancelRedeemRequest(uint256, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC7887Redeem
    function claimableCancelRedeemRequest(uint256 requestId, address controller) external view returns (uint256) {
        return requestId == REQUEST_ID ? _redeemAccounts[controller].cancelledShares : 0;
    }

    /// @inheritdoc IERC7540Operator
    function isOperator(address controller, address operator) external view returns (bool) {
        return _operators[controller][operator];
    }

    /// @inheritdoc IAccountingManager
    function lastTotalAssets() external view returns (uint256) {
        return _book.lastTotalAssets;
    }

    /// @inheritdoc IAccountingManager
    function extSload(bytes32 slot) external view returns (bytes32 value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }

    /// @inheritdoc IAccountingManager
    function isValuationWaived(address connector) public view returns (bool) {
        return _writtenDown[connector] || !registry.connectorConfig(connector).enabled;
    }

    /// @notice Time from which anyone may settle the pending requests (0 when nothing is pending).
    function settlementDueAt() public view returns (uint256) {
        uint256 since = _epochs.pendingSince;
        return since == 0 ? 0 : since + _guardrails.settlementDeadline;
    }

    /// @notice Aggregates of the open epochs.
    function pendingTotals() external view returns (PendingTotals memory) {
        return _pending;
    }

    /// @notice Internal asset books (idle, reserved for claims and cancellations, last accepted NAV).
    function assetBook() external view returns (AssetBook memory) {
        return _book;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC165).interfaceId ||
            interfaceId == type(IERC7540Operator).interfaceId ||
            interfaceId == type(IERC7540Deposit).interfaceId ||
            interfaceId == type(IERC7540Redeem).interfaceId ||
            interfaceId == type(IERC7887Deposit).interfaceId ||
            interfaceId == type(IERC7887Redeem).interfaceId ||
            interfaceId == ERC7575_INTERFACE_ID;
    }

    // ----------------------------------------------------------------------------- internals

    /// @dev Reverts when nothing is pending, or when every pending side is paused (unless `ignorePause`).
    function _checkSettleable(bool ignorePause) private view {
        PendingTotals memory totals = _pending;
        if (totals.depositAssets == 0 && totals.redeemShares == 0) revert NothingToSettle();
        if (ignorePause) return;
        Limits memory rules = _limits;
        if (
            (totals.depositAssets == 0 || rules.depositsPaused) && (totals.redeemShares == 0 || rules.redeemsPaused)
        ) {
            if (rules.depositsPaused) revert DepositsPaused();
            revert RedeemsPaused();
        }
    }

    /// @dev Live-NAV settlement for the keeper, the deadline caller and governance. Returns false, pricing
    ///      nothing, when a connector cannot be valued or (not for governance) the NAV leaves the band.
    function _settleLive(SettlementMode mode) private returns (bool) {
        uint256 nav = _completeNav(mode == SettlementMode.Governance);
        if (nav == type(uint256).max) return false;
        uint256 supply = totalSupply();
        if (mode != SettlementMode.Governance && supply != 0) {
            uint256 lastNav = _book.lastTotalAssets;
            uint256 elapsed = block.timestamp - _epochs.lastNavAt;
            if (!GuardrailMath.withinBand(lastNav, nav, elapsed, _guardrails)) {
                _limits.depositsPaused = true;
                _limits.redeemsPaused = true;
                emit GuardrailBreached(lastNav, nav, elapsed);
                emit DepositsPauseSet(true, address(this));
                emit RedeemsPauseSet(true, address(this));
                return false;
            }
        }
        _accrueFees(nav, supply);
        _epochs.lastNavAt = uint64(block.timestamp);
        _settleFlows(nav, nav, nav, mode, false);
        return true;
    }

    /// @dev The live NAV when every connector can be valued or is waived. Otherwise reverts with
    ///      ValuationIncomplete when `revertIfUnknown`, else emits SettlementAwaitingValuation for the first
    ///      unknown connector (VaultLens.valuationStatus lists all) and returns type(uint256).max.
    function _completeNav(bool revertIfUnknown) private returns (uint256 nav) {
        address unknown;
        (nav, unknown) = _liveNav();
        if (unknown == address(0)) return nav;
        (bool ok, uint256 value, ) = ConnectorValuation.read(unknown);
        ValuationIssue issue = ok ? ValuationIssue.Unhealthy : ValuationIssue.Failed;
        if (revertIfUnknown) revert ValuationIncomplete(unknown, issue);
        emit SettlementAwaitingValuation(unknown, issue, value);
        return type(uint256).max;
    }

    function _accrueFees(uint256 nav, uint256 supply) private {
        FeeConfig memory fees = _fees;
        uint256 shares;
        if (supply != 0) {
            uint256 management = FeeMath.managementFee(nav, fees.managementFeeBps, block.timestamp - _lastFeeAccrual);
            uint256 performance = FeeMath.performanceFee(nav, supply, highWaterMark, fees.performanceFeeBps);
            uint256 total = management + performance;
            // Only reachable after years without a settlement; keeps the share formula defined.
            if (total > nav / 2) total = nav / 2;
            if (total != 0) {
                shares = SharesMath.toFeeSharesDown(total, nav, supply);
                if (shares != 0) _mint(fees.receiver, shares);
                emit FeesAccrued(fees.receiver, management, performance, shares, highWaterMark);
            }
        }
        uint256 priceAfterFees = SharesMath.price(nav, supply + shares);
        if (priceAfterFees > highWaterMark) highWaterMark = priceAfterFees;
        _lastFeeAccrual = uint64(block.timestamp);
        FeeConfig memory queued = _queuedFees;
        if (queued.receiver != address(0)) {
            _fees = queued;
            delete _queuedFees;
            emit FeeConfigApplied(queued.receiver, queued.managementFeeBps, queued.performanceFeeBps);
        }
    }

    /// @dev Prices the open deposit epoch at `depositNav` and the open redeem epoch at `redeemNav` (both
    ///      over the current supply) and books them; `liveNav` is the NAV the flows add to. Deposits
    ///      always fit; redemptions need enough idle assets (including this epoch's deposits), else they
    ///      wait. Paused sides wait unless `ignorePause`.
    function _settleFlows(
        uint256 depositNav,
        uint256 redeemNav,
        uint256 liveNav,
        SettlementMode mode,
        bool ignorePause
    ) private {
        EpochState memory epochs = _epochs;
        PendingTotals memory totals = _pending;
        Limits memory rules = _limits;
        AssetBook memory book = _book;
        uint256 supply = totalSupply();
        uint256 navAfter = liveNav;

        if (totals.depositAssets != 0 && (ignorePause || !rules.depositsPaused)) {
            uint256 assets = totals.depositAssets;
            uint256 shares = SharesMath.toSharesDown(assets, depositNav, supply);
            if (shares == 0) {
                emit DepositSettlementDeferred(epochs.depositEpoch, assets);
            } else {
                _mint(address(this), shares);
                _depositSettlements[epochs.depositEpoch] = Settlement(uint128(assets), shares.toUint128());
                emit DepositsSettled(epochs.depositEpoch, assets, shares);
                book.idle += uint128(assets);
                navAfter += assets;
                totals.depositAssets = 0;
                ++epochs.depositEpoch;
            }
        }
        if (totals.redeemShares != 0 && (ignorePause || !rules.redeemsPaused)) {
            uint256 shares = totals.redeemShares;
            uint256 assets = SharesMath.toAssetsDown(shares, redeemNav, supply);
            if (assets > book.idle) {
                emit RedeemSettlementDeferred(epochs.redeemEpoch, shares, assets, book.idle);
            } else {
                _burn(address(this), shares);
                _redeemSettlements[epochs.redeemEpoch] = Settlement(uint128(shares), uint128(assets));
                emit RedeemsSettled(epochs.redeemEpoch, shares, assets);
                book.idle -= uint128(assets);
                book.claimableRedeem += uint128(assets);
                navAfter -= assets;
                totals.redeemShares = 0;
                ++epochs.redeemEpoch;
            }
        }
        book.lastTotalAssets = navAfter.toUint128();
        epochs.pendingSince = totals.depositAssets == 0 && totals.redeemShares == 0 ? 0 : uint64(block.timestamp);
        _epochs = epochs;
        _pending = totals;
        _book = book;
        emit Settled(mode, liveNav, navAfter, totalSupply());
    }

    /// @dev NAV = idle + sum of connector values; `unknown` is the first connector that failed or reported
    ///      unhealthy without a waiver (zero when there is none).
    function _liveNav() private view returns (uint256 nav, address unknown) {
        nav = _book.idle;
        address[] memory connectors = registry.connectorsOf(address(this));
        for (uint256 i = 0; i < connectors.length; ++i) {
            (bool ok, uint256 value, bool healthy) = ConnectorValuation.read(connectors[i]);
            if (!(ok && healthy) && unknown == address(0) && !isValuationWaived(connectors[i])) unknown = connectors[i];
            nav += value;
        }
    }

    /// @dev Starts the deadline clock at the first pending request; returns the epoch state.
    function _openRequestWindow() private returns (EpochState memory epochs) {
        epochs = _epochs;
        if (epochs.pendingSince == 0) _epochs.pendingSince = uint64(block.timestamp);
    }

    function _closeRequestWindowIfEmpty() private {
        PendingTotals memory totals = _pending;
        if (totals.depositAssets == 0 && totals.redeemShares == 0) _epochs.pendingSince = 0;
    }

    /// @dev Turns a settled pending deposit into claimable assets and shares at its epoch's price.
    function _foldDeposit(DepositAccount storage account, uint64 openEpoch) private {
        uint256 pendingAssets = account.pendingAssets;
        uint64 epoch = account.epoch;
        if (pendingAssets == 0 || epoch == openEpoch) return;
        Settlement memory settled = _depositSettlements[epoch];
        account.claimableShares += uint128(EpochMath.proRata(pendingAssets, settled.amountOut, settled.amountIn));
        account.claimableAssets += uint128(pendingAssets);
        account.pendingAssets = 0;
    }

    /// @dev Turns a settled pending redemption into claimable shares and assets at its epoch's price.
    function _foldRedeem(RedeemAccount storage account, uint64 openEpoch) private {
        uint256 pendingShares = account.pendingShares;
        uint64 epoch = account.epoch;
        if (pendingShares == 0 || epoch == openEpoch) return;
        Settlement memory settled = _redeemSettlements[epoch];
        account.claimableAssets += uint128(EpochMath.proRata(pendingShares, settled.amountOut, settled.amountIn));
        account.claimableShares += uint128(pendingShares);
        account.pendingShares = 0;
    }

    /// @dev What `account` can claim, its settled pending request included (`settledPending` says whether
    ///      there is one to fold). Reads only the slots a claim needs: an epoch is settled exactly when its
    ///      record is written (a settled side always had a non-zero amount in), so the open epoch number is
    ///      not read.
    function _claimableDeposit(
        DepositAccount storage account
    ) private view returns (uint256 assets, uint256 shares, bool settledPending) {
        assets = account.claimableAssets;
        shares = account.claimableShares;
        uint256 pendingAssets = account.pendingAssets;
        if (pendingAssets == 0) return (assets, shares, false);
        Settlement memory settled = _depositSettlements[account.epoch];
        if (settled.amountIn != 0) {
            assets += pendingAssets;
            shares += EpochMath.proRata(pendingAssets, settled.amountOut, settled.amountIn);
            settledPending = true;
        }
    }

    /// @dev Same as `_claimableDeposit` for redemptions.
    function _claimableRedeem(
        RedeemAccount storage account
    ) private view returns (uint256 shares, uint256 assets, bool settledPending) {
        shares = account.claimableShares;
        assets = account.claimableAssets;
        uint256 pendingShares = account.pendingShares;
        if (pendingShares == 0) return (shares, assets, false);
        Settlement memory settled = _redeemSettlements[account.epoch];
        if (settled.amountIn != 0) {
            shares += pendingShares;
            assets += EpochMath.proRata(pendingShares, settled.amountOut, settled.amountIn);
            settledPending = true;
        }
    }

    /// @dev Claims `amount` of `controller`'s settled deposits, counted in shares when `byShares`, else in
    ///      assets. The side the caller names is exact; the other is pro rata, rounded in the vault's favour.
    function _claimDeposit(
        uint256 amount,
        bool byShares,
        address receiver,
        address controller
    ) private returns (uint256 assets, uint256 shares) {
        _checkClaim(receiver, controller, amount);
        DepositAccount storage account = _depositAccounts[controller];
        // folded in memory and written once, so a claim right after settlement never writes the record twice
        (uint256 claimableAssets, uint256 claimableShares, bool settledPending) = _claimableDeposit(account);
        if (byShares) {
            if (amount > claimableShares) revert ExceedsClaimable(amount, claimableShares);
            (assets, shares) = (EpochMath.proRataUp(amount, claimableAssets, claimableShares), amount);
        } else {
            if (amount > claimableAssets) revert ExceedsClaimable(amount, claimableAssets);
            (assets, shares) = (amount, EpochMath.proRata(amount, claimableShares, claimableAssets));
            if (shares == 0) revert ZeroShares();
        }
        if (settledPending) account.pendingAssets = 0;
        account.claimableAssets = uint128(claimableAssets - assets);
        account.claimableShares = uint128(claimableShares - shares);
        _transfer(address(this), receiver, shares);
        emit Deposit(controller, receiver, assets, shares);
    }

    /// @dev Claims `amount` of `controller`'s settled redemptions, counted in shares when `byShares`, else
    ///      in assets. The side the caller names is exact; the other is pro rata, rounded in the vault's favour.
    function _claimRedeem(
        uint256 amount,
        bool byShares,
        address receiver,
        address controller
    ) private returns (uint256 assets, uint256 shares) {
        _checkClaim(receiver, controller, amount);
        RedeemAccount storage account = _redeemAccounts[controller];
        (uint256 claimableShares, uint256 claimableAssets, bool settledPending) = _claimableRedeem(account);
        if (byShares) {
            if (amount > claimableShares) revert ExceedsClaimable(amount, claimableShares);
            (assets, shares) = (EpochMath.proRata(amount, claimableAssets, claimableShares), amount);
            if (assets == 0) revert ZeroAssets();
        } else {
            if (amount > claimableAssets) revert ExceedsClaimable(amount, claimableAssets);
            (assets, shares) = (amount, EpochMath.proRataUp(amount, claimableShares, claimableAssets));
        }
        if (settledPending) account.pendingShares = 0;
        // a full claim of a just-settled request leaves an empty record empty: no write
        if (
            claimableShares != shares ||
            claimableAssets != assets ||
            account.claimableShares != 0 ||
            account.claimableAssets != 0
        ) {
            account.claimableShares = uint128(claimableShares - shares);
            account.claimableAssets = uint128(claimableAssets - assets);
        }
        _book.claimableRedeem -= uint128(assets);
        _sendAssets(receiver, assets);
        emit Withdraw(msg.sender, receiver, controller, assets, shares);
    }

    /// @dev Claims hand over what a settlement already reserved (escrowed shares, reserved assets), so no
    ///      pause ever blocks them.
    function _checkClaim(address receiver, address controller, uint256 amount) private view {
        _checkController(controller);
        if (receiver == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
    }

    function _checkController(address controller) private view {
        if (controller != msg.sender && !_operators[controller][msg.sender]) {
            revert NotControllerOrOperator(msg.sender, controller);
        }
    }

    function _checkRequestId(uint256 requestId) private pure {
        if (requestId != REQUEST_ID) revert InvalidRequestId(requestId);
    }

    function _checkFees(FeeConfig memory fees) private view {
        // The vault's own balance is escrow for controllers; fee shares there would be lost in it.
        if (fees.receiver == address(0) || fees.receiver == address(this)) revert InvalidFeeReceiver(fees.receiver);
        if (
            fees.managementFeeBps > FeeMath.MAX_MANAGEMENT_FEE_BPS ||
            fees.performanceFeeBps > FeeMath.MAX_PERFORMANCE_FEE_BPS
        ) revert FeeTooHigh(fees.managementFeeBps, fees.performanceFeeBps);
    }

    function _checkGuardrails(GuardrailMath.Guardrails memory rules) private pure {
        if (
            rules.toleranceBps > GuardrailMath.BPS ||
            rules.maxDecreaseBpsPerYear > GuardrailMath.BPS * 100 ||
            rules.settlementDeadline < MIN_SETTLEMENT_DEADLINE ||
            rules.settlementDeadline > MAX_SETTLEMENT_DEADLINE
        ) revert InvalidGuardrails();
    }

    /// @dev Value of `shares` at the last accepted NAV (supply only changes at settlement).
    function _valueAtLastNav(uint256 shares) private view returns (uint256) {
        return SharesMath.toAssetsDown(shares, _book.lastTotalAssets, totalSupply());
    }

    function _trackedAssets() private view returns (uint256) {
        AssetBook memory book = _book;
        return uint256(book.idle) + book.claimableRedeem + book.cancelledDeposits + _pending.depositAssets;
    }

    /// @dev Pulls exactly `amount`; tokens that deliver a different amount (fee-on-transfer) are refused.
    function _pullAssets(address from, uint256 amount) private {
        uint256 before = _asset.balanceOf(address(this));
        _asset.safeTransferFrom(from, address(this), amount);
        uint256 received = _asset.balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedTransferAmount(amount, received);
    }

    function _sendAssets(address receiver, uint256 amount) private {
        if (!_asset.trySafeTransfer(receiver, amount)) revert AssetTransferFailed(receiver, amount);
    }
}
