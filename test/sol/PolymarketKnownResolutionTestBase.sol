// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {CtfExchange} from "../../contracts/venues/polymarket/CtfExchange.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice Setup and checks of PolymarketKnownResolutionNegRiskTest, the negRisk half of the known-resolution bound
///         (PolymarketKnownResolutionDepositTest holds the binary half with its own copy of these helpers: with this
///         base, or with both fuzz tests in one contract, WASM solc crashes). On the real vault, Conditional Tokens,
///         CTF Exchange, NegRisk CTF Exchange and NegRiskAdapter, a deposit `D` settled at NAV `V` just before a
///         resolution its sender already knows takes at most `exposure × D / (V + D)` from the existing holders,
///         where `exposure` is the resolved condition's worst-case exposure as PolymarketValuer.exposures reports
///         it (open orders counted as filled).
abstract contract PolymarketKnownResolutionTestBase is PolymarketConnectorTestBase {
    /// @dev Share-math rounding (virtual shares and assets, rounded down twice).
    uint256 internal constant ROUNDING = 2;
    address internal insider = makeAddr("insider");
    address internal anyone = makeAddr("anyone");

    function _setUp() internal {
        _setUpStack();
        _fundMaker(20_000 * ONE);
        // a band wide enough for every move below: this test is about valuation, not the guardrail
        vault.setGuardrails(
            GuardrailMath.Guardrails({
                toleranceBps: 5_000,
                maxIncreaseBpsPerYear: 10_000,
                maxDecreaseBpsPerYear: 10_000,
                settlementDeadline: 3 days
            })
        );
    }

    // -------------------------------------------------------------------------------- helpers

    /// @dev The connector's BUY of `tokens` of `tokenId` at `priceBps`, filled in full by the maker and closed.
    function _buyFilled(CtfExchange venue, uint256 tokenId, uint256 tokens, uint256 priceBps) internal {
        ICtfExchange.Order memory buy = _pmOrder(tokenId, BUY, _cost(tokens, priceBps), tokens);
        _place(_one(buy));
        _fillBuy(venue, buy);
        _close(_one(buy));
    }

    /// @dev YES of question `i`, up to 9k tokens (three of them stay within the 30 % group cap), at 0.3.
    function _buyYes(uint256 i, uint256 tokens) internal {
        tokens = bound(tokens, 0, 9_000 * ONE);
        if (tokens != 0) _buyFilled(negRiskExchange, qYes[i], tokens, 3_000);
    }

    function _cost(uint256 tokens, uint256 priceBps) internal pure returns (uint256 cost) {
        cost = (tokens * priceBps) / 10_000;
        if (cost == 0) cost = 1;
    }

    /// @dev The holders' NAV is settled with the positions at their conservative value, then the insider's
    ///      deposit is settled at that NAV and claimed.
    function _insiderEnters(uint256 deposit) internal returns (uint256 navBefore, uint256 shares) {
        _requestDeposit(anyone, MIN_REQUEST);
        assertTrue(_settle());
        navBefore = vault.totalAssets();
        _requestDeposit(insider, deposit);
        assertTrue(_settle());
        vm.prank(insider);
        shares = vault.deposit(deposit, insider, insider);
    }

    /// @dev Asserts the insider's gain, and the holders' loss against the same resolution without the insider
    ///      (there the holders own all of `navBefore` and the connector's whole jump), within
    ///      `exposure × deposit / (navBefore + deposit)`, and the connector's jump within the exposure.
    function _checkBound(uint256 exposure, uint256 navBefore, uint256 deposit, uint256 shares, uint256 valueBefore)
        internal
        view
        returns (uint256 gain, int256 jump)
    {
        jump = int256(_value()) - int256(valueBefore);
        uint256 worth = vault.convertToAssets(shares);
        gain = worth > deposit ? worth - deposit : 0;
        uint256 limit = (exposure * deposit) / (navBefore + deposit);
        assertLe(gain, limit + ROUNDING, "the insider took more than exposure x deposit / (NAV + deposit)");
        int256 holdersLoss = int256(navBefore) + jump - int256(vault.convertToAssets(vault.totalSupply() - shares));
        assertLe(holdersLoss, int256(limit + ROUNDING), "the holders lost more than the bound");
        assertLe(jump < 0 ? uint256(-jump) : uint256(jump), exposure, "the resolution moved NAV by more than e");
    }

    /// @dev Every condition within the event cap, and the resolved one's group within the group cap, of the
    ///      NAV settled when the orders were placed.
    function _assertWithinCaps(uint256 index) internal view {
        uint256[] memory worst = valuer.exposures(connector, false);
        uint256 nav = vault.lastTotalAssets();
        uint256 group;
        bytes32 groupId = connector.condition(connector.conditionIds()[index]).group;
        for (uint256 c; c < worst.length; ++c) {
            assertLe(worst[c] * 10_000, nav * connector.eventCapBps(), "event cap");
            if (connector.condition(connector.conditionIds()[c]).group == groupId) group += worst[c];
        }
        assertLe(group * 10_000, nav * connector.groupCapBps(), "group cap");
    }

    function _questionId(uint256 index) internal view returns (bytes32) {
        return bytes32(uint256(marketId) | index);
    }
}
