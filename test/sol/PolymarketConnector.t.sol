// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../../contracts/interfaces/IPolymarketConnector.sol";
import {RegistryAccess} from "../../contracts/registry/RegistryAccess.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector (local CTF Exchange, NegRisk CTF Exchange and NegRiskAdapter on the real Conditional
///         Tokens): keeper-gate-only actions, governance and guardian roles, market registration and its checks.
///         The other PolymarketConnector*.t.sol files hold orders, flows, valuation and caps (four tests a file:
///         a larger test contract crashes WASM solc).
contract PolymarketConnectorTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

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
}
