// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {
    IConditionalTokens,
    IFixedProductMarketMaker,
    IFixedProductMarketMakerFactory
} from "../../contracts/interfaces/IConditionalTokens.sol";
import {ConditionalTokensConnector} from "../../contracts/connectors/ConditionalTokensConnector.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice The real Gnosis ConditionalTokens 1.0.3 and FixedProductMarketMakerFactory 1.8.1, deployed from the
///         bytecode their npm packages ship, next to a real vault (VaultTestBase) with one
///         ConditionalTokensConnector holding the vault's USDC.
abstract contract ConditionalTokensTestBase is VaultTestBase {
    string internal constant CTF_ARTIFACT =
        "node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json";
    string internal constant FPMM_FACTORY_ARTIFACT =
        "node_modules/@gnosis.pm/conditional-tokens-market-makers/build/contracts/FixedProductMarketMakerFactory.json";
    /// @dev 2 % pool fee, as Omen markets use.
    uint256 internal constant POOL_FEE = 0.02e18;
    uint256 internal constant NAV = 100_000 * ONE;

    IConditionalTokens internal ctf;
    IFixedProductMarketMakerFactory internal fpmmFactory;
    ConditionalTokensConnector internal connector;

    address internal oracle = makeAddr("oracle");
    address internal alice = makeAddr("alice");
    address internal lp = makeAddr("lp");
    address internal stranger = makeAddr("stranger");

    /// @dev A vault with NAV settled at `NAV`, all of it moved into the connector.
    function _setUpStack() internal {
        _deployVault(0, 0, 0);
        ctf = IConditionalTokens(_deployArtifact(CTF_ARTIFACT));
        fpmmFactory = IFixedProductMarketMakerFactory(_deployArtifact(FPMM_FACTORY_ARTIFACT));
        connector = new ConditionalTokensConnector(IRegistry(address(registry)), address(vault), ctf);
        registry.addConnector(address(vault), address(connector), type(uint128).max);
        _enter(alice, NAV);
        vm.prank(keeper);
        vault.transferToConnector(address(connector), NAV);
    }

    function _deployArtifact(string memory path) internal returns (address deployed) {
        bytes memory code = vm.parseJsonBytes(vm.readFile(path), ".bytecode");
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "artifact deployment failed");
    }

    /// @dev Prepares a condition with `slots` outcomes answered by `oracle`.
    function _condition(bytes32 questionId, uint256 slots) internal returns (bytes32 conditionId) {
        ctf.prepareCondition(oracle, questionId, slots);
        conditionId = ctf.getConditionId(oracle, questionId, slots);
    }

    /// @dev A pool over `conditionId` funded by `lp` with `liquidity` USDC, evenly (price 1/n each).
    function _pool(bytes32 conditionId, uint256 liquidity) internal returns (IFixedProductMarketMaker pool) {
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = conditionId;
        pool = IFixedProductMarketMaker(
            fpmmFactory.createFixedProductMarketMaker(address(ctf), address(asset), ids, POOL_FEE)
        );
        asset.mint(lp, liquidity);
        vm.startPrank(lp);
        asset.approve(address(pool), liquidity);
        pool.addFunding(liquidity, new uint256[](0));
        vm.stopPrank();
    }

    /// @dev A condition with a funded pool, registered in the connector under `group`.
    function _market(bytes32 questionId, uint256 slots, bytes32 group, uint256 liquidity)
        internal
        returns (bytes32 conditionId, IFixedProductMarketMaker pool)
    {
        conditionId = _condition(questionId, slots);
        pool = _pool(conditionId, liquidity);
        connector.addMarket(conditionId, address(asset), slots, group, address(pool));
    }

    function _report(bytes32 questionId, uint256[] memory payouts) internal {
        vm.prank(oracle);
        ctf.reportPayouts(questionId, payouts);
    }

    function _value() internal view returns (uint256 value) {
        (value,) = connector.totalValue();
    }

    function _split(bytes32 conditionId, uint256 amount) internal {
        vm.prank(keeper);
        connector.split(address(asset), amount, conditionId);
    }

    function _buy(bytes32 conditionId, uint256 outcome, uint256 investment) internal returns (uint256 tokens) {
        vm.prank(keeper);
        tokens = connector.buy(address(asset), investment, conditionId, outcome, 0);
    }

    function _balances(bytes32 conditionId) internal view returns (uint256[] memory balances) {
        uint256[] memory ids = connector.positionIdsOf(conditionId);
        address[] memory owners = new address[](ids.length);
        for (uint256 i; i < ids.length; ++i) owners[i] = address(connector);
        balances = ctf.balanceOfBatch(owners, ids);
    }

    function _payouts(uint256 slots, uint256 winner) internal pure returns (uint256[] memory payouts) {
        payouts = new uint256[](slots);
        payouts[winner] = 1;
    }
}
