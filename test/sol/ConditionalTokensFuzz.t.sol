// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IFixedProductMarketMaker} from "../../contracts/interfaces/IConditionalTokens.sol";
import {ConditionalTokensConnector} from "../../contracts/connectors/ConditionalTokensConnector.sol";
import {OutcomeMath} from "../../contracts/connectors/lib/OutcomeMath.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";
import {ConditionalTokensTestBase} from "./ConditionalTokensTestBase.sol";

/// @notice OutcomeMath's bounds for any holdings, marks and payout vector.
contract OutcomeMathFuzzTest is Test {
    uint256 internal constant LEGS = 5;

    function testFuzz_valueStaysWithinTheSetFloorAndExposure(
        uint256[LEGS] memory rawBalances,
        uint64[LEGS] memory rawMarks,
        uint32[LEGS] memory rawNumerators
    ) public pure {
        uint256[] memory balances = new uint256[](LEGS);
        uint64[] memory marks = new uint64[](LEGS);
        uint256[] memory numerators = new uint256[](LEGS);
        uint256 markSum;
        uint256 denominator;
        for (uint256 i; i < LEGS; ++i) {
            balances[i] = bound(rawBalances[i], 0, 1e30);
            markSum += rawMarks[i];
            numerators[i] = rawNumerators[i];
            denominator += rawNumerators[i];
        }
        // scale the marks to sum to at most one unit, as setMarks enforces
        for (uint256 i; i < LEGS; ++i) {
            marks[i] = markSum > OutcomeMath.WAD ? uint64((uint256(rawMarks[i]) * OutcomeMath.WAD) / markSum) : rawMarks[i];
        }
        if (denominator == 0) {
            numerators[0] = 1;
            denominator = 1;
        }
        uint256 sets = OutcomeMath.fullSets(balances);
        uint256 exposure = OutcomeMath.exposure(balances);
        uint256 marked = OutcomeMath.markedValue(balances, sets, marks);
        uint256 resolved = OutcomeMath.resolvedValue(balances, numerators, denominator);

        assertGe(marked, sets, "marked below the full-set floor");
        assertLe(marked, sets + exposure, "marked above floor + exposure");
        // the Conditional Tokens round each leg down: at most one unit lost per leg
        assertGt(resolved + LEGS, sets, "resolution pays less than the full sets");
        assertLe(resolved, sets + exposure, "resolution pays more than floor + exposure");
        // so resolution moves the value by at most the exposure (plus rounding)
        uint256 jump = resolved > marked ? resolved - marked : marked - resolved;
        assertLe(jump, exposure + LEGS, "resolution moves the value by more than the exposure");
    }
}

/// @notice On the real vault, Conditional Tokens and pool: a deposit settled just before a resolution its
///         sender already knows takes at most `exposure × deposit / (NAV + deposit)` from existing holders,
///         whatever the position, mark, outcome and deposit size.
contract KnownResolutionDepositTest is ConditionalTokensTestBase {
    bytes32 internal constant Q = keccak256("known outcome");
    bytes32 internal cid;
    IFixedProductMarketMaker internal pool;
    address internal insider = makeAddr("insider");

    function setUp() public {
        _setUpStack();
        // a band wide enough for every move below: this test is about prices, not the guardrail
        vault.setGuardrails(
            GuardrailMath.Guardrails({
                toleranceBps: 5_000,
                maxIncreaseBpsPerYear: 10_000,
                maxDecreaseBpsPerYear: 10_000,
                settlementDeadline: 3 days
            })
        );
        (cid, pool) = _market(Q, 2, bytes32(0), 200_000 * ONE);
    }

    function testFuzz_depositBeforeKnownResolutionIsBounded(
        uint256 investment,
        uint256 markWad,
        uint256 deposit,
        bool wins
    ) public {
        investment = bound(investment, ONE, 7_000 * ONE);
        markWad = bound(markWad, 0, 1e18);
        deposit = bound(deposit, MIN_REQUEST, 1_000_000 * ONE);
        _buy(cid, 0, investment);
        uint256[] memory marks = new uint256[](2);
        marks[0] = markWad;
        marks[1] = 1e18 - markWad;
        connector.setMarks(cid, marks, uint64(block.timestamp + 7 days));
        // the holders' NAV is settled with the position at its mark
        _requestDeposit(makeAddr("anyone"), MIN_REQUEST);
        assertTrue(_settle());
        uint256 exposure = connector.market(cid).exposure;
        uint256 navBefore = vault.totalAssets();

        // the insider deposits, it is settled, then the oracle reports the outcome the insider knew
        _requestDeposit(insider, deposit);
        assertTrue(_settle());
        vm.prank(insider);
        uint256 shares = vault.deposit(deposit, insider, insider);
        _report(Q, _payouts(2, wins ? 0 : 1));

        uint256 worth = vault.convertToAssets(shares);
        uint256 gain = worth > deposit ? worth - deposit : 0;
        uint256 limit = (exposure * deposit) / (navBefore + deposit);
        assertLe(gain, limit + 2, "the insider took more than exposure x deposit / (NAV + deposit)");
        assertLe(exposure * 10_000, vault.lastTotalAssets() * connector.DEFAULT_EVENT_CAP_BPS());
    }
}

/// @notice Random split / merge / buy / sell / resolve / redeem sequences on the real contracts.
contract ConditionalTokensHandler is Test {
    ConditionalTokensConnector internal immutable connector;
    address internal immutable keeper;
    address internal immutable asset;
    bytes32 internal immutable conditionId;
    IFixedProductMarketMaker internal immutable pool;
    address internal immutable oracle;
    bytes32 internal immutable questionId;
    bool public resolved;

    constructor(
        ConditionalTokensConnector connector_,
        address keeper_,
        address asset_,
        bytes32 conditionId_,
        IFixedProductMarketMaker pool_,
        address oracle_,
        bytes32 questionId_
    ) {
        connector = connector_;
        keeper = keeper_;
        asset = asset_;
        conditionId = conditionId_;
        pool = pool_;
        oracle = oracle_;
        questionId = questionId_;
    }

    function split(uint256 amount) external {
        amount = bound(amount, 1, 5_000e6);
        vm.prank(keeper);
        try connector.split(asset, amount, conditionId) {} catch {}
    }

    function merge(uint256 amount) external {
        amount = bound(amount, 1, 5_000e6);
        vm.prank(keeper);
        try connector.merge(asset, amount, conditionId) {} catch {}
    }

    function buy(uint256 amount, uint256 outcome) external {
        amount = bound(amount, 1e6, 5_000e6);
        vm.prank(keeper);
        try connector.buy(asset, amount, conditionId, outcome % 3, 0) {} catch {}
    }

    function sell(uint256 amount, uint256 outcome) external {
        amount = bound(amount, 1e6, 3_000e6);
        vm.prank(keeper);
        try connector.sell(asset, amount, conditionId, outcome % 3, type(uint256).max) {} catch {}
    }

    function resolve(uint256 winner) external {
        if (resolved) return;
        uint256[] memory payouts = new uint256[](3);
        payouts[winner % 3] = 1;
        resolved = true;
        vm.prank(oracle);
        (bool ok,) = address(connector.conditionalTokens()).call(
            abi.encodeWithSignature("reportPayouts(bytes32,uint256[])", questionId, payouts)
        );
        require(ok, "report failed");
    }

    function redeem() external {
        vm.prank(keeper);
        try connector.redeem(asset, 0, conditionId) {} catch {}
    }
}

contract ConditionalTokensInvariantTest is ConditionalTokensTestBase {
    bytes32 internal constant Q = keccak256("invariant market");
    bytes32 internal cid;
    IFixedProductMarketMaker internal pool;
    ConditionalTokensHandler internal handler;

    function setUp() public {
        _setUpStack();
        (cid, pool) = _market(Q, 3, bytes32(0), 100_000 * ONE);
        handler = new ConditionalTokensHandler(connector, keeper, address(asset), cid, pool, oracle, Q);
        targetContract(address(handler));
    }

    /// @dev The cached exposure is the real one (0 once resolved), and within the cap of the settled NAV.
    function invariant_exposureIsExactAndCapped() public view {
        uint256 real = handler.resolved() ? 0 : OutcomeMath.exposure(_balances(cid));
        assertEq(connector.market(cid).exposure, real);
        assertEq(connector.groupOf(cid).exposure, real);
        assertLe(real * 10_000, vault.lastTotalAssets() * connector.eventCapBps());
    }

    /// @dev No approval of collateral or of outcome tokens outlives an action.
    function invariant_noApprovalOutlivesAnAction() public view {
        assertEq(asset.allowance(address(connector), address(ctf)), 0);
        assertEq(asset.allowance(address(connector), address(pool)), 0);
        assertFalse(ctf.isApprovedForAll(address(connector), address(pool)));
    }

    /// @dev Unmarked: the value is the idle collateral plus the full sets (or the payout once resolved),
    ///      never more than what the holdings pay in the best outcome.
    function invariant_valueIsTheConservativeRule() public view {
        uint256[] memory balances = _balances(cid);
        uint256 idle = asset.balanceOf(address(connector));
        uint256 best;
        for (uint256 i; i < balances.length; ++i) {
            if (balances[i] > best) best = balances[i];
        }
        uint256 value = _value();
        if (!handler.resolved()) assertEq(value, idle + OutcomeMath.fullSets(balances));
        assertLe(value, idle + best);
    }
}
