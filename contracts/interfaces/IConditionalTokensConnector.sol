// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IConditionalTokensConnector
/// @notice One vault's Conditional Tokens positions (ERC-1155 outcome tokens of markets governance
///         registered), their conservative valuation and the exposure caps enforced on every trade.
/// @dev Every market's collateral is the vault's base asset, so every amount is in base-asset units.
interface IConditionalTokensConnector {
    /// @notice A registered market: one condition, split from collateral at the root (no parent collection).
    struct Market {
        address collateral;
        uint8 outcomeSlotCount;
        /// @dev Set by the guardian or governance for a voided or disputed market: trades are refused and
        ///      unpaired tokens count at 0 until governance unfreezes it.
        bool frozen;
        /// @dev Governance marks count until this timestamp, then unpaired tokens count at 0 again.
        uint64 marksValidUntil;
        /// @dev The market's FixedProductMarketMaker, or zero when it has none.
        address pool;
        /// @dev Correlated group: the sum of its markets' exposure is capped at `groupCapBps` of NAV.
        bytes32 group;
        /// @dev max(balance) - min(balance) after the connector's last action on the market; balances only
        ///      change through the connector's own actions, so this is exact.
        uint256 exposure;
    }

    /// @notice Markets sharing a correlated group and the sum of their exposures.
    struct Group {
        uint256 marketCount;
        uint256 exposure;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice Governance registered `conditionId` with its collateral, slot count, group and pool.
    event MarketAdded(
        bytes32 indexed conditionId, address indexed collateral, uint256 outcomeSlotCount, bytes32 group, address pool
    );
    /// @notice An emptied market was removed from the position list.
    event MarketRemoved(bytes32 indexed conditionId);
    /// @notice `by` froze (guardian or governance) or unfroze (governance) the market.
    event MarketFrozenSet(bytes32 indexed conditionId, bool frozen, address indexed by);
    /// @notice Governance set per-outcome marks (1e18 = one unit of collateral) valid until `validUntil`.
    event MarksSet(bytes32 indexed conditionId, uint256[] marksWad, uint64 validUntil);
    /// @notice The guardian or governance voided the marks: unpaired tokens count at 0.
    event MarksCleared(bytes32 indexed conditionId);
    /// @notice Governance set the caps, in basis points of the vault's last settled NAV.
    event ExposureCapsSet(uint16 eventCapBps, uint16 groupCapBps);
    /// @notice `amount` collateral became `amount` of every outcome token.
    event Split(bytes32 indexed conditionId, uint256 amount);
    /// @notice `amount` full sets became `amount` collateral.
    event Merged(bytes32 indexed conditionId, uint256 amount);
    /// @notice Every outcome token of a resolved market was redeemed for `payout` collateral.
    event Redeemed(bytes32 indexed conditionId, uint256 payout);
    /// @notice `investment` collateral bought `tokens` of outcome `outcomeIndex` on the market's pool.
    event Bought(bytes32 indexed conditionId, uint256 indexed outcomeIndex, uint256 investment, uint256 tokens);
    /// @notice `tokens` of outcome `outcomeIndex` were sold on the market's pool for `proceeds` collateral.
    event Sold(bytes32 indexed conditionId, uint256 indexed outcomeIndex, uint256 proceeds, uint256 tokens);

    // ------------------------------------------------------------------------------------ errors

    /// @notice `conditionId` is not a registered market.
    error UnknownMarket(bytes32 conditionId);
    /// @notice `conditionId` is registered already.
    error MarketAlreadyAdded(bytes32 conditionId);
    /// @notice Registering would exceed MAX_MARKETS.
    error TooManyMarkets();
    /// @notice Registering would exceed MAX_TOTAL_LEGS outcome tokens across markets.
    error TooManyLegs(uint256 legs);
    /// @notice Slot count below 2, above MAX_OUTCOME_SLOTS, or not what the Conditional Tokens hold.
    error InvalidOutcomeSlotCount(uint256 given, uint256 onChain);
    /// @notice `pool` is not a FixedProductMarketMaker over exactly this condition, collateral and CTF.
    error PoolNotForMarket(address pool);
    /// @notice The market has no pool to trade on.
    error NoPool(bytes32 conditionId);
    /// @notice Markets must settle in the vault's base asset (their value then needs no price).
    error CollateralNotBaseAsset(address collateral);
    /// @notice The action's `collateral` argument is not the market's collateral.
    error WrongCollateral(address given, address expected);
    /// @notice `outcomeIndex` is not below the market's slot count.
    error InvalidOutcomeIndex(uint256 outcomeIndex);
    /// @notice Trades are refused while the market is frozen (merge and redeem still work).
    error MarketIsFrozen(bytes32 conditionId);
    /// @notice The oracle reported: buying, splitting or marking the market is refused.
    error MarketIsResolved(bytes32 conditionId);
    /// @notice The oracle has not reported yet: nothing to redeem.
    error MarketNotResolved(bytes32 conditionId);
    /// @notice A market is removed only once the connector holds none of its tokens.
    error MarketNotEmpty(bytes32 conditionId);
    /// @notice Marks need one entry per outcome, and sum to at most one unit (1e18).
    error InvalidMarks();
    /// @notice Marks may be valid for at most MAX_MARK_TTL from now, and not in the past.
    error InvalidMarkExpiry(uint64 validUntil);
    /// @notice A cap is above MAX_CAP_BPS, or the group cap is below the event cap.
    error InvalidExposureCap(uint16 eventCapBps, uint16 groupCapBps);
    /// @notice The market's exposure after a trade is above `limit` (eventCapBps of the settled NAV).
    error EventExposureAboveCap(bytes32 conditionId, uint256 exposure, uint256 limit);
    /// @notice The group's exposure after a trade is above `limit` (groupCapBps of the settled NAV).
    error GroupExposureAboveCap(bytes32 group, uint256 exposure, uint256 limit);
    /// @notice The trade moved `actual` where the keeper's bound was `bound`.
    error SlippageExceeded(uint256 actual, uint256 bound);
    /// @notice ERC-1155 tokens arrived from `token` through `operator` outside the connector's own actions,
    ///         from another token contract, or from an operator that is neither the connector nor the pool.
    error UnsolicitedTokens(address token, address operator);
    /// @notice The position id belongs to no registered market.
    error UnknownPosition(uint256 positionId);
    /// @notice Only the keeper gate or governance may do this.
    error NotKeeperGateOrGovernance(address caller);

    // --------------------------------------------------------------------------------- actions

    /// @notice Keeper gate: splits `amount` collateral into `amount` of every outcome (a full set).
    function split(address collateral, uint256 amount, bytes32 conditionId) external;

    /// @notice Keeper gate: merges `amount` full sets back into `amount` collateral.
    function merge(address collateral, uint256 amount, bytes32 conditionId) external;

    /// @notice Keeper gate: redeems every outcome token of a resolved market for at least `minPayout`.
    function redeem(address collateral, uint256 minPayout, bytes32 conditionId) external returns (uint256 payout);

    /// @notice Keeper gate: spends exactly `investment` on the pool for at least `minOutcomeTokens` of
    ///         `outcomeIndex`. Exposure caps apply to the result.
    function buy(
        address collateral,
        uint256 investment,
        bytes32 conditionId,
        uint256 outcomeIndex,
        uint256 minOutcomeTokens
    ) external returns (uint256 tokens);

    /// @notice Keeper gate: receives exactly `proceeds` from the pool for at most `maxOutcomeTokens` of
    ///         `outcomeIndex`. Exposure caps apply to the result.
    function sell(
        address collateral,
        uint256 proceeds,
        bytes32 conditionId,
        uint256 outcomeIndex,
        uint256 maxOutcomeTokens
    ) external returns (uint256 tokens);

    // ------------------------------------------------------------------------------ governance

    /// @notice Governance: registers a market whose collateral is the vault's base asset.
    function addMarket(bytes32 conditionId, address collateral, uint256 outcomeSlotCount, bytes32 group, address pool)
        external;

    /// @notice Keeper gate or governance: removes a market the connector holds no token of.
    function removeMarket(bytes32 conditionId) external;

    /// @notice Freezes (guardian or governance) a voided or disputed market, or unfreezes it (governance).
    function setFrozen(bytes32 conditionId, bool frozen) external;

    /// @notice Governance: per-outcome marks for unpaired tokens, summing to at most 1e18.
    function setMarks(bytes32 conditionId, uint256[] calldata marksWad, uint64 validUntil) external;

    /// @notice Guardian or governance: voids a market's marks at once.
    function clearMarks(bytes32 conditionId) external;

    /// @notice Governance: per-event and per-group exposure caps in basis points of the last settled NAV.
    function setExposureCaps(uint16 eventCapBps, uint16 groupCapBps) external;

    // ----------------------------------------------------------------------------------- views

    /// @notice Registered markets, in registration order (swap-and-pop on removal).
    function marketIds() external view returns (bytes32[] memory);

    function market(bytes32 conditionId) external view returns (Market memory);

    /// @notice ERC-1155 ids of the market's outcomes, index i = index set `1 << i`.
    function positionIdsOf(bytes32 conditionId) external view returns (uint256[] memory);


    /// @notice The group's market count and summed exposure.
    function groupOf(bytes32 group) external view returns (Group memory);
}
