// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ITwapOracle} from "../interfaces/ITwapOracle.sol";
import {IValueOracle} from "../interfaces/IValueOracle.sol";
import {RegistryAccess} from "../registry/RegistryAccess.sol";
import {ChainlinkReader} from "./lib/ChainlinkReader.sol";
import {IUniswapV3PoolOracle, UniswapTwap} from "./lib/UniswapTwap.sol";

/// @title ValueOracle
/// @notice Values any configured token in one base asset. Each token has a primary route and an
///         optional secondary route; a route is a chain of at most MAX_HOPS hops, each a Chainlink feed or a
///         Uniswap v3 TWAP, read forwards or inverted (e.g. stETH -> ETH -> USD -> USDC). Units are tokens
///         or pseudo-units (USD = address(840), ETH = 0xEeee...). Every hop carries a whole-unit price with
///         27 decimals, so a token's decimals matter only at the two ends and are read from the token.
///         The base asset is the unit of account and is worth exactly its amount; every other token,
///         stablecoins included, is priced by its feeds.
/// @dev Configuration is governance-only (the registry owner, a TimelockController). Route continuity
///      (each hop starts where the previous ended, the route ends at the base asset) is checked when a
///      route is set, so a mis-composed route cannot be configured.
contract ValueOracle is IValueOracle, ITwapOracle, RegistryAccess {
    using Math for uint256;

    /// @notice Longest route, so a valuation has a bounded cost.
    uint256 public constant MAX_HOPS = 4;

    enum SourceKind {
        None,
        Chainlink,
        UniswapTwap
    }

    /// @notice One step of a route: `source` prices `from` in `to` (or the reverse when `inverse`).
    struct Hop {
        address source;
        SourceKind kind;
        bool inverse;
    }

    /// @notice A Uniswap v3 pool usable as a TWAP source; one storage slot besides the tokens.
    struct TwapPool {
        uint32 window;
        uint16 minCardinality;
        uint8 decimals0;
        uint8 decimals1;
        bool configured;
    }

    struct Asset {
        uint8 decimals;
        uint8 primaryHops;
        uint8 secondaryHops;
        uint16 maxDeviationBps;
        Hop[MAX_HOPS] primary;
        Hop[MAX_HOPS] secondary;
    }

    /// @notice Chainlink's denomination address for USD, used as a pseudo-unit.
    address public constant USD = address(840);
    /// @notice Pseudo-unit for native ETH in feeds such as stETH/ETH.
    address public constant ETH = 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE;
    /// @notice Every hop price and every route price has this many decimals (base units per token unit).
    uint256 public constant PRICE_DECIMALS = 27;
    uint256 private constant PRICE_ONE = 1e27;
    uint256 private constant BPS = 10_000;
    /// @notice Largest deviation governance may allow between a primary and a secondary route.
    uint16 public constant MAX_DEVIATION_BPS = 2_000;
    /// @notice Shortest TWAP window governance may configure; shorter windows are cheap to move.
    uint32 public constant MIN_TWAP_WINDOW = 30 minutes;
    uint32 public constant MAX_TWAP_WINDOW = 7 days;
    uint32 public constant MAX_HEARTBEAT = 7 days;
    uint32 public constant MAX_SEQUENCER_GRACE = 1 days;
    uint8 private constant MAX_TOKEN_DECIMALS = 36;

    address public immutable baseAsset;
    uint8 public immutable baseDecimals;

    mapping(address feed => ChainlinkReader.Feed) private _feeds;
    mapping(address feed => address) public feedBase;
    mapping(address feed => address) public feedQuote;
    mapping(address pool => TwapPool) private _pools;
    mapping(address token => Asset) private _assets;
    /// @notice A token governance declared redeemable 1:1 for a pseudo-unit (WETH for ETH), so a feed of
    ///         the unit may continue a route that reached the token. Used only to check route continuity.
    mapping(address token => address unit) public unitOf;

    /// @notice Optional L2 sequencer-uptime feed (address(0) on L1) and the grace period after it comes back up.
    address public sequencerUptimeFeed;
    uint32 public sequencerGracePeriod;

    event ChainlinkFeedSet(
        address indexed feed, address indexed base, address indexed quote, ChainlinkReader.Feed config
    );
    event TwapPoolSet(address indexed pool, uint32 window, uint16 minCardinality);
    event RouteSet(address indexed token, Hop[] primary, Hop[] secondary, uint16 maxDeviationBps);
    event AssetRemoved(address indexed token);
    event UnitSet(address indexed token, address indexed unit);
    event SequencerUptimeFeedSet(address indexed feed, uint32 gracePeriod);

    error ZeroAddress();
    error UnknownAsset(address token);
    error UnknownSource(address source);
    error InvalidHeartbeat(uint32 heartbeat);
    error InvalidBounds(uint256 minAnswer, uint256 maxAnswer);
    error InvalidTwapWindow(uint32 window);
    error CardinalityTooLow(address pool, uint16 cardinality, uint16 required);
    error InvalidRoute(address token, uint256 hopIndex, address expectedFrom);
    error RouteTooLong(uint256 hops);
    error InvalidDeviation(uint16 maxDeviationBps);
    error UnsupportedDecimals(address token, uint8 decimals);
    error BaseAssetHasNoRoute();
    error InvalidGracePeriod(uint32 gracePeriod);
    /// @notice The primary and secondary routes disagree by more than the asset's limit (prices with 27 decimals).
    error PriceDeviationTooHigh(address token, uint256 primaryPrice, uint256 secondaryPrice);
    /// @notice A route's price rounded to zero; a zero price would erase a debt or an asset, so it is refused.
    error ZeroPrice(address token);
    error SequencerDown(address sequencerUptimeFeed);
    error SequencerGracePeriodNotOver(uint256 upSince, uint32 gracePeriod);
    error TwapUnknownPool(address pool);
    /// @notice The pool's observations do not reach `window` seconds back, so its TWAP cannot be read.
    error TwapWindowNotCovered(address pool, uint32 window);

    /// @param registry_ registry whose owner governs this oracle
    /// @param baseAsset_ the unit of account (the vaults' base asset)
    constructor(IRegistry registry_, address baseAsset_) RegistryAccess(registry_) {
        if (baseAsset_ == address(0)) revert ZeroAddress();
        uint8 decimals_ = IERC20Metadata(baseAsset_).decimals();
        if (decimals_ > PRICE_DECIMALS) revert UnsupportedDecimals(baseAsset_, decimals_);
        baseAsset = baseAsset_;
        baseDecimals = decimals_;
    }

    // ------------------------------------------------------------------------------ governance

    /// @notice Registers (or updates) a Chainlink aggregator that prices `base` in `quote`.
    /// @param heartbeat the feed's own maximum update interval in seconds
    /// @param minAnswer smallest answer accepted, in the feed's decimals
    /// @param maxAnswer largest answer accepted, in the feed's decimals
    function setChainlinkFeed(
        address feed,
        address base,
        address quote,
        uint32 heartbeat,
        uint104 minAnswer,
        uint104 maxAnswer
    ) external {
        _checkGovernance();
        if (feed == address(0) || base == address(0) || quote == address(0)) revert ZeroAddress();
        if (heartbeat == 0 || heartbeat > MAX_HEARTBEAT) revert InvalidHeartbeat(heartbeat);
        if (minAnswer == 0 || minAnswer >= maxAnswer) revert InvalidBounds(minAnswer, maxAnswer);
        ChainlinkReader.Feed memory config = ChainlinkReader.Feed({
            heartbeat: heartbeat,
            decimals: AggregatorV3Interface(feed).decimals(),
            configured: true,
            minAnswer: minAnswer,
            maxAnswer: maxAnswer
        });
        _feeds[feed] = config;
        feedBase[feed] = base;
        feedQuote[feed] = quote;
        emit ChainlinkFeedSet(feed, base, quote, config);
    }

    /// @notice Registers (or updates) a Uniswap v3 pool as a TWAP source.
    /// @param window averaging window in seconds, at least MIN_TWAP_WINDOW
    /// @param minCardinality observation slots the pool must have; checked now and at every read
    function setTwapPool(address pool, uint32 window, uint16 minCardinality) external {
        _checkGovernance();
        if (pool == address(0)) revert ZeroAddress();
        if (window < MIN_TWAP_WINDOW || window > MAX_TWAP_WINDOW) revert InvalidTwapWindow(window);
        (,,,, uint16 cardinalityNext,,) = IUniswapV3PoolOracle(pool).slot0();
        if (minCardinality == 0 || cardinalityNext < minCardinality) {
            revert CardinalityTooLow(pool, cardinalityNext, minCardinality);
        }
        _pools[pool] = TwapPool({
            window: window,
            minCardinality: minCardinality,
            decimals0: IERC20Metadata(IUniswapV3PoolOracle(pool).token0()).decimals(),
            decimals1: IERC20Metadata(IUniswapV3PoolOracle(pool).token1()).decimals(),
            configured: true
        });
        emit TwapPoolSet(pool, window, minCardinality);
    }

    /// @notice Sets how `token` is priced: a primary route and an optional secondary route (empty to
    ///         disable) that must agree within `maxDeviationBps`. Every source must already be registered.
    function setRoute(address token, Hop[] calldata primary, Hop[] calldata secondary, uint16 maxDeviationBps)
        external
    {
        _checkGovernance();
        if (token == address(0)) revert ZeroAddress();
        if (token == baseAsset) revert BaseAssetHasNoRoute();
        if (primary.length == 0) revert InvalidRoute(token, 0, token);
        if (primary.length > MAX_HOPS || secondary.length > MAX_HOPS) {
            revert RouteTooLong(Math.max(primary.length, secondary.length));
        }
        if (secondary.length == 0 ? maxDeviationBps != 0 : maxDeviationBps == 0 || maxDeviationBps > MAX_DEVIATION_BPS)
        {
            revert InvalidDeviation(maxDeviationBps);
        }
        _checkRoute(token, primary);
        _checkRoute(token, secondary);
        uint8 decimals_ = IERC20Metadata(token).decimals();
        if (decimals_ > MAX_TOKEN_DECIMALS) revert UnsupportedDecimals(token, decimals_);

        Asset storage asset = _assets[token];
        asset.decimals = decimals_;
        asset.primaryHops = uint8(primary.length);
        asset.secondaryHops = uint8(secondary.length);
        asset.maxDeviationBps = maxDeviationBps;
        for (uint256 i; i < MAX_HOPS; ++i) {
            asset.primary[i] = i < primary.length ? primary[i] : Hop(address(0), SourceKind.None, false);
            asset.secondary[i] = i < secondary.length ? secondary[i] : Hop(address(0), SourceKind.None, false);
        }
        emit RouteSet(token, primary, secondary, maxDeviationBps);
    }

    /// @notice Declares `token` redeemable 1:1 for the pseudo-unit `unit` (address(0) to undo), e.g. WETH
    ///         for ETH, so routes may use feeds of the unit for the token.
    function setUnit(address token, address unit) external {
        _checkGovernance();
        if (token == address(0)) revert ZeroAddress();
        unitOf[token] = unit;
        emit UnitSet(token, unit);
    }

    /// @notice Removes `token`; its value becomes unknown (connectors report it as unpriced).
    function removeAsset(address token) external {
        _checkGovernance();
        if (_assets[token].primaryHops == 0) revert UnknownAsset(token);
        delete _assets[token];
        emit AssetRemoved(token);
    }

    /// @notice Sets the L2 sequencer-uptime feed (address(0) disables the check, for L1).
    function setSequencerUptimeFeed(address feed, uint32 gracePeriod) external {
        _checkGovernance();
        if (feed != address(0) && (gracePeriod == 0 || gracePeriod > MAX_SEQUENCER_GRACE)) {
            revert InvalidGracePeriod(gracePeriod);
        }
        sequencerUptimeFeed = feed;
        sequencerGracePeriod = gracePeriod;
        emit SequencerUptimeFeedSet(feed, gracePeriod);
    }

    // ----------------------------------------------------------------------------------- views

    /// @inheritdoc IValueOracle
    function valueOf(address token, uint256 amount) public view returns (uint256 value) {
        (value, ) = valueOfChecked(token, amount);
    }

    /// @inheritdoc IValueOracle
    function valueOfChecked(address token, uint256 amount) public view returns (uint256 value, bool crossChecked) {
        if (token == baseAsset) return (amount, true);
        Asset storage asset = _assets[token];
        uint256 price;
        (price, crossChecked) = _assetPrice(token, asset);
        // amount [token units] * price [base whole units per token whole unit, 1e27] -> base units
        value = amount.mulDiv(price, 10 ** (uint256(asset.decimals) + PRICE_DECIMALS - baseDecimals));
    }

    /// @notice Price of `token`'s secondary route alone (27 decimals); reverts with the route's own error
    ///         when it cannot be read (a TWAP whose window the pool's observations no longer cover).
    function secondaryPriceOf(address token) external view returns (uint256) {
        Asset storage asset = _assets[token];
        if (asset.secondaryHops == 0) revert UnknownAsset(token);
        return _routePrice(asset.secondary, asset.secondaryHops);
    }

    /// @inheritdoc IValueOracle
    function tryValueOf(address token, uint256 amount) external view returns (bool ok, uint256 value, bytes4 reason) {
        if (token == baseAsset) return (true, amount, bytes4(0));
        try this.valueOf(token, amount) returns (uint256 v) {
            return (true, v, bytes4(0));
        } catch (bytes memory err) {
            if (err.length >= 4) reason = bytes4(err);
            return (false, 0, reason);
        }
    }

    /// @notice Price of one whole `token` in whole base units, with PRICE_DECIMALS decimals.
    function priceOf(address token) external view returns (uint256 price) {
        if (token == baseAsset) return PRICE_ONE;
        (price, ) = _assetPrice(token, _assets[token]);
    }

    /// @inheritdoc ITwapOracle
    function twapTick(address pool) public view returns (int24 tick) {
        TwapPool memory config = _pools[pool];
        if (!config.configured) revert TwapUnknownPool(pool);
        return _twapTick(pool, config);
    }

    /// @notice The settings a Chainlink feed was registered with (heartbeat, decimals read, bounds).
    function chainlinkFeed(address feed) external view returns (ChainlinkReader.Feed memory) {
        return _feeds[feed];
    }

    /// @notice The settings a Uniswap v3 pool was registered with (window, cardinality, decimals).
    function twapPool(address pool) external view returns (TwapPool memory) {
        return _pools[pool];
    }

    /// @notice A token's decimals, hop counts, deviation limit and both routes.
    function routeOf(address token)
        external
        view
        returns (uint8 decimals, uint16 maxDeviationBps, Hop[] memory primary, Hop[] memory secondary)
    {
        Asset storage asset = _assets[token];
        primary = new Hop[](asset.primaryHops);
        secondary = new Hop[](asset.secondaryHops);
        for (uint256 i; i < primary.length; ++i) primary[i] = asset.primary[i];
        for (uint256 i; i < secondary.length; ++i) secondary[i] = asset.secondary[i];
        return (asset.decimals, asset.maxDeviationBps, primary, secondary);
    }

    // -------------------------------------------------------------------------------- internals

    /// @dev The primary route decides; the secondary only checks it. A secondary that cannot be read (a
    ///      flushed TWAP, a pool below its cardinality) never takes a healthy primary price away: the price
    ///      is returned with `crossChecked = false`, and consumers tighten their limits on that flag. A
    ///      secondary that answers and disagrees beyond the asset's deviation still refuses the price.
    function _assetPrice(address token, Asset storage asset) private view returns (uint256 price, bool crossChecked) {
        uint256 primaryHops = asset.primaryHops;
        if (primaryHops == 0) revert UnknownAsset(token);
        _checkSequencer();
        price = _routePrice(asset.primary, primaryHops);
        if (price == 0) revert ZeroPrice(token);
        if (asset.secondaryHops == 0) return (price, true);
        try this.secondaryPriceOf(token) returns (uint256 secondaryPrice) {
            uint256 difference = price > secondaryPrice ? price - secondaryPrice : secondaryPrice - price;
            if (difference * BPS > price * asset.maxDeviationBps) {
                revert PriceDeviationTooHigh(token, price, secondaryPrice);
            }
            return (price, true);
        } catch {
            return (price, false);
        }
    }

    function _routePrice(Hop[MAX_HOPS] storage route, uint256 hops) private view returns (uint256 price) {
        price = PRICE_ONE;
        for (uint256 i; i < hops; ++i) {
            Hop memory hop = route[i];
            price = price.mulDiv(_hopPrice(hop), PRICE_ONE);
        }
    }

    /// @dev Whole units of the hop's `to` per whole unit of its `from`, with PRICE_DECIMALS decimals.
    function _hopPrice(Hop memory hop) private view returns (uint256) {
        if (hop.kind == SourceKind.Chainlink) {
            ChainlinkReader.Feed memory config = _feeds[hop.source];
            if (!config.configured) revert UnknownSource(hop.source);
            uint256 answer = ChainlinkReader.read(hop.source, config);
            uint256 unit = 10 ** uint256(config.decimals);
            return hop.inverse ? unit.mulDiv(PRICE_ONE, answer) : answer.mulDiv(PRICE_ONE, unit);
        }
        TwapPool memory pool = _pools[hop.source];
        if (!pool.configured) revert UnknownSource(hop.source);
        int24 tick = _twapTick(hop.source, pool);
        // forward: whole token0 in token1; inverse: whole token1 in token0
        (uint256 fromUnit, uint256 toUnit) = hop.inverse
            ? (10 ** uint256(pool.decimals1), 10 ** uint256(pool.decimals0))
            : (10 ** uint256(pool.decimals0), 10 ** uint256(pool.decimals1));
        return UniswapTwap.quoteAtTick(tick, fromUnit * PRICE_ONE, !hop.inverse) / toUnit;
    }

    function _twapTick(address pool, TwapPool memory config) private view returns (int24) {
        (,,, uint16 cardinality,,,) = IUniswapV3PoolOracle(pool).slot0();
        if (cardinality < config.minCardinality) revert CardinalityTooLow(pool, cardinality, config.minCardinality);
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = config.window;
        // observe reverts ("OLD") when the oldest observation is younger than the window: the ring was
        // overwritten faster than one window (see docs/valuation.md for the cardinality that prevents it).
        try IUniswapV3PoolOracle(pool).observe(secondsAgos) returns (int56[] memory cumulatives, uint160[] memory) {
            return UniswapTwap.meanTick(cumulatives[0], cumulatives[1], config.window);
        } catch {
            revert TwapWindowNotCovered(pool, config.window);
        }
    }

    function _checkSequencer() private view {
        address feed = sequencerUptimeFeed;
        if (feed == address(0)) return;
        (, int256 answer, uint256 startedAt,,) = AggregatorV3Interface(feed).latestRoundData();
        // 0 = up, 1 = down; startedAt is when the current status began (0 on an uninitialised round)
        if (answer != 0 || startedAt == 0) revert SequencerDown(feed);
        if (block.timestamp - startedAt <= sequencerGracePeriod) {
            revert SequencerGracePeriodNotOver(startedAt, sequencerGracePeriod);
        }
    }

    function _checkRoute(address token, Hop[] calldata route) private view {
        address unit = _unit(token);
        for (uint256 i; i < route.length; ++i) {
            Hop calldata hop = route[i];
            address from;
            address to;
            if (hop.kind == SourceKind.Chainlink) {
                if (!_feeds[hop.source].configured) revert UnknownSource(hop.source);
                (from, to) = (feedBase[hop.source], feedQuote[hop.source]);
            } else if (hop.kind == SourceKind.UniswapTwap) {
                if (!_pools[hop.source].configured) revert UnknownSource(hop.source);
                (from, to) = (IUniswapV3PoolOracle(hop.source).token0(), IUniswapV3PoolOracle(hop.source).token1());
            } else {
                revert UnknownSource(hop.source);
            }
            if (hop.inverse) (from, to) = (to, from);
            if (_unit(from) != unit) revert InvalidRoute(token, i, unit);
            unit = _unit(to);
        }
        if (route.length != 0 && unit != _unit(baseAsset)) revert InvalidRoute(token, route.length, unit);
    }

    function _unit(address token) private view returns (address) {
        address unit = unitOf[token];
        return unit == address(0) ? token : unit;
    }
}
