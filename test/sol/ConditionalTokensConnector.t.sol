// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IConditionalTokens, IFixedProductMarketMaker} from "../../contracts/interfaces/IConditionalTokens.sol";
import {IConditionalTokensConnector} from "../../contracts/interfaces/IConditionalTokensConnector.sol";
import {RegistryAccess} from "../../contracts/registry/RegistryAccess.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {ConditionalTokensTestBase} from "./ConditionalTokensTestBase.sol";

/// @notice ConditionalTokensConnector on the real Conditional Tokens and FixedProductMarketMaker: roles,
///         registration, exact approvals, receiver hooks, valuation rules, exposure caps and NAV gas at the cap.
contract ConditionalTokensConnectorTest is ConditionalTokensTestBase {
    bytes32 internal constant Q = keccak256("will it rain");
    bytes32 internal cid;
    IFixedProductMarketMaker internal pool;

    function setUp() public {
        _setUpStack();
        (cid, pool) = _market(Q, 2, bytes32(0), 50_000 * ONE);
    }

    // ------------------------------------------------------------------------------------ roles

    function test_actionsAreKeeperGateOnly() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.split(address(asset), ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.merge(address(asset), ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.redeem(address(asset), 0, cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.buy(address(asset), ONE, cid, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotKeeperGate.selector, stranger));
        connector.sell(address(asset), ONE, cid, 0, type(uint256).max);
        vm.stopPrank();
    }

    function test_governanceGuardianAndKeeperRoles() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.addMarket(cid, address(asset), 2, bytes32(0), address(0));
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.setMarks(cid, new uint256[](2), uint64(block.timestamp));
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, stranger));
        connector.setExposureCaps(100, 200);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGuardianOrGovernance.selector, stranger));
        connector.setFrozen(cid, true);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGuardianOrGovernance.selector, stranger));
        connector.clearMarks(cid);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.NotKeeperGateOrGovernance.selector, stranger)
        );
        connector.removeMarket(cid);
        vm.stopPrank();

        // the guardian may only make things more conservative
        vm.startPrank(guardian);
        connector.setFrozen(cid, true);
        connector.clearMarks(cid);
        vm.expectRevert(abi.encodeWithSelector(RegistryAccess.NotGovernance.selector, guardian));
        connector.setFrozen(cid, false);
        vm.stopPrank();
        assertTrue(connector.market(cid).frozen);
        connector.setFrozen(cid, false);
        assertFalse(connector.market(cid).frozen);
        // the keeper gate removes an empty market
        vm.prank(keeper);
        connector.removeMarket(cid);
        assertEq(connector.marketIds().length, 0);
        assertEq(connector.totalLegs(), 0);
    }

    // ----------------------------------------------------------------------------- registration

    function test_registrationChecks() public {
        bytes32 three = _condition(keccak256("three"), 3);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidOutcomeSlotCount.selector, 2, 3));
        connector.addMarket(three, address(asset), 2, bytes32(0), address(0));
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidOutcomeSlotCount.selector, 2, 0));
        connector.addMarket(keccak256("never prepared"), address(asset), 2, bytes32(0), address(0));
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketAlreadyAdded.selector, cid));
        connector.addMarket(cid, address(asset), 2, bytes32(0), address(pool));
        // a pool over another condition
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.PoolNotForMarket.selector, address(pool)));
        connector.addMarket(three, address(asset), 3, bytes32(0), address(pool));
        // only the vault's base asset settles a market
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        registry.setConnectorToken(address(connector), address(other), true);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.CollateralNotBaseAsset.selector, address(other))
        );
        connector.addMarket(three, address(other), 3, bytes32(0), address(0));
    }

    function test_positionCapsBoundTheValueReport() public {
        // 2 + 25 + 5 = 32 legs: the total cap
        connector.addMarket(_condition(keccak256("a"), 25), address(asset), 25, bytes32(0), address(0));
        connector.addMarket(_condition(keccak256("b"), 5), address(asset), 5, bytes32(0), address(0));
        bytes32 extra = _condition(keccak256("c"), 2);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.TooManyLegs.selector, 34));
        connector.addMarket(extra, address(asset), 2, bytes32(0), address(0));
        bytes32 big = _condition(keccak256("d"), 33);
        vm.prank(keeper);
        connector.removeMarket(cid);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidOutcomeSlotCount.selector, 33, 33));
        connector.addMarket(big, address(asset), 33, bytes32(0), address(0));
    }

    function test_marketCountCap() public {
        for (uint256 i = 1; i < 8; ++i) {
            connector.addMarket(_condition(bytes32(i), 2), address(asset), 2, bytes32(0), address(0));
        }
        bytes32 ninth = _condition(bytes32(uint256(9)), 2);
        vm.expectRevert(IConditionalTokensConnector.TooManyMarkets.selector);
        connector.addMarket(ninth, address(asset), 2, bytes32(0), address(0));
    }

    // ------------------------------------------------------------------- split, merge, approvals

    function test_fullSetAtParAndExactApprovals() public {
        uint256 before = _value();
        _split(cid, 1_000 * ONE);
        assertEq(_value(), before, "a full set is worth par");
        assertEq(asset.allowance(address(connector), address(ctf)), 0, "split approval reset");
        uint256[] memory balances = _balances(cid);
        assertEq(balances[0], 1_000 * ONE);
        assertEq(balances[1], 1_000 * ONE);
        assertEq(connector.market(cid).exposure, 0);

        vm.prank(keeper);
        connector.merge(address(asset), 400 * ONE, cid);
        assertEq(_value(), before);
        assertEq(_balances(cid)[0], 600 * ONE);
        assertEq(asset.balanceOf(address(connector)), NAV - 600 * ONE);
    }

    function test_wrongCollateralAndIndexAreRefused() public {
        vm.startPrank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.WrongCollateral.selector, address(1), address(asset))
        );
        connector.split(address(1), ONE, cid);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidOutcomeIndex.selector, 2));
        connector.buy(address(asset), ONE, cid, 2, 0);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.UnknownMarket.selector, bytes32(uint256(7))));
        connector.buy(address(asset), ONE, bytes32(uint256(7)), 0, 0);
        vm.stopPrank();
    }

    function test_buyAndSellThroughThePoolWithBoundsAndExactApprovals() public {
        uint256 quote = pool.calcBuyAmount(1_000 * ONE, 0);
        vm.prank(keeper);
        vm.expectRevert(); // the pool's own min-out
        connector.buy(address(asset), 1_000 * ONE, cid, 0, quote + 1);

        vm.prank(keeper);
        uint256 tokens = connector.buy(address(asset), 1_000 * ONE, cid, 0, quote);
        assertEq(tokens, quote);
        assertEq(_balances(cid)[0], quote);
        assertEq(asset.allowance(address(connector), address(pool)), 0, "buy approval reset");
        assertEq(connector.market(cid).exposure, quote);
        assertEq(_value(), NAV - 1_000 * ONE, "unpaired tokens count at 0 by default");

        uint256 needed = pool.calcSellAmount(500 * ONE, 0);
        vm.prank(keeper);
        vm.expectRevert(); // the pool's own max-in
        connector.sell(address(asset), 500 * ONE, cid, 0, needed - 1);
        vm.prank(keeper);
        uint256 sold = connector.sell(address(asset), 500 * ONE, cid, 0, needed);
        assertEq(sold, needed);
        assertFalse(ctf.isApprovedForAll(address(connector), address(pool)), "operator approval reset");
        assertEq(_value(), NAV - 500 * ONE);
        assertEq(connector.market(cid).exposure, quote - needed);
    }

    function test_noPoolMeansNoTrade() public {
        bytes32 bare = _condition(keccak256("bare"), 2);
        connector.addMarket(bare, address(asset), 2, bytes32(0), address(0));
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.NoPool.selector, bare));
        connector.buy(address(asset), ONE, bare, 0, 0);
    }

    // ------------------------------------------------------------------------------- receivers

    function test_hooksRefuseTokensOutsideOwnActions() public {
        // a third party splits its own full set and tries to push a leg into the connector
        asset.mint(stranger, 10 * ONE);
        uint256[] memory partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
        vm.startPrank(stranger);
        asset.approve(address(ctf), 10 * ONE);
        ctf.splitPosition(address(asset), bytes32(0), cid, partition, 10 * ONE);
        uint256 id = connector.positionIdsOf(cid)[0];
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.UnsolicitedTokens.selector, address(ctf), stranger)
        );
        ctf.safeTransferFrom(stranger, address(connector), id, 10 * ONE, "");
        vm.stopPrank();

        // direct calls and other ERC-1155 contracts
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.UnsolicitedTokens.selector, address(this), address(this))
        );
        connector.onERC1155Received(address(this), address(this), id, 1, "");
        IConditionalTokens foreign = IConditionalTokens(_deployArtifact(CTF_ARTIFACT));
        foreign.prepareCondition(oracle, Q, 2);
        asset.mint(stranger, ONE);
        vm.startPrank(stranger);
        asset.approve(address(foreign), ONE);
        foreign.splitPosition(address(asset), bytes32(0), cid, partition, ONE);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.UnsolicitedTokens.selector, address(foreign), stranger)
        );
        foreign.safeTransferFrom(stranger, address(connector), id, ONE, "");
        vm.stopPrank();
        assertEq(_balances(cid)[0], 0);
        assertTrue(connector.supportsInterface(type(IERC1155Receiver).interfaceId));
    }

    // ------------------------------------------------------------------------------- valuation

    function test_resolvedAtPayoutAndRedeemed() public {
        _split(cid, 1_000 * ONE);
        uint256 tokens = _buy(cid, 0, 1_000 * ONE);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketNotResolved.selector, cid));
        connector.redeem(address(asset), 0, cid);

        _report(Q, _payouts(2, 0));
        assertEq(_value(), NAV - 2_000 * ONE + 1_000 * ONE + tokens, "winning leg at par, losing leg at 0");
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketIsResolved.selector, cid));
        connector.buy(address(asset), ONE, cid, 0, 0);

        uint256 expected = 1_000 * ONE + tokens;
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.SlippageExceeded.selector, expected, expected + 1)
        );
        connector.redeem(address(asset), expected + 1, cid);
        vm.prank(keeper);
        assertEq(connector.redeem(address(asset), expected, cid), expected);
        assertEq(_value(), NAV - 1_000 * ONE + tokens);
        assertEq(connector.market(cid).exposure, 0);
        vm.prank(keeper);
        connector.removeMarket(cid);
    }

    function test_voidedMarketPaysHalf() public {
        _split(cid, 1_000 * ONE);
        uint256 tokens = _buy(cid, 1, 1_000 * ONE);
        uint256[] memory payouts = new uint256[](2);
        payouts[0] = 1;
        payouts[1] = 1;
        _report(Q, payouts);
        assertEq(_value(), NAV - 2_000 * ONE + 1_000 * ONE + tokens / 2);
    }

    function test_partialAtExpiringMarksAndFrozenAtZero() public {
        uint256 tokens = _buy(cid, 0, 1_000 * ONE);
        uint256[] memory marks = new uint256[](2);
        marks[0] = 0.4e18;
        marks[1] = 0.6e18;
        uint64 until = uint64(block.timestamp + 1 days);
        connector.setMarks(cid, marks, until);
        assertEq(_value(), NAV - 1_000 * ONE + (tokens * 4) / 10, "unpaired tokens at their mark");

        // a mark nobody renews falls back to 0
        vm.warp(until + 1);
        assertEq(_value(), NAV - 1_000 * ONE);
        vm.warp(until);
        // frozen: marks ignored, trades refused, merge still works
        vm.prank(guardian);
        connector.setFrozen(cid, true);
        assertEq(_value(), NAV - 1_000 * ONE);
        vm.startPrank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketIsFrozen.selector, cid));
        connector.sell(address(asset), ONE, cid, 0, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketIsFrozen.selector, cid));
        connector.split(address(asset), ONE, cid);
        vm.stopPrank();
        // the guardian voids the marks at once
        connector.setFrozen(cid, false);
        vm.prank(guardian);
        connector.clearMarks(cid);
        assertEq(_value(), NAV - 1_000 * ONE);
    }

    function test_marksAreBounded() public {
        uint256[] memory marks = new uint256[](2);
        marks[0] = 0.5e18;
        marks[1] = 0.5e18 + 1;
        vm.expectRevert(IConditionalTokensConnector.InvalidMarks.selector);
        connector.setMarks(cid, marks, uint64(block.timestamp + 1));
        vm.expectRevert(IConditionalTokensConnector.InvalidMarks.selector);
        connector.setMarks(cid, new uint256[](3), uint64(block.timestamp + 1));
        marks[1] = 0.5e18;
        uint64 tooLong = uint64(block.timestamp + connector.MAX_MARK_TTL() + 1);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidMarkExpiry.selector, tooLong));
        connector.setMarks(cid, marks, tooLong);
        _report(Q, _payouts(2, 1));
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketIsResolved.selector, cid));
        connector.setMarks(cid, marks, uint64(block.timestamp + 1));
    }

    function test_frozenMarketStillRedeems() public {
        uint256 tokens = _buy(cid, 1, 500 * ONE);
        vm.prank(guardian);
        connector.setFrozen(cid, true);
        _report(Q, _payouts(2, 1));
        assertEq(_value(), NAV - 500 * ONE + tokens, "a reported payout is final");
        vm.prank(keeper);
        assertEq(connector.redeem(address(asset), tokens, cid), tokens);
    }

    function test_removingNeedsAnEmptyMarket() public {
        _split(cid, ONE);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.MarketNotEmpty.selector, cid));
        connector.removeMarket(cid);
    }

    // --------------------------------------------------------------------------- exposure caps

    function test_eventCapOnTheSettledNav() public {
        // 15 % of 100k = 15k of unpaired tokens at most
        uint256 limit = (NAV * connector.DEFAULT_EVENT_CAP_BPS()) / 10_000;
        uint256 investment = 9_000 * ONE;
        uint256 quote = pool.calcBuyAmount(investment, 0);
        assertGt(quote, limit);
        vm.prank(keeper);
        vm.expectRevert(
            abi.encodeWithSelector(IConditionalTokensConnector.EventExposureAboveCap.selector, cid, quote, limit)
        );
        connector.buy(address(asset), investment, cid, 0, 0);
        // split + sell grows the exposure too
        _split(cid, 20_000 * ONE);
        vm.prank(keeper);
        vm.expectRevert();
        connector.sell(address(asset), 10_000 * ONE, cid, 1, type(uint256).max);
        // within the cap, then a reduction is always allowed
        _buy(cid, 0, 5_000 * ONE);
        connector.setExposureCaps(100, 100);
        vm.prank(keeper);
        connector.sell(address(asset), 1_000 * ONE, cid, 0, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidExposureCap.selector, 200, 100));
        connector.setExposureCaps(200, 100);
        vm.expectRevert(abi.encodeWithSelector(IConditionalTokensConnector.InvalidExposureCap.selector, 100, 5_001));
        connector.setExposureCaps(100, 5_001);
    }

    function test_groupCapAcrossCorrelatedMarkets() public {
        bytes32 group = keccak256("election");
        (bytes32 a,) = _market(keccak256("a"), 2, group, 50_000 * ONE);
        (bytes32 b,) = _market(keccak256("b"), 2, group, 50_000 * ONE);
        connector.setExposureCaps(1_500, 2_000);
        _buy(a, 0, 7_000 * ONE); // ~13.5k exposure, under 15k
        uint256 groupBefore = connector.groupOf(group).exposure;
        assertEq(groupBefore, connector.market(a).exposure);
        vm.prank(keeper);
        vm.expectRevert(); // the second market alone is fine, but the group passes 20k
        connector.buy(address(asset), 7_000 * ONE, b, 0, 0);
        _buy(b, 0, 3_000 * ONE);
        assertEq(connector.groupOf(group).exposure, connector.market(a).exposure + connector.market(b).exposure);
        assertLe(connector.groupOf(group).exposure, (NAV * 2_000) / 10_000);
    }

    // ------------------------------------------------------------------------ NAV gas at the cap

    /// @dev 8 markets, 32 legs (the caps), every leg held unpaired and marked: the most a value report reads
    ///      while markets are open; and the same with every market resolved.
    function test_navGasAtThePositionCap() public {
        vm.prank(keeper);
        connector.removeMarket(cid);
        bytes32[] memory ids = new bytes32[](8);
        for (uint256 i; i < 8; ++i) {
            (ids[i],) = _market(bytes32(i + 100), 4, bytes32(0), 10_000 * ONE);
            uint256[] memory marks = new uint256[](4);
            for (uint256 j; j < 4; ++j) {
                marks[j] = 0.2e18;
                _buy(ids[i], j, (j + 1) * 10 * ONE);
            }
            connector.setMarks(ids[i], marks, uint64(block.timestamp + 1 days));
        }
        assertEq(connector.totalLegs(), connector.MAX_TOTAL_LEGS());
        uint256 open = _measureNav();
        for (uint256 i; i < 8; ++i) _report(bytes32(i + 100), _payouts(4, i % 4));
        uint256 resolved = _measureNav();
        emit log_named_uint("totalValue gas, 32 open marked legs", open);
        emit log_named_uint("totalValue gas, 32 resolved legs", resolved);
        // the vault gives each connector read 500k (ConnectorValuation.VALUATION_GAS); 10 % kept spare
        assertLt(open, 450_000);
        assertLt(resolved, 450_000);
    }

    function _measureNav() internal returns (uint256 used) {
        vm.cool(address(connector));
        vm.cool(address(ctf));
        uint256 start = gasleft();
        connector.totalValue();
        used = start - gasleft();
    }
}
