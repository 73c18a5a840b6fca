// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title INegRiskAdapter
/// @notice Polymarket's NegRiskAdapter ABI (Polymarket/neg-risk-ctf-adapter) in its essentials: a negRisk market
///         links binary questions of which at most one resolves YES. Every question is a Gnosis Conditional
///         Tokens condition with this adapter as its oracle and WrappedCollateral (`wcol()`) as its collateral, so
///         a set of NO positions converts into collateral plus the YES positions of the other questions.
/// @dev Question ids are the market id plus the question's index (the market id's low byte is zero), so at most
///      256 questions per market. Questions can be added to a market at any time: a set of YES positions is only
///      exhaustive as of getQuestionCount(marketId).
interface INegRiskAdapter {
    // ------------------------------------------------------------------------------------ events

    /// @notice `oracle` prepared market `marketId` with a conversion fee of `feeBips` and metadata `data`.
    event MarketPrepared(bytes32 indexed marketId, address indexed oracle, uint256 feeBips, bytes data);
    /// @notice Question `questionId`, number `index` of market `marketId`, was prepared with metadata `data`.
    event QuestionPrepared(bytes32 indexed marketId, bytes32 indexed questionId, uint256 index, bytes data);
    /// @notice The market's oracle reported `outcome` (true = YES) for `questionId`.
    event OutcomeReported(bytes32 indexed marketId, bytes32 indexed questionId, bool outcome);
    /// @notice `stakeholder` split `amount` collateral into `amount` YES and `amount` NO of `conditionId`.
    event PositionSplit(address indexed stakeholder, bytes32 indexed conditionId, uint256 amount);
    /// @notice `stakeholder` merged `amount` YES and `amount` NO of `conditionId` into `amount` collateral.
    event PositionsMerge(address indexed stakeholder, bytes32 indexed conditionId, uint256 amount);
    /// @notice `stakeholder` converted `amount` NO of every question in `indexSet` of `marketId`.
    event PositionsConverted(
        address indexed stakeholder, bytes32 indexed marketId, uint256 indexed indexSet, uint256 amount
    );
    /// @notice `redeemer` redeemed `amounts` (YES, NO) of resolved `conditionId` for `payout` collateral.
    event PayoutRedemption(address indexed redeemer, bytes32 indexed conditionId, uint256[] amounts, uint256 payout);

    // ------------------------------------------------------------------------------------ errors

    /// @notice The question index is not below the market's question count (or the market holds 256 questions).
    error IndexOutOfBounds();
    /// @notice Only the market's oracle may prepare questions and report outcomes.
    error OnlyOracle();
    /// @notice The market was never prepared.
    error MarketNotPrepared();
    /// @notice The oracle prepared a market with the same fee and metadata already.
    error MarketAlreadyPrepared();
    /// @notice A question of the market resolved YES already: at most one may.
    error MarketAlreadyDetermined();
    /// @notice The fee exceeds FEE_DENOMINATOR.
    error FeeBipsOutOfBounds();
    /// @notice The index set is empty or names a question the market does not have.
    error InvalidIndexSet();
    /// @notice `amounts` must hold two entries: YES then NO.
    error LengthMismatch();
    /// @notice The collateral argument of a CTF-style call is not the adapter's collateral.
    error UnexpectedCollateralToken();
    /// @notice The market has fewer than two questions: nothing to convert.
    error NoConvertiblePositions();

    // ------------------------------------------------------------------------------------ markets

    /// @notice Prepares a market whose oracle is the caller; the conversion fee is `feeBips` of 10,000.
    /// @return marketId keccak256(oracle, feeBips, data) with its low byte cleared.
    function prepareMarket(uint256 feeBips, bytes calldata data) external returns (bytes32 marketId);

    /// @notice Adds the next question to `marketId` (market oracle only) and prepares its CTF condition.
    /// @return questionId the market id plus the question's index.
    function prepareQuestion(bytes32 marketId, bytes calldata data) external returns (bytes32 questionId);

    /// @notice Reports `outcome` for `questionId` on the CTF (market oracle only); a second YES in one market
    ///         reverts MarketAlreadyDetermined.
    function reportOutcome(bytes32 questionId, bool outcome) external;

    // ------------------------------------------------------------------------------------ positions

    /// @notice Pulls `amount` collateral from the caller and sends it `amount` YES and `amount` NO of `conditionId`.
    function splitPosition(bytes32 conditionId, uint256 amount) external;

    /// @notice splitPosition with the Conditional Tokens' signature; `collateralToken` must be col().
    function splitPosition(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;

    /// @notice Pulls `amount` YES and `amount` NO of `conditionId` from the caller and pays it `amount` collateral.
    function mergePositions(bytes32 conditionId, uint256 amount) external;

    /// @notice mergePositions with the Conditional Tokens' signature; `collateralToken` must be col().
    function mergePositions(
        address collateralToken,
        bytes32 parentCollectionId,
        bytes32 conditionId,
        uint256[] calldata partition,
        uint256 amount
    ) external;

    /// @notice Takes `amount` NO of every question in `indexSet` (bit i = question i) of `marketId` and pays
    ///         `amount` YES of every other question plus (k - 1) * `amount` collateral for k NO positions, each
    ///         less the market's fee (which goes to vault()).
    function convertPositions(bytes32 marketId, uint256 indexSet, uint256 amount) external;

    /// @notice Redeems `amounts` (YES, NO) of resolved `conditionId` from the caller for their payout in collateral.
    function redeemPositions(bytes32 conditionId, uint256[] calldata amounts) external;

    // ------------------------------------------------------------------------------------ views

    /// @notice The CTF condition of `questionId` (this adapter as oracle, two outcomes).
    function getConditionId(bytes32 questionId) external view returns (bytes32);

    /// @notice The CTF position id of `questionId`'s YES (`outcome` true) or NO token, collateral wcol().
    function getPositionId(bytes32 questionId, bool outcome) external view returns (uint256);

    /// @notice Questions prepared in `marketId` so far.
    function getQuestionCount(bytes32 marketId) external view returns (uint256);

    /// @notice Whether a question of `marketId` resolved YES.
    function getDetermined(bytes32 marketId) external view returns (bool);

    /// @notice Index of the question that resolved YES (meaningful only when getDetermined).
    function getResult(bytes32 marketId) external view returns (uint256);

    /// @notice The oracle of `marketId`, zero when unprepared.
    function getOracle(bytes32 marketId) external view returns (address);

    /// @notice The conversion fee of `marketId`, out of FEE_DENOMINATOR.
    function getFeeBips(bytes32 marketId) external view returns (uint256);

    /// @notice The Gnosis Conditional Tokens.
    function ctf() external view returns (address);

    /// @notice The collateral users pay and receive (ERC-20).
    function col() external view returns (address);

    /// @notice The WrappedCollateral every negRisk position is collateralised by on the CTF.
    function wcol() external view returns (address);

    /// @notice Receiver of conversion fees.
    function vault() external view returns (address);

    /// @notice Where converted NO positions go, never to be redeemed.
    function NO_TOKEN_BURN_ADDRESS() external view returns (address);

    /// @notice Denominator of fee bips (10,000).
    function FEE_DENOMINATOR() external view returns (uint256);
}
