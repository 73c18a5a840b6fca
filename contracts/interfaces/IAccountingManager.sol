// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GuardrailMath} from "../vault/lib/GuardrailMath.sol";

/// @title IAccountingManager
/// @notice The vault functions other product contracts (keeper gate, connectors, guardian, lens) call, and
///         every error and event the vault emits, so integrators find them in one place.
interface IAccountingManager {
    /// @notice How a settlement was triggered and priced.
    /// @dev Keeper: the keeper gate, live NAV inside the band. Governance: `forceSettle`, live NAV without
    ///      the band. Deadline: anyone after the deadline, live NAV inside the band. Conservative: guardian or
    ///      governance after a refusal, each side at the NAV worse for it (deposits at the higher, redemptions
    ///      at the lower of the last accepted and the live NAV).
    enum SettlementMode {
        Keeper,
        Governance,
        Deadline,
        Conservative
    }

    /// @notice Why a connector's value is unknown: its read failed (revert, out of gas, malformed answer)
    ///         or it reported `healthy = false` (its value is only a lower bound).
    enum ValuationIssue {
        None,
        Failed,
        Unhealthy
    }

    // ---------------------------------------------------------------------------- errors

    /// @notice An amount argument was zero.
    error ZeroAmount();
    /// @notice An address argument (controller, receiver, operator, asset) was zero.
    error ZeroAddress();
    /// @notice A deposit claim of `assets` would give zero shares.
    error ZeroShares();
    /// @notice A redeem claim of `shares` would pay zero assets.
    error ZeroAssets();
    /// @notice Only request id 0 exists (every request of a controller is fungible).
    error InvalidRequestId(uint256 requestId);
    /// @notice `caller` is neither `controller` nor one of its operators.
    error NotControllerOrOperator(address caller, address controller);
    /// @notice `caller` is neither `owner` nor one of its operators.
    error NotOwnerOrOperator(address caller, address owner);
    /// @notice A request worth `amount` is below `minimum` (full exits excepted for redemptions).
    error BelowMinimumRequest(uint256 amount, uint256 minimum);
    /// @notice Last accepted NAV plus pending deposits would reach `total`, above `cap`.
    error DepositCapExceeded(uint256 total, uint256 cap);
    /// @notice Deposit requests (or, for settlement, every pending side) are paused.
    error DepositsPaused();
    /// @notice Redeem requests (or, for settlement, every pending side) are paused.
    error RedeemsPaused();
    /// @notice A claim of `requested` exceeds the `claimable` amount.
    error ExceedsClaimable(uint256 requested, uint256 claimable);
    /// @notice `controller` has no pending request on that side in the open epoch.
    error NoPendingRequest(address controller);
    /// @notice `controller` has nothing cancelled to claim.
    error NothingToClaim(address controller);
    /// @notice No request is pending.
    error NothingToSettle();
    /// @notice A caller other than the keeper gate settled before `dueAt`.
    error SettlementNotDue(uint256 dueAt);
    /// @notice ERC-7540: previews are not defined for asynchronous flows.
    error AsyncFlow();
    /// @notice The asset delivered `received` instead of `expected` (fee-on-transfer tokens are refused).
    error UnsupportedTransferAmount(uint256 expected, uint256 received);
    /// @notice Sending `amount` of the asset to `receiver` failed (e.g. a blocklist).
    error AssetTransferFailed(address receiver, uint256 amount);
    /// @notice Fee rates above the hard ceilings.
    error FeeTooHigh(uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice The fee receiver is zero or the vault itself.
    error InvalidFeeReceiver(address receiver);
    /// @notice Guardrails out of range (tolerance above 100%, deadline outside 1 hour - 30 days, ...).
    error InvalidGuardrails();
    /// @notice `connector` is not registered to this vault.
    error NotVaultConnector(address connector);
    /// @notice `connector` is disabled in the Registry.
    error ConnectorDisabled(address connector);
    /// @notice `connector` failed its valuation or reported unhealthy.
    error ConnectorNotHealthy(address connector);
    /// @notice Sending to `connector` would bring its value to `value`, above `cap`.
    error ConnectorCapExceeded(address connector, uint256 value, uint256 cap);
    /// @notice `requested` exceeds the vault's idle assets `idle`.
    error InsufficientIdle(uint256 requested, uint256 idle);
    /// @notice `token` (the vault's own share) cannot be recovered.
    error NotRecoverable(address token);
    /// @notice A privileged settlement refused because `connector` cannot be valued (`issue`).
    error ValuationIncomplete(address connector, ValuationIssue issue);

    // ---------------------------------------------------------------------------- events

    /// @notice Deposit epoch `epoch` settled: `assets` bought `shares` (minted to the vault's escrow).
    event DepositsSettled(uint256 indexed epoch, uint256 assets, uint256 shares);
    /// @notice Redeem epoch `epoch` settled: `shares` burnt for `assets` (reserved for claims).
    event RedeemsSettled(uint256 indexed epoch, uint256 shares, uint256 assets);
    /// @notice Deposit epoch `epoch` stays pending: its `assets` would buy zero shares.
    event DepositSettlementDeferred(uint256 indexed epoch, uint256 assets);
    /// @notice Redeem epoch `epoch` stays pending: `shares` need `assetsNeeded`, more than `idle`.
    event RedeemSettlementDeferred(uint256 indexed epoch, uint256 shares, uint256 assetsNeeded, uint256 idle);
    /// @notice A settlement in `mode` priced the epochs; NAV before and after the flows, supply after.
    event Settled(SettlementMode indexed mode, uint256 navBefore, uint256 navAfter, uint256 totalSupply);
    /// @notice The live NAV `totalAssets` left the band around `lastTotalAssets` after `elapsed` seconds;
    ///         both sides are paused and nothing was priced.
    event GuardrailBreached(uint256 lastTotalAssets, uint256 totalAssets, uint256 elapsed);
    /// @notice Settlement waits: `connector` cannot be valued (`issue`); it proved `provenValue`. Nothing
    ///         was priced. Governance can write the connector down or the guardian disable it.
    event SettlementAwaitingValuation(address indexed connector, ValuationIssue issue, uint256 provenValue);
    /// @notice Governance set whether `connector` counts at its proven value (0 when it fails) while it
    ///         cannot be valued, instead of holding settlement.
    event ConnectorWrittenDown(address indexed connector, bool writtenDown);
    /// @notice Fees charged at a settlement: amounts in assets, `shares` minted, mark after.
    event FeesAccrued(
        address indexed receiver,
        uint256 managementFee,
        uint256 performanceFee,
        uint256 shares,
        uint256 highWaterMark
    );
    /// @notice A fee change was queued for the next accrual.
    event FeeConfigQueued(address receiver, uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice A queued fee change took effect.
    event FeeConfigApplied(address receiver, uint256 managementFeeBps, uint256 performanceFeeBps);
    /// @notice Deposit requests and settlement were paused or resumed by `by`.
    event DepositsPauseSet(bool paused, address indexed by);
    /// @notice Redeem requests and settlement were paused or resumed by `by`.
    event RedeemsPauseSet(bool paused, address indexed by);
    /// @notice New deposit cap.
    event DepositCapSet(uint256 cap);
    /// @notice New minimum request, in assets.
    event MinRequestAssetsSet(uint256 minimum);
    /// @notice New guardrails (tolerance, annual rates, deadline).
    event GuardrailsSet(GuardrailMath.Guardrails guardrails);
    /// @notice `amount` of idle assets went to `connector`.
    event AssetsSentToConnector(address indexed connector, uint256 amount);
    /// @notice `connector` returned `amount` (booked as idle).
    event AssetsReceivedFromConnector(address indexed connector, uint256 amount);
    /// @notice Governance recovered `amount` of `token` that was not vault accounting.
    event SurplusRecovered(address indexed token, address indexed to, uint256 amount);

    // ------------------------------------------------------------------------- functions

    /// @notice Keeper gate only: sends `amount` of idle base asset to an enabled connector of this vault.
    function transferToConnector(address connector, uint256 amount) external;

    /// @notice Called by a connector of this vault (from its `sendToVault`) to return `amount` of the
    ///         base asset: the vault pulls exactly `amount` (the connector approves exactly that first)
    ///         and books it as idle. Plain transfers are not booked (they would be donations).
    function receiveFromConnector(uint256 amount) external;

    /// @notice Settles the open epochs at the live NAV: the keeper gate at any time, anyone once the
    ///         settlement deadline passed. The guardrail band applies to both. Nothing is priced while a
    ///         connector cannot be valued (SettlementAwaitingValuation).
    /// @return settled False when nothing was priced: the band refused the NAV (the vault is then paused)
    ///         or a connector could not be valued.
    function settle() external returns (bool settled);

    /// @notice Guardian or governance: settles every pending side with deposits at the higher and
    ///         redemptions at the lower of the last accepted and the live NAV, without accepting the live
    ///         NAV. Resumes settlement after a guardrail refusal without favouring anyone who requested.
    function settleConservatively() external;

    /// @notice Last NAV accepted by a settlement, in base-asset units.
    function lastTotalAssets() external view returns (uint256);

    /// @notice Raw storage word at `slot`, for VaultLens (Morpho Blue's `extSloads` pattern): the vault
    ///         exposes its storage instead of one getter per struct, which keeps its bytecode small.
    function extSload(bytes32 slot) external view returns (bytes32 value);

    /// @notice Whether `connector` counts at its proven value while it cannot be valued (written down by
    ///         governance or disabled in the Registry) instead of holding settlement.
    function isValuationWaived(address connector) external view returns (bool);
}
