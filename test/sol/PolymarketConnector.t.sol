// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {RegistryAccess} from "../../contracts/registry/RegistryAccess.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector against the real Conditional Tokens and the local CTF Exchange, NegRisk CTF
///         Exchange and NegRiskAdapter: roles, registration, every order check, exact approvals, ERC-1271,
///         fills by the operator against EOA makers, merge / split / convert / redeem, valuation and caps.
contract PolymarketConnectorTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    // ------------------------------------------------------------------------------------ roles

    function test_actionsAreKeeperGateOnly() public {
        ICtfExchange.Order[] memory orders = _one(_pmOrder(yes, BUY, ONE, 2 * ONE));
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.placeOrders(address(asset), ONE, orders);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.split(address(asset), ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.merge(address(asset), ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.convert(address(asset), ONE, marketId, 1);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.redeem(address(asset), 0, cid);
        vm.stopPrank();
    }

    function test_governanceAndGuardianRoles() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.addBinaryMarket(cid, yes, no, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.addNegRiskMarket(marketId, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.setExposureCaps(100, 200);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.setMaxFeeRateBps(10);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGuardianOrGovernance.selector, stranger));
        connector.setFrozen(cid, true);
        vm.stopPrank();

        // the guardian may only make things more conservative
        vm.startPrank(guardian);
        connector.setFrozen(cid, true);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, guardian));
        connector.setFrozen(cid, false);
        vm.stopPrank();
        assertTrue(connector.condition(cid).frozen);
        connector.setFrozen(cid, false);
        assertFalse(connector.condition(cid).frozen);

        connector.setExposureCaps(1_000, 2_000);
        assertEq(connector.eventCapBps(), 1_000);
        assertEq(connector.groupCapBps(), 2_000);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.InvalidExposureCap.selector, 2_000, 1_000));
        connector.setExposureCaps(2_000, 1_000);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.InvalidExposureCap.selector, 1_000, 5_001));
        connector.setExposureCaps(1_000, 5_001);
        connector.setMaxFeeRateBps(50);
        assertEq(connector.maxFeeRateBps(), 50);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.InvalidFeeRateBound.selector, 1_001));
        connector.setMaxFeeRateBps(1_001);
    }

    // ----------------------------------------------------------------------------- registration

    function test_registrationReadsTheVenues() public view {
        bytes32[] memory ids = connector.conditionIds();
        assertEq(ids.length, 1 + QUESTIONS);
        assertEq(ids[0], cid);
        IPolymarketConnector.Condition memory c = connector.condition(cid);
        assertEq(c.yesTokenId, yes);
        assertEq(c.noTokenId, no);
        assertEq(c.group, cid, "group zero = its own group");
        IPolymarketConnector.NegRiskMarket memory m = connector.negRiskMarket(marketId);
        assertEq(m.firstIndex, 1);
        assertEq(m.questionCount, QUESTIONS);
        for (uint256 i; i < QUESTIONS; ++i) {
            IPolymarketConnector.Condition memory q = connector.condition(qCids[i]);
            assertEq(q.yesTokenId, qYes[i]);
            assertEq(q.noTokenId, qNo[i]);
            assertEq(q.negRiskMarketId, marketId);
            assertEq(q.group, marketId);
            assertEq(connector.legOf(qNo[i]), 2 * (1 + i) + 2);
        }
    }

    function test_registrationChecks() public {
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketAlreadyAdded.selector, cid));
        connector.addBinaryMarket(cid, yes, no, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.MarketAlreadyAdded.selector, marketId));
        connector.addNegRiskMarket(marketId, bytes32(0));

        // tokens the exchange did not register for the condition, or swapped
        (bytes32 other, uint256 otherYes, uint256 otherNo) = _binary(keccak256("other"));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.TokensNotRegistered.selector, otherNo));
        connector.addBinaryMarket(other, otherNo, otherYes, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.TokensNotRegistered.selector, yes));
        connector.addBinaryMarket(other, yes, no, bytes32(0));

        // a pair the exchange registered that is not the condition's CTF positions in the vault's asset
        (bytes32 fake,,) = _binaryUnregistered(keccak256("fake"));
        exchange.registerToken(111, 222, fake);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.TokensNotRegistered.selector, 111));
        connector.addBinaryMarket(fake, 111, 222, bytes32(0));

        // a negRisk market needs at least two questions
        bytes32 lonely = _negRiskMarket("lonely", 1);
        vm.expectRevert(abi.encodeWithSelector(IPolymarketConnector.InvalidQuestionCount.selector, 1));
        connector.addNegRiskMarket(lonely, bytes32(0));
        // and each question must be registered on the NegRisk CTF Exchange
        bytes32 unlisted = adapter.prepareMarket(0, "unlisted");
        bytes32 q0 = adapter.prepareQuestion(unlisted, "a");
        adapter.prepareQuestion(unlisted, "b");
        vm.expectRevert(
            abi.encodeWithSelector(IPolymarketConnector.TokensNotRegistered.selector, adapter.getPositionId(q0, true))
        );
        connector.addNegRiskMarket(unlisted, bytes32(0));

        // at most MAX_CONDITIONS conditions
        connector.addBinaryMarket(other, otherYes, otherNo, bytes32(0));
        for (uint256 i = connector.conditionIds().length; i < connector.MAX_CONDITIONS(); ++i) {
            (bytes32 c, uint256 y, uint256 n) = _binary(keccak256(abi.encode("fill", i)));
            connector.addBinaryMarket(c, y, n, bytes32(0));
        }
        (bytes32 last, uint256 lastYes, uint256 lastNo) = _binary(keccak256("one too many"));
        vm.expectRevert(IPolymarketConnector.TooManyMarkets.selector);
        connector.addBinaryMarket(last, lastYes, lastNo, bytes32(0));
    }

    function _binaryUnregistered(bytes32 questionId) internal returns (bytes32 conditionId, uint256, uint256) {
        ctf.prepareCondition(oracle, questionId, 2);
        conditionId = ctf.getConditionId(oracle, questionId, 2);
        return (conditionId, 0, 0);
    }

    // ----------------------------------------------------------------------------------- orders

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
