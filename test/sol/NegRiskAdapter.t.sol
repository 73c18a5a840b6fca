// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {INegRiskAdapter} from "../../contracts/interfaces/INegRiskAdapter.sol";
import {CtfExchange} from "../../contracts/venues/polymarket/CtfExchange.sol";
import {NegRiskAdapter} from "../../contracts/venues/polymarket/NegRiskAdapter.sol";
import {WrappedCollateral} from "../../contracts/venues/polymarket/WrappedCollateral.sol";
import {PolymarketVenueTestBase} from "./PolymarketVenueTestBase.sol";

/// @notice The local NegRiskAdapter on the real Conditional Tokens: markets and questions, split/merge/redeem,
///         conversions of NO sets (value conserved, fuzzed), at most one YES per market, and the negRisk exchange's
///         MINT and MERGE matches through the adapter.
contract NegRiskAdapterTest is PolymarketVenueTestBase {
    NegRiskAdapter internal adapter;
    address internal wcol;
    address internal feeVault = makeAddr("feeVault");
    address internal oracle = makeAddr("oracle");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal burn;

    function setUp() public {
        _deployCtf();
        adapter = new NegRiskAdapter(address(ctf), address(usdc), feeVault);
        wcol = adapter.wcol();
        burn = adapter.NO_TOKEN_BURN_ADDRESS();
        _approveAdapter(alice, 10_000 * USDC);
        _approveAdapter(bob, 10_000 * USDC);
        _approveAdapter(feeVault, 0);
    }

    function _approveAdapter(address account, uint256 amount) internal {
        usdc.mint(account, amount);
        vm.startPrank(account);
        usdc.approve(address(adapter), type(uint256).max);
        ctf.setApprovalForAll(address(adapter), true);
        vm.stopPrank();
    }

    /// @dev A market of `questions` questions prepared by `oracle`.
    function _market(uint256 questions, uint256 feeBips) internal returns (bytes32 marketId, bytes32[] memory ids) {
        vm.startPrank(oracle);
        marketId = adapter.prepareMarket(feeBips, abi.encode("market", questions, feeBips));
        ids = new bytes32[](questions);
        for (uint256 i; i < questions; ++i) {
            ids[i] = adapter.prepareQuestion(marketId, abi.encode("question", i));
        }
        vm.stopPrank();
    }

    function _split(address account, bytes32 questionId, uint256 amount) internal {
        bytes32 conditionId = adapter.getConditionId(questionId);
        vm.prank(account);
        adapter.splitPosition(conditionId, amount);
    }

    function _yes(address account, bytes32 questionId) internal view returns (uint256) {
        return ctf.balanceOf(account, adapter.getPositionId(questionId, true));
    }

    function _no(address account, bytes32 questionId) internal view returns (uint256) {
        return ctf.balanceOf(account, adapter.getPositionId(questionId, false));
    }

    /// @dev Redeems every position `account` holds in `questions` (after they resolved).
    function _redeemAll(address account, bytes32[] memory questions) internal {
        for (uint256 i; i < questions.length; ++i) {
            uint256[] memory amounts = new uint256[](2);
            amounts[0] = _yes(account, questions[i]);
            amounts[1] = _no(account, questions[i]);
            bytes32 conditionId = adapter.getConditionId(questions[i]);
            vm.prank(account);
            adapter.redeemPositions(conditionId, amounts);
        }
    }

    // ------------------------------------------------------------------------------------ markets

    function test_prepareMarketAndQuestions_preparesTheConditionsOnTheCtf() public {
        (bytes32 marketId, bytes32[] memory questions) = _market(3, 25);
        assertEq(uint256(marketId) & 0xff, 0);
        assertEq(adapter.getOracle(marketId), oracle);
        assertEq(adapter.getFeeBips(marketId), 25);
        assertEq(adapter.getQuestionCount(marketId), 3);
        assertFalse(adapter.getDetermined(marketId));
        for (uint256 i; i < 3; ++i) {
            assertEq(uint256(questions[i]), uint256(marketId) + i);
            bytes32 conditionId = adapter.getConditionId(questions[i]);
            assertEq(conditionId, ctf.getConditionId(address(adapter), questions[i], 2));
            assertEq(ctf.getOutcomeSlotCount(conditionId), 2);
            assertEq(adapter.getPositionId(questions[i], true), _positionId(wcol, conditionId, 1));
            assertEq(adapter.getPositionId(questions[i], false), _positionId(wcol, conditionId, 2));
        }
        assertEq(WrappedCollateral(wcol).decimals(), 6);
    }

    function test_prepareMarketAndQuestions_refusals() public {
        (bytes32 marketId, ) = _market(1, 0);
        vm.startPrank(oracle);
        vm.expectRevert(INegRiskAdapter.MarketAlreadyPrepared.selector);
        adapter.prepareMarket(0, abi.encode("market", uint256(1), uint256(0)));
        vm.expectRevert(INegRiskAdapter.FeeBipsOutOfBounds.selector);
        adapter.prepareMarket(10_001, "too expensive");
        vm.expectRevert(INegRiskAdapter.MarketNotPrepared.selector);
        adapter.prepareQuestion(bytes32(uint256(1) << 8), "");
        vm.stopPrank();
        vm.prank(alice);
        vm.expectRevert(INegRiskAdapter.OnlyOracle.selector);
        adapter.prepareQuestion(marketId, "");
    }

    // ------------------------------------------------------------------------------------ positions

    function test_splitAndMerge_roundTripThroughWrappedCollateral() public {
        (, bytes32[] memory questions) = _market(2, 0);
        bytes32 conditionId = adapter.getConditionId(questions[0]);
        _split(alice, questions[0], 10 * USDC);
        assertEq(_yes(alice, questions[0]), 10 * USDC);
        assertEq(_no(alice, questions[0]), 10 * USDC);
        assertEq(usdc.balanceOf(wcol), 10 * USDC);
        assertEq(IERC20(wcol).balanceOf(address(ctf)), 10 * USDC);

        vm.startPrank(alice);
        adapter.mergePositions(conditionId, 4 * USDC);
        vm.expectRevert(INegRiskAdapter.UnexpectedCollateralToken.selector);
        adapter.mergePositions(wcol, bytes32(0), conditionId, _binaryPartition(), 1);
        adapter.mergePositions(address(usdc), bytes32(0), conditionId, _binaryPartition(), 1 * USDC);
        vm.expectRevert(INegRiskAdapter.UnexpectedCollateralToken.selector);
        adapter.splitPosition(wcol, bytes32(0), conditionId, _binaryPartition(), 1);
        vm.stopPrank();
        assertEq(_yes(alice, questions[0]), 5 * USDC);
        assertEq(usdc.balanceOf(alice), 9_995 * USDC);
        assertEq(usdc.balanceOf(wcol), 5 * USDC);
    }

    function test_convertPositions_paysCollateralAndTheOtherYes() public {
        (bytes32 marketId, bytes32[] memory questions) = _market(3, 0);
        _split(alice, questions[0], 10 * USDC);
        _split(alice, questions[1], 10 * USDC);
        uint256 usdcBefore = usdc.balanceOf(alice);

        vm.expectEmit(address(adapter));
        emit INegRiskAdapter.PositionsConverted(alice, marketId, 3, 10 * USDC);
        vm.prank(alice);
        adapter.convertPositions(marketId, 3, 10 * USDC);
        assertEq(usdc.balanceOf(alice) - usdcBefore, 10 * USDC);
        assertEq(_yes(alice, questions[2]), 10 * USDC);
        assertEq(_no(alice, questions[0]) + _no(alice, questions[1]) + _no(alice, questions[2]), 0);
        for (uint256 i; i < 3; ++i) {
            assertEq(_no(burn, questions[i]), 10 * USDC);
        }
    }

    function test_convertPositions_feeGoesToTheVaultInCollateralAndYes() public {
        (bytes32 marketId, bytes32[] memory questions) = _market(4, 100);
        for (uint256 i; i < 3; ++i) {
            _split(alice, questions[i], 100 * USDC);
        }
        uint256 usdcBefore = usdc.balanceOf(alice);
        vm.prank(alice);
        adapter.convertPositions(marketId, 7, 100 * USDC);
        // 3 NO → 2 × 99 collateral + 99 YES of question 3; 1 % of each to the vault
        assertEq(usdc.balanceOf(alice) - usdcBefore, 198 * USDC);
        assertEq(usdc.balanceOf(feeVault), 2 * USDC);
        assertEq(_yes(alice, questions[3]), 99 * USDC);
        assertEq(_yes(feeVault, questions[3]), 1 * USDC);
    }

    function test_convertPositions_refusals() public {
        (bytes32 single, ) = _market(1, 0);
        (bytes32 marketId, bytes32[] memory questions) = _market(3, 0);
        vm.startPrank(alice);
        vm.expectRevert(INegRiskAdapter.MarketNotPrepared.selector);
        adapter.convertPositions(bytes32(uint256(7) << 8), 1, 1);
        vm.expectRevert(INegRiskAdapter.NoConvertiblePositions.selector);
        adapter.convertPositions(single, 1, 1);
        vm.expectRevert(INegRiskAdapter.InvalidIndexSet.selector);
        adapter.convertPositions(marketId, 0, 1);
        vm.expectRevert(INegRiskAdapter.InvalidIndexSet.selector);
        adapter.convertPositions(marketId, 9, 1);
        // holds no NO tokens: the CTF refuses the transfer
        vm.expectRevert();
        adapter.convertPositions(marketId, 3, 1);
        adapter.convertPositions(marketId, 3, 0);
        vm.stopPrank();
        assertEq(_yes(alice, questions[2]), 0);
    }

    // ------------------------------------------------------------------------------------ outcomes

    function test_reportOutcome_atMostOneYesPerMarketAndRedemptionPays() public {
        (bytes32 marketId, bytes32[] memory questions) = _market(3, 0);
        _split(alice, questions[0], 5 * USDC);
        _split(alice, questions[1], 10 * USDC);

        vm.prank(alice);
        vm.expectRevert(INegRiskAdapter.OnlyOracle.selector);
        adapter.reportOutcome(questions[1], true);

        vm.startPrank(oracle);
        vm.expectEmit(address(adapter));
        emit INegRiskAdapter.OutcomeReported(marketId, questions[1], true);
        adapter.reportOutcome(questions[1], true);
        assertTrue(adapter.getDetermined(marketId));
        assertEq(adapter.getResult(marketId), 1);
        vm.expectRevert(INegRiskAdapter.MarketAlreadyDetermined.selector);
        adapter.reportOutcome(questions[0], true);
        vm.expectRevert(INegRiskAdapter.IndexOutOfBounds.selector);
        adapter.reportOutcome(bytes32(uint256(marketId) + 3), false);
        adapter.reportOutcome(questions[0], false);
        adapter.reportOutcome(questions[2], false);
        vm.stopPrank();

        uint256 before = usdc.balanceOf(alice);
        bytes32 winnerCondition = adapter.getConditionId(questions[1]);
        vm.prank(alice);
        vm.expectRevert(INegRiskAdapter.LengthMismatch.selector);
        adapter.redeemPositions(winnerCondition, new uint256[](1));
        _redeemAll(alice, questions);
        // question 1 paid its YES, question 0 its NO
        assertEq(usdc.balanceOf(alice) - before, 15 * USDC);
    }

    function testFuzz_convertPositions_conservesValue(
        uint256 questionCount,
        uint256 indexSet,
        uint256 amount,
        uint256 feeBips,
        uint256 winner
    ) public {
        questionCount = bound(questionCount, 2, 8);
        indexSet = bound(indexSet, 1, (1 << questionCount) - 1);
        amount = bound(amount, 1, 1_000 * USDC);
        feeBips = bound(feeBips, 0, 500);
        winner = bound(winner, 0, questionCount - 1);
        (bytes32 marketId, bytes32[] memory questions) = _market(questionCount, feeBips);
        for (uint256 i; i < questionCount; ++i) {
            _split(alice, questions[i], amount);
            _split(bob, questions[i], 3 * USDC);
        }
        uint256 aliceStart = usdc.balanceOf(alice) + questionCount * amount;

        vm.prank(alice);
        adapter.convertPositions(marketId, indexSet, amount);

        vm.startPrank(oracle);
        for (uint256 i; i < questionCount; ++i) {
            adapter.reportOutcome(questions[i], i == winner);
        }
        vm.stopPrank();
        _redeemAll(alice, questions);
        _redeemAll(bob, questions);
        _redeemAll(feeVault, questions);

        // every full set was worth `amount` whichever question won; the fee moved value to the vault only
        assertEq(usdc.balanceOf(alice) + usdc.balanceOf(feeVault), aliceStart);
        assertEq(usdc.balanceOf(bob), 10_000 * USDC);
        // and nothing is left owed: the wrapper paid out exactly what it took in
        assertEq(usdc.balanceOf(wcol), 0);
    }

    // ------------------------------------------------------------------------------------ negRisk exchange

    function test_negRiskExchange_mintsAndMergesThroughTheAdapter() public {
        (address aliceMaker, uint256 aliceKey) = makeAddrAndKey("aliceMaker");
        (address bobMaker, uint256 bobKey) = makeAddrAndKey("bobMaker");
        address operator = makeAddr("operator");
        CtfExchange exchange = new CtfExchange(address(usdc), address(ctf), address(adapter), address(this));
        exchange.addOperator(operator);
        (, bytes32[] memory questions) = _market(2, 0);
        uint256 yesId = adapter.getPositionId(questions[0], true);
        uint256 noId = adapter.getPositionId(questions[0], false);
        exchange.registerToken(yesId, noId, adapter.getConditionId(questions[0]));
        assertEq(exchange.getNegRiskAdapter(), address(adapter));
        _fund(aliceMaker, address(exchange), 100 * USDC);
        _fund(bobMaker, address(exchange), 100 * USDC);

        ICtfExchange.Order memory yesBid = _sign(
            exchange,
            _order(aliceMaker, yesId, ICtfExchange.Side.BUY, 60 * USDC, 100 * USDC, 0),
            aliceKey
        );
        ICtfExchange.Order memory noBid = _sign(
            exchange,
            _order(bobMaker, noId, ICtfExchange.Side.BUY, 40 * USDC, 100 * USDC, 0),
            bobKey
        );
        vm.prank(operator);
        exchange.matchOrders(yesBid, _one(noBid), 60 * USDC, _amounts(40 * USDC));
        assertEq(ctf.balanceOf(aliceMaker, yesId), 100 * USDC);
        assertEq(ctf.balanceOf(bobMaker, noId), 100 * USDC);
        assertEq(usdc.balanceOf(wcol), 100 * USDC);

        ICtfExchange.Order memory yesAsk = _sign(
            exchange,
            _order(aliceMaker, yesId, ICtfExchange.Side.SELL, 100 * USDC, 55 * USDC, 0),
            aliceKey
        );
        ICtfExchange.Order memory noAsk = _sign(
            exchange,
            _order(bobMaker, noId, ICtfExchange.Side.SELL, 100 * USDC, 45 * USDC, 0),
            bobKey
        );
        vm.prank(operator);
        exchange.matchOrders(yesAsk, _one(noAsk), 100 * USDC, _amounts(100 * USDC));
        assertEq(ctf.balanceOf(aliceMaker, yesId), 0);
        assertEq(ctf.balanceOf(bobMaker, noId), 0);
        assertEq(usdc.balanceOf(aliceMaker), 95 * USDC);
        assertEq(usdc.balanceOf(bobMaker), 105 * USDC);
        assertEq(usdc.balanceOf(wcol), 0);
        assertEq(usdc.balanceOf(address(exchange)), 0);
    }
}
