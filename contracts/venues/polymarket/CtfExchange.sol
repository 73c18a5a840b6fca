// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IConditionalTokens} from "../../interfaces/IConditionalTokens.sol";
import {ICtfExchange} from "../../interfaces/ICtfExchange.sol";
import {INegRiskAdapter} from "../../interfaces/INegRiskAdapter.sol";
import {ExchangeMath} from "./lib/ExchangeMath.sol";
import {OrderHashing} from "./lib/OrderHashing.sol";
import {OrderSignatures} from "./lib/OrderSignatures.sol";

/// @title CtfExchange
/// @notice Local stand-in for Polymarket's CTF Exchange (and, with a NegRiskAdapter, its NegRisk CTF Exchange),
///         following the real ABI, EIP-712 order hash, matching and fee semantics (docs/polymarket-venue.md).
///         Operators settle signed orders: `fillOrder` against themselves, `matchOrders` of a taker order against
///         maker orders, where a BUY meets a SELL of the same token (COMPLEMENTARY), two BUYs of complementary
///         tokens split collateral into full sets (MINT) and two SELLs merge full sets into collateral (MERGE).
/// @dev Asset id 0 is the collateral; every other id is a Conditional Tokens position registered with its
///      complement. Outcome tokens move with the CTF's `safeTransferFrom` (the exchange is the maker's operator),
///      so ERC-1155 hooks fire on contract receivers. The exchange holds assets only inside a match.
contract CtfExchange is ICtfExchange, EIP712, ERC1155Holder, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Highest fee rate an order may carry (10 %, the real exchange's bound).
    uint256 public constant MAX_FEE_RATE_BIPS = 1_000;

    /// @dev A registered outcome token: its complement (never 0 once registered) and its condition.
    struct OutcomeToken {
        uint256 complement;
        bytes32 conditionId;
    }

    IERC20 private immutable collateral;
    IConditionalTokens private immutable ctf;
    /// @dev Splits and merges for MINT and MERGE go through it when set (the negRisk exchange).
    INegRiskAdapter private immutable negRiskAdapter;

    mapping(address account => bool) private admins;
    mapping(address account => bool) private operators;
    /// @inheritdoc ICtfExchange
    bool public paused;
    /// @inheritdoc ICtfExchange
    mapping(address maker => uint256) public nonces;
    mapping(bytes32 orderHash => OrderStatus) private orderStatus;
    mapping(uint256 token => OutcomeToken) private registry;

    modifier onlyAdmin() {
        if (!admins[msg.sender]) revert NotAdmin();
        _;
    }

    modifier onlyOperator() {
        if (!operators[msg.sender]) revert NotOperator();
        _;
    }

    modifier notPaused() {
        if (paused) revert Paused();
        _;
    }

    /// @param collateral_ ERC-20 every price is quoted in (asset id 0).
    /// @param ctf_ the Gnosis Conditional Tokens.
    /// @param negRiskAdapter_ NegRiskAdapter over `ctf_` and `collateral_`, or zero for a plain CTF exchange.
    /// @param admin first admin and operator (the real exchange gives both roles to its deployer).
    constructor(address collateral_, address ctf_, address negRiskAdapter_, address admin)
        EIP712("Polymarket CTF Exchange", "1")
    {
        collateral = IERC20(collateral_);
        ctf = IConditionalTokens(ctf_);
        negRiskAdapter = INegRiskAdapter(negRiskAdapter_);
        admins[admin] = true;
        operators[admin] = true;
        emit NewAdmin(admin, msg.sender);
        emit NewOperator(admin, msg.sender);
        if (negRiskAdapter_ == address(0)) {
            // the CTF pulls the collateral it splits
            collateral.forceApprove(ctf_, type(uint256).max);
        } else {
            // the adapter pulls the collateral it splits and the full sets it merges
            collateral.forceApprove(negRiskAdapter_, type(uint256).max);
            ctf.setApprovalForAll(negRiskAdapter_, true);
        }
    }

    // ------------------------------------------------------------------------------------ trading

    /// @inheritdoc ICtfExchange
    function fillOrder(Order calldata order, uint256 fillAmount) external nonReentrant onlyOperator notPaused {
        _fillOrder(order, fillAmount);
    }

    /// @inheritdoc ICtfExchange
    function fillOrders(Order[] calldata orders, uint256[] calldata fillAmounts)
        external
        nonReentrant
        onlyOperator
        notPaused
    {
        if (orders.length != fillAmounts.length) revert LengthMismatch();
        for (uint256 i; i < orders.length; ++i) {
            _fillOrder(orders[i], fillAmounts[i]);
        }
    }

    /// @inheritdoc ICtfExchange
    function matchOrders(
        Order calldata takerOrder,
        Order[] calldata makerOrders,
        uint256 takerFillAmount,
        uint256[] calldata makerFillAmounts
    ) external nonReentrant onlyOperator notPaused {
        if (makerOrders.length != makerFillAmounts.length) revert LengthMismatch();
        (uint256 minTaking, bytes32 orderHash) = _performOrderChecks(takerOrder, takerFillAmount);
        (uint256 makerAssetId, ) = _assetIds(takerOrder);
        _transfer(takerOrder.maker, address(this), makerAssetId, takerFillAmount);
        for (uint256 i; i < makerOrders.length; ++i) {
            _fillMakerOrder(takerOrder, makerOrders[i], makerFillAmounts[i]);
        }
        _settleTakerOrder(takerOrder, orderHash, takerFillAmount, minTaking);
    }

    /// @inheritdoc ICtfExchange
    function cancelOrder(Order calldata order) external {
        _cancelOrder(order);
    }

    /// @inheritdoc ICtfExchange
    function cancelOrders(Order[] calldata orders) external {
        for (uint256 i; i < orders.length; ++i) {
            _cancelOrder(orders[i]);
        }
    }

    /// @inheritdoc ICtfExchange
    function incrementNonce() external {
        uint256 newNonce = ++nonces[msg.sender];
        emit NonceIncremented(msg.sender, newNonce);
    }

    /// @inheritdoc ICtfExchange
    function isValidNonce(address maker, uint256 nonce) public view returns (bool) {
        return nonces[maker] == nonce;
    }

    /// @inheritdoc ICtfExchange
    function hashOrder(Order calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(OrderHashing.structHash(order));
    }

    /// @inheritdoc ICtfExchange
    function validateOrder(Order calldata order) external view {
        _validateOrder(hashOrder(order), order);
    }

    /// @inheritdoc ICtfExchange
    function getOrderStatus(bytes32 orderHash) external view returns (OrderStatus memory) {
        return orderStatus[orderHash];
    }

    /// @inheritdoc ICtfExchange
    function getMaxFeeRate() external pure returns (uint256) {
        return MAX_FEE_RATE_BIPS;
    }

    // ------------------------------------------------------------------------------------ registry

    /// @inheritdoc ICtfExchange
    function registerToken(uint256 token, uint256 complement, bytes32 conditionId) external onlyAdmin {
        if (token == complement || token == 0 || complement == 0) revert InvalidTokenId();
        if (registry[token].complement != 0 || registry[complement].complement != 0) revert AlreadyRegistered();
        registry[token] = OutcomeToken(complement, conditionId);
        registry[complement] = OutcomeToken(token, conditionId);
        emit TokenRegistered(token, complement, conditionId);
        emit TokenRegistered(complement, token, conditionId);
    }

    /// @inheritdoc ICtfExchange
    function getConditionId(uint256 token) external view returns (bytes32) {
        return registry[token].conditionId;
    }

    /// @inheritdoc ICtfExchange
    function getComplement(uint256 token) public view returns (uint256) {
        validateTokenId(token);
        return registry[token].complement;
    }

    /// @inheritdoc ICtfExchange
    function validateTokenId(uint256 tokenId) public view {
        if (registry[tokenId].complement == 0) revert InvalidTokenId();
    }

    /// @inheritdoc ICtfExchange
    function validateComplement(uint256 token, uint256 complement) public view {
        if (getComplement(token) != complement) revert InvalidComplement();
    }

    // ------------------------------------------------------------------------------------ roles

    /// @inheritdoc ICtfExchange
    function addOperator(address operator) external onlyAdmin {
        operators[operator] = true;
        emit NewOperator(operator, msg.sender);
    }

    /// @inheritdoc ICtfExchange
    function removeOperator(address operator) external onlyAdmin {
        operators[operator] = false;
        emit RemovedOperator(operator, msg.sender);
    }

    /// @inheritdoc ICtfExchange
    function isOperator(address account) external view returns (bool) {
        return operators[account];
    }

    /// @inheritdoc ICtfExchange
    function addAdmin(address admin) external onlyAdmin {
        admins[admin] = true;
        emit NewAdmin(admin, msg.sender);
    }

    /// @inheritdoc ICtfExchange
    function removeAdmin(address admin) external onlyAdmin {
        admins[admin] = false;
        emit RemovedAdmin(admin, msg.sender);
    }

    /// @inheritdoc ICtfExchange
    function isAdmin(address account) external view returns (bool) {
        return admins[account];
    }

    /// @inheritdoc ICtfExchange
    function pauseTrading() external onlyAdmin {
        paused = true;
        emit TradingPaused(msg.sender);
    }

    /// @inheritdoc ICtfExchange
    function unpauseTrading() external onlyAdmin {
        paused = false;
        emit TradingUnpaused(msg.sender);
    }

    // ------------------------------------------------------------------------------------ configuration

    /// @inheritdoc ICtfExchange
    function getCollateral() external view returns (address) {
        return address(collateral);
    }

    /// @inheritdoc ICtfExchange
    function getCtf() external view returns (address) {
        return address(ctf);
    }

    /// @inheritdoc ICtfExchange
    function getNegRiskAdapter() external view returns (address) {
        return address(negRiskAdapter);
    }

    /// @inheritdoc ICtfExchange
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------------------------ internal

    /// @dev Fills `making` of `order` against the operator: the operator pays the proceeds less the fee (keeping
    ///      the fee) and receives the maker's assets.
    function _fillOrder(Order calldata order, uint256 making) private {
        (uint256 taking, bytes32 orderHash) = _performOrderChecks(order, making);
        uint256 fee = ExchangeMath.fee(
            order.feeRateBps,
            order.side == Side.BUY ? taking : making,
            order.makerAmount,
            order.takerAmount,
            order.side
        );
        (uint256 makerAssetId, uint256 takerAssetId) = _assetIds(order);
        _transfer(msg.sender, order.maker, takerAssetId, taking - fee);
        _transfer(order.maker, msg.sender, makerAssetId, making);
        emit OrderFilled(orderHash, order.maker, msg.sender, makerAssetId, takerAssetId, making, taking, fee);
    }

    /// @dev Pays the taker order of a match everything the maker orders left of the asset it buys (at least
    ///      `minTaking`, its limit price) less its fee, and refunds what they did not take of the asset it sells.
    function _settleTakerOrder(Order calldata takerOrder, bytes32 orderHash, uint256 making, uint256 minTaking)
        private
    {
        (uint256 makerAssetId, uint256 takerAssetId) = _assetIds(takerOrder);
        uint256 taking = _balance(takerAssetId);
        if (taking < minTaking) revert TooLittleTokensReceived();
        uint256 fee = ExchangeMath.fee(
            takerOrder.feeRateBps,
            takerOrder.side == Side.BUY ? taking : making,
            making,
            taking,
            takerOrder.side
        );
        _transfer(address(this), takerOrder.maker, takerAssetId, taking - fee);
        _chargeFee(address(this), takerAssetId, fee);
        emit OrderFilled(orderHash, takerOrder.maker, address(this), makerAssetId, takerAssetId, making, taking, fee);
        emit OrdersMatched(orderHash, takerOrder.maker, makerAssetId, takerAssetId, making, taking);

        uint256 refund = _balance(makerAssetId);
        if (refund > 0) _transfer(address(this), takerOrder.maker, makerAssetId, refund);
    }

    /// @dev Settles `making` of one maker order with the exchange as its counterparty, minting or merging full
    ///      sets when both orders are on the same side.
    function _fillMakerOrder(Order calldata takerOrder, Order calldata makerOrder, uint256 making) private {
        MatchType matchType = _matchType(takerOrder, makerOrder);
        if (!ExchangeMath.isCrossing(takerOrder, makerOrder)) revert NotCrossing();
        if (matchType == MatchType.COMPLEMENTARY) {
            if (takerOrder.tokenId != makerOrder.tokenId) revert MismatchedTokenIds();
        } else {
            validateComplement(takerOrder.tokenId, makerOrder.tokenId);
        }

        (uint256 taking, bytes32 orderHash) = _performOrderChecks(makerOrder, making);
        uint256 fee = ExchangeMath.fee(
            makerOrder.feeRateBps,
            makerOrder.side == Side.BUY ? taking : making,
            makerOrder.makerAmount,
            makerOrder.takerAmount,
            makerOrder.side
        );
        (uint256 makerAssetId, uint256 takerAssetId) = _assetIds(makerOrder);

        _transfer(makerOrder.maker, address(this), makerAssetId, making);
        if (matchType == MatchType.MINT) {
            _split(registry[takerAssetId].conditionId, taking);
        } else if (matchType == MatchType.MERGE) {
            _merge(registry[makerAssetId].conditionId, making);
        }
        if (_balance(takerAssetId) < taking) revert TooLittleTokensReceived();
        _transfer(address(this), makerOrder.maker, takerAssetId, taking - fee);
        _chargeFee(address(this), takerAssetId, fee);

        emit OrderFilled(
            orderHash,
            makerOrder.maker,
            takerOrder.maker,
            makerAssetId,
            takerAssetId,
            making,
            taking,
            fee
        );
    }

    /// @dev Validates `order` for a fill of `making` by the caller and books the fill; returns what it pays the
    ///      maker and the order hash.
    function _performOrderChecks(Order calldata order, uint256 making)
        private
        returns (uint256 taking, bytes32 orderHash)
    {
        if (order.taker != address(0) && order.taker != msg.sender) revert NotTaker();
        orderHash = hashOrder(order);
        _validateOrder(orderHash, order);
        taking = ExchangeMath.takingAmount(making, order.makerAmount, order.takerAmount);

        OrderStatus storage status = orderStatus[orderHash];
        uint256 remaining = status.remaining == 0 ? order.makerAmount : status.remaining;
        if (making > remaining) revert MakingGtRemaining();
        remaining -= making;
        if (remaining == 0) status.isFilledOrCancelled = true;
        status.remaining = remaining;
    }

    function _validateOrder(bytes32 orderHash, Order calldata order) private view {
        if (order.expiration > 0 && order.expiration < block.timestamp) revert OrderExpired();
        if (!OrderSignatures.isValid(orderHash, order)) revert InvalidSignature();
        if (order.feeRateBps > MAX_FEE_RATE_BIPS) revert FeeTooHigh();
        validateTokenId(order.tokenId);
        if (orderStatus[orderHash].isFilledOrCancelled) revert OrderFilledOrCancelled();
        if (!isValidNonce(order.maker, order.nonce)) revert InvalidNonce();
    }

    function _cancelOrder(Order calldata order) private {
        if (order.maker != msg.sender) revert NotOwner();
        bytes32 orderHash = hashOrder(order);
        OrderStatus storage status = orderStatus[orderHash];
        if (status.isFilledOrCancelled) revert OrderFilledOrCancelled();
        status.isFilledOrCancelled = true;
        emit OrderCancelled(orderHash);
    }

    function _matchType(Order calldata takerOrder, Order calldata makerOrder) private pure returns (MatchType) {
        if (takerOrder.side != makerOrder.side) return MatchType.COMPLEMENTARY;
        return takerOrder.side == Side.BUY ? MatchType.MINT : MatchType.MERGE;
    }

    /// @dev (what the maker gives, what it receives); 0 = collateral.
    function _assetIds(Order calldata order) private pure returns (uint256 makerAssetId, uint256 takerAssetId) {
        if (order.side == Side.BUY) return (0, order.tokenId);
        return (order.tokenId, 0);
    }

    /// @dev Splits `amount` of the exchange's collateral into `amount` of both outcomes of `conditionId`.
    function _split(bytes32 conditionId, uint256 amount) private {
        if (address(negRiskAdapter) != address(0)) {
            negRiskAdapter.splitPosition(conditionId, amount);
        } else {
            ctf.splitPosition(address(collateral), bytes32(0), conditionId, _binaryPartition(), amount);
        }
    }

    /// @dev Merges `amount` full sets of `conditionId` held by the exchange into `amount` collateral.
    function _merge(bytes32 conditionId, uint256 amount) private {
        if (address(negRiskAdapter) != address(0)) {
            negRiskAdapter.mergePositions(conditionId, amount);
        } else {
            ctf.mergePositions(address(collateral), bytes32(0), conditionId, _binaryPartition(), amount);
        }
    }

    function _binaryPartition() private pure returns (uint256[] memory partition) {
        partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
    }

    function _chargeFee(address payer, uint256 assetId, uint256 fee) private {
        if (fee == 0) return;
        _transfer(payer, msg.sender, assetId, fee);
        emit FeeCharged(msg.sender, assetId, fee);
    }

    function _transfer(address from, address to, uint256 assetId, uint256 amount) private {
        if (amount == 0) return;
        if (assetId == 0) {
            if (from == address(this)) collateral.safeTransfer(to, amount);
            else collateral.safeTransferFrom(from, to, amount);
        } else {
            ctf.safeTransferFrom(from, to, assetId, amount, "");
        }
    }

    function _balance(uint256 assetId) private view returns (uint256) {
        return assetId == 0 ? collateral.balanceOf(address(this)) : ctf.balanceOf(address(this), assetId);
    }
}
