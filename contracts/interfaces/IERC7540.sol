// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC7540Operator
/// @notice ERC-7540 operators: a controller lets an operator request and claim on its behalf.
/// @dev ERC-165 interface id 0xe3bc4e65.
interface IERC7540Operator {
    event OperatorSet(address indexed controller, address indexed operator, bool approved);

    /// @notice Grants or revokes `operator` for the caller's requests.
    function setOperator(address operator, bool approved) external returns (bool);

    /// @notice Whether `operator` may act for `controller`.
    function isOperator(address controller, address operator) external view returns (bool);
}

/// @title IERC7540Deposit
/// @notice ERC-7540 asynchronous deposit requests and their controller-aware claims.
/// @dev ERC-165 interface id 0xce3bbe50.
interface IERC7540Deposit {
    event DepositRequest(
        address indexed controller,
        address indexed owner,
        uint256 indexed requestId,
        address sender,
        uint256 assets
    );

    /// @notice Moves `assets` from `owner` into a pending deposit request controlled by `controller`.
    function requestDeposit(uint256 assets, address controller, address owner) external returns (uint256 requestId);

    /// @notice Assets of `controller`'s request not yet settled.
    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice Assets of `controller`'s settled request not yet claimed.
    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256 assets);

    /// @notice Claims settled deposit assets of `controller` as shares sent to `receiver`.
    function deposit(uint256 assets, address receiver, address controller) external returns (uint256 shares);

    /// @notice Claims exactly `shares` of `controller`'s settled deposits for `receiver`.
    function mint(uint256 shares, address receiver, address controller) external returns (uint256 assets);
}

/// @title IERC7540Redeem
/// @notice ERC-7540 asynchronous redeem requests.
/// @dev ERC-165 interface id 0x620ee8e4.
interface IERC7540Redeem {
    event RedeemRequest(
        address indexed controller,
        address indexed owner,
        uint256 indexed requestId,
        address sender,
        uint256 shares
    );

    /// @notice Moves `shares` from `owner` into a pending redeem request controlled by `controller`.
    function requestRedeem(uint256 shares, address controller, address owner) external returns (uint256 requestId);

    /// @notice Shares of `controller`'s request not yet settled.
    function pendingRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);

    /// @notice Shares of `controller`'s settled request not yet claimed.
    function claimableRedeemRequest(uint256 requestId, address controller) external view returns (uint256 shares);
}
