// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IConditionalTokens} from "../../interfaces/IConditionalTokens.sol";
import {INegRiskAdapter} from "../../interfaces/INegRiskAdapter.sol";
import {WrappedCollateral} from "./WrappedCollateral.sol";

/// @title NegRiskAdapter
/// @notice Local stand-in for Polymarket's NegRiskAdapter (docs/polymarket-venue.md), following its ABI and
///         semantics: a market groups binary questions of which at most one resolves YES; each question is a
///         Conditional Tokens condition whose oracle is this adapter and whose collateral is WrappedCollateral.
///         Because at most one question pays YES, k NO positions are worth k - 1 collateral plus one YES of
///         every other question, which `convertPositions` pays out.
/// @dev The market's oracle (the account that prepared it) adds questions and reports outcomes; on Polygon that is
///      Polymarket's UMA-backed NegRiskOperator, here a local account. Position ids are cached per question when
///      it is prepared, so conversions do not recompute the CTF's curve-point collection ids.
contract NegRiskAdapter is INegRiskAdapter, ERC1155Holder, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc INegRiskAdapter
    uint256 public constant FEE_DENOMINATOR = 10_000;
    /// @inheritdoc INegRiskAdapter
    address public constant NO_TOKEN_BURN_ADDRESS = address(bytes20(keccak256("NO_TOKEN_BURN_ADDRESS")));
    /// @notice Questions one market can hold: question ids carry the index in the market id's low byte.
    uint256 public constant MAX_QUESTIONS = 256;
    /// @dev The market id's low byte is cleared to make room for question indexes.
    bytes32 private constant MARKET_ID_MASK = bytes32(type(uint256).max << 8);

    struct MarketData {
        address oracle;
        uint16 feeBips;
        uint16 questionCount;
        bool determined;
        uint8 result;
    }

    /// @dev The CTF position ids of a binary condition's two outcomes, collateral wcol.
    struct Positions {
        uint256 yes;
        uint256 no;
    }

    /// @inheritdoc INegRiskAdapter
    address public immutable ctf;
    /// @inheritdoc INegRiskAdapter
    address public immutable col;
    /// @inheritdoc INegRiskAdapter
    address public immutable wcol;
    /// @inheritdoc INegRiskAdapter
    address public immutable vault;

    mapping(bytes32 marketId => MarketData) private markets;
    mapping(bytes32 conditionId => Positions) private positionsOf;

    /// @param ctf_ the Gnosis Conditional Tokens.
    /// @param collateral the ERC-20 users pay in (wrapped 1:1 into a WrappedCollateral this adapter deploys).
    /// @param vault_ receiver of conversion fees.
    constructor(address ctf_, address collateral, address vault_) {
        ctf = ctf_;
        col = collateral;
        vault = vault_;
        WrappedCollateral wrapped = new WrappedCollateral(collateral, IERC20Metadata(collateral).decimals());
        wcol = address(wrapped);
        // the CTF pulls the wcol it splits; wcol pulls the collateral it wraps
        IERC20(wcol).forceApprove(ctf_, type(uint256).max);
        IERC20(collateral).forceApprove(wcol, type(uint256).max);
    }

    // ------------------------------------------------------------------------------------ markets

    /// @inheritdoc INegRiskAdapter
    function prepareMarket(uint256 feeBips, bytes calldata data) external returns (bytes32 marketId) {
        marketId = keccak256(abi.encode(msg.sender, feeBips, data)) & MARKET_ID_MASK;
        if (markets[marketId].oracle != address(0)) revert MarketAlreadyPrepared();
        if (feeBips > FEE_DENOMINATOR) revert FeeBipsOutOfBounds();
        markets[marketId] = MarketData(msg.sender, uint16(feeBips), 0, false, 0);
        emit MarketPrepared(marketId, msg.sender, feeBips, data);
    }

    /// @inheritdoc INegRiskAdapter
    function prepareQuestion(bytes32 marketId, bytes calldata data) external returns (bytes32 questionId) {
        MarketData storage market = _marketOfOracle(marketId);
        uint256 index = market.questionCount;
        if (index >= MAX_QUESTIONS) revert IndexOutOfBounds();
        market.questionCount = uint16(index + 1);
        questionId = bytes32(uint256(marketId) | index);

        IConditionalTokens conditionalTokens = IConditionalTokens(ctf);
        bytes32 conditionId = getConditionId(questionId);
        // anyone may prepare a condition naming this adapter as oracle; preparing it twice would revert
        if (conditionalTokens.getOutcomeSlotCount(conditionId) == 0) {
            conditionalTokens.prepareCondition(address(this), questionId, 2);
        }
        positionsOf[conditionId] = _computePositions(conditionId);
        emit QuestionPrepared(marketId, questionId, index, data);
    }

    /// @inheritdoc INegRiskAdapter
    function reportOutcome(bytes32 questionId, bool outcome) external {
        bytes32 marketId = questionId & MARKET_ID_MASK;
        uint256 index = uint8(uint256(questionId));
        MarketData storage market = _marketOfOracle(marketId);
        if (index >= market.questionCount) revert IndexOutOfBounds();
        if (outcome) {
            if (market.determined) revert MarketAlreadyDetermined();
            market.determined = true;
            market.result = uint8(index);
        }
        uint256[] memory payouts = new uint256[](2);
        payouts[outcome ? 0 : 1] = 1;
        IConditionalTokens(ctf).reportPayouts(questionId, payouts);
        emit OutcomeReported(marketId, questionId, outcome);
    }

    // ------------------------------------------------------------------------------------ positions

    /// @inheritdoc INegRiskAdapter
    function splitPosition(bytes32 conditionId, uint256 amount) public nonReentrant {
        IERC20(col).safeTransferFrom(msg.sender, address(this), amount);
        WrappedCollateral(wcol).wrap(address(this), amount);
        _split(conditionId, amount);
        Positions memory ids = _positions(conditionId);
        _sendPair(address(this), msg.sender, ids.yes, ids.no, amount);
        emit PositionSplit(msg.sender, conditionId, amount);
    }

    /// @inheritdoc INegRiskAdapter
    function splitPosition(address collateralToken, bytes32, bytes32 conditionId, uint256[] calldata, uint256 amount)
        external
    {
        if (collateralToken != col) revert UnexpectedCollateralToken();
        splitPosition(conditionId, amount);
    }

    /// @inheritdoc INegRiskAdapter
    function mergePositions(bytes32 conditionId, uint256 amount) public nonReentrant {
        Positions memory ids = _positions(conditionId);
        _sendPair(msg.sender, address(this), ids.yes, ids.no, amount);
        IConditionalTokens(ctf).mergePositions(wcol, bytes32(0), conditionId, _binaryPartition(), amount);
        WrappedCollateral(wcol).unwrap(msg.sender, amount);
        emit PositionsMerge(msg.sender, conditionId, amount);
    }

    /// @inheritdoc INegRiskAdapter
    function mergePositions(address collateralToken, bytes32, bytes32 conditionId, uint256[] calldata, uint256 amount)
        external
    {
        if (collateralToken != col) revert UnexpectedCollateralToken();
        mergePositions(conditionId, amount);
    }

    /// @inheritdoc INegRiskAdapter
    function convertPositions(bytes32 marketId, uint256 indexSet, uint256 amount) external nonReentrant {
        MarketData memory market = markets[marketId];
        if (market.oracle == address(0)) revert MarketNotPrepared();
        if (market.questionCount <= 1) revert NoConvertiblePositions();
        if (indexSet == 0 || (indexSet >> market.questionCount) != 0) revert InvalidIndexSet();
        if (amount == 0) return;
        (uint256 noCount, uint256[] memory yesIds) = _burnNoAndSplitYes(
            marketId,
            market.questionCount,
            indexSet,
            amount
        );
        _payConversion(noCount, yesIds, amount, market.feeBips);
        emit PositionsConverted(msg.sender, marketId, indexSet, amount);
    }

    /// @inheritdoc INegRiskAdapter
    function redeemPositions(bytes32 conditionId, uint256[] calldata amounts) external nonReentrant {
        if (amounts.length != 2) revert LengthMismatch();
        Positions memory ids = _positions(conditionId);
        uint256[] memory idList = new uint256[](2);
        idList[0] = ids.yes;
        idList[1] = ids.no;
        IConditionalTokens(ctf).safeBatchTransferFrom(msg.sender, address(this), idList, amounts, "");

        uint256 before = IERC20(wcol).balanceOf(address(this));
        IConditionalTokens(ctf).redeemPositions(wcol, bytes32(0), conditionId, _binaryPartition());
        uint256 payout = IERC20(wcol).balanceOf(address(this)) - before;
        if (payout > 0) WrappedCollateral(wcol).unwrap(msg.sender, payout);
        emit PayoutRedemption(msg.sender, conditionId, amounts, payout);
    }

    // ------------------------------------------------------------------------------------ views

    /// @inheritdoc INegRiskAdapter
    /// @dev The CTF's own formula (CTHelpers.getConditionId): keccak256(oracle, questionId, outcomeSlotCount).
    function getConditionId(bytes32 questionId) public view returns (bytes32) {
        return keccak256(abi.encodePacked(address(this), questionId, uint256(2)));
    }

    /// @inheritdoc INegRiskAdapter
    function getPositionId(bytes32 questionId, bool outcome) external view returns (uint256) {
        Positions memory ids = _positions(getConditionId(questionId));
        return outcome ? ids.yes : ids.no;
    }

    /// @inheritdoc INegRiskAdapter
    function getQuestionCount(bytes32 marketId) external view returns (uint256) {
        return markets[marketId].questionCount;
    }

    /// @inheritdoc INegRiskAdapter
    function getDetermined(bytes32 marketId) external view returns (bool) {
        return markets[marketId].determined;
    }

    /// @inheritdoc INegRiskAdapter
    function getResult(bytes32 marketId) external view returns (uint256) {
        return markets[marketId].result;
    }

    /// @inheritdoc INegRiskAdapter
    function getOracle(bytes32 marketId) external view returns (address) {
        return markets[marketId].oracle;
    }

    /// @inheritdoc INegRiskAdapter
    function getFeeBips(bytes32 marketId) external view returns (uint256) {
        return markets[marketId].feeBips;
    }

    // ------------------------------------------------------------------------------------ internal

    function _marketOfOracle(bytes32 marketId) private view returns (MarketData storage market) {
        market = markets[marketId];
        if (market.oracle == address(0)) revert MarketNotPrepared();
        if (market.oracle != msg.sender) revert OnlyOracle();
    }

    /// @dev Burns the caller's `amount` NO of every question in `indexSet` and splits `amount` of every other
    ///      question from unbacked wcol, burning the NO halves: the caller's NO set covers the YES halves, since at
    ///      most one question of the market pays YES. Returns the NO count and the YES position ids split.
    function _burnNoAndSplitYes(bytes32 marketId, uint256 questionCount, uint256 indexSet, uint256 amount)
        private
        returns (uint256 noCount, uint256[] memory yesIds)
    {
        for (uint256 i; i < questionCount; ++i) {
            if ((indexSet >> i) & 1 == 1) ++noCount;
        }
        uint256 yesCount = questionCount - noCount;
        uint256[] memory noIds = new uint256[](noCount);
        uint256[] memory splitNoIds = new uint256[](yesCount);
        yesIds = new uint256[](yesCount);
        if (yesCount > 0) WrappedCollateral(wcol).mint(yesCount * amount);
        uint256 noIndex;
        uint256 yesIndex;
        for (uint256 i; i < questionCount; ++i) {
            bytes32 conditionId = getConditionId(bytes32(uint256(marketId) | i));
            Positions memory ids = positionsOf[conditionId];
            if ((indexSet >> i) & 1 == 1) {
                noIds[noIndex++] = ids.no;
            } else {
                yesIds[yesIndex] = ids.yes;
                splitNoIds[yesIndex++] = ids.no;
                _split(conditionId, amount);
            }
        }
        // converted NO positions must never be redeemed
        IConditionalTokens conditionalTokens = IConditionalTokens(ctf);
        conditionalTokens.safeBatchTransferFrom(msg.sender, NO_TOKEN_BURN_ADDRESS, noIds, _repeat(amount, noCount), "");
        if (yesCount > 0) {
            conditionalTokens.safeBatchTransferFrom(
                address(this),
                NO_TOKEN_BURN_ADDRESS,
                splitNoIds,
                _repeat(amount, yesCount),
                ""
            );
        }
    }

    /// @dev Pays the caller (k - 1) * `amount` collateral for k NO positions and `amount` of every YES in `yesIds`,
    ///      each less the market's fee, which goes to the vault.
    function _payConversion(uint256 noCount, uint256[] memory yesIds, uint256 amount, uint256 feeBips) private {
        uint256 fee = (amount * feeBips) / FEE_DENOMINATOR;
        uint256 amountOut = amount - fee;
        if (noCount > 1) {
            uint256 multiplier = noCount - 1;
            if (fee > 0) WrappedCollateral(wcol).release(vault, multiplier * fee);
            WrappedCollateral(wcol).release(msg.sender, multiplier * amountOut);
        }
        if (yesIds.length > 0) {
            IConditionalTokens conditionalTokens = IConditionalTokens(ctf);
            if (fee > 0) {
                conditionalTokens.safeBatchTransferFrom(address(this), vault, yesIds, _repeat(fee, yesIds.length), "");
            }
            conditionalTokens.safeBatchTransferFrom(
                address(this),
                msg.sender,
                yesIds,
                _repeat(amountOut, yesIds.length),
                ""
            );
        }
    }

    function _split(bytes32 conditionId, uint256 amount) private {
        IConditionalTokens(ctf).splitPosition(wcol, bytes32(0), conditionId, _binaryPartition(), amount);
    }

    /// @dev Moves `amount` of both outcome tokens from `from` to `to`.
    function _sendPair(address from, address to, uint256 yesId, uint256 noId, uint256 amount) private {
        uint256[] memory ids = new uint256[](2);
        ids[0] = yesId;
        ids[1] = noId;
        IConditionalTokens(ctf).safeBatchTransferFrom(from, to, ids, _repeat(amount, 2), "");
    }

    /// @dev The cached position ids of a question's condition, computed for any other wcol condition.
    function _positions(bytes32 conditionId) private view returns (Positions memory ids) {
        ids = positionsOf[conditionId];
        if (ids.yes == 0) ids = _computePositions(conditionId);
    }

    function _computePositions(bytes32 conditionId) private view returns (Positions memory) {
        IConditionalTokens conditionalTokens = IConditionalTokens(ctf);
        return
            Positions(
                conditionalTokens.getPositionId(wcol, conditionalTokens.getCollectionId(bytes32(0), conditionId, 1)),
                conditionalTokens.getPositionId(wcol, conditionalTokens.getCollectionId(bytes32(0), conditionId, 2))
            );
    }

    function _binaryPartition() private pure returns (uint256[] memory partition) {
        partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
    }

    function _repeat(uint256 value, uint256 count) private pure returns (uint256[] memory values) {
        values = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            values[i] = value;
        }
    }
}
