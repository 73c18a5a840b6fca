// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IKeeperGate} from "../../contracts/interfaces/IKeeperGate.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {KeeperGate} from "../../contracts/gate/KeeperGate.sol";
import {Registry} from "../../contracts/registry/Registry.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockFixedPriceOracle} from "../../contracts/mocks/MockFixedPriceOracle.sol";
import {MockFlowConnector} from "../../contracts/mocks/MockFlowConnector.sol";
import {MockPricedVault} from "../../contracts/mocks/MockPricedVault.sol";

/// @title Mandate token-flow fuzz suite
/// @notice Findings F5 (every token an action moves counts toward its notional and must be listed) and F6
///         (the mandate binds what an action produces): an action that changes the balances of any subset of
///         its target's tokens by any amounts, whatever its (token, amount) head says, runs under a mandate
///         exactly when every changed token is listed and the value of everything that left is within the
///         per-action limit, and it is recorded at that notional.
contract MandateFlowsFuzzTest is Test {
    uint256 private constant TOKENS = 3;
    uint256 private constant LIMIT = 1_000e6;

    KeeperGate private gate;
    MockPricedVault private vault;
    MockFixedPriceOracle private oracle;
    MockFlowConnector private connector;
    MockERC20[] private tokens;
    uint256 private signerKey = uint256(keccak256("mandate signer"));
    address private keeper = address(0xC0FFEE);

    event MandateExecuted(
        bytes32 indexed mandateId,
        bytes32 indexed provenance,
        address target,
        bytes4 selector,
        address token,
        uint256 amount,
        uint256 notional
    );

    function setUp() public {
        Registry registry = new Registry(address(this));
        vault = new MockPricedVault(18, 1e12, 1e24);
        tokens.push(new MockERC20("USD Coin", "USDC", 6));
        tokens.push(new MockERC20("Wrapped Ether", "WETH", 18));
        tokens.push(new MockERC20("Tether", "USDT", 6));
        oracle = new MockFixedPriceOracle(address(tokens[0]));
        oracle.setPrice(address(tokens[1]), 3000e6); // 3000 USDC per WETH (1e18 raw units)
        oracle.setPrice(address(tokens[2]), 1e18);
        connector = new MockFlowConnector(address(vault), tokens);
        for (uint256 i; i < TOKENS; ++i) tokens[i].mint(address(connector), 1e30);
        address[] memory signers = new address[](1);
        signers[0] = vm.addr(signerKey);
        gate = new KeeperGate(IRegistry(address(registry)), address(vault), signers, 1);
        registry.registerVault(
            address(vault),
            IRegistry.VaultConfig({
                asset: address(tokens[0]),
                valueOracle: address(oracle),
                swapHandler: address(0),
                keeperGate: address(gate),
                guardian: address(0xBEEF),
                registered: true
            })
        );
        registry.addConnector(address(vault), address(connector), 0);
        registry.setAllowedCall(address(vault), address(connector), MockFlowConnector.flow.selector, true);
        registry.setAllowedCall(address(vault), address(connector), MockFlowConnector.track.selector, true);
    }

    /// @dev A mandate listing the tokens whose bit is set in `listedMask` (token 0, the head, always).
    function _approve(uint256 listedMask) private returns (bytes32 id) {
        uint256 count;
        address[] memory listed = new address[](TOKENS);
        for (uint256 i; i < TOKENS; ++i) {
            if (i == 0 || (listedMask >> i) & 1 == 1) listed[count++] = address(tokens[i]);
        }
        assembly ("memory-safe") {
            mstore(listed, count)
        }
        address[] memory connectors = new address[](1);
        connectors[0] = address(connector);
        bytes4[] memory selectors = new bytes4[](2);
        selectors[0] = MockFlowConnector.flow.selector;
        selectors[1] = MockFlowConnector.track.selector;
        IKeeperGate.Mandate memory mandate = IKeeperGate.Mandate({
            keeper: keeper,
            connectors: connectors,
            tokens: listed,
            selectors: selectors,
            maxNotionalPerAction: LIMIT,
            maxNotionalPerPeriod: 1e30,
            period: 1 days,
            maxSlippageBps: 0,
            maxLossBps: 100,
            lossWindow: 7 days,
            expiry: block.timestamp + 1 days,
            nonce: listedMask
        });
        id = gate.mandateDigest(mandate);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, id);
        IKeeperGate.SignerSignature[] memory sigs = new IKeeperGate.SignerSignature[](1);
        sigs[0] = IKeeperGate.SignerSignature(vm.addr(signerKey), abi.encodePacked(r, s, v));
        gate.approveMandate(mandate, sigs);
    }

    function _value(uint256 i, uint256 amount) private view returns (uint256) {
        return oracle.valueOf(address(tokens[i]), amount);
    }

    function testFuzz_F5_F6_everyMovedTokenIsListedAndCounted(
        uint256 listedMask,
        uint256 headAmount,
        int256[3] memory rawDeltas
    ) public {
        listedMask = bound(listedMask, 0, 7);
        headAmount = bound(headAmount, 0, 2 * LIMIT);
        int256[] memory deltas = new int256[](TOKENS);
        address unlistedChanged;
        uint256 movedOut;
        for (uint256 i; i < TOKENS; ++i) {
            // Up to 2x the limit's worth out, or anything in; zero a third of the time.
            uint256 scale = i == 1 ? 333_333_333 : 1; // WETH raw units per USDC unit (1e18 / 3000e6)
            int256 delta = int256(bound(rawDeltas[i], -int256(2 * LIMIT), int256(2 * LIMIT)));
            if (uint256(rawDeltas[i]) % 3 == 0) delta = 0;
            delta = delta * int256(scale);
            deltas[i] = delta;
            bool listed = i == 0 || (listedMask >> i) & 1 == 1;
            if (delta != 0 && !listed && unlistedChanged == address(0)) unlistedChanged = address(tokens[i]);
            if (delta < 0) movedOut += _value(i, uint256(-delta));
        }
        bytes32 id = _approve(listedMask);
        uint256 headValue = _value(0, headAmount);
        uint256 notional = movedOut > headValue ? movedOut : headValue;
        IKeeperGate.Call memory action = IKeeperGate.Call(
            address(connector),
            abi.encodeCall(MockFlowConnector.flow, (address(tokens[0]), headAmount, deltas))
        );

        vm.prank(keeper);
        if (unlistedChanged != address(0)) {
            vm.expectRevert(abi.encodeWithSelector(KeeperGate.TokenNotInMandate.selector, unlistedChanged));
            gate.executeMandate(id, action, bytes32(0));
        } else if (notional > LIMIT) {
            vm.expectRevert(abi.encodeWithSelector(KeeperGate.NotionalAboveActionLimit.selector, notional, LIMIT));
            gate.executeMandate(id, action, bytes32(0));
        } else {
            vm.expectEmit(address(gate));
            emit MandateExecuted(
                id,
                bytes32(0),
                address(connector),
                MockFlowConnector.flow.selector,
                address(tokens[0]),
                headAmount,
                notional
            );
            assertTrue(gate.executeMandate(id, action, bytes32(0)));
        }
    }

    function test_F6_unlistedOutputRefusedByName() public {
        bytes32 id = _approve(0);
        int256[] memory deltas = new int256[](TOKENS);
        deltas[0] = -100e6;
        deltas[1] = 0.03e18;
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(KeeperGate.TokenNotInMandate.selector, address(tokens[1])));
        gate.executeMandate(
            id,
            IKeeperGate.Call(address(connector), abi.encodeCall(MockFlowConnector.flow, (address(tokens[0]), 100e6, deltas))),
            bytes32(0)
        );
    }

    function test_F5_tokenTrackedOnlyAfterTheActionMustBeListed() public {
        bytes32 id = _approve(0);
        MockERC20 newToken = new MockERC20("New", "NEW", 18);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(KeeperGate.TokenNotInMandate.selector, address(newToken)));
        gate.executeMandate(
            id,
            IKeeperGate.Call(address(connector), abi.encodeCall(MockFlowConnector.track, (address(tokens[0]), 1, address(newToken)))),
            bytes32(0)
        );
    }
}
