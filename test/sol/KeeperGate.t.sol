// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IKeeperGate} from "../../contracts/interfaces/IKeeperGate.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {KeeperGate} from "../../contracts/gate/KeeperGate.sol";
import {ThresholdSigners} from "../../contracts/gate/ThresholdSigners.sol";
import {Registry} from "../../contracts/registry/Registry.sol";
import {MockActionConnector} from "../../contracts/mocks/MockActionConnector.sol";
import {MockPricedVault} from "../../contracts/mocks/MockPricedVault.sol";

/// @title KeeperGate signature-scheme fuzz suite
/// @notice Attack class AC20 (keeper multisig signature scheme): a batch executes only with a threshold of
///         valid, strictly ascending signatures over exactly its fields; random bytes, high-s twins, any
///         changed field and any non-ascending order are refused, and the nonce moves only on success.
contract KeeperGateFuzzTest is Test {
    uint256 private constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    KeeperGate private gate;
    MockPricedVault private vault;
    MockActionConnector private connector;
    uint256[3] private keys;
    address[3] private addrs;

    function setUp() public {
        Registry registry = new Registry(address(this));
        vault = new MockPricedVault(18, 1e12, 1e24);
        connector = new MockActionConnector(address(vault));
        // Keys chosen so the addresses sort in key order; sorted below anyway.
        for (uint256 i = 0; i < 3; ++i) {
            keys[i] = uint256(keccak256(abi.encode("gate signer", i)));
            addrs[i] = vm.addr(keys[i]);
        }
        _sortByAddress();
        address[] memory signerList = new address[](3);
        for (uint256 i = 0; i < 3; ++i) signerList[i] = addrs[i];
        gate = new KeeperGate(IRegistry(address(registry)), address(vault), signerList, 2);
        registry.registerVault(
            address(vault),
            IRegistry.VaultConfig({
                asset: address(0xA55E7),
                valueOracle: address(0),
                swapHandler: address(0),
                keeperGate: address(gate),
                guardian: address(0xBEEF),
                registered: true
            })
        );
        registry.addConnector(address(vault), address(connector), 0);
        registry.setAllowedCall(address(vault), address(connector), MockActionConnector.act.selector, true);
    }

    function _sortByAddress() private {
        for (uint256 i = 0; i < 3; ++i) {
            for (uint256 j = i + 1; j < 3; ++j) {
                if (addrs[j] < addrs[i]) {
                    (addrs[i], addrs[j]) = (addrs[j], addrs[i]);
                    (keys[i], keys[j]) = (keys[j], keys[i]);
                }
            }
        }
    }

    function _calls(uint256 amount) private view returns (IKeeperGate.Call[] memory calls) {
        calls = new IKeeperGate.Call[](1);
        calls[0] = IKeeperGate.Call(address(connector), abi.encodeCall(MockActionConnector.act, (address(0), amount, 0)));
    }

    function _sign(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _sigs(bytes32 digest, uint256 a, uint256 b) private view returns (IKeeperGate.SignerSignature[] memory sigs) {
        sigs = new IKeeperGate.SignerSignature[](2);
        sigs[0] = IKeeperGate.SignerSignature(addrs[a], _sign(keys[a], digest));
        sigs[1] = IKeeperGate.SignerSignature(addrs[b], _sign(keys[b], digest));
    }

    function testFuzz_signatureBindsEveryField(uint256 amount, uint256 deadline, bytes32 provenance, uint8 field, uint256 delta) public {
        deadline = bound(deadline, block.timestamp, type(uint128).max);
        delta = bound(delta, 1, type(uint64).max);
        IKeeperGate.Call[] memory calls = _calls(amount);
        bytes32 digest = gate.executeDigest(calls, 0, deadline, provenance);
        IKeeperGate.SignerSignature[] memory sigs = _sigs(digest, 0, 1);

        field = uint8(bound(field, 0, 2));
        if (field == 0) calls = _calls(amount ^ delta);
        else if (field == 1) deadline += delta;
        else provenance = bytes32(uint256(provenance) ^ delta);
        vm.expectRevert(abi.encodeWithSelector(ThresholdSigners.InvalidSignature.selector, addrs[0]));
        gate.execute(calls, deadline, provenance, sigs);
        assertEq(gate.nonce(), 0);
    }

    function testFuzz_randomSignatureBytesNeverVerify(bytes calldata garbage, uint8 who) public {
        who = uint8(bound(who, 0, 1));
        IKeeperGate.Call[] memory calls = _calls(1);
        bytes32 digest = gate.executeDigest(calls, 0, block.timestamp, bytes32(0));
        IKeeperGate.SignerSignature[] memory sigs = _sigs(digest, 0, 1);
        vm.assume(keccak256(garbage) != keccak256(sigs[who].signature));
        sigs[who].signature = garbage;
        vm.expectRevert();
        gate.execute(calls, block.timestamp, bytes32(0), sigs);
        assertEq(gate.nonce(), 0);
    }

    function testFuzz_highSTwinRejected(bytes32 provenance) public {
        IKeeperGate.Call[] memory calls = _calls(1);
        bytes32 digest = gate.executeDigest(calls, 0, block.timestamp, provenance);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], digest);
        IKeeperGate.SignerSignature[] memory sigs = _sigs(digest, 0, 1);
        sigs[0].signature = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ThresholdSigners.MalleableSignature.selector, addrs[0]));
        gate.execute(calls, block.timestamp, provenance, sigs);
    }

    function testFuzz_onlyStrictlyAscendingOrderExecutes(uint8 first, uint8 second) public {
        first = uint8(bound(first, 0, 2));
        second = uint8(bound(second, 0, 2));
        IKeeperGate.Call[] memory calls = _calls(7);
        bytes32 digest = gate.executeDigest(calls, 0, block.timestamp, bytes32(0));
        IKeeperGate.SignerSignature[] memory sigs = _sigs(digest, first, second);
        if (first < second) {
            gate.execute(calls, block.timestamp, bytes32(0), sigs);
            assertEq(gate.nonce(), 1);
            assertEq(connector.actions(), 1);
        } else {
            vm.expectRevert();
            gate.execute(calls, block.timestamp, bytes32(0), sigs);
            assertEq(gate.nonce(), 0);
        }
    }

    function testFuzz_nonceMovesOncePerBatch(uint8 batches) public {
        batches = uint8(bound(batches, 1, 8));
        for (uint256 n = 0; n < batches; ++n) {
            IKeeperGate.Call[] memory calls = _calls(n);
            bytes32 digest = gate.executeDigest(calls, n, block.timestamp, bytes32(n));
            IKeeperGate.SignerSignature[] memory sigs = _sigs(digest, 1, 2);
            gate.execute(calls, block.timestamp, bytes32(n), sigs);
            // Replaying the batch just executed is refused.
            vm.expectRevert();
            gate.execute(calls, block.timestamp, bytes32(n), sigs);
        }
        assertEq(gate.nonce(), batches);
        assertEq(connector.actions(), batches);
    }
}
