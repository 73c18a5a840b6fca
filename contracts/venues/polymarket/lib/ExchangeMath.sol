// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICtfExchange} from "../../../interfaces/ICtfExchange.sol";

/// @title ExchangeMath
/// @notice Prices, fill amounts and fees of CTF Exchange orders, with the formulas of Polymarket's
///         CalculatorHelper: prices in 1e18 fixed point (collateral per outcome token), fees symmetric in the
///         price (`min(p, 1 - p)`) and charged on the order's proceeds.
library ExchangeMath {
    /// @dev 1.0 in the fixed point prices use.
    uint256 internal constant ONE = 1e18;
    /// @dev Denominator of fee rates.
    uint256 internal constant BPS_DIVISOR = 10_000;

    /// @notice What a fill of `making` (maker amount) pays the maker at the order's rate, rounded down.
    function takingAmount(uint256 making, uint256 makerAmount, uint256 takerAmount) internal pure returns (uint256) {
        if (makerAmount == 0) return 0;
        return (making * takerAmount) / makerAmount;
    }

    /// @notice Price in 1e18 of one outcome token for an order giving `makerAmount` for `takerAmount` on `side`
    ///         (0 when the order names no outcome tokens).
    function price(uint256 makerAmount, uint256 takerAmount, ICtfExchange.Side side) internal pure returns (uint256) {
        if (side == ICtfExchange.Side.BUY) return takerAmount == 0 ? 0 : (makerAmount * ONE) / takerAmount;
        return makerAmount == 0 ? 0 : (takerAmount * ONE) / makerAmount;
    }

    /// @notice Fee of a fill of `outcomeTokens` at the price `makerAmount`/`takerAmount` imply: a BUY pays it in
    ///         outcome tokens, `rate * min(p, 1 - p) * tokens / p`; a SELL in collateral,
    ///         `rate * min(p, 1 - p) * tokens`. Zero when the price is 0 or above 1.
    function fee(
        uint256 feeRateBps,
        uint256 outcomeTokens,
        uint256 makerAmount,
        uint256 takerAmount,
        ICtfExchange.Side side
    ) internal pure returns (uint256) {
        if (feeRateBps == 0) return 0;
        uint256 p = price(makerAmount, takerAmount, side);
        if (p == 0 || p > ONE) return 0;
        uint256 symmetric = p < ONE - p ? p : ONE - p;
        if (side == ICtfExchange.Side.BUY) return (feeRateBps * symmetric * outcomeTokens) / (p * BPS_DIVISOR);
        return (feeRateBps * symmetric * outcomeTokens) / (BPS_DIVISOR * ONE);
    }

    /// @notice Whether taker order `a` and maker order `b` cross: a bid at or above an ask of the same token,
    ///         two bids summing to at least 1, or two asks summing to at most 1. Market orders (takerAmount 0)
    ///         always do.
    function isCrossing(ICtfExchange.Order calldata a, ICtfExchange.Order calldata b) internal pure returns (bool) {
        if (a.takerAmount == 0 || b.takerAmount == 0) return true;
        uint256 priceA = price(a.makerAmount, a.takerAmount, a.side);
        uint256 priceB = price(b.makerAmount, b.takerAmount, b.side);
        if (a.side == ICtfExchange.Side.BUY) {
            return b.side == ICtfExchange.Side.BUY ? priceA + priceB >= ONE : priceA >= priceB;
        }
        return b.side == ICtfExchange.Side.BUY ? priceB >= priceA : priceA + priceB <= ONE;
    }
}
