// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {CtfExchange} from "../../contracts/venues/polymarket/CtfExchange.sol";
import {ExchangeMath} from "../../contracts/venues/polymarket/lib/ExchangeMath.sol";
import {Erc1271Maker, PolymarketVenueTestBase} from "./PolymarketVenueTestBase.sol";

/// @notice The local CTF Exchange on the real Conditional Tokens: fills, partial fills, fees, the three match
///         types, and every refusal the real exchange names.
contract CtfExchangeTest is PolymarketVenueTestBase {
    ICtfExchange.Side internal constant BUY = ICtfExchange.Side.BUY;
    ICtfExchange.Side internal constant SELL = ICtfExchange.Side.SELL;

    CtfExchange internal exchange;
    address internal oracle = makeAddr("oracle");
    address internal operator = makeAddr("operator");
    address internal alice;
    uint256 internal aliceKey;
    address internal bob;
    uint256 internal bobKey;
    bytes32 internal conditionId;
    uint256 internal yes;
    uint256 internal no;

    function setUp() public {
        _deployCtf();
        exchange = new CtfExchange(address(usdc), address(ctf), address(0), address(this));
        exchange.addOperator(operator);
        bytes32 questionId = keccak256("will it rain?");
        ctf.prepareCondition(oracle, questionId, 2);
        conditionId = ctf.getConditionId(oracle, questionId, 2);
        yes = _positionId(address(usdc), conditionId, 1);
        no = _positionId(address(usdc), conditionId, 2);
        exchange.registerToken(yes, no, conditionId);
        (alice, aliceKey) = makeAddrAndKey("alice");
        (bob, bobKey) = makeAddrAndKey("bob");
        _fund(alice, address(exchange), 1_000 * USDC);
        _fund(bob, address(exchange), 1_000 * USDC);
        _fund(operator, address(exchange), 1_000 * USDC);
    }

    function _split(address account, uint256 amount) internal {
        vm.startPrank(account);
        usdc.approve(address(ctf), amount);
        ctf.splitPosition(address(usdc), bytes32(0), conditionId, _binaryPartition(), amount);
        vm.stopPrank();
    }

    function _signed(
        address maker,
        uint256 key,
        uint256 tokenId,
        ICtfExchange.Side side,
        uint256 makerAmount,
        uint256 takerAmount,
        uint256 feeRateBps
    ) internal view returns (ICtfExchange.Order memory) {
        return _sign(exchange, _order(maker, tokenId, side, makerAmount, takerAmount, feeRateBps), key);
    }

    // ------------------------------------------------------------------------------------ hashing

    function test_hashOrder_isTheEip712HashOfThePolymarketDomainAndOrderType() public view {
        ICtfExchange.Order memory order = _order(alice, yes, SELL, 7 * USDC, 3 * USDC, 25);
        order.taker = operator;
        order.expiration = 1_900_000_000;
        order.nonce = 4;
        order.signatureType = ICtfExchange.SignatureType.POLY_1271;
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Polymarket CTF Exchange"),
                keccak256("1"),
                block.chainid,
                address(exchange)
            )
        );
        bytes32 typeHash = keccak256(
            "Order(uint256 salt,address maker,address signer,address taker,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint256 expiration,uint256 nonce,uint256 feeRateBps,uint8 side,uint8 signatureType)"
        );
        bytes memory head = abi.encode(typeHash, order.salt, order.maker, order.signer, order.taker, order.tokenId);
        bytes memory tail = abi.encode(
            order.makerAmount,
            order.takerAmount,
            order.expiration,
            order.nonce,
            order.feeRateBps,
            uint8(1),
            uint8(3)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", domain, keccak256(bytes.concat(head, tail))));
        assertEq(exchange.domainSeparator(), domain);
        assertEq(exchange.hashOrder(order), digest);
    }

    // ------------------------------------------------------------------------------------ fillOrder

    function test_fillOrder_buyFillsPartiallyThenFully() public {
        _split(operator, 100 * USDC);
        // alice bids 0.60 for 100 YES
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        bytes32 orderHash = exchange.hashOrder(order);

        vm.expectEmit(address(exchange));
        emit ICtfExchange.OrderFilled(orderHash, alice, operator, 0, yes, 30 * USDC, 50 * USDC, 0);
        vm.prank(operator);
        exchange.fillOrder(order, 30 * USDC);
        assertEq(ctf.balanceOf(alice, yes), 50 * USDC);
        assertEq(usdc.balanceOf(alice), 970 * USDC);
        assertEq(usdc.balanceOf(operator), 930 * USDC);
        ICtfExchange.OrderStatus memory status = exchange.getOrderStatus(orderHash);
        assertFalse(status.isFilledOrCancelled);
        assertEq(status.remaining, 30 * USDC);

        vm.prank(operator);
        vm.expectRevert(ICtfExchange.MakingGtRemaining.selector);
        exchange.fillOrder(order, 30 * USDC + 1);

        vm.prank(operator);
        exchange.fillOrder(order, 30 * USDC);
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC);
        status = exchange.getOrderStatus(orderHash);
        assertTrue(status.isFilledOrCancelled);
        assertEq(status.remaining, 0);

        vm.prank(operator);
        vm.expectRevert(ICtfExchange.OrderFilledOrCancelled.selector);
        exchange.fillOrder(order, 1);
    }

    function test_fillOrder_sellPaysTheFeeInCollateral() public {
        _split(bob, 100 * USDC);
        // bob asks 0.40 for 100 YES at 1 %: fee = 1 % * min(0.4, 0.6) * 100 = 0.4 USDC
        ICtfExchange.Order memory order = _signed(bob, bobKey, yes, SELL, 100 * USDC, 40 * USDC, 100);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.OrderFilled(exchange.hashOrder(order), bob, operator, yes, 0, 100 * USDC, 40 * USDC, 4e5);
        vm.prank(operator);
        exchange.fillOrder(order, 100 * USDC);
        assertEq(usdc.balanceOf(bob), 900 * USDC + 396e5);
        assertEq(usdc.balanceOf(operator), 1_000 * USDC - 396e5);
        assertEq(ctf.balanceOf(operator, yes), 100 * USDC);
    }

    function test_fillOrder_buyPaysTheFeeInOutcomeTokens() public {
        _split(operator, 100 * USDC);
        // 2 % at 0.60: fee = 2 % * 0.4 * 100 / 0.6 = 1.333333 YES
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 200);
        vm.prank(operator);
        exchange.fillOrder(order, 60 * USDC);
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC - 1_333_333);
        assertEq(ctf.balanceOf(operator, yes), 1_333_333);
    }

    function test_fillOrders_fillsEachOrderAndChecksLengths() public {
        _split(operator, 100 * USDC);
        ICtfExchange.Order[] memory orders = new ICtfExchange.Order[](2);
        orders[0] = _signed(alice, aliceKey, yes, BUY, 30 * USDC, 50 * USDC, 0);
        orders[1] = _signed(bob, bobKey, yes, BUY, 25 * USDC, 50 * USDC, 0);
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 30 * USDC;
        amounts[1] = 25 * USDC;
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.LengthMismatch.selector);
        exchange.fillOrders(orders, _amounts(1));
        vm.prank(operator);
        exchange.fillOrders(orders, amounts);
        assertEq(ctf.balanceOf(alice, yes), 50 * USDC);
        assertEq(ctf.balanceOf(bob, yes), 50 * USDC);
        assertEq(usdc.balanceOf(operator), 955 * USDC);
    }

    // ------------------------------------------------------------------------------------ matchOrders

    function test_matchOrders_complementaryGivesTheTakerThePriceImprovement() public {
        _split(bob, 100 * USDC);
        ICtfExchange.Order memory taker = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        ICtfExchange.Order memory maker = _signed(bob, bobKey, yes, SELL, 100 * USDC, 50 * USDC, 0);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.OrdersMatched(exchange.hashOrder(taker), alice, 0, yes, 60 * USDC, 100 * USDC);
        vm.prank(operator);
        exchange.matchOrders(taker, _one(maker), 60 * USDC, _amounts(100 * USDC));
        // alice committed 60, bob took 50, the 10 left came back
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC);
        assertEq(usdc.balanceOf(alice), 950 * USDC);
        assertEq(usdc.balanceOf(bob), 950 * USDC);
        assertEq(usdc.balanceOf(address(exchange)), 0);
        assertEq(ctf.balanceOf(address(exchange), yes), 0);
    }

    function test_matchOrders_fiveMakersAtRisingPrices() public {
        _split(bob, 100 * USDC);
        ICtfExchange.Order[] memory makers = new ICtfExchange.Order[](5);
        uint256[] memory fills = new uint256[](5);
        uint256 cost;
        for (uint256 i; i < 5; ++i) {
            // 20 YES each at 0.50, 0.51, ... 0.54
            uint256 price = 20 * (50 + i) * USDC / 100;
            makers[i] = _signed(bob, bobKey, yes, SELL, 20 * USDC, price, 0);
            fills[i] = 20 * USDC;
            cost += price;
        }
        ICtfExchange.Order memory taker = _signed(alice, aliceKey, yes, BUY, 55 * USDC, 100 * USDC, 0);
        vm.prank(operator);
        exchange.matchOrders(taker, makers, cost, fills);
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC);
        assertEq(usdc.balanceOf(alice), 1_000 * USDC - cost);
        assertEq(usdc.balanceOf(bob), 900 * USDC + cost);
        assertEq(exchange.getOrderStatus(exchange.hashOrder(taker)).remaining, 55 * USDC - cost);
    }

    function test_matchOrders_mintSplitsTwoBidsIntoFullSets() public {
        uint256 lockedBefore = usdc.balanceOf(address(ctf));
        // alice bids 0.60 for YES, bob 0.40 for NO at 1 %: bob's fee = 1 % * 0.4 * 100 / 0.4 = 1 NO
        ICtfExchange.Order memory taker = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        ICtfExchange.Order memory maker = _signed(bob, bobKey, no, BUY, 40 * USDC, 100 * USDC, 100);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.FeeCharged(operator, no, 1 * USDC);
        vm.prank(operator);
        exchange.matchOrders(taker, _one(maker), 60 * USDC, _amounts(40 * USDC));
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC);
        assertEq(ctf.balanceOf(bob, no), 99 * USDC);
        assertEq(ctf.balanceOf(operator, no), 1 * USDC);
        assertEq(usdc.balanceOf(address(ctf)) - lockedBefore, 100 * USDC);
        assertEq(usdc.balanceOf(alice) + usdc.balanceOf(bob), 1_900 * USDC);
    }

    function test_matchOrders_mergeTurnsTwoAsksIntoCollateral() public {
        _split(alice, 100 * USDC);
        _split(bob, 100 * USDC);
        uint256 lockedBefore = usdc.balanceOf(address(ctf));
        ICtfExchange.Order memory taker = _signed(alice, aliceKey, yes, SELL, 100 * USDC, 60 * USDC, 0);
        ICtfExchange.Order memory maker = _signed(bob, bobKey, no, SELL, 100 * USDC, 40 * USDC, 0);
        vm.prank(operator);
        exchange.matchOrders(taker, _one(maker), 100 * USDC, _amounts(100 * USDC));
        assertEq(ctf.balanceOf(alice, yes), 0);
        assertEq(ctf.balanceOf(bob, no), 0);
        assertEq(usdc.balanceOf(alice), 960 * USDC);
        assertEq(usdc.balanceOf(bob), 940 * USDC);
        assertEq(lockedBefore - usdc.balanceOf(address(ctf)), 100 * USDC);
    }

    function test_matchOrders_refusesWhatDoesNotMatch() public {
        _split(bob, 100 * USDC);
        ICtfExchange.Order memory bid = _signed(alice, aliceKey, yes, BUY, 40 * USDC, 100 * USDC, 0);
        ICtfExchange.Order memory ask = _signed(bob, bobKey, yes, SELL, 100 * USDC, 50 * USDC, 0);
        vm.startPrank(operator);
        vm.expectRevert(ICtfExchange.NotCrossing.selector);
        exchange.matchOrders(bid, _one(ask), 40 * USDC, _amounts(80 * USDC));

        ICtfExchange.Order memory highBid = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        ICtfExchange.Order memory noAsk = _signed(bob, bobKey, no, SELL, 100 * USDC, 30 * USDC, 0);
        vm.expectRevert(ICtfExchange.MismatchedTokenIds.selector);
        exchange.matchOrders(highBid, _one(noAsk), 60 * USDC, _amounts(100 * USDC));

        ICtfExchange.Order memory yesBid = _signed(bob, bobKey, yes, BUY, 50 * USDC, 100 * USDC, 0);
        vm.expectRevert(ICtfExchange.InvalidComplement.selector);
        exchange.matchOrders(highBid, _one(yesBid), 60 * USDC, _amounts(50 * USDC));

        // the maker sells only 50 YES: the taker's 60 USDC at 0.60 needs 100
        vm.expectRevert(ICtfExchange.TooLittleTokensReceived.selector);
        exchange.matchOrders(highBid, _one(ask), 60 * USDC, _amounts(50 * USDC));

        vm.expectRevert(ICtfExchange.LengthMismatch.selector);
        exchange.matchOrders(highBid, _one(ask), 60 * USDC, new uint256[](0));
        vm.stopPrank();
        assertEq(exchange.getOrderStatus(exchange.hashOrder(highBid)).remaining, 0);
    }

    // ------------------------------------------------------------------------------------ refusals

    function test_onlyOperatorsTradeAndOnlyAdminsConfigure() public {
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        vm.prank(bob);
        vm.expectRevert(ICtfExchange.NotOperator.selector);
        exchange.fillOrder(order, 1);
        vm.prank(alice);
        vm.expectRevert(ICtfExchange.NotOperator.selector);
        exchange.matchOrders(order, new ICtfExchange.Order[](0), 1, new uint256[](0));
        vm.startPrank(operator);
        vm.expectRevert(ICtfExchange.NotAdmin.selector);
        exchange.addOperator(alice);
        vm.expectRevert(ICtfExchange.NotAdmin.selector);
        exchange.pauseTrading();
        vm.expectRevert(ICtfExchange.NotAdmin.selector);
        exchange.registerToken(1, 2, bytes32(0));
        vm.stopPrank();

        exchange.removeOperator(operator);
        assertFalse(exchange.isOperator(operator));
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.NotOperator.selector);
        exchange.fillOrder(order, 1);
        exchange.addAdmin(alice);
        assertTrue(exchange.isAdmin(alice));
        exchange.removeAdmin(alice);
        assertFalse(exchange.isAdmin(alice));
    }

    function test_pauseStopsTradingUntilUnpaused() public {
        _split(operator, 100 * USDC);
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.TradingPaused(address(this));
        exchange.pauseTrading();
        assertTrue(exchange.paused());
        vm.startPrank(operator);
        vm.expectRevert(ICtfExchange.Paused.selector);
        exchange.fillOrder(order, 60 * USDC);
        vm.expectRevert(ICtfExchange.Paused.selector);
        exchange.matchOrders(order, new ICtfExchange.Order[](0), 60 * USDC, new uint256[](0));
        vm.stopPrank();
        exchange.unpauseTrading();
        vm.prank(operator);
        exchange.fillOrder(order, 60 * USDC);
        assertEq(ctf.balanceOf(alice, yes), 100 * USDC);
    }

    function test_cancelOrder_onlyByTheMakerAndOnce() public {
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        bytes32 orderHash = exchange.hashOrder(order);
        vm.prank(bob);
        vm.expectRevert(ICtfExchange.NotOwner.selector);
        exchange.cancelOrder(order);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.OrderCancelled(orderHash);
        vm.prank(alice);
        exchange.cancelOrders(_one(order));
        assertTrue(exchange.getOrderStatus(orderHash).isFilledOrCancelled);
        vm.expectRevert(ICtfExchange.OrderFilledOrCancelled.selector);
        exchange.validateOrder(order);
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.OrderFilledOrCancelled.selector);
        exchange.fillOrder(order, 1);
        vm.prank(alice);
        vm.expectRevert(ICtfExchange.OrderFilledOrCancelled.selector);
        exchange.cancelOrder(order);
    }

    function test_incrementNonce_invalidatesOlderOrders() public {
        ICtfExchange.Order memory old = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        vm.expectEmit(address(exchange));
        emit ICtfExchange.NonceIncremented(alice, 1);
        vm.prank(alice);
        exchange.incrementNonce();
        assertEq(exchange.nonces(alice), 1);
        vm.expectRevert(ICtfExchange.InvalidNonce.selector);
        exchange.validateOrder(old);
        ICtfExchange.Order memory fresh = _order(alice, yes, BUY, 60 * USDC, 100 * USDC, 0);
        fresh.nonce = 1;
        exchange.validateOrder(_sign(exchange, fresh, aliceKey));
    }

    function test_expiredOrdersAreRefused() public {
        ICtfExchange.Order memory order = _order(alice, yes, BUY, 60 * USDC, 100 * USDC, 0);
        order.expiration = block.timestamp + 10;
        order = _sign(exchange, order, aliceKey);
        vm.warp(block.timestamp + 10);
        exchange.validateOrder(order);
        vm.warp(block.timestamp + 1);
        vm.expectRevert(ICtfExchange.OrderExpired.selector);
        exchange.validateOrder(order);
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.OrderExpired.selector);
        exchange.fillOrder(order, 1);
    }

    function test_badSignaturesAreRefused() public {
        ICtfExchange.Order memory order = _order(alice, yes, BUY, 60 * USDC, 100 * USDC, 0);
        // signed by bob for alice's funds
        _expectInvalidSignature(_sign(exchange, order, bobKey));
        // a valid signature of the signer, who is not the maker
        order.signer = bob;
        _expectInvalidSignature(_sign(exchange, order, bobKey));
        // a malformed signature
        order.signer = alice;
        order.signature = hex"1234";
        _expectInvalidSignature(order);
        // Polymarket proxy and Safe wallets need factories this chain does not have
        order.signatureType = ICtfExchange.SignatureType.POLY_PROXY;
        _expectInvalidSignature(_sign(exchange, order, aliceKey));
        order.signatureType = ICtfExchange.SignatureType.POLY_GNOSIS_SAFE;
        _expectInvalidSignature(_sign(exchange, order, aliceKey));
        order.signatureType = ICtfExchange.SignatureType.EOA;
        exchange.validateOrder(_sign(exchange, order, aliceKey));
    }

    function _expectInvalidSignature(ICtfExchange.Order memory order) internal {
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(order);
    }

    function test_ordersSignedForAnotherChainOrExchangeAreRefused() public {
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 0);
        exchange.validateOrder(order);

        // the same order signed for another deployment of the exchange
        CtfExchange other = new CtfExchange(address(usdc), address(ctf), address(0), address(this));
        ICtfExchange.Order memory forOther = _sign(other, _order(alice, yes, BUY, 60 * USDC, 100 * USDC, 0), aliceKey);
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(forOther);

        // the order's signature was made on this chain; on another chain id its hash differs
        uint256 chainId = block.chainid;
        bytes32 hashHere = exchange.hashOrder(order);
        vm.chainId(chainId + 1);
        assertTrue(exchange.hashOrder(order) != hashHere);
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(order);
        vm.chainId(chainId);
        exchange.validateOrder(order);
    }

    function test_feeRateTokenAndTakerAreChecked() public {
        _split(operator, 100 * USDC);
        ICtfExchange.Order memory tooExpensive = _signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 1_001);
        vm.expectRevert(ICtfExchange.FeeTooHigh.selector);
        exchange.validateOrder(tooExpensive);
        exchange.validateOrder(_signed(alice, aliceKey, yes, BUY, 60 * USDC, 100 * USDC, 1_000));
        ICtfExchange.Order memory unregistered = _signed(alice, aliceKey, yes + 1, BUY, 60 * USDC, 100 * USDC, 0);
        vm.expectRevert(ICtfExchange.InvalidTokenId.selector);
        exchange.validateOrder(unregistered);

        ICtfExchange.Order memory private_ = _order(alice, yes, BUY, 60 * USDC, 100 * USDC, 0);
        private_.taker = bob;
        private_ = _sign(exchange, private_, aliceKey);
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.NotTaker.selector);
        exchange.fillOrder(private_, 60 * USDC);
    }

    function test_registerToken_refusesZeroSameAndRegisteredTokens() public {
        vm.expectRevert(ICtfExchange.InvalidTokenId.selector);
        exchange.registerToken(5, 5, bytes32(0));
        vm.expectRevert(ICtfExchange.InvalidTokenId.selector);
        exchange.registerToken(0, 5, bytes32(0));
        vm.expectRevert(ICtfExchange.AlreadyRegistered.selector);
        exchange.registerToken(5, no, bytes32(0));
        assertEq(exchange.getComplement(yes), no);
        assertEq(exchange.getComplement(no), yes);
        assertEq(exchange.getConditionId(no), conditionId);
        vm.expectRevert(ICtfExchange.InvalidTokenId.selector);
        exchange.getComplement(5);
        assertEq(exchange.getCollateral(), address(usdc));
        assertEq(exchange.getCtf(), address(ctf));
        assertEq(exchange.getNegRiskAdapter(), address(0));
        assertEq(exchange.getMaxFeeRate(), 1_000);
    }

    // ------------------------------------------------------------------------------------ POLY_1271

    function test_poly1271_contractMakerFillsOnlyHashesItApproved() public {
        Erc1271Maker maker = new Erc1271Maker(usdc, ctf, address(exchange));
        usdc.mint(address(maker), 100 * USDC);
        _split(operator, 100 * USDC);
        ICtfExchange.Order memory order = _order(address(maker), yes, BUY, 60 * USDC, 100 * USDC, 0);
        order.signatureType = ICtfExchange.SignatureType.POLY_1271;
        vm.prank(operator);
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.fillOrder(order, 60 * USDC);

        maker.approveHash(exchange.hashOrder(order));
        vm.prank(operator);
        exchange.fillOrder(order, 60 * USDC);
        assertEq(ctf.balanceOf(address(maker), yes), 100 * USDC);
        assertEq(usdc.balanceOf(address(maker)), 40 * USDC);

        // an approved hash is no EOA signature, and POLY_1271 needs signer == maker == a contract
        ICtfExchange.Order memory asEoa = _order(address(maker), yes, BUY, 1 * USDC, 2 * USDC, 0);
        maker.approveHash(exchange.hashOrder(asEoa));
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(asEoa);
        ICtfExchange.Order memory otherSigner = _order(address(maker), yes, BUY, 1 * USDC, 2 * USDC, 0);
        otherSigner.signatureType = ICtfExchange.SignatureType.POLY_1271;
        otherSigner.signer = alice;
        maker.approveHash(exchange.hashOrder(otherSigner));
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(otherSigner);
        ICtfExchange.Order memory eoaMaker = _order(alice, yes, BUY, 1 * USDC, 2 * USDC, 0);
        eoaMaker.signatureType = ICtfExchange.SignatureType.POLY_1271;
        vm.expectRevert(ICtfExchange.InvalidSignature.selector);
        exchange.validateOrder(eoaMaker);
    }

    // ------------------------------------------------------------------------------------ fuzz

    /// @dev The fee formula written independently: full-precision mulDiv over the price rounded as the exchange
    ///      rounds it (1e18 fixed point, down).
    function _referenceFee(uint256 rate, uint256 tokens, uint256 makerAmount, uint256 takerAmount, bool buy)
        internal
        pure
        returns (uint256)
    {
        uint256 p = buy ? Math.mulDiv(makerAmount, 1e18, takerAmount) : Math.mulDiv(takerAmount, 1e18, makerAmount);
        if (rate == 0 || p == 0 || p > 1e18) return 0;
        uint256 symmetric = Math.min(p, 1e18 - p);
        return buy ? Math.mulDiv(rate * symmetric, tokens, p * 10_000) : Math.mulDiv(rate * symmetric, tokens, 1e22);
    }

    function testFuzz_feeFormulaMatchesTheReferenceAndIsSymmetric(
        uint256 tokens,
        uint256 priceMillis,
        uint256 rate
    ) public pure {
        tokens = bound(tokens, 1_000, 1e15);
        priceMillis = bound(priceMillis, 1, 999);
        rate = bound(rate, 0, 1_000);
        uint256 collateral = (tokens * priceMillis) / 1_000;
        vm.assume(collateral > 0);
        uint256 buyFee = ExchangeMath.fee(rate, tokens, collateral, tokens, BUY);
        uint256 sellFee = ExchangeMath.fee(rate, tokens, tokens, collateral, SELL);
        assertEq(buyFee, _referenceFee(rate, tokens, collateral, tokens, true));
        assertEq(sellFee, _referenceFee(rate, tokens, tokens, collateral, false));
        // never more than the rate of the proceeds
        assertLe(buyFee, (rate * tokens) / 10_000);
        assertLe(sellFee, (rate * collateral) / 10_000 + 1);
        // a BUY's token fee is worth what a SELL's collateral fee is at the same price
        uint256 p = (collateral * 1e18) / tokens;
        assertApproxEqAbs((buyFee * p) / 1e18, sellFee, 2);
    }

    function testFuzz_fillSell_payoutAndStatusFollowTheFormula(
        uint256 makerAmount,
        uint256 priceMillis,
        uint256 rate,
        uint256 firstFill
    ) public {
        makerAmount = bound(makerAmount, 1, 500 * USDC);
        priceMillis = bound(priceMillis, 1, 999);
        rate = bound(rate, 0, 1_000);
        uint256 takerAmount = (makerAmount * priceMillis) / 1_000;
        firstFill = bound(firstFill, 0, makerAmount);
        _split(bob, makerAmount);
        ICtfExchange.Order memory order = _signed(bob, bobKey, yes, SELL, makerAmount, takerAmount, rate);

        uint256[2] memory fills = [firstFill, makerAmount - firstFill];
        uint256 expectedProceeds;
        for (uint256 i; i < 2; ++i) {
            uint256 taking = (fills[i] * takerAmount) / makerAmount;
            expectedProceeds += taking - _referenceFee(rate, fills[i], makerAmount, takerAmount, false);
            vm.prank(operator);
            exchange.fillOrder(order, fills[i]);
        }
        assertEq(usdc.balanceOf(bob), 1_000 * USDC - makerAmount + expectedProceeds);
        assertEq(usdc.balanceOf(operator), 1_000 * USDC - expectedProceeds);
        assertEq(ctf.balanceOf(operator, yes), makerAmount);
        assertTrue(exchange.getOrderStatus(exchange.hashOrder(order)).isFilledOrCancelled);
    }

    function testFuzz_fillBuy_payoutFollowsTheFormula(uint256 tokens, uint256 priceMillis, uint256 rate, uint256 fill)
        public
    {
        tokens = bound(tokens, 1_000, 500 * USDC);
        priceMillis = bound(priceMillis, 1, 999);
        rate = bound(rate, 0, 1_000);
        uint256 collateral = (tokens * priceMillis) / 1_000;
        fill = bound(fill, 1, collateral);
        _split(operator, tokens);
        ICtfExchange.Order memory order = _signed(alice, aliceKey, yes, BUY, collateral, tokens, rate);
        vm.prank(operator);
        exchange.fillOrder(order, fill);
        uint256 taking = (fill * tokens) / collateral;
        uint256 fee = _referenceFee(rate, taking, collateral, tokens, true);
        assertEq(ctf.balanceOf(alice, yes), taking - fee);
        assertEq(ctf.balanceOf(operator, yes), tokens - taking + fee);
        assertEq(usdc.balanceOf(operator), 1_000 * USDC - tokens + fill);
        assertEq(exchange.getOrderStatus(exchange.hashOrder(order)).remaining, collateral - fill);
    }
}
