// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice PolymarketConnector at its caps: MAX_CONDITIONS registered conditions (one binary market and seven
///         negRisk markets, the most negRisk markets the base's three-question market leaves room for), every leg
///         held and MAX_OPEN_ORDERS orders open. What a value report costs open and resolved (cold), and what the
///         cap check of the last order costs.
contract PolymarketConnectorNavGasTest is PolymarketConnectorTestBase {
    bytes32[] internal markets;

    function setUp() public {
        _setUpStack();
        markets.push(marketId);
        // two-question negRisk markets up to MAX_CONDITIONS
        uint256 extra = (connector.MAX_CONDITIONS() - connector.conditionIds().length) / 2;
        for (uint256 i; i < extra; ++i) {
            bytes32 id = _negRiskMarket(string(abi.encode("market", i)), 2);
            connector.addNegRiskMarket(id, bytes32(0));
            markets.push(id);
        }
    }

    function test_navGasAtTheCaps() public {
        bytes32[] memory ids = connector.conditionIds();
        assertEq(ids.length, connector.MAX_CONDITIONS());
        vm.startPrank(keeper);
        for (uint256 c; c < ids.length; ++c) connector.split(address(asset), 10 * ONE, ids[c]);
        vm.stopPrank();

        // MAX_OPEN_ORDERS - 1 open BUYs over every leg, then the last one alone: its cap check reads them all
        uint256 cap = connector.MAX_OPEN_ORDERS();
        ICtfExchange.Order[] memory orders = new ICtfExchange.Order[](cap - 1);
        for (uint256 i; i < cap - 1; ++i) orders[i] = _pmOrder(_leg(ids, i), BUY, ONE, 2 * ONE);
        _place(orders);
        ICtfExchange.Order memory last = _pmOrder(_leg(ids, cap - 1), BUY, ONE, 2 * ONE);
        _coolAll();
        uint256 start = gasleft();
        _place(_one(last));
        uint256 placeLast = start - gasleft();
        assertEq(connector.openOrderHashes().length, cap);

        uint256 open = _measureNav();
        _report(Q, 0);
        for (uint256 k; k < markets.length; ++k) {
            uint256 count = connector.negRiskMarket(markets[k]).questionCount;
            for (uint256 q; q < count; ++q) adapter.reportOutcome(bytes32(uint256(markets[k]) | q), q == 0);
        }
        uint256 resolved = _measureNav();
        emit log_named_uint("placeOrders gas, the 32nd open order", placeLast);
        emit log_named_uint("totalValue gas, MAX_CONDITIONS open conditions, MAX_OPEN_ORDERS open orders", open);
        emit log_named_uint("totalValue gas, the same resolved", resolved);
        // the vault gives one connector read 500k gas (ConnectorValuation.VALUATION_GAS): at the caps, open or
        // resolved, the connector must value within it with room for the vault's own overhead
        assertLt(open, 450_000);
        assertLt(resolved, 450_000);
        assertLt(placeLast, 1_900_000);
    }

    /// @dev Leg `i` of the registered conditions, YES and NO in turn.
    function _leg(bytes32[] memory ids, uint256 i) internal view returns (uint256) {
        bytes32 conditionId = ids[(i / 2) % ids.length];
        return i % 2 == 0 ? connector.condition(conditionId).yesTokenId : connector.condition(conditionId).noTokenId;
    }

    function _coolAll() internal {
        vm.cool(address(connector));
        vm.cool(address(valuer));
        vm.cool(address(ctf));
        vm.cool(address(adapter));
        vm.cool(address(exchange));
        vm.cool(address(negRiskExchange));
        vm.cool(address(vault));
        vm.cool(address(asset));
    }

    function _measureNav() internal returns (uint256 used) {
        _coolAll();
        uint256 start = gasleft();
        connector.totalValue();
        used = start - gasleft();
    }
}
