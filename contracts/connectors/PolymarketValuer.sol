// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccountingManager} from "../interfaces/IAccountingManager.sol";
import {IConnector} from "../interfaces/IConnector.sol";
import {IConditionalTokens} from "../interfaces/IConditionalTokens.sol";
import {ICtfExchange} from "../interfaces/ICtfExchange.sol";
import {IPolymarketConnector} from "../interfaces/IPolymarketConnector.sol";
import {OutcomeMath} from "./lib/OutcomeMath.sol";

/// @title PolymarketValuer
/// @notice The arithmetic of a PolymarketConnector that reads its state through its views: the conservative
///         value of its positions, the worst-case exposure of every condition with its open orders, and the
///         exposure caps. Stateless; each connector is deployed with one valuer, fixed for life. It lives in
///         its own contract because the connector with it inline exceeds the 22,528-byte size budget.
/// @dev Every function takes the connector it reads; the answer depends only on that connector's state, the
///      Conditional Tokens, the exchanges' fill state and the adapter's question counts.
contract PolymarketValuer {
    /// @notice Value of `connector`'s outcome positions in base-asset units: resolved conditions at their
    ///         payout (rounded down as `redeemPositions` pays); YES+NO pairs at par; per negRisk market, the
    ///         unpaired YES common to every question (a YES set pays exactly one unit) at par while the
    ///         adapter's question count is the registered one and no question is resolved or frozen;
    ///         everything else at 0. Nothing here is a price a third party can move.
    function positionValue(IPolymarketConnector connector) external view returns (uint256 value) {
        IConditionalTokens ctf = connector.conditionalTokens();
        bytes32[] memory ids = connector.conditionIds();
        uint256[] memory balances = _balances(connector, ctf, ids);
        uint256[] memory unpairedYes = new uint256[](ids.length);
        bool[] memory live = new bool[](ids.length);
        for (uint256 c; c < ids.length; ++c) {
            uint256 yes = balances[2 * c];
            uint256 no = balances[2 * c + 1];
            uint256 denominator = ctf.payoutDenominator(ids[c]);
            if (denominator != 0) {
                if (yes != 0) value += (yes * ctf.payoutNumerators(ids[c], 0)) / denominator;
                if (no != 0) value += (no * ctf.payoutNumerators(ids[c], 1)) / denominator;
                continue;
            }
            uint256 sets = yes < no ? yes : no;
            value += sets;
            unpairedYes[c] = yes - sets;
            live[c] = !connector.condition(ids[c]).frozen;
        }
        bytes32[] memory markets = connector.negRiskMarketIds();
        for (uint256 k; k < markets.length; ++k) {
            IPolymarketConnector.NegRiskMarket memory m = connector.negRiskMarket(markets[k]);
            if (connector.negRiskAdapter().getQuestionCount(markets[k]) != m.questionCount) continue;
            uint256 yesSets = type(uint256).max;
            for (uint256 c = m.firstIndex; c < m.firstIndex + m.questionCount; ++c) {
                if (!live[c]) yesSets = 0;
                else if (unpairedYes[c] < yesSets) yesSets = unpairedYes[c];
            }
            value += yesSets;
        }
    }

    /// @notice Worst-case exposure of every condition of `connector` (order of `conditionIds()`) with every
    ///         open order filled as far as it can: max over legs of (balance + tokens open BUYs can bring, at
    ///         their limit price, rounded up) - min over legs of (balance - tokens open SELLs can take); 0 once
    ///         resolved. A fill moves a BUY's tokens from "can bring" into the balance and a SELL's from the
    ///         balance into "can take", so no fill raises it. An expired order counts until it is closed.
    /// @param strict revert `InsufficientTokensForSell` when open SELLs of a token exceed its balance
    ///        (checked when placing); otherwise they take at most the balance
    function exposures(IPolymarketConnector connector, bool strict) public view returns (uint256[] memory worst) {
        IConditionalTokens ctf = connector.conditionalTokens();
        bytes32[] memory ids = connector.conditionIds();
        uint256[] memory high = _balances(connector, ctf, ids);
        uint256[] memory low = new uint256[](high.length);
        for (uint256 i; i < high.length; ++i) low[i] = high[i];
        bytes32[] memory hashes = connector.openOrderHashes();
        for (uint256 i; i < hashes.length; ++i) {
            IPolymarketConnector.OpenOrder memory o = connector.openOrder(hashes[i]);
            uint256 leg = _leg(connector, o.tokenId);
            uint256 remaining = remainingOf(connector, hashes[i], o);
            if (o.side == ICtfExchange.Side.BUY) {
                high[leg] += (remaining * o.takerAmount + o.makerAmount - 1) / o.makerAmount;
            } else if (low[leg] >= remaining) {
                low[leg] -= remaining;
            } else {
                if (strict) revert IPolymarketConnector.InsufficientTokensForSell(o.tokenId, low[leg], remaining);
                low[leg] = 0;
            }
        }
        worst = new uint256[](ids.length);
        for (uint256 c; c < ids.length; ++c) {
            if (ctf.payoutDenominator(ids[c]) != 0) continue;
            uint256 top = high[2 * c] > high[2 * c + 1] ? high[2 * c] : high[2 * c + 1];
            uint256 bottom = low[2 * c] < low[2 * c + 1] ? low[2 * c] : low[2 * c + 1];
            worst[c] = top - bottom;
        }
    }

    /// @notice Reverts unless every condition whose exposure grew from `before` to now is within the
    ///         connector's event cap, and its group's total within the group cap, of the vault's last
    ///         settled NAV (which a deposit cannot move before it is settled). Shrinking is always allowed.
    /// @param strict passed to `exposures` for the state after the action
    function checkCaps(IPolymarketConnector connector, uint256[] calldata before, bool strict) external view {
        uint256[] memory afterwards = exposures(connector, strict);
        bytes32[] memory ids = connector.conditionIds();
        uint256 nav = IAccountingManager(IConnector(address(connector)).vault()).lastTotalAssets();
        uint256 eventCap = connector.eventCapBps();
        uint256 groupCap = connector.groupCapBps();
        for (uint256 c; c < ids.length; ++c) {
            if (afterwards[c] <= before[c]) continue;
            if (!OutcomeMath.withinCap(afterwards[c], nav, eventCap)) {
                revert IPolymarketConnector.EventExposureAboveCap(ids[c], afterwards[c], (nav * eventCap) / 10_000);
            }
            bytes32 group = connector.condition(ids[c]).group;
            uint256 groupBefore;
            uint256 groupAfter;
            for (uint256 j; j < ids.length; ++j) {
                if (connector.condition(ids[j]).group != group) continue;
                groupBefore += before[j];
                groupAfter += afterwards[j];
            }
            if (groupAfter > groupBefore && !OutcomeMath.withinCap(groupAfter, nav, groupCap)) {
                revert IPolymarketConnector.GroupExposureAboveCap(group, groupAfter, (nav * groupCap) / 10_000);
            }
        }
    }

    /// @notice Maker amount of open order `hash` its exchange can still fill: 0 once filled or cancelled, all
    ///         of it before the first fill.
    function remainingOf(IPolymarketConnector connector, bytes32 hash, IPolymarketConnector.OpenOrder memory o)
        public
        view
        returns (uint256)
    {
        ICtfExchange venue = o.negRisk ? connector.negRiskExchange() : connector.exchange();
        ICtfExchange.OrderStatus memory status = venue.getOrderStatus(hash);
        if (status.isFilledOrCancelled) return 0;
        return status.remaining == 0 ? o.makerAmount : status.remaining;
    }

    /// @dev YES then NO balance of every condition.
    function _balances(IPolymarketConnector connector, IConditionalTokens ctf, bytes32[] memory ids)
        private
        view
        returns (uint256[] memory)
    {
        uint256[] memory tokens = new uint256[](2 * ids.length);
        address[] memory owners = new address[](2 * ids.length);
        for (uint256 c; c < ids.length; ++c) {
            IPolymarketConnector.Condition memory cond = connector.condition(ids[c]);
            tokens[2 * c] = cond.yesTokenId;
            tokens[2 * c + 1] = cond.noTokenId;
            owners[2 * c] = address(connector);
            owners[2 * c + 1] = address(connector);
        }
        return ctf.balanceOfBatch(owners, tokens);
    }

    /// @dev Position of `tokenId` in the YES/NO balance list.
    function _leg(IPolymarketConnector connector, uint256 tokenId) private view returns (uint256) {
        uint256 leg = connector.legOf(tokenId);
        if (leg == 0) revert IPolymarketConnector.UnknownToken(tokenId);
        return leg - 1;
    }
}
