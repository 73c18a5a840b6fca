// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/// @title MockPresignedMaker
/// @notice A minimal contract maker of POLY_1271 orders, for tests of the CTF Exchange and the local CLOB
///         only: its owner presigns order hashes, and `isValidSignature` accepts exactly those (the way the
///         PolymarketConnector accepts the orders its keeper placed).
contract MockPresignedMaker is IERC1271, ERC1155Holder {
    /// @notice The account allowed to presign hashes and set approvals.
    address public immutable owner;
    /// @notice Order hashes this maker currently authorises.
    mapping(bytes32 orderHash => bool) public presigned;

    /// @notice The caller is not the owner.
    error NotOwner();

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Authorises (or withdraws) the order with EIP-712 hash `orderHash`.
    function presign(bytes32 orderHash, bool valid) external onlyOwner {
        presigned[orderHash] = valid;
    }

    /// @notice Approves `spender` for `amount` of `token` (the exchange, for BUY orders).
    function approveToken(IERC20 token, address spender, uint256 amount) external onlyOwner {
        token.approve(spender, amount);
    }

    /// @notice Sets `operator`'s approval over this maker's `ctf` positions (the exchange, for SELL orders).
    function setOperator(IERC1155 ctf, address operator, bool approved) external onlyOwner {
        ctf.setApprovalForAll(operator, approved);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        return presigned[hash] ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
