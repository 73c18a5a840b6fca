// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ITwapOracle} from "../interfaces/ITwapOracle.sol";
import {IValueOracle} from "../interfaces/IValueOracle.sol";
import {LiquidityAmounts} from "../oracle/lib/LiquidityAmounts.sol";
import {TickMath} from "../oracle/lib/TickMath.sol";
import {BaseConnector} from "./BaseConnector.sol";

/// @notice The parts of Uniswap v3's NonfungiblePositionManager this connector uses.
interface INonfungiblePositionManager {
    struct MintParams {
        address token0;
        address token1;
        uint24 fee;
        int24 tickLower;
        int24 tickUpper;
        uint256 amount0Desired;
        uint256 amount1Desired;
        uint256 amount0Min;
        uint256 amount1Min;
        address recipient;
        uint256 deadline;
    }

    struct IncreaseLiquidityParams {
        uint256 tokenId;
        uint256 amount0Desired;
        uint256 amount1Desired;
        uint256 amount0Min;
        uint256 amount1Min;
        uint256 deadline;
    }

    struct DecreaseLiquidityParams {
        uint256 tokenId;
        uint128 liquidity;
        uint256 amount0Min;
        uint256 amount1Min;
        uint256 deadline;
    }

    struct CollectParams {
        uint256 tokenId;
        address recipient;
        uint128 amount0Max;
        uint128 amount1Max;
    }

    function factory() external view returns (address);

    function positions(uint256 tokenId)
        external
        view
        returns (
            uint96 nonce,
            address operator,
            address token0,
            address token1,
            uint24 fee,
            int24 tickLower,
            int24 tickUpper,
            uint128 liquidity,
            uint256 feeGrowthInside0LastX128,
            uint256 feeGrowthInside1LastX128,
            uint128 tokensOwed0,
            uint128 tokensOwed1
        );

    function mint(MintParams calldata params)
        external
        payable
        returns (uint256 tokenId, uint128 liquidity, uint256 amount0, uint256 amount1);

    function increaseLiquidity(IncreaseLiquidityParams calldata params)
        external
        payable
        returns (uint128 liquidity, uint256 amount0, uint256 amount1);

    function decreaseLiquidity(DecreaseLiquidityParams calldata params)
        external
        payable
        returns (uint256 amount0, uint256 amount1);

    function collect(CollectParams calldata params) external payable returns (uint256 amount0, uint256 amount1);

    function burn(uint256 tokenId) external payable;
}

/// @notice The Uniswap v3 pool state the fee computation reads.
interface IUniswapV3PoolFees {
    function slot0() external view returns (uint160, int24 tick, uint16, uint16, uint16, uint8, bool);

    function feeGrowthGlobal0X128() external view returns (uint256);

    function feeGrowthGlobal1X128() external view returns (uint256);

    function ticks(int24 tick)
        external
        view
        returns (
            uint128 liquidityGross,
            int128 liquidityNet,
            uint256 feeGrowthOutside0X128,
            uint256 feeGrowthOutside1X128,
            int56 tickCumulativeOutside,
            uint160 secondsPerLiquidityOutsideX128,
            uint32 secondsOutside,
            bool initialized
        );
}

interface IUniswapV3Factory {
    function getPool(address tokenA, address tokenB, uint24 fee) external view returns (address pool);
}

/// @title UniswapV3Connector
/// @notice Holds one vault's Uniswap v3 liquidity positions (NFTs minted by this connector through the
///         real NonfungiblePositionManager). Each position is valued from its own liquidity at the pool's
///         TWAP price as configured in the ValueOracle, never at slot0, plus fees owed (tokensOwed and the
///         fee growth not yet credited); the token amounts are then priced through the ValueOracle.
/// @dev Only positions this connector minted count: unsolicited NFTs are refused, and the pool-level
///      position (shared by every NPM holder in the same ticks) is never read.
contract UniswapV3Connector is BaseConnector, IERC721Receiver {
    using SafeERC20 for IERC20;

    uint256 public constant MAX_POSITIONS = 8;
    uint256 private constant Q128 = 1 << 128;
    uint256 private constant Q192 = 1 << 192;
    /// @dev Extra decimals of the whole-token values the fallback price is derived from.
    uint256 private constant PRICE_PRECISION = 1e18;

    INonfungiblePositionManager public immutable positionManager;
    IUniswapV3Factory public immutable factory;

    uint256[] private _positionIds;
    mapping(uint256 tokenId => address pool) public poolOf;

    event PositionMinted(uint256 indexed tokenId, address indexed pool, uint128 liquidity, uint256 amount0, uint256 amount1);
    event LiquidityIncreased(uint256 indexed tokenId, uint128 liquidity, uint256 amount0, uint256 amount1);
    event LiquidityDecreased(uint256 indexed tokenId, uint128 liquidity, uint256 amount0, uint256 amount1);
    event FeesCollected(uint256 indexed tokenId, uint256 amount0, uint256 amount1);
    event PositionBurned(uint256 indexed tokenId);

    error TooManyPositions();
    error UnknownPosition(uint256 tokenId);
    error UnsolicitedPosition(address operator);
    error PoolNotPriced(address pool);

    /// @param positionManager_ Uniswap v3 NonfungiblePositionManager
    constructor(IRegistry registry_, address vault_, INonfungiblePositionManager positionManager_)
        BaseConnector(registry_, vault_)
    {
        if (address(positionManager_) == address(0)) revert ZeroAddress();
        positionManager = positionManager_;
        factory = IUniswapV3Factory(positionManager_.factory());
    }

    /// @notice A new position: `token0` < `token1`, the `fee` pool, range [tickLower, tickUpper).
    /// @dev A static struct is encoded inline, so the calldata still starts with (token0, amount0) as the
    ///      keeper gate's mandates expect.
    struct MintRequest {
        address token0;
        uint256 amount0;
        address token1;
        uint256 amount1;
        uint24 fee;
        int24 tickLower;
        int24 tickUpper;
        uint256 amount0Min;
        uint256 amount1Min;
    }

    /// @notice Opens a position through the position manager.
    /// @dev The pool must have a TWAP configured in the vault's ValueOracle, so the position can be valued.
    function mint(MintRequest calldata request) external onlyKeeperGate nonReentrant returns (uint256 tokenId) {
        _requireAllowed(request.token0);
        _requireAllowed(request.token1);
        if (_positionIds.length >= MAX_POSITIONS) revert TooManyPositions();
        address pool = factory.getPool(request.token0, request.token1, request.fee);
        _requirePriced(pool);
        IERC20(request.token0).forceApprove(address(positionManager), request.amount0);
        IERC20(request.token1).forceApprove(address(positionManager), request.amount1);
        uint128 liquidity;
        uint256 used0;
        uint256 used1;
        (tokenId, liquidity, used0, used1) = positionManager.mint(
            INonfungiblePositionManager.MintParams({
                token0: request.token0,
                token1: request.token1,
                fee: request.fee,
                tickLower: request.tickLower,
                tickUpper: request.tickUpper,
                amount0Desired: request.amount0,
                amount1Desired: request.amount1,
                amount0Min: request.amount0Min,
                amount1Min: request.amount1Min,
                recipient: address(this),
                deadline: block.timestamp
            })
        );
        IERC20(request.token0).forceApprove(address(positionManager), 0);
        IERC20(request.token1).forceApprove(address(positionManager), 0);
        _positionIds.push(tokenId);
        poolOf[tokenId] = pool;
        _track(request.token0);
        _track(request.token1);
        emit PositionMinted(tokenId, pool, liquidity, used0, used1);
    }

    /// @notice Adds liquidity to an own position. `token0` must be the position's token0.
    function increaseLiquidity(
        address token0,
        uint256 amount0,
        uint256 tokenId,
        uint256 amount1,
        uint256 amount0Min,
        uint256 amount1Min
    ) external onlyKeeperGate nonReentrant returns (uint128 liquidity) {
        if (poolOf[tokenId] == address(0)) revert UnknownPosition(tokenId);
        (,, address positionToken0, address token1,,,,,,,,) = positionManager.positions(tokenId);
        if (token0 != positionToken0) revert TokenNotAllowed(address(this), token0);
        IERC20(token0).forceApprove(address(positionManager), amount0);
        IERC20(token1).forceApprove(address(positionManager), amount1);
        uint256 used0;
        uint256 used1;
        (liquidity, used0, used1) = positionManager.increaseLiquidity(
            INonfungiblePositionManager.IncreaseLiquidityParams({
                tokenId: tokenId,
                amount0Desired: amount0,
                amount1Desired: amount1,
                amount0Min: amount0Min,
                amount1Min: amount1Min,
                deadline: block.timestamp
            })
        );
        IERC20(token0).forceApprove(address(positionManager), 0);
        IERC20(token1).forceApprove(address(positionManager), 0);
        emit LiquidityIncreased(tokenId, liquidity, used0, used1);
    }

    /// @notice Removes `liquidity` from an own position; the tokens become owed until `collect`.
    function decreaseLiquidity(uint256 tokenId, uint128 liquidity, uint256 amount0Min, uint256 amount1Min)
        external
        onlyKeeperGate
        nonReentrant
        returns (uint256 amount0, uint256 amount1)
    {
        if (poolOf[tokenId] == address(0)) revert UnknownPosition(tokenId);
        (amount0, amount1) = positionManager.decreaseLiquidity(
            INonfungiblePositionManager.DecreaseLiquidityParams({
                tokenId: tokenId,
                liquidity: liquidity,
                amount0Min: amount0Min,
                amount1Min: amount1Min,
                deadline: block.timestamp
            })
        );
        emit LiquidityDecreased(tokenId, liquidity, amount0, amount1);
    }

    /// @notice Collects everything owed to an own position (removed liquidity and fees) into this connector.
    function collect(uint256 tokenId) external onlyKeeperGate nonReentrant returns (uint256 amount0, uint256 amount1) {
        if (poolOf[tokenId] == address(0)) revert UnknownPosition(tokenId);
        (amount0, amount1) = positionManager.collect(
            INonfungiblePositionManager.CollectParams({
                tokenId: tokenId,
                recipient: address(this),
                amount0Max: type(uint128).max,
                amount1Max: type(uint128).max
            })
        );
        emit FeesCollected(tokenId, amount0, amount1);
    }

    /// @notice Burns an emptied own position (no liquidity, nothing owed) and stops tracking it.
    function burn(uint256 tokenId) external onlyKeeperGate nonReentrant {
        if (poolOf[tokenId] == address(0)) revert UnknownPosition(tokenId);
        positionManager.burn(tokenId);
        delete poolOf[tokenId];
        uint256 length = _positionIds.length;
        for (uint256 i; i < length; ++i) {
            if (_positionIds[i] == tokenId) {
                _positionIds[i] = _positionIds[length - 1];
                _positionIds.pop();
                break;
            }
        }
        emit PositionBurned(tokenId);
    }

    /// @notice Accepts only the NFTs this connector mints itself through the position manager.
    function onERC721Received(address operator, address, uint256, bytes calldata) external view returns (bytes4) {
        if (msg.sender != address(positionManager) || operator != address(this)) revert UnsolicitedPosition(operator);
        return IERC721Receiver.onERC721Received.selector;
    }

    /// @notice Ids of the positions this connector holds.
    function positionIds() external view returns (uint256[] memory) {
        return _positionIds;
    }

    /// @notice Token amounts of an own position at the pool's TWAP price, fees owed included. When the TWAP
    ///         cannot be read (its window is no longer covered by the pool's observations, e.g. after a
    ///         flush of one tick-moving swap per block), the position is valued at the price the ValueOracle
    ///         gives its two tokens instead, so disrupting the pool's history cannot erase its value.
    /// @return token0 the position's token0
    /// @return token1 the position's token1
    /// @return amount0 principal + fees of token0
    /// @return amount1 principal + fees of token1
    function positionAmounts(uint256 tokenId)
        public
        view
        returns (address token0, address token1, uint256 amount0, uint256 amount1)
    {
        address pool = poolOf[tokenId];
        if (pool == address(0)) revert UnknownPosition(tokenId);
        Position memory p = _position(tokenId);
        (amount0, amount1) = LiquidityAmounts.getAmountsForLiquidity(
            _valuationSqrtPrice(pool, p.token0, p.token1),
            TickMath.getSqrtRatioAtTick(p.tickLower),
            TickMath.getSqrtRatioAtTick(p.tickUpper),
            p.liquidity
        );
        (uint256 fees0, uint256 fees1) = _fees(pool, p);
        return (p.token0, p.token1, amount0 + fees0, amount1 + fees1);
    }

    /// @dev The twelve words NonfungiblePositionManager.positions returns, decoded in one go.
    struct Position {
        uint96 nonce;
        address operator;
        address token0;
        address token1;
        uint24 fee;
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
        uint256 feeGrowthInside0LastX128;
        uint256 feeGrowthInside1LastX128;
        uint128 tokensOwed0;
        uint128 tokensOwed1;
    }

    function _position(uint256 tokenId) private view returns (Position memory) {
        (bool ok, bytes memory data) =
            address(positionManager).staticcall(abi.encodeCall(INonfungiblePositionManager.positions, (tokenId)));
        if (!ok) revert UnknownPosition(tokenId);
        return abi.decode(data, (Position));
    }

    /// @dev tokensOwed plus fees accrued since the position was last touched, exactly as the pool will
    ///      credit them (Uniswap's Position.update; fee growth is meant to wrap, hence unchecked).
    function _fees(address pool, Position memory p) private view returns (uint256 fees0, uint256 fees1) {
        fees0 = p.tokensOwed0;
        fees1 = p.tokensOwed1;
        if (p.liquidity == 0) return (fees0, fees1);
        (uint256 inside0, uint256 inside1) = _feeGrowthInside(IUniswapV3PoolFees(pool), p.tickLower, p.tickUpper);
        unchecked {
            fees0 += Math.mulDiv(inside0 - p.feeGrowthInside0LastX128, p.liquidity, Q128);
            fees1 += Math.mulDiv(inside1 - p.feeGrowthInside1LastX128, p.liquidity, Q128);
        }
    }

    /// @dev Uniswap's Tick.getFeeGrowthInside. The current tick only selects which side of the range the
    ///      accrued growth sits on; it does not price anything.
    function _feeGrowthInside(IUniswapV3PoolFees pool, int24 tickLower, int24 tickUpper)
        private
        view
        returns (uint256 inside0, uint256 inside1)
    {
        (, int24 tickCurrent,,,,,) = pool.slot0();
        (,, uint256 lower0, uint256 lower1,,,,) = pool.ticks(tickLower);
        (,, uint256 upper0, uint256 upper1,,,,) = pool.ticks(tickUpper);
        uint256 global0 = pool.feeGrowthGlobal0X128();
        uint256 global1 = pool.feeGrowthGlobal1X128();
        unchecked {
            (uint256 below0, uint256 below1) =
                tickCurrent >= tickLower ? (lower0, lower1) : (global0 - lower0, global1 - lower1);
            (uint256 above0, uint256 above1) =
                tickCurrent < tickUpper ? (upper0, upper1) : (global0 - upper0, global1 - upper1);
            inside0 = global0 - below0 - above0;
            inside1 = global1 - below1 - above1;
        }
    }

    function _positionValue(address oracle)
        internal
        view
        override
        returns (uint256 assets, uint256 liabilities, bool priced)
    {
        priced = true;
        uint256 length = _positionIds.length;
        for (uint256 i; i < length; ++i) {
            try this.positionAmounts(_positionIds[i]) returns (
                address token0, address token1, uint256 amount0, uint256 amount1
            ) {
                (bool ok0, uint256 value0) = _tryValue(oracle, token0, amount0);
                (bool ok1, uint256 value1) = _tryValue(oracle, token1, amount1);
                if (ok0) assets += value0;
                if (ok1) assets += value1;
                priced = priced && ok0 && ok1;
            } catch {
                priced = false;
            }
        }
        liabilities = 0;
    }

    /// @dev Position NFTs are ERC-721 and cannot pass through recoverToken; the pair tokens of open
    ///      positions must stay tracked because decreaseLiquidity + collect pay them out.
    function _isPositionToken(address token) internal view override returns (bool) {
        uint256 length = _positionIds.length;
        for (uint256 i; i < length; ++i) {
            Position memory p = _position(_positionIds[i]);
            if (token == p.token0 || token == p.token1) return true;
        }
        return false;
    }

    /// @dev The pool's TWAP price, or, when its window is not covered, the ratio of the oracle's prices of
    ///      the two tokens (their primary routes: Chainlink), as a sqrt price in Q64.96.
    function _valuationSqrtPrice(address pool, address token0, address token1) private view returns (uint160) {
        address oracle = registry.valueOracleOf(vault);
        try ITwapOracle(oracle).twapTick(pool) returns (int24 tick) {
            return TickMath.getSqrtRatioAtTick(tick);
        } catch {
            return _oracleSqrtPrice(IValueOracle(oracle), token0, token1);
        }
    }

    /// @dev sqrt(raw token1 per raw token0) x 2^96 from the oracle's base value of one whole token each,
    ///      taken with 18 extra decimals so low-priced tokens keep their precision.
    function _oracleSqrtPrice(IValueOracle oracle, address token0, address token1) private view returns (uint160) {
        uint256 unit0 = 10 ** uint256(IERC20Metadata(token0).decimals());
        uint256 unit1 = 10 ** uint256(IERC20Metadata(token1).decimals());
        uint256 value0 = oracle.valueOf(token0, unit0 * PRICE_PRECISION);
        uint256 value1 = oracle.valueOf(token1, unit1 * PRICE_PRECISION);
        // raw1 per raw0 = (value0 / unit0) / (value1 / unit1)
        return uint160(Math.sqrt(Math.mulDiv(value0 * unit1, Q192, value1 * unit0)));
    }

    function _requirePriced(address pool) private view {
        address oracle = registry.valueOracleOf(vault);
        if (pool == address(0) || oracle.code.length == 0) revert PoolNotPriced(pool);
        try ITwapOracle(oracle).twapTick(pool) returns (int24) {}
        catch {
            revert PoolNotPriced(pool);
        }
    }
}
