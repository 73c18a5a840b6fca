// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IConditionalTokens} from "../interfaces/IConditionalTokens.sol";
import {ICtfExchange} from "../interfaces/ICtfExchange.sol";
import {INegRiskAdapter} from "../interfaces/INegRiskAdapter.sol";
import {IPolymarketConnector} from "../interfaces/IPolymarketConnector.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {BaseConnector} from "./BaseConnector.sol";
import {PolymarketValuer} from "./PolymarketValuer.sol";

/// @title PolymarketConnector
/// @notice One vault's maker on Polymarket's CTF Exchange (plain binary markets) and NegRisk CTF Exchange
///         (negRisk questions). The connector signs an order by holding its EIP-712 hash open: the exchanges
///         check POLY_1271 signatures with `isValidSignature`, which accepts exactly the open, unexpired
///         hashes. Collateral allowances are exact (the remaining maker amount of open BUYs) and the CTF
///         operator approval of an exchange lives only while one of its SELLs is open, so value leaves only
///         through a fill of an order the connector placed. Filled sets lock into collateral by merging
///         (CTF or adapter) or converting a NO set (adapter). Valued conservatively (docs/valuation.md):
///         resolved conditions at their payout, YES+NO pairs at par, a negRisk YES set (one YES of every
///         question) at par only while the adapter's question count equals the registered one, anything
///         unpaired at 0. Caps count every open order as if it filled.
/// @dev Outcome tokens arrive only from the CTF and only for registered ids: moved by an exchange (a fill),
///      or by the connector or the adapter during the connector's own actions.
contract PolymarketConnector is BaseConnector, IPolymarketConnector, IERC1155Receiver, IERC1271 {
    using SafeERC20 for IERC20;

    /// @notice Bound on registered conditions (plain markets plus negRisk questions): what a value report reads.
    /// @dev A condition costs 28k-40k gas of `totalValue` (held, open orders, resolved, cold); at 16 the report
    ///      needed up to 650k, over the vault's 500k valuation budget (ConnectorValuation.VALUATION_GAS), and
    ///      the vault read the connector as unhealthy. At 10 the worst case stays under the budget
    ///      (PolymarketConnectorNavGasTest).
    uint256 public constant MAX_CONDITIONS = 10;
    /// @notice Bound on open orders: what every order action and cap check reads.
    uint256 public constant MAX_OPEN_ORDERS = 32;
    /// @notice Longest validity of an order.
    uint256 public constant MAX_ORDER_TTL = 1 days;
    /// @notice Per-event exposure cap at deployment (15 % of NAV).
    uint16 public constant DEFAULT_EVENT_CAP_BPS = 1_500;
    /// @notice Per-group exposure cap at deployment (30 % of NAV).
    uint16 public constant DEFAULT_GROUP_CAP_BPS = 3_000;
    /// @notice Largest cap governance may set.
    uint16 public constant MAX_CAP_BPS = 5_000;
    /// @notice Highest `maxFeeRateBps`: the real exchange's maximum fee rate.
    uint16 public constant MAX_FEE_RATE_BPS = 1_000;
    bytes4 private constant MAGIC_VALUE = 0x1626ba7e;

    /// @notice The Gnosis Conditional Tokens both exchanges settle on.
    IConditionalTokens public immutable conditionalTokens;
    /// @notice Polymarket's CTF Exchange (plain binary markets).
    ICtfExchange public immutable exchange;
    /// @notice Polymarket's NegRisk CTF Exchange (negRisk questions).
    ICtfExchange public immutable negRiskExchange;
    /// @notice Polymarket's NegRiskAdapter.
    INegRiskAdapter public immutable negRiskAdapter;
    /// @notice Computes the value, exposures and caps from this connector's views.
    PolymarketValuer public immutable valuer;

    uint16 public eventCapBps;
    uint16 public groupCapBps;
    uint16 public maxFeeRateBps;

    bytes32[] private _conditionIds;
    mapping(bytes32 conditionId => Condition) private _conditions;
    /// @dev 2 x condition index + (0 YES, 1 NO) + 1; 0 = not a registered outcome.
    mapping(uint256 tokenId => uint256) public legOf;
    mapping(bytes32 marketId => NegRiskMarket) private _negRiskMarkets;
    bytes32[] private _negRiskMarketIds;
    bytes32[] private _openHashes;
    mapping(bytes32 orderHash => OpenOrder) private _openOrders;

    /// @param exchange_ the CTF Exchange; its collateral must be the vault's base asset
    /// @param negRiskExchange_ the NegRisk CTF Exchange over `negRiskAdapter_`, same collateral and CTF
    constructor(
        IRegistry registry_,
        address vault_,
        ICtfExchange exchange_,
        ICtfExchange negRiskExchange_,
        INegRiskAdapter negRiskAdapter_,
        PolymarketValuer valuer_
    ) BaseConnector(registry_, vault_) {
        address ctf = exchange_.getCtf();
        if (
            exchange_.getCollateral() != baseAsset || negRiskExchange_.getCollateral() != baseAsset
                || negRiskAdapter_.col() != baseAsset
        ) revert WrongCollateral(exchange_.getCollateral(), baseAsset);
        if (negRiskExchange_.getCtf() != ctf || negRiskAdapter_.ctf() != ctf) revert ZeroAddress();
        if (negRiskExchange_.getNegRiskAdapter() != address(negRiskAdapter_)) revert ZeroAddress();
        conditionalTokens = IConditionalTokens(ctf);
        exchange = exchange_;
        negRiskExchange = negRiskExchange_;
        negRiskAdapter = negRiskAdapter_;
        valuer = valuer_;
        eventCapBps = DEFAULT_EVENT_CAP_BPS;
        groupCapBps = DEFAULT_GROUP_CAP_BPS;
        maxFeeRateBps = MAX_FEE_RATE_BPS;
        emit ExposureCapsSet(DEFAULT_EVENT_CAP_BPS, DEFAULT_GROUP_CAP_BPS);
    }

    // ----------------------------------------------------------------------------------- orders

    /// @inheritdoc IPolymarketConnector
    function placeOrders(address collateral, uint256 notional, ICtfExchange.Order[] calldata orders)
        external
        onlyKeeperGate
        nonReentrant
    {
        _checkCollateral(collateral);
        uint256[] memory before = valuer.exposures(this, false);
        uint256 sum;
        for (uint256 i; i < orders.length; ++i) {
            ICtfExchange.Order calldata o = orders[i];
            sum += o.makerAmount;
            bytes32 conditionId = _tradableConditionOf(o.tokenId);
            _checkOrderShape(i, o);
            bool negRisk = _conditions[conditionId].negRiskMarketId != bytes32(0);
            ICtfExchange venue = _venue(negRisk);
            bytes32 hash = venue.hashOrder(o);
            ICtfExchange.OrderStatus memory status = venue.getOrderStatus(hash);
            if (_openOrders[hash].expiration != 0 || status.isFilledOrCancelled || status.remaining != 0) {
                revert OrderHashUsed(hash);
            }
            if (_openHashes.length >= MAX_OPEN_ORDERS) revert TooManyOpenOrders();
            _openOrders[hash] = OpenOrder({
                tokenId: o.tokenId,
                makerAmount: uint128(o.makerAmount),
                takerAmount: uint128(o.takerAmount),
                expiration: uint64(o.expiration),
                side: o.side,
                negRisk: negRisk
            });
            _openHashes.push(hash);
            // With the hash open, the exchange's own check covers signature, nonce, fee cap and token.
            venue.validateOrder(o);
            emit OrderPlaced(hash, o.tokenId, uint8(o.side), o.makerAmount, o.takerAmount, o.expiration);
        }
        if (sum != notional) revert NotionalMismatch(notional, sum);
        _syncApprovals();
        valuer.checkCaps(this, before, true);
    }

    /// @inheritdoc IPolymarketConnector
    function closeOrders(ICtfExchange.Order[] calldata orders) external nonReentrant {
        bool gate = msg.sender == registry.keeperGateOf(vault);
        for (uint256 i; i < orders.length; ++i) {
            ICtfExchange.Order calldata o = orders[i];
            bytes32 conditionId = _conditionOf(o.tokenId);
            ICtfExchange venue = _venue(_conditions[conditionId].negRiskMarketId != bytes32(0));
            bytes32 hash = venue.hashOrder(o);
            OpenOrder storage open = _openOrders[hash];
            uint256 expiration = open.expiration;
            if (expiration == 0) revert OrderNotOpen(hash);
            if (!gate && block.timestamp <= expiration) revert OrderNotExpired(hash, expiration);
            uint256 remaining = _remaining(hash, open);
            if (remaining != 0) venue.cancelOrder(o);
            uint256 filled = open.makerAmount - remaining;
            _dropOrder(hash);
            emit OrderClosed(hash, filled);
        }
        _syncApprovals();
    }

    /// @inheritdoc IPolymarketConnector
    function isValidSignature(bytes32 hash, bytes calldata)
        external
        view
        override(IERC1271, IPolymarketConnector)
        returns (bytes4)
    {
        OpenOrder storage o = _openOrders[hash];
        uint256 expiration = o.expiration;
        if (expiration == 0 || block.timestamp > expiration) return bytes4(0xffffffff);
        // a frozen or resolved market's orders stop filling at once, not at their expiry
        bytes32 conditionId = _conditionOf(o.tokenId);
        if (_conditions[conditionId].frozen || _resolved(conditionId)) return bytes4(0xffffffff);
        return MAGIC_VALUE;
    }

    // -------------------------------------------------------------------------------- positions

    /// @inheritdoc IPolymarketConnector
    /// @dev Both legs grow by `amount`, so the worst-case exposure is unchanged and no cap applies.
    function split(address collateral, uint256 amount, bytes32 conditionId) external onlyKeeperGate nonReentrant {
        _checkCollateral(collateral);
        Condition storage c = _tradable(conditionId);
        if (c.negRiskMarketId == bytes32(0)) {
            IERC20(baseAsset).forceApprove(address(conditionalTokens), amount);
            conditionalTokens.splitPosition(baseAsset, bytes32(0), conditionId, _binaryPartition(), amount);
            IERC20(baseAsset).forceApprove(address(conditionalTokens), 0);
        } else {
            IERC20(baseAsset).forceApprove(address(negRiskAdapter), amount);
            negRiskAdapter.splitPosition(conditionId, amount);
            IERC20(baseAsset).forceApprove(address(negRiskAdapter), 0);
        }
        emit Split(conditionId, amount);
    }

    /// @inheritdoc IPolymarketConnector
    /// @dev Both legs shrink by `amount`: no cap can be crossed.
    function merge(address collateral, uint256 amount, bytes32 conditionId) external onlyKeeperGate nonReentrant {
        _checkCollateral(collateral);
        Condition storage c = _condition(conditionId);
        if (c.negRiskMarketId == bytes32(0)) {
            conditionalTokens.mergePositions(baseAsset, bytes32(0), conditionId, _binaryPartition(), amount);
        } else {
            _approveAdapter(true);
            negRiskAdapter.mergePositions(conditionId, amount);
            _approveAdapter(false);
        }
        emit Merged(conditionId, amount);
    }

    /// @inheritdoc IPolymarketConnector
    function convert(address collateral, uint256 amount, bytes32 marketId, uint256 indexSet)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 received)
    {
        _checkCollateral(collateral);
        NegRiskMarket memory m = _negRiskMarkets[marketId];
        if (m.questionCount == 0) revert UnknownMarket(marketId);
        uint256 onChain = negRiskAdapter.getQuestionCount(marketId);
        if (onChain != m.questionCount) revert QuestionCountChanged(marketId, m.questionCount, onChain);
        for (uint256 i = m.firstIndex; i < m.firstIndex + m.questionCount; ++i) _tradable(_conditionIds[i]);
        uint256[] memory before = valuer.exposures(this, false);
        uint256 balanceBefore = IERC20(baseAsset).balanceOf(address(this));
        _approveAdapter(true);
        negRiskAdapter.convertPositions(marketId, indexSet, amount);
        _approveAdapter(false);
        received = IERC20(baseAsset).balanceOf(address(this)) - balanceBefore;
        valuer.checkCaps(this, before, false);
        emit Converted(marketId, indexSet, amount, received);
    }

    /// @inheritdoc IPolymarketConnector
    /// @dev Allowed while frozen: the payout is final once reported.
    function redeem(address collateral, uint256 minPayout, bytes32 conditionId)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 payout)
    {
        _checkCollateral(collateral);
        Condition storage c = _condition(conditionId);
        if (!_resolved(conditionId)) revert MarketNotResolved(conditionId);
        uint256 before = IERC20(baseAsset).balanceOf(address(this));
        if (c.negRiskMarketId == bytes32(0)) {
            conditionalTokens.redeemPositions(baseAsset, bytes32(0), conditionId, _binaryPartition());
        } else {
            uint256[] memory ids = new uint256[](2);
            ids[0] = c.yesTokenId;
            ids[1] = c.noTokenId;
            address[] memory owners = new address[](2);
            owners[0] = address(this);
            owners[1] = address(this);
            _approveAdapter(true);
            negRiskAdapter.redeemPositions(conditionId, conditionalTokens.balanceOfBatch(owners, ids));
            _approveAdapter(false);
        }
        payout = IERC20(baseAsset).balanceOf(address(this)) - before;
        if (payout < minPayout) revert SlippageExceeded(payout, minPayout);
        emit Redeemed(conditionId, payout);
    }

    // ------------------------------------------------------------------------------- governance

    /// @inheritdoc IPolymarketConnector
    /// @dev The tokens must be the exchange's registered pair of the condition and the CTF positions of index
    ///      sets 1 (YES) and 2 (NO) over the base asset.
    function addBinaryMarket(bytes32 conditionId, uint256 yesTokenId, uint256 noTokenId, bytes32 group) external {
        _checkGovernance();
        _checkPair(exchange, conditionId, yesTokenId, noTokenId);
        if (conditionalTokens.getOutcomeSlotCount(conditionId) != 2 || _position(conditionId, 1) != yesTokenId) {
            revert TokensNotRegistered(yesTokenId);
        }
        if (_position(conditionId, 2) != noTokenId) revert TokensNotRegistered(noTokenId);
        if (group == bytes32(0)) group = conditionId;
        _addCondition(conditionId, yesTokenId, noTokenId, group, bytes32(0));
        emit BinaryMarketAdded(conditionId, yesTokenId, noTokenId, group);
    }

    /// @inheritdoc IPolymarketConnector
    /// @dev Question i of a market has id `marketId + i` (the adapter's id scheme); every question's pair must
    ///      be registered on the NegRisk CTF Exchange.
    function addNegRiskMarket(bytes32 marketId, bytes32 group) external {
        _checkGovernance();
        if (_negRiskMarkets[marketId].questionCount != 0) revert MarketAlreadyAdded(marketId);
        uint256 count = negRiskAdapter.getQuestionCount(marketId);
        uint256 first = _conditionIds.length;
        if (count < 2 || first + count > MAX_CONDITIONS) revert InvalidQuestionCount(count);
        if (group == bytes32(0)) group = marketId;
        for (uint256 i; i < count; ++i) {
            bytes32 questionId = bytes32(uint256(marketId) + i);
            bytes32 conditionId = negRiskAdapter.getConditionId(questionId);
            uint256 yes = negRiskAdapter.getPositionId(questionId, true);
            uint256 no = negRiskAdapter.getPositionId(questionId, false);
            _checkPair(negRiskExchange, conditionId, yes, no);
            _addCondition(conditionId, yes, no, group, marketId);
        }
        _negRiskMarkets[marketId] = NegRiskMarket({firstIndex: uint8(first), questionCount: uint8(count)});
        _negRiskMarketIds.push(marketId);
        emit NegRiskMarketAdded(marketId, count, group);
    }

    /// @inheritdoc IPolymarketConnector
    function setFrozen(bytes32 conditionId, bool frozen) external {
        if (frozen) _checkGuardianOrGovernance(vault);
        else _checkGovernance();
        _condition(conditionId).frozen = frozen;
        emit MarketFrozenSet(conditionId, frozen, msg.sender);
    }

    /// @inheritdoc IPolymarketConnector
    function setExposureCaps(uint16 eventCapBps_, uint16 groupCapBps_) external {
        _checkGovernance();
        if (eventCapBps_ > MAX_CAP_BPS || groupCapBps_ > MAX_CAP_BPS || groupCapBps_ < eventCapBps_) {
            revert InvalidExposureCap(eventCapBps_, groupCapBps_);
        }
        eventCapBps = eventCapBps_;
        groupCapBps = groupCapBps_;
        emit ExposureCapsSet(eventCapBps_, groupCapBps_);
    }

    /// @inheritdoc IPolymarketConnector
    function setMaxFeeRateBps(uint16 maxFeeRateBps_) external {
        _checkGovernance();
        if (maxFeeRateBps_ > MAX_FEE_RATE_BPS) revert InvalidFeeRateBound(maxFeeRateBps_);
        maxFeeRateBps = maxFeeRateBps_;
        emit MaxFeeRateSet(maxFeeRateBps_);
    }

    // ------------------------------------------------------------------------ ERC-1155 receiver

    /// @notice Accepts outcome tokens only as described in the contract's @dev.
    function onERC1155Received(address operator, address, uint256 id, uint256, bytes calldata)
        external
        view
        returns (bytes4)
    {
        _checkIncoming(operator, id);
        return IERC1155Receiver.onERC1155Received.selector;
    }

    /// @notice Batch form of `onERC1155Received`, same rules for every id.
    function onERC1155BatchReceived(address operator, address, uint256[] calldata ids, uint256[] calldata, bytes calldata)
        external
        view
        returns (bytes4)
    {
        for (uint256 i; i < ids.length; ++i) _checkIncoming(operator, ids[i]);
        return IERC1155Receiver.onERC1155BatchReceived.selector;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------------------------ views

    /// @inheritdoc IPolymarketConnector
    function conditionIds() external view returns (bytes32[] memory) {
        return _conditionIds;
    }

    /// @inheritdoc IPolymarketConnector
    function condition(bytes32 conditionId) external view returns (Condition memory) {
        return _conditions[conditionId];
    }

    /// @inheritdoc IPolymarketConnector
    function negRiskMarket(bytes32 marketId) external view returns (NegRiskMarket memory) {
        return _negRiskMarkets[marketId];
    }

    /// @inheritdoc IPolymarketConnector
    function openOrderHashes() external view returns (bytes32[] memory) {
        return _openHashes;
    }

    /// @inheritdoc IPolymarketConnector
    function openOrder(bytes32 orderHash) external view returns (OpenOrder memory) {
        return _openOrders[orderHash];
    }

    /// @inheritdoc IPolymarketConnector
    function negRiskMarketIds() external view returns (bytes32[] memory) {
        return _negRiskMarketIds;
    }

    // -------------------------------------------------------------------------------- internals

    /// @dev The valuer's rule (PolymarketValuer.positionValue): resolved at payout, pairs at par, a negRisk
    ///      YES set at par while the question count is unchanged, unpaired at 0. Open BUY orders hold no
    ///      value: their collateral is still in the wallet.
    function _positionValue(address) internal view override returns (uint256, uint256, bool) {
        return (valuer.positionValue(this), 0, true);
    }

    /// @dev Positions are ERC-1155 ids, which `recoverToken` (ERC-20) cannot move; they pay the base asset.
    function _isPositionToken(address) internal pure override returns (bool) {
        return false;
    }

    /// @dev Sets each exchange's collateral allowance to exactly the remaining maker amount of its open BUYs
    ///      (fills then lower it in step) and its CTF operator approval to whether one of its SELLs is open.
    function _syncApprovals() private {
        uint256[2] memory buys;
        bool[2] memory sells;
        for (uint256 i; i < _openHashes.length; ++i) {
            bytes32 hash = _openHashes[i];
            OpenOrder storage o = _openOrders[hash];
            uint256 venue = o.negRisk ? 1 : 0;
            if (o.side == ICtfExchange.Side.BUY) buys[venue] += _remaining(hash, o);
            else sells[venue] = true;
        }
        for (uint256 venue; venue < 2; ++venue) {
            address spender = address(_venue(venue == 1));
            IERC20(baseAsset).forceApprove(spender, buys[venue]);
            if (conditionalTokens.isApprovedForAll(address(this), spender) != sells[venue]) {
                conditionalTokens.setApprovalForAll(spender, sells[venue]);
            }
        }
    }

    function _checkOrderShape(uint256 index, ICtfExchange.Order calldata o) private view {
        if (
            o.maker != address(this) || o.signer != address(this)
                || o.signatureType != ICtfExchange.SignatureType.POLY_1271
        ) revert InvalidOrderSigner(index);
        if (
            o.makerAmount == 0 || o.takerAmount == 0 || o.makerAmount > type(uint128).max
                || o.takerAmount > type(uint128).max
                || (o.side == ICtfExchange.Side.BUY && o.makerAmount > o.takerAmount)
        ) revert InvalidOrderAmounts(index);
        if (o.expiration <= block.timestamp || o.expiration > block.timestamp + MAX_ORDER_TTL) {
            revert InvalidOrderExpiration(index, o.expiration);
        }
        if (o.feeRateBps > maxFeeRateBps) revert FeeRateAboveBound(index, o.feeRateBps, maxFeeRateBps);
    }

    /// @dev Maker amount the exchange can still fill: 0 once filled or cancelled, all of it before a fill.
    function _remaining(bytes32 hash, OpenOrder storage o) private view returns (uint256) {
        ICtfExchange.OrderStatus memory status = _venue(o.negRisk).getOrderStatus(hash);
        if (status.isFilledOrCancelled) return 0;
        return status.remaining == 0 ? o.makerAmount : status.remaining;
    }

    function _dropOrder(bytes32 hash) private {
        delete _openOrders[hash];
        uint256 length = _openHashes.length;
        for (uint256 i; i < length; ++i) {
            if (_openHashes[i] == hash) {
                _openHashes[i] = _openHashes[length - 1];
                _openHashes.pop();
                return;
            }
        }
    }

    function _addCondition(bytes32 conditionId, uint256 yes, uint256 no, bytes32 group, bytes32 marketId) private {
        if (_conditions[conditionId].yesTokenId != 0 || legOf[yes] != 0 || legOf[no] != 0) {
            revert MarketAlreadyAdded(conditionId);
        }
        uint256 index = _conditionIds.length;
        if (index >= MAX_CONDITIONS) revert TooManyMarkets();
        _conditionIds.push(conditionId);
        _conditions[conditionId] =
            Condition({yesTokenId: yes, noTokenId: no, group: group, negRiskMarketId: marketId, frozen: false});
        legOf[yes] = 2 * index + 1;
        legOf[no] = 2 * index + 2;
    }

    function _checkIncoming(address operator, uint256 id) private view {
        if (msg.sender != address(conditionalTokens)) revert UnsolicitedTokens(msg.sender, operator);
        if (legOf[id] == 0) revert UnknownPosition(id);
        bool fill = operator == address(exchange) || operator == address(negRiskExchange);
        bool ownAction =
            _reentrancyGuardEntered() && (operator == address(this) || operator == address(negRiskAdapter));
        if (!fill && !ownAction) revert UnsolicitedTokens(msg.sender, operator);
    }

    /// @dev `yes` and `no` must be the pair `venue` registered for `conditionId`.
    function _checkPair(ICtfExchange venue, bytes32 conditionId, uint256 yes, uint256 no) private view {
        if (venue.getConditionId(yes) != conditionId || venue.getComplement(yes) != no) revert TokensNotRegistered(yes);
    }

    function _approveAdapter(bool approved) private {
        conditionalTokens.setApprovalForAll(address(negRiskAdapter), approved);
    }

    function _position(bytes32 conditionId, uint256 indexSet) private view returns (uint256) {
        return conditionalTokens.getPositionId(
            baseAsset, conditionalTokens.getCollectionId(bytes32(0), conditionId, indexSet)
        );
    }

    function _conditionOf(uint256 tokenId) private view returns (bytes32) {
        uint256 leg = legOf[tokenId];
        if (leg == 0) revert UnknownToken(tokenId);
        return _conditionIds[(leg - 1) / 2];
    }

    function _tradableConditionOf(uint256 tokenId) private view returns (bytes32 conditionId) {
        conditionId = _conditionOf(tokenId);
        _tradable(conditionId);
    }

    function _condition(bytes32 conditionId) private view returns (Condition storage c) {
        c = _conditions[conditionId];
        if (c.yesTokenId == 0) revert UnknownMarket(conditionId);
    }

    function _tradable(bytes32 conditionId) private view returns (Condition storage c) {
        c = _condition(conditionId);
        if (c.frozen) revert MarketIsFrozen(conditionId);
        if (_resolved(conditionId)) revert MarketIsResolved(conditionId);
    }

    function _checkCollateral(address collateral) private view {
        if (collateral != baseAsset) revert WrongCollateral(collateral, baseAsset);
    }

    function _venue(bool negRisk) private view returns (ICtfExchange) {
        return negRisk ? negRiskExchange : exchange;
    }

    function _resolved(bytes32 conditionId) private view returns (bool) {
        return conditionalTokens.payoutDenominator(conditionId) != 0;
    }

    function _binaryPartition() private pure returns (uint256[] memory partition) {
        partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
    }
}
