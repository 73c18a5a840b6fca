// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {ILiFiDiamond} from "../../contracts/interfaces/ILiFiDiamond.sol";
import {Registry} from "../../contracts/registry/Registry.sol";
import {LiFiSwapHandler} from "../../contracts/swap/LiFiSwapHandler.sol";
import {SwapExecution} from "../../contracts/swap/lib/SwapExecution.sol";
import {ISwapHandler} from "../../contracts/interfaces/ISwapHandler.sol";
import {LocalLiFiDiamond} from "../../contracts/mocks/LocalLiFiDiamond.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockFixedPriceOracle} from "../../contracts/mocks/MockFixedPriceOracle.sol";
import {MockPricedVault} from "../../contracts/mocks/MockPricedVault.sol";
import {MockSwapConnector} from "../../contracts/mocks/MockSwapConnector.sol";

/// @notice A fixed-rate DEX for this fuzz suite only: pulls tokenIn, mints tokenOut at 3000 USDC per WETH
///         less 0.3%, like a pool's exactInputSingle would pay the Diamond.
contract FixedRateDex {
    function swap(MockERC20 tokenIn, MockERC20 tokenOut, uint256 amountIn, address recipient) external {
        tokenIn.transferFrom(msg.sender, address(this), amountIn);
        tokenOut.mint(recipient, (amountIn * 1e12 * 997) / (3000 * 1000));
    }
}

/// @title LiFiSwapHandler fuzz suite
/// @notice Attack classes AC17 (no arbitrary call path) and AC18 (forged aggregator calldata): every forged
///         variant of a valid Diamond call (wrong receiver, swapped tokens, inflated amount, lowered minimum,
///         unknown selector, trailing bytes, random bytes, single flipped bytes) is refused or, when a
///         mutation is harmless, still pays at least the checked minimum and leaves no approval or balance
///         behind. The handler's one-pass decoder accepts exactly what decode + re-encode + compare accepts.
contract LiFiSwapHandlerFuzzTest is Test {
    uint256 private constant AMOUNT_IN = 3000e6;
    uint256 private constant MIN_OUT = 0.995e18;

    Registry private registry;
    MockERC20 private usdc;
    MockERC20 private weth;
    MockFixedPriceOracle private oracle;
    MockPricedVault private vault;
    LocalLiFiDiamond private diamond;
    LiFiSwapHandler private handler;
    MockSwapConnector private connector;
    FixedRateDex private dex;

    function setUp() public {
        registry = new Registry(address(this));
        usdc = new MockERC20("USD Coin", "USDC", 6);
        weth = new MockERC20("Wrapped Ether", "WETH", 18);
        oracle = new MockFixedPriceOracle(address(usdc));
        oracle.setPrice(address(weth), 3000e6);
        vault = new MockPricedVault(18, 1e12, 1e24);
        dex = new FixedRateDex();
        diamond = new LocalLiFiDiamond(address(this));
        diamond.setContractSelectorWhitelist(address(dex), FixedRateDex.swap.selector, true);
        handler = new LiFiSwapHandler(IRegistry(address(registry)), address(diamond), 100);
        handler.setDexCallAllowed(address(dex), FixedRateDex.swap.selector, true);
        registry.registerVault(
            address(vault),
            IRegistry.VaultConfig({
                asset: address(usdc),
                valueOracle: address(oracle),
                swapHandler: address(handler),
                keeperGate: address(this),
                guardian: address(0xBEEF),
                registered: true
            })
        );
        connector = new MockSwapConnector(IRegistry(address(registry)), address(vault));
        registry.addConnector(address(vault), address(connector), 0);
        registry.setConnectorToken(address(connector), address(usdc), true);
        registry.setConnectorToken(address(connector), address(weth), true);
        usdc.mint(address(connector), 1e12);
    }

    function _step(MockERC20 tokenIn, MockERC20 tokenOut, uint256 amountIn) private view returns (ILiFiDiamond.SwapData memory) {
        return
            ILiFiDiamond.SwapData({
                callTo: address(dex),
                approveTo: address(dex),
                sendingAssetId: address(tokenIn),
                receivingAssetId: address(tokenOut),
                fromAmount: amountIn,
                callData: abi.encodeCall(FixedRateDex.swap, (tokenIn, tokenOut, amountIn, address(diamond))),
                requiresDeposit: true
            });
    }

    function _calldata(address receiver, uint256 minOut, ILiFiDiamond.SwapData memory step) private pure returns (bytes memory) {
        return
            abi.encodeCall(
                ILiFiDiamond.swapTokensSingleV3ERC20ToERC20,
                (bytes32(uint256(1)), "agent-vault", "0x0000000000000000000000000000000000000000", payable(receiver), minOut, step)
            );
    }

    function _valid() private view returns (bytes memory) {
        return _calldata(address(connector), MIN_OUT, _step(usdc, weth, AMOUNT_IN));
    }

    function _assertNothingLeftBehind() private view {
        assertEq(usdc.allowance(address(connector), address(handler)), 0, "connector allowance");
        assertEq(usdc.allowance(address(connector), address(diamond)), 0, "connector allowance to the Diamond");
        assertEq(usdc.allowance(address(handler), address(diamond)), 0, "handler allowance");
        assertEq(usdc.allowance(address(diamond), address(dex)), 0, "diamond allowance");
        assertEq(usdc.balanceOf(address(handler)) + weth.balanceOf(address(handler)), 0, "handler balance");
        assertEq(usdc.balanceOf(address(diamond)) + weth.balanceOf(address(diamond)), 0, "diamond balance");
    }

    function test_validSwapPaysAtLeastMinimum() public {
        uint256 out = connector.swap(address(usdc), AMOUNT_IN, _valid());
        assertGe(out, MIN_OUT);
        assertEq(weth.balanceOf(address(connector)), out);
        assertEq(usdc.balanceOf(address(connector)), 1e12 - AMOUNT_IN);
        _assertNothingLeftBehind();
    }

    function testFuzz_wrongReceiverRefused(address receiver) public {
        vm.assume(receiver != address(connector));
        bytes memory data = _calldata(receiver, MIN_OUT, _step(usdc, weth, AMOUNT_IN));
        vm.expectRevert(abi.encodeWithSelector(LiFiSwapHandler.ReceiverNotCaller.selector, receiver, address(connector)));
        connector.swap(address(usdc), AMOUNT_IN, data);
    }

    function testFuzz_swappedTokensRefused(uint256 amount, uint256 minOut) public {
        amount = bound(amount, 1, 1e30);
        bytes memory data = _calldata(address(connector), minOut, _step(weth, usdc, amount));
        vm.expectRevert();
        connector.swap(address(usdc), amount, data);
        assertEq(usdc.balanceOf(address(connector)), 1e12);
    }

    function testFuzz_inflatedAmountRefused(uint256 approved, uint256 fromAmount) public {
        fromAmount = bound(fromAmount, 2, 1e12);
        approved = bound(approved, 0, fromAmount - 1);
        bytes memory data = _calldata(address(connector), (fromAmount * 1e12) / 3000, _step(usdc, weth, fromAmount));
        vm.expectRevert(
            abi.encodeWithSelector(LiFiSwapHandler.InputMismatch.selector, address(usdc), approved, address(usdc), fromAmount)
        );
        connector.swap(address(usdc), approved, data);
    }

    function testFuzz_loweredMinOutRefused(uint256 minOut) public {
        // 1% below the oracle value of 3000 USDC is 2970 USDC = 0.99 WETH; anything worth less is refused.
        minOut = bound(minOut, 0, 0.99e18 - 1);
        bytes memory data = _calldata(address(connector), minOut, _step(usdc, weth, AMOUNT_IN));
        vm.expectRevert(
            abi.encodeWithSelector(LiFiSwapHandler.MinAmountOutTooLow.selector, (minOut * 3000e6) / 1e18, 2970e6)
        );
        connector.swap(address(usdc), AMOUNT_IN, data);
    }

    function testFuzz_unknownSelectorRefused(bytes4 selector) public {
        vm.assume(
            selector != handler.SWAP_SINGLE_V3() && selector != handler.SWAP_MULTIPLE_V3() && selector != handler.SWAP_GENERIC()
        );
        bytes memory valid = _valid();
        assembly ("memory-safe") {
            let word := mload(add(valid, 0x20))
            mstore(add(valid, 0x20), or(selector, shr(32, shl(32, word))))
        }
        vm.expectRevert(abi.encodeWithSelector(LiFiSwapHandler.UnsupportedSelector.selector, selector));
        connector.swap(address(usdc), AMOUNT_IN, valid);
    }

    function testFuzz_trailingBytesRefused(bytes calldata extra) public {
        vm.assume(extra.length > 0);
        vm.expectRevert(LiFiSwapHandler.NonCanonicalCalldata.selector);
        connector.swap(address(usdc), AMOUNT_IN, bytes.concat(_valid(), extra));
    }

    function testFuzz_randomCalldataRefused(bytes calldata data) public {
        vm.expectRevert();
        connector.swap(address(usdc), AMOUNT_IN, data);
        assertEq(usdc.balanceOf(address(connector)), 1e12);
    }

    function testFuzz_flippedByteRefusedOrStillSafe(uint256 index, uint8 mask) public {
        bytes memory data = _valid();
        index = bound(index, 0, data.length - 1);
        mask = uint8(bound(mask, 1, 255));
        data[index] = data[index] ^ bytes1(mask);
        try connector.swap(address(usdc), AMOUNT_IN, data) returns (uint256 out) {
            // A mutation that survives every check (e.g. in the transaction id or integrator string) must
            // still be the same economic swap: exact input, at least the validated minimum, nothing left.
            LiFiSwapHandler.DecodedSwap memory decoded = handler.decodeSwap(data);
            assertEq(decoded.receiver, address(connector));
            assertGe(out, decoded.minAmountOut);
            assertGe((out * 3000e6) / 1e18, 2970e6 - 1);
            assertEq(usdc.balanceOf(address(connector)), 1e12 - AMOUNT_IN);
            _assertNothingLeftBehind();
        } catch {
            assertEq(usdc.balanceOf(address(connector)), 1e12);
        }
    }

    /// @notice The deep campaign's counterexample, kept as a fixed input: the flipped byte lands in the DEX
    ///         step's own amount (inside `callData`), which the handler does not decode.
    function test_regression_flippedByte_6114_77() public {
        testFuzz_flippedByteRefusedOrStillSafe(6114, 77);
    }

    /// @notice The class behind it: whatever amount a step's own calldata names, the swap spends exactly the
    ///         checked `fromAmount` or reverts; the Diamond's refund of the rest to the connector is refused.
    function testFuzz_innerAmountBelowFromAmountRefused(uint256 innerAmount) public {
        // Still enough output for every minimum (0.99 WETH), so only the spent amount gives it away.
        innerAmount = bound(innerAmount, 2979e6, AMOUNT_IN - 1);
        ILiFiDiamond.SwapData memory step = _step(usdc, weth, AMOUNT_IN);
        step.callData = abi.encodeCall(FixedRateDex.swap, (usdc, weth, innerAmount, address(diamond)));
        bytes memory data = _calldata(address(connector), 0.99e18, step);
        vm.expectRevert(
            abi.encodeWithSelector(
                SwapExecution.InputNotFullySpent.selector, AMOUNT_IN, 0, 1e12 - innerAmount, 1e12 - AMOUNT_IN
            )
        );
        connector.swap(address(usdc), AMOUNT_IN, data);
        assertEq(usdc.balanceOf(address(connector)), 1e12);
    }

    function test_innerAmountBelowFromAmountNamesTheError() public {
        uint256 innerAmount = AMOUNT_IN - 19_200;
        ILiFiDiamond.SwapData memory step = _step(usdc, weth, AMOUNT_IN);
        step.callData = abi.encodeCall(FixedRateDex.swap, (usdc, weth, innerAmount, address(diamond)));
        bytes memory data = _calldata(address(connector), MIN_OUT, step);
        vm.expectRevert(
            abi.encodeWithSelector(
                SwapExecution.InputNotFullySpent.selector,
                AMOUNT_IN,
                0,
                1e12 - AMOUNT_IN + 19_200,
                1e12 - AMOUNT_IN
            )
        );
        connector.swap(address(usdc), AMOUNT_IN, data);
    }

    /// @notice F8: when the oracle prices a swap token by its primary alone (its secondary TWAP could not be
    ///         read), the handler halves the slippage it allows against the oracle and says so.
    function test_F8_primaryOnlyPriceTightensSlippage() public {
        oracle.setPrimaryOnly(address(weth), true);
        // 0.99 WETH (2970 USDC) passes the 1% bound but not the tightened 0.5% (2985 USDC)
        bytes memory loose = _calldata(address(connector), 0.99e18, _step(usdc, weth, AMOUNT_IN));
        vm.expectRevert(abi.encodeWithSelector(LiFiSwapHandler.MinAmountOutTooLow.selector, 2970e6, 2985e6));
        connector.swap(address(usdc), AMOUNT_IN, loose);
        vm.expectEmit(address(connector));
        emit ISwapHandler.SwapLimitTightened(address(connector), 50);
        connector.swap(address(usdc), AMOUNT_IN, _calldata(address(connector), MIN_OUT, _step(usdc, weth, AMOUNT_IN)));
        oracle.setPrimaryOnly(address(weth), false);
        connector.swap(address(usdc), AMOUNT_IN, loose);
    }

    // ------------------------------------------------------------------ strict decoder vs decode + re-encode

    /// @notice The reference the one-pass decoder replaced: ABI-decode, re-encode, and require the same bytes.
    function referenceDecode(bytes calldata data) external pure returns (LiFiSwapHandler.DecodedSwap memory d) {
        require(data.length >= 4, "short");
        d.selector = bytes4(data[:4]);
        bytes memory reencoded;
        if (d.selector == ILiFiDiamond.swapTokensSingleV3ERC20ToERC20.selector) {
            ILiFiDiamond.SwapData memory step;
            (d.transactionId, d.integrator, d.referrer, d.receiver, d.minAmountOut, step) =
                abi.decode(data[4:], (bytes32, string, string, address, uint256, ILiFiDiamond.SwapData));
            d.swapData = new ILiFiDiamond.SwapData[](1);
            d.swapData[0] = step;
            reencoded = abi.encodeWithSelector(
                d.selector, d.transactionId, d.integrator, d.referrer, d.receiver, d.minAmountOut, step
            );
        } else {
            (d.transactionId, d.integrator, d.referrer, d.receiver, d.minAmountOut, d.swapData) =
                abi.decode(data[4:], (bytes32, string, string, address, uint256, ILiFiDiamond.SwapData[]));
            reencoded = abi.encodeWithSelector(
                d.selector, d.transactionId, d.integrator, d.referrer, d.receiver, d.minAmountOut, d.swapData
            );
        }
        require(keccak256(reencoded) == keccak256(data), "non-canonical");
    }

    function _validMultiple() private view returns (bytes memory) {
        ILiFiDiamond.SwapData[] memory steps = new ILiFiDiamond.SwapData[](2);
        steps[0] = _step(usdc, weth, AMOUNT_IN);
        steps[1] = _step(weth, usdc, 1e15);
        steps[1].requiresDeposit = false;
        return
            abi.encodeCall(
                ILiFiDiamond.swapTokensMultipleV3ERC20ToERC20,
                (bytes32(uint256(7)), "agent-vault", "", payable(address(connector)), MIN_OUT, steps)
            );
    }

    /// @dev The handler's decoder accepts exactly what the reference accepts, with the same fields; a refusal
    ///      is one of its named decoding errors.
    function _assertDecodesLikeReference(bytes memory data) private view {
        bool referenceOk;
        bytes memory referenceFields;
        try this.referenceDecode(data) returns (LiFiSwapHandler.DecodedSwap memory d) {
            referenceOk = true;
            referenceFields = abi.encode(d);
        } catch {}
        try handler.decodeSwap(data) returns (LiFiSwapHandler.DecodedSwap memory d) {
            assertTrue(referenceOk, "handler accepted what the reference refuses");
            assertEq(keccak256(abi.encode(d)), keccak256(referenceFields), "decoded fields differ");
        } catch (bytes memory reason) {
            assertFalse(referenceOk, "handler refused what the reference accepts");
            bytes4 code = bytes4(reason);
            assertTrue(
                code == LiFiSwapHandler.NonCanonicalCalldata.selector ||
                    code == LiFiSwapHandler.MalformedCalldata.selector,
                "unnamed decoding error"
            );
        }
    }

    function testFuzz_decoderMatchesReencodeOnFlippedBytes(uint256 index, uint8 mask, bool multiple) public view {
        bytes memory data = multiple ? _validMultiple() : _valid();
        index = bound(index, 4, data.length - 1);
        mask = uint8(bound(mask, 1, 255));
        data[index] = data[index] ^ bytes1(mask);
        _assertDecodesLikeReference(data);
    }

    /// @dev Word-sized edits hit offsets and lengths: small shifts keep them in range, so only a byte-exact
    ///      canonical check tells them apart.
    function testFuzz_decoderMatchesReencodeOnShiftedWords(uint256 word, int8 delta, bool multiple) public view {
        bytes memory data = multiple ? _validMultiple() : _valid();
        word = bound(word, 0, (data.length - 4) / 32 - 1);
        uint256 position = 4 + word * 32;
        uint256 value;
        assembly {
            value := mload(add(add(data, 0x20), position))
        }
        unchecked {
            value = uint256(int256(value) + int256(delta));
        }
        assembly {
            mstore(add(add(data, 0x20), position), value)
        }
        _assertDecodesLikeReference(data);
    }

    function testFuzz_decoderMatchesReencodeOnTruncation(uint256 cut, bool multiple) public view {
        bytes memory data = multiple ? _validMultiple() : _valid();
        cut = bound(cut, 4, data.length);
        assembly {
            mstore(data, cut)
        }
        _assertDecodesLikeReference(data);
    }

    function test_decoderAcceptsBothValidLayouts() public view {
        _assertDecodesLikeReference(_valid());
        _assertDecodesLikeReference(_validMultiple());
        assertEq(handler.decodeSwap(_validMultiple()).swapData.length, 2);
    }

    function test_registrySwapContextMatchesTheSingleViews() public {
        IRegistry.SwapContext memory context = registry.swapContext(address(connector), address(usdc), address(weth));
        assertEq(context.vault, registry.connectorConfig(address(connector)).vault);
        assertEq(context.swapHandler, registry.swapHandlerOf(address(vault)));
        assertEq(context.valueOracle, registry.valueOracleOf(address(vault)));
        assertTrue(context.sendingAllowed && context.receivingAllowed);

        vm.prank(address(0xBEEF));
        registry.setConnectorToken(address(connector), address(weth), false);
        context = registry.swapContext(address(connector), address(usdc), address(weth));
        assertTrue(context.sendingAllowed);
        assertFalse(context.receivingAllowed);

        IRegistry.SwapContext memory unknown = registry.swapContext(address(dex), address(usdc), address(weth));
        assertEq(unknown.vault, address(0));
        assertEq(unknown.swapHandler, address(0));
        assertFalse(unknown.sendingAllowed || unknown.receivingAllowed);
    }
}
