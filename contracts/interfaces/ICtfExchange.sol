// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICtfExchange
/// @notice Polymarket's CTF Exchange ABI (Polymarket/ctf-exchange, v1): signed EIP-712 orders on Conditional
///         Tokens outcome tokens, filled by an operator against itself or matched against each other. Every
///         function, event and error name here is the real exchange's, plus POLY_1271 signatures for contract
///         makers (a local extension, see docs/polymarket-venue.md).
/// @dev A BUY order pays `makerAmount` collateral for `takerAmount` outcome tokens; a SELL order pays
///      `makerAmount` outcome tokens for `takerAmount` collateral. Fill amounts are always in maker amount.
interface ICtfExchange {
    /// @notice Direction of an order: BUY pays collateral for outcome tokens, SELL the reverse.
    enum Side {
        BUY,
        SELL
    }

    /// @notice How an order's signature is checked.
    enum SignatureType {
        // ECDSA over the EIP-712 order hash; signer == maker.
        EOA,
        // Polymarket proxy wallet owned by the signer (needs Polymarket's proxy factory).
        POLY_PROXY,
        // Polymarket Gnosis Safe owned by the signer (needs Polymarket's Safe factory).
        POLY_GNOSIS_SAFE,
        // Contract maker: signer == maker and IERC1271(maker).isValidSignature(orderHash, signature).
        POLY_1271
    }

    /// @notice How a taker order is settled against one maker order.
    enum MatchType {
        // A BUY against a SELL of the same token: assets swap hands.
        COMPLEMENTARY,
        // Two BUYs of complementary tokens: their collateral is split into full sets.
        MINT,
        // Two SELLs of complementary tokens: the full sets are merged into collateral.
        MERGE
    }

    /// @notice A signed order; every field except `signature` is part of the EIP-712 hash.
    struct Order {
        /// @dev Entropy, so equal orders hash differently.
        uint256 salt;
        /// @dev Source of the order's funds, receiver of its proceeds.
        address maker;
        /// @dev Address whose signature authorises the order.
        address signer;
        /// @dev The only operator that may fill the order, or zero for any operator.
        address taker;
        /// @dev Outcome token (CTF position id) bought (BUY) or sold (SELL).
        uint256 tokenId;
        /// @dev Most the maker gives: collateral for a BUY, outcome tokens for a SELL.
        uint256 makerAmount;
        /// @dev Least the maker receives for the whole `makerAmount`.
        uint256 takerAmount;
        /// @dev Unix time after which the order cannot fill; 0 = never expires.
        uint256 expiration;
        /// @dev Must equal the maker's current nonce; incrementNonce cancels every older order.
        uint256 nonce;
        /// @dev Fee rate charged on the maker's proceeds, in basis points (at most getMaxFeeRate()).
        uint256 feeRateBps;
        /// @dev BUY or SELL.
        Side side;
        /// @dev How `signature` is checked.
        SignatureType signatureType;
        /// @dev The signature over hashOrder(order).
        bytes signature;
    }

    /// @notice Fill state of one order hash.
    struct OrderStatus {
        /// @dev True once fully filled or cancelled: the order cannot fill again.
        bool isFilledOrCancelled;
        /// @dev Maker amount still fillable; 0 before the first fill (then the whole makerAmount is open).
        uint256 remaining;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice `maker`'s order `orderHash` gave `makerAmountFilled` of `makerAssetId` for `takerAmountFilled` of
    ///         `takerAssetId` against `taker` (the operator, or the exchange in a match), paying `fee`.
    /// @dev Asset id 0 is the collateral.
    event OrderFilled(
        bytes32 indexed orderHash,
        address indexed maker,
        address indexed taker,
        uint256 makerAssetId,
        uint256 takerAssetId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled,
        uint256 fee
    );
    /// @notice Taker order `takerOrderHash` of `takerOrderMaker` was matched against maker orders.
    event OrdersMatched(
        bytes32 indexed takerOrderHash,
        address indexed takerOrderMaker,
        uint256 makerAssetId,
        uint256 takerAssetId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled
    );
    /// @notice The maker cancelled order `orderHash`.
    event OrderCancelled(bytes32 indexed orderHash);
    /// @notice `amount` of asset `tokenId` (0 = collateral) was paid as a fee to `receiver`.
    event FeeCharged(address indexed receiver, uint256 tokenId, uint256 amount);
    /// @notice `token0` is tradable, with complement `token1`, both outcomes of `conditionId`.
    event TokenRegistered(uint256 indexed token0, uint256 indexed token1, bytes32 indexed conditionId);
    /// @notice `maker`'s nonce is now `newNonce`: orders signed with a lower nonce cannot fill.
    event NonceIncremented(address indexed maker, uint256 newNonce);
    /// @notice `pauser` paused trading: fills and matches revert until unpaused.
    event TradingPaused(address indexed pauser);
    /// @notice `pauser` resumed trading.
    event TradingUnpaused(address indexed pauser);
    /// @notice `admin` granted the admin role to `newAdminAddress`.
    event NewAdmin(address indexed newAdminAddress, address indexed admin);
    /// @notice `admin` granted the operator role to `newOperatorAddress`.
    event NewOperator(address indexed newOperatorAddress, address indexed admin);
    /// @notice `admin` revoked the admin role of `removedAdmin`.
    event RemovedAdmin(address indexed removedAdmin, address indexed admin);
    /// @notice `admin` revoked the operator role of `removedOperator`.
    event RemovedOperator(address indexed removedOperator, address indexed admin);

    // ------------------------------------------------------------------------------------ errors

    /// @notice The caller is not an operator.
    error NotOperator();
    /// @notice The caller is not an admin.
    error NotAdmin();
    /// @notice Trading is paused.
    error Paused();
    /// @notice The signature does not authorise the order (wrong signer, chain, contract or signature type).
    error InvalidSignature();
    /// @notice The order's expiration has passed.
    error OrderExpired();
    /// @notice The order's nonce is not the maker's current nonce.
    error InvalidNonce();
    /// @notice The order's fee rate exceeds getMaxFeeRate().
    error FeeTooHigh();
    /// @notice The token is not registered (or a registration names token 0 or twice the same token).
    error InvalidTokenId();
    /// @notice The order names a taker other than the caller.
    error NotTaker();
    /// @notice The order is fully filled or cancelled.
    error OrderFilledOrCancelled();
    /// @notice Only the order's maker may cancel it.
    error NotOwner();
    /// @notice The taker and maker order prices do not cross.
    error NotCrossing();
    /// @notice Settlement produced fewer tokens than the order's price requires.
    error TooLittleTokensReceived();
    /// @notice A BUY and a SELL matched against each other name different tokens.
    error MismatchedTokenIds();
    /// @notice The fill amount exceeds the order's remaining maker amount.
    error MakingGtRemaining();
    /// @notice Two BUYs or two SELLs matched against each other are not complementary tokens.
    error InvalidComplement();
    /// @notice One of the tokens is registered already.
    error AlreadyRegistered();
    /// @notice The arrays of orders and amounts differ in length.
    error LengthMismatch();

    // ------------------------------------------------------------------------------------ trading

    /// @notice Fills `fillAmount` (in maker amount) of `order` against the calling operator, who pays the
    ///         order's proceeds minus its fee and receives the maker's assets.
    function fillOrder(Order calldata order, uint256 fillAmount) external;

    /// @notice fillOrder for each order with the same-index amount.
    function fillOrders(Order[] calldata orders, uint256[] calldata fillAmounts) external;

    /// @notice Matches `takerFillAmount` of `takerOrder` against `makerFillAmounts` of `makerOrders`
    ///         (COMPLEMENTARY, MINT or MERGE per pair); the taker receives any price improvement.
    function matchOrders(
        Order calldata takerOrder,
        Order[] calldata makerOrders,
        uint256 takerFillAmount,
        uint256[] calldata makerFillAmounts
    ) external;

    /// @notice Cancels `order`; only its maker may.
    function cancelOrder(Order calldata order) external;

    /// @notice cancelOrder for each order.
    function cancelOrders(Order[] calldata orders) external;

    /// @notice Raises the caller's nonce by one, invalidating every order signed with the old nonce.
    function incrementNonce() external;

    /// @notice The nonce `maker`'s orders must carry to be valid.
    function nonces(address maker) external view returns (uint256);

    /// @notice Whether `nonce` is `maker`'s current nonce.
    function isValidNonce(address maker, uint256 nonce) external view returns (bool);

    /// @notice EIP-712 hash of `order` under domainSeparator() (the signature is not part of it).
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Reverts with the named error unless `order` could fill now (expiry, signature, fee rate,
    ///         token, fill state, nonce); balances and allowances are not checked.
    function validateOrder(Order calldata order) external view;

    /// @notice Fill state of `orderHash`.
    function getOrderStatus(bytes32 orderHash) external view returns (OrderStatus memory);

    /// @notice Highest fee rate an order may carry, in basis points.
    function getMaxFeeRate() external pure returns (uint256);

    // ------------------------------------------------------------------------------------ registry

    /// @notice Registers `token` and `complement`, the two outcomes of binary condition `conditionId`.
    function registerToken(uint256 token, uint256 complement, bytes32 conditionId) external;

    /// @notice The condition of a registered token (zero when unregistered).
    function getConditionId(uint256 token) external view returns (bytes32);

    /// @notice The complement of a registered token; reverts InvalidTokenId when unregistered.
    function getComplement(uint256 token) external view returns (uint256);

    /// @notice Reverts InvalidTokenId unless `tokenId` is registered.
    function validateTokenId(uint256 tokenId) external view;

    /// @notice Reverts unless `complement` is the registered complement of `token`.
    function validateComplement(uint256 token, uint256 complement) external view;

    // ------------------------------------------------------------------------------------ roles

    /// @notice Grants the operator role (may fill and match orders); admin only.
    function addOperator(address operator) external;

    /// @notice Revokes the operator role; admin only.
    function removeOperator(address operator) external;

    /// @notice Whether `account` holds the operator role.
    function isOperator(address account) external view returns (bool);

    /// @notice Grants the admin role; admin only.
    function addAdmin(address admin) external;

    /// @notice Revokes the admin role; admin only.
    function removeAdmin(address admin) external;

    /// @notice Whether `account` holds the admin role.
    function isAdmin(address account) external view returns (bool);

    /// @notice Stops fills and matches; admin only.
    function pauseTrading() external;

    /// @notice Resumes fills and matches; admin only.
    function unpauseTrading() external;

    /// @notice Whether trading is paused.
    function paused() external view returns (bool);

    // ------------------------------------------------------------------------------------ configuration

    /// @notice The collateral (asset id 0), an ERC-20.
    function getCollateral() external view returns (address);

    /// @notice The Gnosis Conditional Tokens whose positions trade here.
    function getCtf() external view returns (address);

    /// @notice The NegRiskAdapter that splits and merges for MINT and MERGE matches, or zero for a plain exchange.
    function getNegRiskAdapter() external view returns (address);

    /// @notice EIP-712 domain separator: name "Polymarket CTF Exchange", version "1", this chain, this contract.
    function domainSeparator() external view returns (bytes32);
}
