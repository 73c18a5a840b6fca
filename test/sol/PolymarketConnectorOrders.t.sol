// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector orders: the ERC-1271 signature of an open hash, exact allowances, expiry, every
///         order check and the open-order bound.
contract PolymarketConnectorOrdersTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    function test_buyOrderSignsItsHashAndApprovesExactly() public {
        ICtfExchange.Order memory order = _pmOrder(yes, BUY, 450 * ONE, 1_000 * ONE);
        bytes32 hash = exchange.hashOrder(order);
        assertEq(connector.isValidSignature(hash, ""), bytes4(0xffffffff), "not signed before placing");
        _place(_one(order));

        assertEq(connector.isValidSignature(hash, ""), MAGIC);
        assertEq(connector.isValidSignature(negRiskExchange.hashOrder(order), ""), bytes4(0xffffffff));
        assertEq(asset.allowance(address(connector), address(exchange)), 450 * ONE, "exactly the BUY amount");
        assertEq(asset.allowance(address(connector), address(negRiskExchange)), 0);
        assertFalse(ctf.isApprovedForAll(address(connector), address(exchange)), "no SELL open");
        assertEq(connector.openOrderHashes().length, 1);
        IPolymarketConnector.OpenOrder memory open = connector.openOrder(hash);
        assertEq(open.tokenId, yes);
        assertEq(open.makerAmount, 450 * ONE);
        assertFalse(open.negRisk);
        exchange.validateOrder(order);
        assertEq(_value(), NAV, "an open BUY moves no value");

        // a second BUY raises the allowance to the sum; closing one lowers it to the other
        ICtfExchange.Order memory second = _pmOrder(no, BUY, 100 * ONE, 200 * ONE);
        _place(_one(second));
        assertEq(asset.allowance(address(connector), address(exchange)), 550 * ONE);
        _close(_one(order));
        assertEq(asset.allowance(address(connector), address(exchange)), 100 * ONE);
        assertTrue(exchange.getOrderStatus(hash).isFilledOrCancelled, "cancelled on the exchange");
        assertEq(connector.isValidSignature(hash, ""), bytes4(0xffffffff));
        _close(_one(second));
        assertEq(asset.allowance(address(connector), address(exchange)), 0, "reset to 0");
        assertEq(connector.openOrderHashes().length, 0);
    }

    function test_signatureLapsesAtExpiry() public {
        ICtfExchange.Order memory order = _pmOrder(yes, BUY, 10 * ONE, 20 * ONE);
        bytes32 hash = exchange.hashOrder(order);
        _place(_one(order));
        vm.warp(order.expiration);
        assertEq(connector.isValidSignature(hash, ""), MAGIC, "valid through its expiration second");
        vm.warp(order.expiration + 1);
        assertEq(connector.isValidSignature(hash, ""), bytes4(0xffffffff));
        ICtfExchange.Order memory sell = _makerOrder(exchange, yes, SELL, 20 * ONE, 10 * ONE);
        vm.expectRevert(ICtfExchange.OrderExpired.selector);
        exchange.matchOrders(order, _one(sell), 10 * ONE, _amounts(20 * ONE));
    }

    function test_orderChecks() public {
        ICtfExchange.Order memory o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.maker = stranger;
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderSigner.selector, 0));
        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.signer = stranger;
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderSigner.selector, 0));
        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.signatureType = ICtfExchange.SignatureType.EOA;
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderSigner.selector, 0));
        o = _pmOrder(yes, BUY, 0, 2 * ONE);
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderAmounts.selector, 0));
        o = _pmOrder(yes, BUY, 3 * ONE, 2 * ONE);
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderAmounts.selector, 0));
        o = _pmOrder(yes, BUY, ONE, uint256(type(uint128).max) + 1);
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderAmounts.selector, 0));
        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.expiration = block.timestamp;
        _expectPlaceRevert(
            o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderExpiration.selector, 0, block.timestamp)
        );
        o.expiration = block.timestamp + 1 days + 1;
        _expectPlaceRevert(
            o, abi.encodeWithSelector(IPolymarketConnector.InvalidOrderExpiration.selector, 0, o.expiration)
        );
        connector.setMaxFeeRateBps(20);
        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.feeRateBps = 21;
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.FeeRateAboveBound.selector, 0, 21, 20));
        o = _pmOrder(12345, BUY, ONE, 2 * ONE);
        _expectPlaceRevert(o, abi.encodeWithSelector(IPolymarketConnector.UnknownToken.selector, 12345));
        // the exchange's own check: a nonce that is not the maker's current one
        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        o.nonce = 1;
        _expectPlaceRevert(o, abi.encodeWithSelector(ICtfExchange.InvalidNonce.selector));

        o = _pmOrder(yes, BUY, ONE, 2 * ONE);
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.NotionalMismatch.selector, ONE - 1, ONE));
        connector.placeOrders(address(asset), ONE - 1, _one(o));
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.WrongCollateral.selector, stranger, address(asset))
        );
        connector.placeOrders(stranger, ONE, _one(o));
        connector.placeOrders(address(asset), ONE, _one(o));
        bytes32 hash = exchange.hashOrder(o);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.OrderHashUsed.selector, hash));
        connector.placeOrders(address(asset), ONE, _one(o));
        connector.closeOrders(_one(o));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.OrderHashUsed.selector, hash));
        connector.placeOrders(address(asset), ONE, _one(o));
        vm.stopPrank();
        assertEq(connector.openOrderHashes().length, 0, "refused batches leave nothing open");
        assertEq(asset.allowance(address(connector), address(exchange)), 0);
    }

    function test_atMostMaxOpenOrders() public {
        uint256 max = connector.MAX_OPEN_ORDERS();
        ICtfExchange.Order[] memory orders = new ICtfExchange.Order[](max);
        for (uint256 i; i < max; ++i) orders[i] = _pmOrder(yes, BUY, ONE, 2 * ONE);
        _place(orders);
        assertEq(asset.allowance(address(connector), address(exchange)), max * ONE);
        ICtfExchange.Order[] memory extra = _one(_pmOrder(yes, BUY, ONE, 2 * ONE));
        vm.prank(keeper);
        vm.expectRevert(IPolymarketConnector.TooManyOpenOrders.selector);
        connector.placeOrders(address(asset), ONE, extra);
    }
}
