// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector order lifecycle: SELLs (tokens held, operator approval while open, mint-and-sell),
///         closing by the gate and after expiry by anyone, partial fills and the allowance that follows them.
contract PolymarketConnectorOrderLifecycleTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    function test_sellNeedsTheTokensAndApprovesTheOperatorOnlyWhileOpen() public {
        ICtfExchange.Order memory sell = _pmOrder(yes, SELL, 100 * ONE, 60 * ONE);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.InsufficientTokensForSell.selector, yes, 0, 100 * ONE));
        connector.placeOrders(address(asset), 100 * ONE, _one(sell));

        vm.prank(keeper);
        connector.split(address(asset), 150 * ONE, cid);
        _place(_one(sell));
        assertTrue(ctf.isApprovedForAll(address(connector), address(exchange)));
        assertFalse(ctf.isApprovedForAll(address(connector), address(negRiskExchange)));
        // a second SELL of the same token may use only what the first does not reserve
        ICtfExchange.Order memory more = _pmOrder(yes, SELL, 60 * ONE, 30 * ONE);
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.InsufficientTokensForSell.selector, yes, 50 * ONE, 60 * ONE)
        );
        connector.placeOrders(address(asset), 60 * ONE, _one(more));

        // mint-and-sell: the maker buys the YES at 0.6, the connector keeps 150 NO and 50 YES
        ICtfExchange.Order memory buy = _makerOrder(exchange, yes, BUY, 60 * ONE, 100 * ONE);
        exchange.matchOrders(buy, _one(sell), 60 * ONE, _amounts(100 * ONE));
        assertEq(_bal(yes), 50 * ONE);
        assertEq(asset.balanceOf(address(connector)), NAV - 150 * ONE + 60 * ONE);
        // 50 full sets at par, 100 unpaired NO at 0
        assertEq(_value(), NAV - 150 * ONE + 60 * ONE + 50 * ONE);
        _close(_one(sell));
        assertFalse(ctf.isApprovedForAll(address(connector), address(exchange)), "revoked with the last SELL");
    }

    function test_closeOrders() public {
        ICtfExchange.Order memory order = _pmOrder(yes, BUY, 10 * ONE, 20 * ONE);
        bytes32 hash = exchange.hashOrder(order);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.OrderNotOpen.selector, hash));
        _close(_one(order));
        _place(_one(order));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.OrderNotExpired.selector, hash, order.expiration));
        connector.closeOrders(_one(order));
        // after expiry anyone may close: it only removes approvals
        vm.warp(order.expiration + 1);
        vm.prank(stranger);
        vm.expectEmit(address(connector));
        emit IPolymarketConnector.OrderClosed(hash, 0);
        connector.closeOrders(_one(order));
        assertEq(asset.allowance(address(connector), address(exchange)), 0);
        assertEq(asset.balanceOf(address(connector)), NAV);
    }

    function test_partialFillKeepsTheAllowanceAtTheRemainder() public {
        ICtfExchange.Order memory buy = _pmOrder(yes, BUY, 400 * ONE, 1_000 * ONE);
        bytes32 hash = exchange.hashOrder(buy);
        _place(_one(buy));
        ICtfExchange.Order memory sell = _makerOrder(exchange, yes, SELL, 250 * ONE, 100 * ONE);
        exchange.matchOrders(buy, _one(sell), 100 * ONE, _amounts(250 * ONE));
        assertEq(_bal(yes), 250 * ONE);
        assertEq(exchange.getOrderStatus(hash).remaining, 300 * ONE);
        assertEq(asset.allowance(address(connector), address(exchange)), 300 * ONE, "fills lower it in step");
        vm.expectEmit(address(connector));
        emit IPolymarketConnector.OrderClosed(hash, 100 * ONE);
        _close(_one(buy));
        assertEq(asset.allowance(address(connector), address(exchange)), 0);
        assertEq(asset.balanceOf(address(connector)), NAV - 100 * ONE);
    }

    function test_closedOrderCannotFill() public {
        ICtfExchange.Order memory buy = _pmOrder(yes, BUY, 40 * ONE, 100 * ONE);
        _place(_one(buy));
        _close(_one(buy));
        ICtfExchange.Order memory sell = _makerOrder(exchange, yes, SELL, 100 * ONE, 40 * ONE);
        // the connector no longer signs it, and the exchange marked it cancelled
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.matchOrders(buy, _one(sell), 40 * ONE, _amounts(100 * ONE));
        assertTrue(exchange.getOrderStatus(exchange.hashOrder(buy)).isFilledOrCancelled);
        assertEq(asset.balanceOf(address(connector)), NAV);
    }
}
