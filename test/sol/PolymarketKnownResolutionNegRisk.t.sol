// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PolymarketKnownResolutionTestBase} from "./PolymarketKnownResolutionTestBase.sol";
/// @notice A deposit settled just before a known resolution of a negRisk question held as YES legs (a YES set
///         plus unpaired YES) takes at most `exposure × D / (V + D)` (PolymarketKnownResolutionTestBase).
contract PolymarketKnownResolutionNegRiskTest is PolymarketKnownResolutionTestBase {
    function setUp() public {
        _setUp();
    }

    /// @dev NegRisk market of three questions: YES of every question (amounts `yes0`..`yes2`, so a YES set of
    ///      the smallest plus unpaired YES), optionally another question resolved NO before the holders'
    ///      settlement (the YES set then counts at 0), then question `question` resolves as the insider knew.
    function testFuzz_negRiskYesLegsBeforeKnownResolution(
        uint256 yes0,
        uint256 yes1,
        uint256 yes2,
        uint8 question,
        bool wins,
        bool earlierNo,
        uint256 deposit
    ) public {
        uint256 k = question % QUESTIONS;
        deposit = bound(deposit, MIN_REQUEST, 1_000_000 * ONE);
        _buyYes(0, yes0);
        _buyYes(1, yes1);
        _buyYes(2, yes2);
        _assertWithinCaps(1 + k);
        if (earlierNo) adapter.reportOutcome(_questionId((k + 1) % QUESTIONS), false);

        uint256 valueBefore = _value();
        uint256 exposure = valuer.exposures(connector, false)[1 + k];
        (uint256 navBefore, uint256 shares) = _insiderEnters(deposit);
        adapter.reportOutcome(_questionId(k), wins);

        (uint256 gain, int256 jump) = _checkBound(exposure, navBefore, deposit, shares, valueBefore);
        // after a NO elsewhere the YES legs count at 0, and the winner pays its whole exposure
        if (earlierNo && wins) {
            assertEq(jump, int256(exposure), "the winning question pays its exposure");
            uint256 limit = (exposure * deposit) / (navBefore + deposit);
            assertGe(gain + ROUNDING, limit, "the bound is tight");
            // so the same check at half of the bound fails
            if (limit > 10 * ROUNDING) assertGt(gain, limit / 2 + ROUNDING, "half of the bound would hold");
        }
    }
}
