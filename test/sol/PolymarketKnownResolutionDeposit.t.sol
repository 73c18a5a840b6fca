// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {CtfExchange} from "../../contracts/venues/polymarket/CtfExchange.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";
import {PolymarketConnectorTestBase} from "./PolymarketConnectorTestBase.sol";

/// @notice On the real vault, Conditional Tokens, CTF Exchange, NegRisk CTF Exchange and NegRiskAdapter: a deposit
///         `D` settled at NAV `V` just before a resolution its sender already knows takes at most
///         `exposure × D / (V + D)` from the existing holders, where `exposure` is the resolved condition's
///         worst-case exposure as PolymarketValuer.exposures reports it (open orders counted as filled). The
///         positions are real fills of the connector's orders: a binary market with an unpaired leg (and an open
///         BUY of the other leg that may fill before the resolution), and a negRisk market's YES legs (a YES set
///         plus unpaired YES, possibly after another question resolved NO).
contract PolymarketKnownResolutionDepositTest is PolymarketConnectorTestBase {
    /// @dev Share-math rounding (virtual shares and assets, rounded down twice).
    uint256 internal constant ROUNDING = 2;
    address internal insider = makeAddr("insider");
    address internal anyone = makeAddr("anyone");

    function setUp() public {
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

    /// @dev Binary market: `sets` full sets, `unpaired` tokens of one leg bought at `priceBps`, an open BUY of
    ///      `opposite` tokens of the other leg at `priceBps` that fills after the insider's deposit or not; then
    ///      YES, NO or a void (half each). `flags`: bit 0 the unpaired leg is YES, bit 1 the open BUY fills,
    ///      `flags >> 2` picks the outcome.
    function testFuzz_binaryUnpairedLegBeforeKnownResolution(
        uint256 sets,
        uint256 unpaired,
        uint256 priceBps,
        uint256 opposite,
        uint8 flags,
        uint256 deposit
    ) public {
        sets = bound(sets, 0, 20_000 * ONE);
        unpaired = bound(unpaired, ONE, 15_000 * ONE);
        priceBps = bound(priceBps, 100, 9_900);
        opposite = bound(opposite, 0, 15_000 * ONE);
        deposit = bound(deposit, MIN_REQUEST, 1_000_000 * ONE);
        bool yesUnpaired = flags & 1 == 1;
        uint256 outcome = (flags >> 2) % 3;
        (uint256 leg, uint256 other) = yesUnpaired ? (yes, no) : (no, yes);

        if (sets != 0) {
            vm.prank(keeper);
            connector.split(address(asset), sets, cid);
        }
        _buyFilled(exchange, leg, unpaired, priceBps);
        ICtfExchange.Order memory open;
        if (opposite != 0) {
            open = _pmOrder(other, BUY, _cost(opposite, 10_000 - priceBps), opposite);
            _place(_one(open));
        }
        _assertWithinCaps(0);

        uint256 valueBefore = _value();
        uint256 exposure = valuer.exposures(connector, false)[0];
        (uint256 navBefore, uint256 shares) = _insiderEnters(deposit);
        if (opposite != 0 && flags & 2 == 2) _fillBuy(exchange, open);
        uint256[] memory payouts = new uint256[](2);
        if (outcome == 2) {
            payouts[0] = 1;
            payouts[1] = 1;
        } else {
            payouts[outcome] = 1;
        }
        vm.prank(oracle);
        ctf.reportPayouts(Q, payouts);

        (uint256 gain, int256 jump) = _checkBound(exposure, navBefore, deposit, shares, valueBefore);
        // a winning unpaired leg with no opposite order moves NAV by the whole exposure: the bound is attained
        if (opposite == 0 && outcome == (yesUnpaired ? 0 : 1)) {
            assertEq(jump, int256(exposure), "the unpaired leg pays its exposure");
            uint256 limit = (exposure * deposit) / (navBefore + deposit);
            assertGe(gain + ROUNDING, limit, "the bound is tight");
            // so the same check at half of the bound fails
            if (limit > 10 * ROUNDING) assertGt(gain, limit / 2 + ROUNDING, "half of the bound would hold");
        }
    }

    // -------------------------------------------------------------------------------- helpers

    /// @dev The connector's BUY of `tokens` of `tokenId` at `priceBps`, filled in full by the maker and closed.
    function _buyFilled(CtfExchange venue, uint256 tokenId, uint256 tokens, uint256 priceBps) internal {
        ICtfExchange.Order memory buy = _pmOrder(tokenId, BUY, _cost(tokens, priceBps), tokens);
        _place(_one(buy));
        _fillBuy(venue, buy);
        _close(_one(buy));
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
}
