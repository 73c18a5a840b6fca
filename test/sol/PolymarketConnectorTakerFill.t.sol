// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice What a match that makes the PolymarketConnector's order the taker pays it (docs/valuation.md, the
///         exposure caps).
contract PolymarketConnectorTakerFillTest is PolymarketConnectorTestBase {
    function setUp() public {
        _setUpStack();
        _fundMaker(50_000 * ONE);
    }

    /// @dev The exchange pays a taker order everything the maker orders left of the asset it buys, so a BUY
    ///      of the connector matched as the taker against cheaper SELLs brings more tokens than its limit:
    ///      the exposure can exceed the cap the order was placed under. The value does not rise (the tokens
    ///      are unpaired), and the connector paid no more than its maker amount.
    function test_takerMatchBringsMoreThanTheLimit() public {
        // 15 % of 100k: a BUY of 15k YES at 0.5, matched against a SELL of 30k YES at 0.25
        ICtfExchange.Order memory buy = _pmOrder(yes, BUY, 7_500 * ONE, 15_000 * ONE);
        _place(_one(buy));
        ICtfExchange.Order memory sell = _makerOrder(exchange, yes, SELL, 30_000 * ONE, 7_500 * ONE);
        exchange.matchOrders(buy, _one(sell), 7_500 * ONE, _amounts(30_000 * ONE));
        assertEq(_bal(yes), 30_000 * ONE);
        assertEq(valuer.exposures(connector, false)[0], 30_000 * ONE, "twice the 15k cap");
        assertEq(_value(), NAV - 7_500 * ONE, "unpaired at 0: the value did not rise");
        _close(_one(buy));
    }
}
