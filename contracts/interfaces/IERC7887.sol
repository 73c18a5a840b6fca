// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC7887Deposit
/// @notice ERC-7887 cancellation of pending ERC-7540 deposit requests.
/// @dev ERC-165 interface id 0x8bf840e3.
interface IERC7887Deposit {
    event CancelDepositRequest(address indexed controller, uint256 indexed requestId, address sender);
    event CancelDepositClaim(
        address indexed controller,
        address indexed receiver,
        uint256 indexed requestId,
        address sender,
        uint256 assets
    );

    /// @notice Cancels `controller`'s pending deposit request.
    function cancelDepositRequest(uint256 requestId, address controller) external;

    /// @notice Whether a deposit cancellation of `controller` is still pending.
    function pendingCancelDepositRequest(uint256 requestId, address controller) external view returns (bool);

    /// @notice Assets of `controller`'s cancelled deposit requests ready to be claimed.
    function claimableCancelDepositRequest(uint256 requestId, address controller) external view returns (uint256);

    /// @notice Sends `controller`'s cancelled deposit assets to `receiver`.
    function claimCancelDepositRequest(
        uint256 requestId,
        address receiver,
        address controller
    ) external returns (uint256 assets);
}

/// @title IERC7887Redeem
/// @notice ERC-7887 cancellation of pending ERC-7540 redeem requests.
/// @dev ERC-165 interface id 0xe76cffc7.
interface IERC7887Redeem {
    event CancelRedeemRequest(address indexed controller, uint256 indexed requestId, address sender);
    event CancelRedeemClaim(
        address indexed controller,
        address indexed receiver,
        uint256 indexed requestId,
        address sender,
        uint256 shares
    );

    /// @notice Cancels `controller`'s pending redeem request.
    function cancelRedeemRequest(uint256 requestId, address controller) external;

    /// @notice Whether a redeem cancellation of `controller` is still pending.
    function pendingCancelRedeemRequest(uint256 requestId, address controller) external view returns (bool);

    /// @notice Shares of `controller`'s cancelled redeem requests ready to be claimed.
    function claimableCancelRedeemRequest(uint256 requestId, address controller) external view returns (uint256);

    /// @notice Sends `controller`'s cancelled redeem shares to `receiver`.
    function claimCancelRedeemRequest(
        uint256 requestId,
        address receiver,
        address controller
    ) external returns (uint256 shares);
}
