// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IConditionalTokens} from "./IConditionalTokens.sol";
import {ICtfExchange} from "./ICtfExchange.sol";
import {INegRiskAdapter} from "./INegRiskAdapter.sol";

/// @title IPolymarketConnector
/// @notice One vault's maker on Polymarket's CTF Exchange and NegRisk CTF Exchange: presigned (ERC-1271)
///         orders with exact allowances, the Conditional Tokens and NegRiskAdapter actions that lock a
///         filled set into collateral, conservative valuation and on-chain exposure caps that count open
///         orders as if they filled.
/// @dev Every market settles in the vault's base asset, so every amount is in base-asset units (outcome
///      tokens have the collateral's decimals and pay at most one unit each).
interface IPolymarketConnector {
    /// @notice One registered binary condition: a plain Polymarket market or one question of a negRisk market.
    struct Condition {
        uint256 yesTokenId;
        uint256 noTokenId;
        /// @dev Correlated group: the sum of its conditions' exposure is capped at `groupCapBps` of NAV.
        bytes32 group;
        /// @dev The negRisk market the question belongs to, zero for a plain market.
        bytes32 negRiskMarketId;
        /// @dev Set by the guardian or governance for a voided or disputed market: no order, split or
        ///      conversion, and a negRisk YES set through it counts at 0, until governance unfreezes it.
        bool frozen;
    }

    /// @notice A registered negRisk market: its questions are conditions `firstIndex .. firstIndex + questionCount`.
    struct NegRiskMarket {
        uint8 firstIndex;
        /// @dev The adapter's question count at registration; a YES set is exhaustive only while it is unchanged.
        uint8 questionCount;
    }

    /// @notice An order this connector signed (by holding its hash open) and has not closed.
    struct OpenOrder {
        uint256 tokenId;
        uint128 makerAmount;
        uint128 takerAmount;
        uint64 expiration;
        ICtfExchange.Side side;
        /// @dev True when the order lives on the NegRisk CTF Exchange.
        bool negRisk;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice Governance registered a plain binary market.
    event BinaryMarketAdded(bytes32 indexed conditionId, uint256 yesTokenId, uint256 noTokenId, bytes32 group);
    /// @notice Governance registered a negRisk market with the adapter's `questionCount` questions.
    event NegRiskMarketAdded(bytes32 indexed marketId, uint256 questionCount, bytes32 group);
    /// @notice `by` froze (guardian or governance) or unfroze (governance) the condition.
    event MarketFrozenSet(bytes32 indexed conditionId, bool frozen, address indexed by);
    /// @notice Governance set the caps, in basis points of the vault's last settled NAV.
    event ExposureCapsSet(uint16 eventCapBps, uint16 groupCapBps);
    /// @notice Governance set the highest fee rate an order of the connector may carry.
    event MaxFeeRateSet(uint16 maxFeeRateBps);
    /// @notice The connector signed order `orderHash`: it is valid (ERC-1271) until it expires or is closed.
    event OrderPlaced(
        bytes32 indexed orderHash,
        uint256 indexed tokenId,
        uint8 side,
        uint256 makerAmount,
        uint256 takerAmount,
        uint256 expiration
    );
    /// @notice Order `orderHash` was cancelled on its exchange (if still fillable) and dropped.
    event OrderClosed(bytes32 indexed orderHash, uint256 filledMakerAmount);
    /// @notice `amount` collateral became `amount` YES and `amount` NO of `conditionId`.
    event Split(bytes32 indexed conditionId, uint256 amount);
    /// @notice `amount` YES and NO of `conditionId` became `amount` collateral.
    event Merged(bytes32 indexed conditionId, uint256 amount);
    /// @notice `amount` NO of every question in `indexSet` became YES of the others and `collateral`.
    event Converted(bytes32 indexed marketId, uint256 indexSet, uint256 amount, uint256 collateral);
    /// @notice The resolved condition's tokens were redeemed for `payout` collateral.
    event Redeemed(bytes32 indexed conditionId, uint256 payout);

    // ------------------------------------------------------------------------------------ errors

    /// @notice `id` is not a registered condition or negRisk market.
    error UnknownMarket(bytes32 id);
    /// @notice The condition, market or one of its tokens is registered already.
    error MarketAlreadyAdded(bytes32 id);
    /// @notice Registering would exceed MAX_CONDITIONS.
    error TooManyMarkets();
    /// @notice The token is not the exchange's registered outcome of the condition (or not its CTF position).
    error TokensNotRegistered(uint256 tokenId);
    /// @notice A negRisk market needs 2 .. MAX_CONDITIONS questions.
    error InvalidQuestionCount(uint256 questionCount);
    /// @notice The adapter's question count is no longer the registered one: the YES set is not exhaustive.
    error QuestionCountChanged(bytes32 marketId, uint256 registered, uint256 onChain);
    /// @notice The condition is frozen.
    error MarketIsFrozen(bytes32 conditionId);
    /// @notice The condition is resolved: no new order or split.
    error MarketIsResolved(bytes32 conditionId);
    /// @notice The condition is not resolved yet.
    error MarketNotResolved(bytes32 conditionId);
    /// @notice The action's `collateral` is not the vault's base asset.
    error WrongCollateral(address given, address expected);
    /// @notice Order `index` is not maker == signer == this connector with signature type POLY_1271.
    error InvalidOrderSigner(uint256 index);
    /// @notice Order `index` has a zero amount, an amount above 2^128, or a BUY price above one.
    error InvalidOrderAmounts(uint256 index);
    /// @notice Order `index` expires in the past or more than MAX_ORDER_TTL from now.
    error InvalidOrderExpiration(uint256 index, uint256 expiration);
    /// @notice Order `index` carries a fee rate above `maxFeeRateBps`.
    error FeeRateAboveBound(uint256 index, uint256 feeRateBps, uint256 bound);
    /// @notice The token is not an outcome of a registered condition.
    error UnknownToken(uint256 tokenId);
    /// @notice The order hash is open already or was filled or cancelled on the exchange.
    error OrderHashUsed(bytes32 orderHash);
    /// @notice Placing would exceed MAX_OPEN_ORDERS.
    error TooManyOpenOrders();
    /// @notice An open SELL of `tokenId` needs `needed` tokens but only `held` are not reserved by other SELLs.
    error InsufficientTokensForSell(uint256 tokenId, uint256 held, uint256 needed);
    /// @notice `notional` is not the batch's sum of maker amounts.
    error NotionalMismatch(uint256 given, uint256 actual);
    /// @notice The hash is not an open order of this connector.
    error OrderNotOpen(bytes32 orderHash);
    /// @notice Only the keeper gate may close an order before it expires.
    error OrderNotExpired(bytes32 orderHash, uint256 expiration);
    /// @notice Caps above MAX_CAP_BPS, or the group cap below the event cap.
    error InvalidExposureCap(uint16 eventCapBps, uint16 groupCapBps);
    /// @notice A fee-rate bound above the exchange's maximum.
    error InvalidFeeRateBound(uint16 maxFeeRateBps);
    /// @notice The condition's worst-case exposure would grow above `eventCapBps` of the last settled NAV.
    error EventExposureAboveCap(bytes32 conditionId, uint256 exposure, uint256 limit);
    /// @notice The group's worst-case exposure would grow above `groupCapBps` of the last settled NAV.
    error GroupExposureAboveCap(bytes32 group, uint256 exposure, uint256 limit);
    /// @notice A redemption paid less than the caller's bound.
    error SlippageExceeded(uint256 actual, uint256 bound);
    /// @notice ERC-1155 tokens from another contract than the CTF, or moved by an operator not allowed.
    error UnsolicitedTokens(address token, address operator);
    /// @notice The ERC-1155 id is not an outcome of a registered condition.
    error UnknownPosition(uint256 positionId);

    // ------------------------------------------------------------------------------------ orders

    /// @notice Signs `orders` (keeper gate): each must name this connector as maker and signer with
    ///         signature type POLY_1271, a registered token of an unfrozen unresolved condition, an expiration
    ///         in (now, now + MAX_ORDER_TTL], a fee rate at most `maxFeeRateBps`, and pass the exchange's
    ///         `validateOrder`. BUY orders raise the collateral allowance of their exchange to exactly the
    ///         remaining maker amount of its open BUY orders; SELL orders need the tokens held and make the
    ///         exchange a CTF operator while one is open. The caps count every open order as filled.
    /// @param collateral the vault's base asset (the (token, amount) head a keeper mandate values)
    /// @param notional the batch's sum of maker amounts (collateral of BUYs, tokens of SELLs, each worth at
    ///        most one unit), which a mandate bounds per action and per period
    function placeOrders(address collateral, uint256 notional, ICtfExchange.Order[] calldata orders) external;

    /// @notice Cancels `orders` on their exchange where still fillable, drops them and resets the allowance
    ///         to exactly the remaining open BUY amount (0 when none) and the operator approval to "a SELL is
    ///         open". The keeper gate may close any open order; anyone may close an expired one (it only
    ///         removes approvals).
    function closeOrders(ICtfExchange.Order[] calldata orders) external;

    /// @notice Whether `hash` is an open, unexpired order of this connector on a market that is neither frozen
    ///         nor resolved (ERC-1271 magic value 0x1626ba7e): a freeze or a resolution stops its fills at once.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4);

    // ------------------------------------------------------------------------------------ positions

    /// @notice `amount` base asset into `amount` YES and NO of `conditionId` (through the adapter for a
    ///         negRisk question), for mint-and-sell. Keeper gate; not while frozen or resolved.
    function split(address collateral, uint256 amount, bytes32 conditionId) external;

    /// @notice `amount` YES and NO of `conditionId` back into `amount` base asset. Keeper gate; allowed while
    ///         frozen or resolved (it turns full sets into collateral at par).
    function merge(address collateral, uint256 amount, bytes32 conditionId) external;

    /// @notice `amount` NO of every question in `indexSet` of negRisk market `marketId` into YES of the other
    ///         questions plus (k - 1) x `amount` base asset less the adapter's fee. Keeper gate; refused when
    ///         the adapter's question count changed or a question is frozen.
    /// @return received base asset received
    function convert(address collateral, uint256 amount, bytes32 marketId, uint256 indexSet)
        external
        returns (uint256 received);

    /// @notice Every YES and NO of resolved `conditionId` for at least `minPayout` base asset. Keeper gate.
    function redeem(address collateral, uint256 minPayout, bytes32 conditionId) external returns (uint256 payout);

    // ------------------------------------------------------------------------------------ governance

    /// @notice Registers a plain binary market of the CTF Exchange (governance). `group` zero = its own group.
    function addBinaryMarket(bytes32 conditionId, uint256 yesTokenId, uint256 noTokenId, bytes32 group) external;

    /// @notice Registers every question the adapter holds for `marketId` now (governance); the count is stored.
    ///         `group` zero = the market id.
    function addNegRiskMarket(bytes32 marketId, bytes32 group) external;

    /// @notice Freezes (guardian or governance) or unfreezes (governance) a condition.
    function setFrozen(bytes32 conditionId, bool frozen) external;

    /// @notice Sets the per-event and per-group caps in bps of the last settled NAV (governance).
    function setExposureCaps(uint16 eventCapBps, uint16 groupCapBps) external;

    /// @notice Sets the highest fee rate an order may carry (governance), at most the exchange's maximum.
    function setMaxFeeRateBps(uint16 maxFeeRateBps) external;

    // ------------------------------------------------------------------------------------ views

    /// @notice Registered condition ids, plain markets and negRisk questions.
    function conditionIds() external view returns (bytes32[] memory);

    /// @notice The registered condition (zero token ids when unknown).
    function condition(bytes32 conditionId) external view returns (Condition memory);

    /// @notice The registered negRisk market (zero count when unknown).
    function negRiskMarket(bytes32 marketId) external view returns (NegRiskMarket memory);

    /// @notice Hashes of the open orders.
    function openOrderHashes() external view returns (bytes32[] memory);

    /// @notice The open order `orderHash` (zero expiration when not open).
    function openOrder(bytes32 orderHash) external view returns (OpenOrder memory);

    /// @notice Registered negRisk market ids.
    function negRiskMarketIds() external view returns (bytes32[] memory);

    /// @notice 2 x condition index + (0 for YES, 1 for NO) + 1 for a registered outcome token, else 0.
    function legOf(uint256 tokenId) external view returns (uint256);

    /// @notice The Gnosis Conditional Tokens both exchanges settle on.
    function conditionalTokens() external view returns (IConditionalTokens);

    /// @notice Polymarket's CTF Exchange (plain binary markets).
    function exchange() external view returns (ICtfExchange);

    /// @notice Polymarket's NegRisk CTF Exchange (negRisk questions).
    function negRiskExchange() external view returns (ICtfExchange);

    /// @notice Polymarket's NegRiskAdapter.
    function negRiskAdapter() external view returns (INegRiskAdapter);

    /// @notice Per-event cap on worst-case exposure, bps of the last settled NAV.
    function eventCapBps() external view returns (uint16);

    /// @notice Per-group cap on worst-case exposure, bps of the last settled NAV.
    function groupCapBps() external view returns (uint16);
}
