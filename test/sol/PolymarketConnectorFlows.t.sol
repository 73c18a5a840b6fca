// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {RegistryAccess} from "../../contracts/registry/RegistryAccess.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector flows against the real Conditional Tokens and the local exchanges and adapter:
///         Dutch books filled by the operator against EOA makers and locked by merge or conversion, fees, the
///         negRisk YES-set rule, frozen and resolved markets, split / merge approvals, caps, receiver hooks.
contract PolymarketConnectorFlowsTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    // ------------------------------------------------------------------------------ full flows

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

    // ------------------------------------------------------------------------------ split/merge

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

    // ------------------------------------------------------------------------------------ caps

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

    // ------------------------------------------------------------------------ ERC-1155 receiver

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
}
