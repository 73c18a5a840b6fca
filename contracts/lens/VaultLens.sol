// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {AccountingManager} from "../vault/AccountingManager.sol";
import {ConnectorValuation} from "../vault/lib/ConnectorValuation.sol";
import {GuardrailMath} from "../vault/lib/GuardrailMath.sol";
import {SharesMath} from "../vault/lib/SharesMath.sol";

/// @title VaultLens
/// @notice Read-only views over an AccountingManager, kept out of the vault so the core stays small (as
///         Morpho Blue's periphery `MorphoStorageLib` reads the core through `extSloads`): the vault's
///         configuration and epoch records decoded from its storage, why settlement waits (which connector,
///         what issue), and prices per share at the last accepted and at the live NAV. Stateless; one
///         deployment serves every vault.
/// @dev The slot numbers are AccountingManager's storage layout (ERC20 takes slots 0-4);
///      test/mocha/vault/lens.test.ts checks every decoded value against what the vault was configured with.
contract VaultLens {
    uint256 internal constant EPOCHS_SLOT = 5;
    uint256 internal constant LIMITS_SLOT = 9;
    uint256 internal constant GUARDRAILS_SLOT = 10;
    uint256 internal constant FEES_SLOT = 11;
    uint256 internal constant QUEUED_FEES_SLOT = 12;
    uint256 internal constant LAST_FEE_ACCRUAL_SLOT = 13;
    uint256 internal constant DEPOSIT_SETTLEMENTS_SLOT = 15;
    uint256 internal constant REDEEM_SETTLEMENTS_SLOT = 16;

    /// @notice One connector as the vault's NAV sees it.
    struct ConnectorStatus {
        address connector;
        /// @dev Value it reports (0 when its read failed).
        uint256 value;
        IAccountingManager.ValuationIssue issue;
        /// @dev Whether an issue is waived (written down by governance or disabled by the guardian).
        bool waived;
    }

    /// @notice Whether `vault` can price requests now (`complete`), and the status of each connector.
    /// @dev `complete` is false exactly when the vault's settlement would emit SettlementAwaitingValuation.
    function valuationStatus(
        AccountingManager vault
    ) external view returns (bool complete, ConnectorStatus[] memory connectors) {
        address[] memory list = vault.registry().connectorsOf(address(vault));
        connectors = new ConnectorStatus[](list.length);
        complete = true;
        for (uint256 i = 0; i < list.length; ++i) {
            (bool ok, uint256 value, bool healthy) = ConnectorValuation.read(list[i]);
            IAccountingManager.ValuationIssue issue = !ok
                ? IAccountingManager.ValuationIssue.Failed
                : (healthy ? IAccountingManager.ValuationIssue.None : IAccountingManager.ValuationIssue.Unhealthy);
            bool waived = issue != IAccountingManager.ValuationIssue.None && vault.isValuationWaived(list[i]);
            if (issue != IAccountingManager.ValuationIssue.None && !waived) complete = false;
            connectors[i] = ConnectorStatus(list[i], value, issue, waived);
        }
    }

    /// @notice Price of one whole share (10**decimals units) in asset units at the last accepted NAV and at
    ///         the live NAV, both rounded down.
    function pricePerShare(AccountingManager vault) external view returns (uint256 accepted, uint256 live) {
        uint256 unit = 10 ** vault.decimals();
        uint256 supply = vault.totalSupply();
        accepted = SharesMath.toAssetsDown(unit, vault.lastTotalAssets(), supply);
        live = SharesMath.toAssetsDown(unit, vault.totalAssets(), supply);
    }

    /// @notice Open epochs, pending window start and time of the last accepted live NAV.
    function epochState(AccountingManager vault) external view returns (AccountingManager.EpochState memory epochs) {
        uint256 word = _load(vault, EPOCHS_SLOT);
        epochs.depositEpoch = uint64(word);
        epochs.redeemEpoch = uint64(word >> 64);
        epochs.pendingSince = uint64(word >> 128);
        epochs.lastNavAt = uint64(word >> 192);
    }

    /// @notice Deposit cap, minimum request and pause flags.
    function limits(AccountingManager vault) external view returns (AccountingManager.Limits memory rules) {
        uint256 word = _load(vault, LIMITS_SLOT);
        rules.depositCap = uint128(word);
        rules.minRequestAssets = uint96(word >> 128);
        rules.depositsPaused = uint8(word >> 224) != 0;
        rules.redeemsPaused = uint8(word >> 232) != 0;
    }

    /// @notice Price band and settlement deadline.
    function guardrails(AccountingManager vault) external view returns (GuardrailMath.Guardrails memory rules) {
        uint256 word = _load(vault, GUARDRAILS_SLOT);
        rules.toleranceBps = uint32(word);
        rules.maxIncreaseBpsPerYear = uint32(word >> 32);
        rules.maxDecreaseBpsPerYear = uint32(word >> 64);
        rules.settlementDeadline = uint64(word >> 96);
    }

    /// @notice Active fee configuration, the queued one (receiver 0 = none) and the last accrual time.
    function feeState(
        AccountingManager vault
    )
        external
        view
        returns (AccountingManager.FeeConfig memory active, AccountingManager.FeeConfig memory queued, uint256 lastAccrual)
    {
        active = _fees(_load(vault, FEES_SLOT));
        queued = _fees(_load(vault, QUEUED_FEES_SLOT));
        lastAccrual = uint64(_load(vault, LAST_FEE_ACCRUAL_SLOT));
    }

    /// @notice Settled aggregate of deposit epoch `epoch` (assets in, shares out; zero while unsettled).
    function depositSettlement(
        AccountingManager vault,
        uint256 epoch
    ) external view returns (AccountingManager.Settlement memory) {
        return _settlement(vault, DEPOSIT_SETTLEMENTS_SLOT, epoch);
    }

    /// @notice Settled aggregate of redeem epoch `epoch` (shares in, assets out; zero while unsettled).
    function redeemSettlement(
        AccountingManager vault,
        uint256 epoch
    ) external view returns (AccountingManager.Settlement memory) {
        return _settlement(vault, REDEEM_SETTLEMENTS_SLOT, epoch);
    }

    function _settlement(
        AccountingManager vault,
        uint256 mappingSlot,
        uint256 epoch
    ) private view returns (AccountingManager.Settlement memory settled) {
        uint256 word = uint256(vault.extSload(keccak256(abi.encode(epoch, mappingSlot))));
        settled.amountIn = uint128(word);
        settled.amountOut = uint128(word >> 128);
    }

    function _fees(uint256 word) private pure returns (AccountingManager.FeeConfig memory config) {
        config.receiver = address(uint160(word));
        config.managementFeeBps = uint16(word >> 160);
        config.performanceFeeBps = uint16(word >> 176);
    }

    function _load(AccountingManager vault, uint256 slot) private view returns (uint256) {
        return uint256(vault.extSload(bytes32(slot)));
    }
}
