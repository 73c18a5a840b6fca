// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector exposure caps counting open orders as filled, and the ERC-1155 receiver rules.
contract PolymarketConnectorCapsTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    function test_capsCountOpenOrdersAsFilled() public {
        // 15 % of 100k = 15k tokens: a BUY of 16k tokens at 0.5 costs 8k but can bring 16k
        ICtfExchange.Order memory big = _pmOrder(yes, BUY, 8_000 * ONE, 16_000 * ONE);
        _expectPlaceRevert(
            big,
            abi.encodeWithSelector(IPolymarketConnector.EventExposureAboveCap.selector, cid, 16_000 * ONE, 15_000 * ONE)
        );
        // both legs of a set are one worst case of 15k, within the cap
        _place(_two(_pmOrder(yes, BUY, 7_000 * ONE, 15_000 * ONE), _pmOrder(no, BUY, 7_000 * ONE, 15_000 * ONE)));
        assertEq(valuer.exposures(connector, false)[0], 15_000 * ONE);

        // the group cap: three questions of 11k each = 33k above 30k
        ICtfExchange.Order[] memory legs = new ICtfExchange.Order[](QUESTIONS);
        for (uint256 i; i < QUESTIONS; ++i) legs[i] = _pmOrder(qNo[i], BUY, 5_000 * ONE, 11_000 * ONE);
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPolymarketConnector.GroupExposureAboveCap.selector, marketId, 33_000 * ONE, 30_000 * ONE
            )
        );
        connector.placeOrders(address(asset), 15_000 * ONE, legs);

        // a SELL counts the tokens it can take: 15k full sets, selling 15k YES leaves 15k NO exposed
        vm.prank(keeper);
        connector.split(address(asset), 16_000 * ONE, qCids[0]);
        _expectPlaceRevert(
            _pmOrder(qYes[0], SELL, 16_000 * ONE, 9_000 * ONE),
            abi.encodeWithSelector(
                IPolymarketConnector.EventExposureAboveCap.selector, qCids[0], 16_000 * ONE, 15_000 * ONE
            )
        );
        _place(_one(_pmOrder(qYes[0], SELL, 15_000 * ONE, 9_000 * ONE)));
    }

    function test_receiverRefusesTokensThatAreNotFills() public {
        // a holder pushing registered tokens directly
        vm.prank(maker);
        vm.expectRevert();
        ctf.safeTransferFrom(maker, address(connector), yes, ONE, "");
        // the hook itself, called by the CTF with another operator, or by another contract
        vm.prank(address(ctf));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.UnsolicitedTokens.selector, address(ctf), maker));
        connector.onERC1155Received(maker, maker, yes, ONE, "");
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.UnsolicitedTokens.selector, address(this), address(exchange))
        );
        connector.onERC1155Received(address(exchange), maker, yes, ONE, "");
        vm.prank(address(ctf));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.UnknownPosition.selector, 42));
        connector.onERC1155Received(address(exchange), maker, 42, ONE, "");
        // the adapter or the connector itself only inside the connector's own actions
        vm.prank(address(ctf));
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.UnsolicitedTokens.selector, address(ctf), address(adapter))
        );
        connector.onERC1155Received(address(adapter), address(adapter), qYes[0], ONE, "");
        // an exchange fill of a registered id is accepted
        vm.prank(address(ctf));
        assertEq(
            connector.onERC1155Received(address(negRiskExchange), maker, qYes[0], ONE, ""),
            IERC1155Receiver.onERC1155Received.selector
        );
        assertTrue(connector.supportsInterface(type(IERC1155Receiver).interfaceId));
        assertEq(_value(), NAV);
    }

    /// @dev Any hash other than an open, unexpired order of the connector is refused.
    function testFuzz_isValidSignatureOnlyForOpenUnexpiredHashes(bytes32 hash, uint256 elapsed) public {
        ICtfExchange.Order memory order = _pmOrder(yes, BUY, 10 * ONE, 20 * ONE);
        bytes32 open = exchange.hashOrder(order);
        _place(_one(order));
        vm.assume(hash != open);
        assertEq(connector.isValidSignature(hash, ""), bytes4(0xffffffff));
        elapsed = bound(elapsed, 0, 2 hours);
        vm.warp(block.timestamp + elapsed);
        bool live = block.timestamp <= order.expiration;
        assertEq(connector.isValidSignature(open, ""), live ? MAGIC : bytes4(0xffffffff));
        assertEq(connector.isValidSignature(hash, ""), bytes4(0xffffffff));
    }

    /// @dev A freeze or a resolution stops an open order's fills at once: the connector no longer signs it.
    function test_frozenOrResolvedMarketsOrdersStopFilling() public {
        ICtfExchange.Order memory order = _pmOrder(yes, BUY, 10 * ONE, 20 * ONE);
        bytes32 open = exchange.hashOrder(order);
        _place(_one(order));
        assertEq(connector.isValidSignature(open, ""), MAGIC);
        vm.prank(guardian);
        connector.setFrozen(cid, true);
        assertEq(connector.isValidSignature(open, ""), bytes4(0xffffffff), "frozen");
        connector.setFrozen(cid, false);
        assertEq(connector.isValidSignature(open, ""), MAGIC, "unfrozen by governance");
        _report(Q, 0);
        assertEq(connector.isValidSignature(open, ""), bytes4(0xffffffff), "resolved");
    }
}
