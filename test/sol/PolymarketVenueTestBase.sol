// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IConditionalTokens} from "../../contracts/interfaces/IConditionalTokens.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";

/// @notice A contract maker for POLY_1271 orders: it accepts exactly the order hashes its owner approved, holds
///         collateral and outcome tokens, and approves the exchange for both.
contract Erc1271Maker is IERC1271, ERC1155Holder {
    address private immutable owner;
    mapping(bytes32 hash => bool) public approvedHashes;

    constructor(IERC20 collateral, IConditionalTokens ctf, address exchange) {
        owner = msg.sender;
        collateral.approve(exchange, type(uint256).max);
        ctf.setApprovalForAll(exchange, true);
    }

    function approveHash(bytes32 hash) external {
        require(msg.sender == owner, "not owner");
        approvedHashes[hash] = true;
    }

    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        return approvedHashes[hash] ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}

/// @notice The real Gnosis ConditionalTokens 1.0.3 (from the bytecode its npm package ships), a 6-decimal USDC and
///         helpers to build, sign and fund CTF Exchange orders.
abstract contract PolymarketVenueTestBase is Test {
    string internal constant CTF_ARTIFACT =
        "node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json";
    uint256 internal constant USDC = 1e6;

    IConditionalTokens internal ctf;
    MockERC20 internal usdc;

    function _deployCtf() internal {
        bytes memory code = vm.parseJsonBytes(vm.readFile(CTF_ARTIFACT), ".bytecode");
        address deployed;
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "artifact deployment failed");
        ctf = IConditionalTokens(deployed);
        usdc = new MockERC20("USD Coin", "USDC", 6);
    }

    /// @dev The CTF position id of outcome `indexSet` (1 = YES, 2 = NO) of `conditionId` in `collateral`.
    function _positionId(address collateral, bytes32 conditionId, uint256 indexSet) internal view returns (uint256) {
        return ctf.getPositionId(collateral, ctf.getCollectionId(bytes32(0), conditionId, indexSet));
    }

    function _binaryPartition() internal pure returns (uint256[] memory partition) {
        partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
    }

    /// @dev An unsigned order with no taker, no expiry and nonce 0, maker == signer, EOA signature type.
    function _order(
        address maker,
        uint256 tokenId,
        ICtfExchange.Side side,
        uint256 makerAmount,
        uint256 takerAmount,
        uint256 feeRateBps
    ) internal view returns (ICtfExchange.Order memory order) {
        order.salt = uint256(keccak256(abi.encode(maker, tokenId, side, makerAmount, takerAmount, gasleft())));
        order.maker = maker;
        order.signer = maker;
        order.tokenId = tokenId;
        order.makerAmount = makerAmount;
        order.takerAmount = takerAmount;
        order.feeRateBps = feeRateBps;
        order.side = side;
    }

    /// @dev Signs `order` for `exchange` with `privateKey` (65-byte r ‖ s ‖ v).
    function _sign(ICtfExchange exchange, ICtfExchange.Order memory order, uint256 privateKey)
        internal
        view
        returns (ICtfExchange.Order memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, exchange.hashOrder(order));
        order.signature = abi.encodePacked(r, s, v);
        return order;
    }

    /// @dev Gives `account` `amount` USDC and approves `exchange` for its USDC and outcome tokens.
    function _fund(address account, address exchange, uint256 amount) internal {
        usdc.mint(account, amount);
        vm.startPrank(account);
        usdc.approve(exchange, type(uint256).max);
        ctf.setApprovalForAll(exchange, true);
        vm.stopPrank();
    }

    function _one(ICtfExchange.Order memory order) internal pure returns (ICtfExchange.Order[] memory orders) {
        orders = new ICtfExchange.Order[](1);
        orders[0] = order;
    }

    function _amounts(uint256 amount) internal pure returns (uint256[] memory amounts) {
        amounts = new uint256[](1);
        amounts[0] = amount;
    }
}
