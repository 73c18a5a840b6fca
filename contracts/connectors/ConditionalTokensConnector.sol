// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {IConditionalTokens, IFixedProductMarketMaker} from "../interfaces/IConditionalTokens.sol";
import {IConditionalTokensConnector} from "../interfaces/IConditionalTokensConnector.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {BaseConnector} from "./BaseConnector.sol";
import {OutcomeMath} from "./lib/OutcomeMath.sol";

/// @title ConditionalTokensConnector
/// @notice Holds one vault's Gnosis Conditional Tokens positions in markets governance registered: splits
///         collateral into full sets, merges them back, redeems resolved markets and trades outcome tokens on
///         each market's FixedProductMarketMaker. Markets settle in the vault's base asset, so neither the
///         value report nor a cap check reads a price. Valued conservatively (docs/valuation.md): full sets at par,
///         resolved markets at their payout, unpaired tokens of an open market at governance marks that
///         expire (0 by default), never at a pool price. Every trade that grows a market's exposure
///         (max leg - min leg) is capped at `eventCapBps` of the last settled NAV, and its group's total at
///         `groupCapBps`.
/// @dev Outcome tokens arrive only from the Conditional Tokens, only during this connector's own actions,
///      only for registered position ids and only through this connector or the market's pool. Nobody
///      else can move the connector's tokens (the pool's operator approval lives only inside `sell`), so
///      balances change only through these actions and the cached exposures stay exact.
contract ConditionalTokensConnector is BaseConnector, IConditionalTokensConnector, IERC1155Receiver {
    using SafeERC20 for IERC20;

    /// @notice Bound on registered markets.
    uint256 public constant MAX_MARKETS = 8;
    /// @notice Bound on outcomes of one market.
    uint256 public constant MAX_OUTCOME_SLOTS = 32;
    /// @notice Bound on outcome tokens across all markets: what a value report reads (NAV gas, measured).
    uint256 public constant MAX_TOTAL_LEGS = 32;
    /// @notice Longest validity of a mark; a mark nobody renews falls back to 0.
    uint256 public constant MAX_MARK_TTL = 7 days;
    /// @notice Per-event exposure cap at deployment (15 % of NAV).
    uint16 public constant DEFAULT_EVENT_CAP_BPS = 1_500;
    /// @notice Per-group exposure cap at deployment (30 % of NAV).
    uint16 public constant DEFAULT_GROUP_CAP_BPS = 3_000;
    /// @notice Largest cap governance may set.
    uint16 public constant MAX_CAP_BPS = 5_000;

    /// @notice The Conditional Tokens contract.
    IConditionalTokens public immutable conditionalTokens;

    uint16 public eventCapBps;
    uint16 public groupCapBps;
    /// @notice Outcome tokens across registered markets (at most MAX_TOTAL_LEGS).
    uint256 public totalLegs;

    bytes32[] private _marketIds;
    mapping(bytes32 conditionId => Market) private _markets;
    mapping(bytes32 conditionId => uint256[]) private _positionIds;
    /// @dev 1e18 = one unit; uint64 packs four marks in a storage slot, which keeps the value report cheap.
    mapping(bytes32 conditionId => uint64[]) private _marks;
    mapping(uint256 positionId => bytes32 conditionId) public marketOfPosition;
    mapping(bytes32 group => Group) private _groups;

    /// @param conditionalTokens_ the Gnosis ConditionalTokens contract
    constructor(IRegistry registry_, address vault_, IConditionalTokens conditionalTokens_)
        BaseConnector(registry_, vault_)
    {
        if (address(conditionalTokens_) == address(0)) revert ZeroAddress();
        conditionalTokens = conditionalTokens_;
        eventCapBps = DEFAULT_EVENT_CAP_BPS;
        groupCapBps = DEFAULT_GROUP_CAP_BPS;
        emit ExposureCapsSet(DEFAULT_EVENT_CAP_BPS, DEFAULT_GROUP_CAP_BPS);
    }

    // ---------------------------------------------------------------------------------- actions

    /// @inheritdoc IConditionalTokensConnector
    /// @dev A full set leaves the exposure unchanged, so no cap applies.
    function split(address collateral, uint256 amount, bytes32 conditionId) external onlyKeeperGate nonReentrant {
        Market storage m = _tradable(conditionId, collateral);
        if (_resolved(conditionId)) revert MarketIsResolved(conditionId);
        IERC20(collateral).forceApprove(address(conditionalTokens), amount);
        conditionalTokens.splitPosition(collateral, bytes32(0), conditionId, _partition(m.outcomeSlotCount), amount);
        IERC20(collateral).forceApprove(address(conditionalTokens), 0);
        emit Split(conditionId, amount);
    }

    /// @inheritdoc IConditionalTokensConnector
    /// @dev Allowed while frozen or resolved: it turns full sets into collateral at par, which loses nothing.
    function merge(address collateral, uint256 amount, bytes32 conditionId) external onlyKeeperGate nonReentrant {
        Market storage m = _known(conditionId, collateral);
        conditionalTokens.mergePositions(collateral, bytes32(0), conditionId, _partition(m.outcomeSlotCount), amount);
        emit Merged(conditionId, amount);
    }

    /// @inheritdoc IConditionalTokensConnector
    /// @dev Allowed while frozen: the payout is final once the oracle reported.
    function redeem(address collateral, uint256 minPayout, bytes32 conditionId)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 payout)
    {
        Market storage m = _known(conditionId, collateral);
        if (!_resolved(conditionId)) revert MarketNotResolved(conditionId);
        uint256 before = IERC20(collateral).balanceOf(address(this));
        conditionalTokens.redeemPositions(collateral, bytes32(0), conditionId, _partition(m.outcomeSlotCount));
        payout = IERC20(collateral).balanceOf(address(this)) - before;
        if (payout < minPayout) revert SlippageExceeded(payout, minPayout);
        _updateExposure(conditionId, m);
        emit Redeemed(conditionId, payout);
    }

    /// @inheritdoc IConditionalTokensConnector
    function buy(address collateral, uint256 investment, bytes32 conditionId, uint256 outcomeIndex, uint256 minOutcomeTokens)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 tokens)
    {
        Market storage m = _tradable(conditionId, collateral);
        if (_resolved(conditionId)) revert MarketIsResolved(conditionId);
        address pool = _poolOf(conditionId, m, outcomeIndex);
        uint256 positionId = _positionIds[conditionId][outcomeIndex];
        uint256 before = conditionalTokens.balanceOf(address(this), positionId);
        IERC20(collateral).forceApprove(pool, investment);
        IFixedProductMarketMaker(pool).buy(investment, outcomeIndex, minOutcomeTokens);
        IERC20(collateral).forceApprove(pool, 0);
        tokens = conditionalTokens.balanceOf(address(this), positionId) - before;
        if (tokens < minOutcomeTokens) revert SlippageExceeded(tokens, minOutcomeTokens);
        _updateExposure(conditionId, m);
        emit Bought(conditionId, outcomeIndex, investment, tokens);
    }

    /// @inheritdoc IConditionalTokensConnector
    /// @dev The pool is an ERC-1155 operator of the connector only for the duration of this call.
    function sell(address collateral, uint256 proceeds, bytes32 conditionId, uint256 outcomeIndex, uint256 maxOutcomeTokens)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 tokens)
    {
        Market storage m = _tradable(conditionId, collateral);
        address pool = _poolOf(conditionId, m, outcomeIndex);
        uint256 positionId = _positionIds[conditionId][outcomeIndex];
        uint256 tokensBefore = conditionalTokens.balanceOf(address(this), positionId);
        uint256 collateralBefore = IERC20(collateral).balanceOf(address(this));
        conditionalTokens.setApprovalForAll(pool, true);
        IFixedProductMarketMaker(pool).sell(proceeds, outcomeIndex, maxOutcomeTokens);
        conditionalTokens.setApprovalForAll(pool, false);
        tokens = tokensBefore - conditionalTokens.balanceOf(address(this), positionId);
        if (tokens > maxOutcomeTokens) revert SlippageExceeded(tokens, maxOutcomeTokens);
        uint256 received = IERC20(collateral).balanceOf(address(this)) - collateralBefore;
        if (received < proceeds) revert SlippageExceeded(received, proceeds);
        _updateExposure(conditionId, m);
        emit Sold(conditionId, outcomeIndex, received, tokens);
    }

    // ------------------------------------------------------------------------------ governance

    /// @inheritdoc IConditionalTokensConnector
    /// @dev `group` zero puts the market in a group of its own (keyed by its condition id). A pool must be a
    ///      FixedProductMarketMaker over this condition, this collateral and these Conditional Tokens; one over
    ///      further conditions would pay out positions no market registered, which the receiver hook refuses.
    function addMarket(bytes32 conditionId, address collateral, uint256 outcomeSlotCount, bytes32 group, address pool)
        external
    {
        _checkGovernance();
        if (_markets[conditionId].collateral != address(0)) revert MarketAlreadyAdded(conditionId);
        if (_marketIds.length >= MAX_MARKETS) revert TooManyMarkets();
        if (collateral != baseAsset) revert CollateralNotBaseAsset(collateral);
        uint256 onChain = conditionalTokens.getOutcomeSlotCount(conditionId);
        if (outcomeSlotCount < 2 || outcomeSlotCount > MAX_OUTCOME_SLOTS || outcomeSlotCount != onChain) {
            revert InvalidOutcomeSlotCount(outcomeSlotCount, onChain);
        }
        uint256 legs = totalLegs + outcomeSlotCount;
        if (legs > MAX_TOTAL_LEGS) revert TooManyLegs(legs);
        if (pool != address(0)) _checkPool(pool, conditionId, collateral);
        if (group == bytes32(0)) group = conditionId;
        totalLegs = legs;
        ++_groups[group].marketCount;
        _marketIds.push(conditionId);
        _markets[conditionId] = Market({
            collateral: collateral,
            outcomeSlotCount: uint8(outcomeSlotCount),
            frozen: false,
            marksValidUntil: 0,
            pool: pool,
            group: group,
            exposure: 0
        });
        _recordPositionIds(conditionId, collateral, outcomeSlotCount);
        emit MarketAdded(conditionId, collateral, outcomeSlotCount, group, pool);
    }

    /// @inheritdoc IConditionalTokensConnector
    function removeMarket(bytes32 conditionId) external {
        if (msg.sender != registry.keeperGateOf(vault) && msg.sender != registry.governance()) {
            revert NotKeeperGateOrGovernance(msg.sender);
        }
        Market storage m = _markets[conditionId];
        if (m.collateral == address(0)) revert UnknownMarket(conditionId);
        uint256[] memory balances = _balances(conditionId);
        for (uint256 i; i < balances.length; ++i) {
            if (balances[i] != 0) revert MarketNotEmpty(conditionId);
        }
        Group storage g = _groups[m.group];
        if (--g.marketCount == 0) delete _groups[m.group];
        totalLegs -= m.outcomeSlotCount;
        uint256[] storage ids = _positionIds[conditionId];
        for (uint256 i; i < ids.length; ++i) delete marketOfPosition[ids[i]];
        delete _positionIds[conditionId];
        delete _marks[conditionId];
        delete _markets[conditionId];
        uint256 length = _marketIds.length;
        for (uint256 i; i < length; ++i) {
            if (_marketIds[i] == conditionId) {
                _marketIds[i] = _marketIds[length - 1];
                _marketIds.pop();
                break;
            }
        }
        emit MarketRemoved(conditionId);
    }

    /// @inheritdoc IConditionalTokensConnector
    function setFrozen(bytes32 conditionId, bool frozen) external {
        if (frozen) _checkGuardianOrGovernance(vault);
        else _checkGovernance();
        _market(conditionId).frozen = frozen;
        emit MarketFrozenSet(conditionId, frozen, msg.sender);
    }

    /// @inheritdoc IConditionalTokensConnector
    function setMarks(bytes32 conditionId, uint256[] calldata marksWad, uint64 validUntil) external {
        _checkGovernance();
        Market storage m = _market(conditionId);
        if (_resolved(conditionId)) revert MarketIsResolved(conditionId);
        if (marksWad.length != m.outcomeSlotCount) revert InvalidMarks();
        uint256 sum;
        for (uint256 i; i < marksWad.length; ++i) sum += marksWad[i];
        if (sum > OutcomeMath.WAD) revert InvalidMarks();
        if (validUntil < block.timestamp || validUntil > block.timestamp + MAX_MARK_TTL) {
            revert InvalidMarkExpiry(validUntil);
        }
        delete _marks[conditionId];
        uint64[] storage stored = _marks[conditionId];
        for (uint256 i; i < marksWad.length; ++i) stored.push(uint64(marksWad[i]));
        m.marksValidUntil = validUntil;
        emit MarksSet(conditionId, marksWad, validUntil);
    }

    /// @inheritdoc IConditionalTokensConnector
    function clearMarks(bytes32 conditionId) external {
        _checkGuardianOrGovernance(vault);
        _market(conditionId).marksValidUntil = 0;
        delete _marks[conditionId];
        emit MarksCleared(conditionId);
    }

    /// @inheritdoc IConditionalTokensConnector
    function setExposureCaps(uint16 eventCapBps_, uint16 groupCapBps_) external {
        _checkGovernance();
        if (eventCapBps_ > MAX_CAP_BPS || groupCapBps_ > MAX_CAP_BPS || groupCapBps_ < eventCapBps_) {
            revert InvalidExposureCap(eventCapBps_, groupCapBps_);
        }
        eventCapBps = eventCapBps_;
        groupCapBps = groupCapBps_;
        emit ExposureCapsSet(eventCapBps_, groupCapBps_);
    }

    // ----------------------------------------------------------------------- ERC-1155 receiver

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

    /// @inheritdoc IConditionalTokensConnector
    function marketIds() external view returns (bytes32[] memory) {
        return _marketIds;
    }

    /// @inheritdoc IConditionalTokensConnector
    function market(bytes32 conditionId) external view returns (Market memory) {
        return _markets[conditionId];
    }

    /// @inheritdoc IConditionalTokensConnector
    function positionIdsOf(bytes32 conditionId) external view returns (uint256[] memory) {
        return _positionIds[conditionId];
    }

    /// @inheritdoc IConditionalTokensConnector
    function groupOf(bytes32 group) external view returns (Group memory) {
        return _groups[group];
    }

    // -------------------------------------------------------------------------------- internals

    /// @dev Sum of every market's value (collateral = base asset, so no price is read). Reads only the
    ///      connector's balances, the oracle-written payout vector and governance marks: nothing a third
    ///      party can raise.
    function _positionValue(address)
        internal
        view
        override
        returns (uint256 assets, uint256 liabilities, bool priced)
    {
        uint256 length = _marketIds.length;
        for (uint256 i; i < length; ++i) {
            bytes32 conditionId = _marketIds[i];
            (uint256 value,) = _marketValue(conditionId, _markets[conditionId]);
            assets += value;
        }
        return (assets, 0, true);
    }

    /// @dev Positions are ERC-1155 ids of the Conditional Tokens, which `recoverToken` (ERC-20) cannot move,
    ///      and they pay out the base asset, which is always tracked.
    function _isPositionToken(address) internal pure override returns (bool) {
        return false;
    }

    /// @dev Resolved: the payout. Open: full sets at par, unpaired tokens at the marks while they are
    ///      valid and the market is not frozen, else at 0.
    function _marketValue(bytes32 conditionId, Market storage m) private view returns (uint256 value, bool resolved) {
        uint256[] memory balances = _balances(conditionId);
        uint256 denominator = conditionalTokens.payoutDenominator(conditionId);
        if (denominator != 0) {
            uint256[] memory numerators = new uint256[](balances.length);
            for (uint256 i; i < balances.length; ++i) {
                if (balances[i] != 0) numerators[i] = conditionalTokens.payoutNumerators(conditionId, i);
            }
            return (OutcomeMath.resolvedValue(balances, numerators, denominator), true);
        }
        uint256 sets = OutcomeMath.fullSets(balances);
        if (m.frozen || block.timestamp > m.marksValidUntil) return (sets, false);
        return (OutcomeMath.markedValue(balances, sets, _marks[conditionId]), false);
    }

    function _balances(bytes32 conditionId) private view returns (uint256[] memory) {
        uint256[] memory ids = _positionIds[conditionId];
        address[] memory owners = new address[](ids.length);
        for (uint256 i; i < ids.length; ++i) owners[i] = address(this);
        return conditionalTokens.balanceOfBatch(owners, ids);
    }

    /// @dev Recomputes the market's exposure (0 once resolved: the payout is known) and its group's
    ///      total. A trade may always reduce them; one that grows either must stay within its cap of the
    ///      last settled NAV (a price a deposit cannot move before it is settled).
    function _updateExposure(bytes32 conditionId, Market storage m) private {
        uint256 previous = m.exposure;
        uint256 current = _resolved(conditionId) ? 0 : OutcomeMath.exposure(_balances(conditionId));
        bytes32 group = m.group;
        Group storage g = _groups[group];
        uint256 groupTotal = g.exposure - previous + current;
        m.exposure = current;
        g.exposure = groupTotal;
        if (current <= previous) return;

        uint256 nav = IAccountingManager(vault).lastTotalAssets();
        if (!OutcomeMath.withinCap(current, nav, eventCapBps)) {
            revert EventExposureAboveCap(conditionId, current, (nav * eventCapBps) / 10_000);
        }
        if (!OutcomeMath.withinCap(groupTotal, nav, groupCapBps)) {
            revert GroupExposureAboveCap(group, groupTotal, (nav * groupCapBps) / 10_000);
        }
    }

    /// @dev The ERC-1155 id of outcome i is the position of index set `1 << i` under the root collection.
    function _recordPositionIds(bytes32 conditionId, address collateral, uint256 outcomeSlotCount) private {
        uint256[] storage ids = _positionIds[conditionId];
        for (uint256 i; i < outcomeSlotCount; ++i) {
            uint256 id = conditionalTokens.getPositionId(
                collateral, conditionalTokens.getCollectionId(bytes32(0), conditionId, 1 << i)
            );
            ids.push(id);
            marketOfPosition[id] = conditionId;
        }
    }

    function _checkIncoming(address operator, uint256 id) private view {
        if (msg.sender != address(conditionalTokens) || !_reentrancyGuardEntered()) {
            revert UnsolicitedTokens(msg.sender, operator);
        }
        bytes32 conditionId = marketOfPosition[id];
        if (conditionId == bytes32(0)) revert UnknownPosition(id);
        if (operator != address(this) && operator != _markets[conditionId].pool) {
            revert UnsolicitedTokens(msg.sender, operator);
        }
    }

    function _checkPool(address pool, bytes32 conditionId, address collateral) private view {
        IFixedProductMarketMaker fpmm = IFixedProductMarketMaker(pool);
        if (
            fpmm.conditionalTokens() != address(conditionalTokens) || fpmm.collateralToken() != collateral
                || fpmm.conditionIds(0) != conditionId
        ) revert PoolNotForMarket(pool);
    }

    function _market(bytes32 conditionId) private view returns (Market storage m) {
        m = _markets[conditionId];
        if (m.collateral == address(0)) revert UnknownMarket(conditionId);
    }

    function _known(bytes32 conditionId, address collateral) private view returns (Market storage m) {
        m = _market(conditionId);
        if (collateral != m.collateral) revert WrongCollateral(collateral, m.collateral);
    }

    function _tradable(bytes32 conditionId, address collateral) private view returns (Market storage m) {
        m = _known(conditionId, collateral);
        if (m.frozen) revert MarketIsFrozen(conditionId);
    }

    function _poolOf(bytes32 conditionId, Market storage m, uint256 outcomeIndex) private view returns (address pool) {
        pool = m.pool;
        if (pool == address(0)) revert NoPool(conditionId);
        if (outcomeIndex >= m.outcomeSlotCount) revert InvalidOutcomeIndex(outcomeIndex);
    }

    function _resolved(bytes32 conditionId) private view returns (bool) {
        return conditionalTokens.payoutDenominator(conditionId) != 0;
    }

    /// @dev Every outcome on its own: the full partition for split and merge, every index set for redeem.
    function _partition(uint256 outcomeSlotCount) private pure returns (uint256[] memory partition) {
        partition = new uint256[](outcomeSlotCount);
        for (uint256 i; i < outcomeSlotCount; ++i) partition[i] = 1 << i;
    }
}
