// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IConditionalTokens
/// @notice The parts of Gnosis Conditional Tokens 1.0.3 (`ConditionalTokens.sol`, the framework
///         Polymarket settles on) that the ConditionalTokensConnector calls. Token ids are ERC-1155
///         position ids; a condition's payout vector is written once, by its oracle.
interface IConditionalTokens {
    function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external;

    function reportPayouts(bytes32 questionId, uint256[] calldata payouts) external;

    function splitPosition(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;

    function mergePositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;

    function redeemPositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata indexSets
    ) external;

    /// @notice Numerator of outcome `index`'s payout; 0 for every index until the oracle reports.
    function payoutNumerators(bytes32 conditionId, uint256 index) external view returns (uint256);

    /// @notice Sum of the payout numerators; 0 until the oracle reports (then final).
    function payoutDenominator(bytes32 conditionId) external view returns (uint256);

    /// @notice 0 when the condition was never prepared.
    function getOutcomeSlotCount(bytes32 conditionId) external view returns (uint256);

    function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount)
        external
        pure
        returns (bytes32);

    function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet)
        external
        view
        returns (bytes32);

    function getPositionId(address collateralToken, bytes32 collectionId) external pure returns (uint256);

    function balanceOf(address owner, uint256 id) external view returns (uint256);

    function balanceOfBatch(address[] calldata owners, uint256[] calldata ids)
        external
        view
        returns (uint256[] memory);

    function setApprovalForAll(address operator, bool approved) external;

    function isApprovedForAll(address owner, address operator) external view returns (bool);

    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) external;

    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external;
}

/// @title IFixedProductMarketMaker
/// @notice The parts of Gnosis' `FixedProductMarketMaker` (npm `@gnosis.pm/conditional-tokens-market-makers`
///         1.8.1, the Omen-style constant-product outcome pool) that the connector calls. For a pool over one
///         condition, outcome index i is the position of index set `1 << i`.
interface IFixedProductMarketMaker {
    function conditionalTokens() external view returns (address);

    function collateralToken() external view returns (address);

    function conditionIds(uint256 index) external view returns (bytes32);

    /// @notice Fee on every trade, 1e18 = 100 %.
    function fee() external view returns (uint256);

    function calcBuyAmount(uint256 investmentAmount, uint256 outcomeIndex) external view returns (uint256);

    function calcSellAmount(uint256 returnAmount, uint256 outcomeIndex) external view returns (uint256);

    /// @notice Pulls exactly `investmentAmount` of collateral and sends at least `minOutcomeTokensToBuy`.
    function buy(uint256 investmentAmount, uint256 outcomeIndex, uint256 minOutcomeTokensToBuy) external;

    /// @notice Pays exactly `returnAmount` of collateral and takes at most `maxOutcomeTokensToSell`.
    function sell(uint256 returnAmount, uint256 outcomeIndex, uint256 maxOutcomeTokensToSell) external;

    function addFunding(uint256 addedFunds, uint256[] calldata distributionHint) external;
}

/// @title IFixedProductMarketMakerFactory
/// @notice `FixedProductMarketMakerFactory`: deploys pools as clones of its implementation master.
interface IFixedProductMarketMakerFactory {
    function createFixedProductMarketMaker(
        address conditionalTokens,
        address collateralToken,
        bytes32[] calldata conditionIds,
        uint256 fee
    ) external returns (address);
}
