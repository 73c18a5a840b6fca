// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector valuation and locking actions: frozen (disputed) markets, resolved markets and
///         redemption, split and merge with exact approvals.
contract PolymarketConnectorValuationTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    function test_frozenMarketIsValuedConservativelyAndCannotTrade() public {
        uint256 amount = 1_000 * ONE;
        ICtfExchange.Order[] memory buys = new ICtfExchange.Order[](QUESTIONS);
        for (uint256 i; i < QUESTIONS; ++i) buys[i] = _pmOrder(qYes[i], BUY, 300 * ONE, amount);
        _place(buys);
        for (uint256 i; i < QUESTIONS; ++i) _fillBuy(negRiskExchange, buys[i]);
        _close(buys);
        uint256 walletValue = NAV - 900 * ONE;
        assertEq(_value(), walletValue + amount);

        vm.prank(guardian);
        connector.setFrozen(qCids[1], true);
        assertEq(_value(), walletValue, "a disputed question values the YES set at 0");

        ICtfExchange.Order memory o = _pmOrder(qYes[1], SELL, amount, 300 * ONE);
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.MarketIsFrozen.selector, qCids[1]));
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketIsFrozen.selector, qCids[1]));
        connector.split(address(asset), ONE, qCids[1]);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketIsFrozen.selector, qCids[1]));
        connector.convert(address(asset), ONE, marketId, 1);
        vm.stopPrank();

        // a frozen plain market: a one-sided holding is worth 0, full sets stay mergeable at par
        vm.prank(keeper);
        connector.split(address(asset), 10 * ONE, cid);
        vm.prank(guardian);
        connector.setFrozen(cid, true);
        assertEq(_value(), walletValue, "10 sets at par, the YES set still 0");
        vm.prank(keeper);
        connector.merge(address(asset), 10 * ONE, cid);
        assertEq(_value(), walletValue);

        connector.setFrozen(qCids[1], false);
        assertEq(_value(), walletValue + amount, "unfrozen by governance");
    }

    function test_resolvedMarketsPayOutAndRedeem() public {
        ICtfExchange.Order memory buy = _pmOrder(yes, BUY, 300 * ONE, 1_000 * ONE);
        _place(_one(buy));
        _fillBuy(exchange, buy);
        _close(_one(buy));
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketNotResolved.selector, cid));
        connector.redeem(address(asset), 0, cid);
        assertEq(_value(), NAV - 300 * ONE);

        _report(Q, 0);
        assertEq(_value(), NAV + 700 * ONE, "YES pays one unit per token");
        _expectPlaceRevert(
            _pmOrder(yes, SELL, ONE, ONE), abi.encodeWithSelector(IPolymarketConnector.MarketIsResolved.selector, cid)
        );
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketIsResolved.selector, cid));
        connector.split(address(asset), ONE, cid);
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.SlippageExceeded.selector, 1_000 * ONE, 1_000 * ONE + 1)
        );
        connector.redeem(address(asset), 1_000 * ONE + 1, cid);
        assertEq(connector.redeem(address(asset), 1_000 * ONE, cid), 1_000 * ONE);
        vm.stopPrank();
        assertEq(asset.balanceOf(address(connector)), NAV + 700 * ONE);

        // a negRisk question through the adapter
        vm.prank(keeper);
        connector.split(address(asset), 50 * ONE, qCids[0]);
        adapter.reportOutcome(bytes32(uint256(marketId) | 0), true);
        vm.prank(keeper);
        assertEq(connector.redeem(address(asset), 50 * ONE, qCids[0]), 50 * ONE);
        assertEq(_bal(qYes[0]), 0);
        assertFalse(ctf.isApprovedForAll(address(connector), address(adapter)));
    }

    function test_splitAndMergeApproveExactly() public {
        vm.startPrank(keeper);
        connector.split(address(asset), 100 * ONE, cid);
        assertEq(asset.allowance(address(connector), address(ctf)), 0);
        connector.split(address(asset), 100 * ONE, qCids[2]);
        assertEq(asset.allowance(address(connector), address(adapter)), 0);
        assertEq(_bal(qYes[2]), 100 * ONE);
        assertEq(_value(), NAV, "full sets at par");
        connector.merge(address(asset), 100 * ONE, qCids[2]);
        connector.merge(address(asset), 40 * ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.UnknownMarket.selector, bytes32(uint256(7))));
        connector.merge(address(asset), ONE, bytes32(uint256(7)));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.UnknownMarket.selector, bytes32(uint256(7))));
        connector.convert(address(asset), ONE, bytes32(uint256(7)), 1);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.WrongCollateral.selector, stranger, address(asset)));
        connector.split(stranger, ONE, cid);
        vm.stopPrank();
        assertEq(_bal(yes), 60 * ONE);
        assertEq(_bal(qNo[2]), 0);
        assertFalse(ctf.isApprovedForAll(address(connector), address(adapter)));
        assertEq(asset.balanceOf(address(connector)), NAV - 60 * ONE);
    }
}
