// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/shared/mocks/MockV3Aggregator.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {ValueOracle} from "../../contracts/oracle/ValueOracle.sol";
import {Registry} from "../../contracts/registry/Registry.sol";

/// @notice Attack classes AC4 (route / decimal composition) and AC7 (tryValueOf never reverts): every
///         route for an asset agrees with the direct feed, in the base's decimals, for 6/8/18-decimal
///         tokens and 8/18-decimal feeds.
contract ValueOracleRoutesTest is Test {
    address private constant USD = address(840);
    address private constant ETH = 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE;
    uint256 private constant LOOSE = type(uint104).max;

    ValueOracle private oracle;
    MockERC20 private base;
    MockERC20 private token;
    MockV3Aggregator private baseUsd;
    MockV3Aggregator private tokenEth;
    MockV3Aggregator private ethUsd;
    MockV3Aggregator private tokenUsd;
    uint8 private tokenEthDecimals;

    function _decimals(uint256 seed) private pure returns (uint8) {
        uint8[3] memory options = [6, 8, 18];
        return options[seed % 3];
    }

    function _setUp(uint256 seed) private {
        vm.warp(1_700_000_000);
        Registry registry = new Registry(address(this));
        base = new MockERC20("Base", "BASE", _decimals(seed));
        token = new MockERC20("Token", "TKN", _decimals(seed / 3));
        tokenEthDecimals = (seed / 9) % 2 == 0 ? 18 : 8;
        oracle = new ValueOracle(IRegistry(address(registry)), address(base));
        baseUsd = new MockV3Aggregator(8, 1e8);
        tokenEth = new MockV3Aggregator(tokenEthDecimals, int256(10 ** tokenEthDecimals));
        ethUsd = new MockV3Aggregator(8, 3000e8);
        tokenUsd = new MockV3Aggregator(8, 3000e8);
        oracle.setChainlinkFeed(address(baseUsd), address(base), USD, 1 days, 1, uint104(LOOSE));
        oracle.setChainlinkFeed(address(tokenEth), address(token), ETH, 1 days, 1, uint104(LOOSE));
        oracle.setChainlinkFeed(address(ethUsd), ETH, USD, 1 days, 1, uint104(LOOSE));
        oracle.setChainlinkFeed(address(tokenUsd), address(token), USD, 1 days, 1, uint104(LOOSE));
    }

    function _route(bool viaEth) private view returns (ValueOracle.Hop[] memory hops) {
        if (viaEth) {
            hops = new ValueOracle.Hop[](3);
            hops[0] = ValueOracle.Hop(address(tokenEth), ValueOracle.SourceKind.Chainlink, false);
            hops[1] = ValueOracle.Hop(address(ethUsd), ValueOracle.SourceKind.Chainlink, false);
            hops[2] = ValueOracle.Hop(address(baseUsd), ValueOracle.SourceKind.Chainlink, true);
        } else {
            hops = new ValueOracle.Hop[](2);
            hops[0] = ValueOracle.Hop(address(tokenUsd), ValueOracle.SourceKind.Chainlink, false);
            hops[1] = ValueOracle.Hop(address(baseUsd), ValueOracle.SourceKind.Chainlink, true);
        }
    }

    function _valueVia(bool viaEth, uint256 amount) private returns (uint256) {
        oracle.setRoute(address(token), _route(viaEth), new ValueOracle.Hop[](0), 0);
        return oracle.valueOf(address(token), amount);
    }

    function testFuzz_AC4_routesAgreeWithDirectFeed(
        uint256 seed,
        uint256 tokenEthPrice,
        uint256 ethUsdPrice,
        uint256 baseUsdPrice,
        uint256 amount
    ) public {
        _setUp(seed);
        uint256 tokenUnit = 10 ** token.decimals();
        tokenEthPrice = bound(tokenEthPrice, 10 ** tokenEthDecimals / 1000, 100 * 10 ** tokenEthDecimals);
        ethUsdPrice = bound(ethUsdPrice, 100e8, 10_000e8);
        baseUsdPrice = bound(baseUsdPrice, 0.5e8, 2e8);
        amount = bound(amount, 1, 1e9 * tokenUnit);
        tokenEth.updateAnswer(int256(tokenEthPrice));
        ethUsd.updateAnswer(int256(ethUsdPrice));
        baseUsd.updateAnswer(int256(baseUsdPrice));
        // the direct feed as Chainlink publishes it: 8 decimals, rounded down
        uint256 tokenUsdPrice = tokenEthPrice * ethUsdPrice / 10 ** tokenEthDecimals;
        vm.assume(tokenUsdPrice > 0);
        tokenUsd.updateAnswer(int256(tokenUsdPrice));

        uint256 viaEth = _valueVia(true, amount);
        uint256 direct = _valueVia(false, amount);
        // independent reference for the three-hop route, in the base's decimals
        uint256 expected = Math.mulDiv(
            amount * tokenEthPrice * ethUsdPrice, 10 ** base.decimals(), baseUsdPrice * tokenUnit * 10 ** tokenEthDecimals
        );
        assertApproxEqAbs(viaEth, expected, 1 + expected / 1e15, "three-hop route vs reference");
        // the direct feed lost at most one unit of its 8th decimal: bound the disagreement by that
        uint256 feedRounding = 2 * amount * 10 ** base.decimals() / (tokenUnit * baseUsdPrice) + 1;
        assertApproxEqAbs(viaEth, direct, feedRounding + 1 + viaEth / 1e15, "route vs direct feed");
        assertGe(viaEth + 1, direct, "the direct feed rounds down, never up");
    }

    function testFuzz_AC7_tryValueOfNeverReverts(uint256 seed, int256 answer, uint256 amount, uint32 age) public {
        _setUp(seed);
        oracle.setRoute(address(token), _route(true), new ValueOracle.Hop[](0), 0);
        tokenEth.updateAnswer(answer);
        vm.warp(block.timestamp + bound(age, 0, 3 days));
        (bool ok, uint256 value, bytes4 reason) = oracle.tryValueOf(address(token), amount);
        if (ok) {
            assertEq(reason, bytes4(0));
            assertEq(value, oracle.valueOf(address(token), amount));
        } else {
            assertEq(value, 0);
            assertTrue(reason != bytes4(0));
        }
    }

    /// @dev MockV3Aggregator always reports answeredInRound = roundId; a real aggregator can lag.
    function test_AC3_roundAnsweredInAnEarlierRoundIsRefused() public {
        _setUp(0);
        oracle.setRoute(address(token), _route(true), new ValueOracle.Hop[](0), 0);
        vm.mockCall(
            address(tokenEth),
            abi.encodeWithSignature("latestRoundData()"),
            abi.encode(uint80(7), int256(1e18), block.timestamp, block.timestamp, uint80(6))
        );
        (bool ok,, bytes4 reason) = oracle.tryValueOf(address(token), 1e18);
        assertFalse(ok);
        assertEq(reason, bytes4(keccak256("ChainlinkIncompleteRound(address,uint80,uint80,uint256)")));
    }

    function testFuzz_AC21_configurationIsGovernanceOnly(address caller) public {
        _setUp(0);
        vm.assume(caller != address(this));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSignature("NotGovernance(address)", caller));
        oracle.setRoute(address(token), _route(true), new ValueOracle.Hop[](0), 0);
    }
}
