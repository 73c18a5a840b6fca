// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector flows: Dutch books filled by the operator against EOA makers and locked by merge
///         (binary) or conversion (negRisk NO set), fees in tokens, and the negRisk YES-set rule.
contract PolymarketConnectorFlowsTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    /// @dev The Dutch book on one binary market: YES at 0.45 + NO at 0.50 < 1, both bought from EOA makers
    ///      through the operator, merged into collateral: NAV rises by the locked 5 %.
    function test_binaryDutchBookBuysBothLegsAndMergesTheProfit() public {
        uint256 sets = 1_000 * ONE;
        ICtfExchange.Order memory buyYes = _pmOrder(yes, BUY, 450 * ONE, sets);
        ICtfExchange.Order memory buyNo = _pmOrder(no, BUY, 500 * ONE, sets);
        _place(_two(buyYes, buyNo));
        assertEq(asset.allowance(address(connector), address(exchange)), 950 * ONE);

        _fillBuy(exchange, buyYes);
        assertEq(_value(), NAV - 450 * ONE, "one leg alone counts at 0");
        _fillBuy(exchange, buyNo);
        assertEq(_bal(yes), sets);
        assertEq(_bal(no), sets);
        assertEq(asset.allowance(address(connector), address(exchange)), 0, "filled orders leave no allowance");
        assertEq(_value(), NAV + 50 * ONE, "a full set at par");

        _close(_two(buyYes, buyNo));
        vm.prank(keeper);
        connector.merge(address(asset), sets, cid);
        assertEq(_bal(yes), 0);
        assertEq(asset.balanceOf(address(connector)), NAV + 50 * ONE, "collateral back with the locked profit");
        assertEq(_value(), NAV + 50 * ONE);
    }

    /// @dev Fees as the real exchange charges them: a BUY pays in outcome tokens, to the operator.
    function test_buyFeeIsPaidInTokens() public {
        ICtfExchange.Order memory buy = _pmOrder(yes, BUY, 500 * ONE, 1_000 * ONE);
        buy.feeRateBps = 100;
        _place(_one(buy));
        _fillBuy(exchange, buy);
        // fee = 100 bps x min(p, 1 - p) x tokens / p = 1 % of the tokens at p = 0.5
        assertEq(_bal(yes), 990 * ONE);
        assertEq(ctf.balanceOf(address(this), yes), 10 * ONE);
    }

    /// @dev The negRisk NO-set conversion: NO of every question at 0.6 (1.8 < n - 1 = 2), converted into
    ///      2 units of collateral per set.
    function test_negRiskNoSetConvertsIntoCollateral() public {
        uint256 amount = 1_000 * ONE;
        ICtfExchange.Order[] memory buys = new ICtfExchange.Order[](QUESTIONS);
        for (uint256 i; i < QUESTIONS; ++i) buys[i] = _pmOrder(qNo[i], BUY, 600 * ONE, amount);
        _place(buys);
        assertEq(asset.allowance(address(connector), address(negRiskExchange)), 1_800 * ONE);
        assertEq(asset.allowance(address(connector), address(exchange)), 0);
        for (uint256 i; i < QUESTIONS; ++i) _fillBuy(negRiskExchange, buys[i]);
        assertEq(_value(), NAV - 1_800 * ONE, "a NO set is not valued before it is converted");
        _close(buys);

        vm.prank(keeper);
        uint256 received = connector.convert(address(asset), amount, marketId, (1 << QUESTIONS) - 1);
        assertEq(received, 2 * amount);
        for (uint256 i; i < QUESTIONS; ++i) assertEq(_bal(qNo[i]), 0);
        assertEq(asset.balanceOf(address(connector)), NAV + 200 * ONE);
        assertEq(_value(), NAV + 200 * ONE);
        assertFalse(ctf.isApprovedForAll(address(connector), address(adapter)), "adapter approval reset");
    }

    /// @dev A YES of every question is a set paying exactly one unit, but only as of the adapter's question
    ///      count: a question added later breaks it.
    function test_negRiskYesSetCountsOnlyWhileTheQuestionCountIsUnchanged() public {
        uint256 amount = 1_000 * ONE;
        ICtfExchange.Order[] memory buys = new ICtfExchange.Order[](QUESTIONS);
        for (uint256 i; i < QUESTIONS; ++i) buys[i] = _pmOrder(qYes[i], BUY, 300 * ONE, amount);
        _place(buys);
        for (uint256 i; i < QUESTIONS; ++i) _fillBuy(negRiskExchange, buys[i]);
        assertEq(_value(), NAV - 900 * ONE + amount, "the YES set at par");

        adapter.prepareQuestion(marketId, "a late entrant");
        assertEq(_value(), NAV - 900 * ONE, "no longer exhaustive: unpaired at 0");
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.QuestionCountChanged.selector, marketId, QUESTIONS, QUESTIONS + 1)
        );
        connector.convert(address(asset), amount, marketId, 1);
    }
}
