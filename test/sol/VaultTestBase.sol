// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {MockConnector} from "../../contracts/mocks/MockConnector.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {Registry} from "../../contracts/registry/Registry.sol";
import {AccountingManager} from "../../contracts/vault/AccountingManager.sol";
import {VaultLens} from "../../contracts/lens/VaultLens.sol";
import {GuardrailMath} from "../../contracts/vault/lib/GuardrailMath.sol";

/// @notice Shared setup: a 6-decimal asset, a Registry governed by this test contract, one vault with a
///         keeper gate, a guardian and `connectorCount` balance-reporting mock connectors.
abstract contract VaultTestBase is Test {
    MockERC20 internal asset;
    Registry internal registry;
    AccountingManager internal vault;
    VaultLens internal lens;
    MockConnector[] internal connectors;

    address internal keeper = makeAddr("keeper");
    address internal guardian = makeAddr("guardian");
    address internal feeReceiver = makeAddr("feeReceiver");

    uint256 internal constant ONE = 1e6;
    uint256 internal constant MIN_REQUEST = 1e6;

    function _deployVault(uint256 connectorCount, uint16 managementFeeBps, uint16 performanceFeeBps) internal {
        vm.warp(1_700_000_000);
        asset = new MockERC20("USD Coin", "USDC", 6);
        registry = new Registry(address(this));
        AccountingManager.InitialConfig memory config = AccountingManager.InitialConfig({
            fees: AccountingManager.FeeConfig(feeReceiver, managementFeeBps, performanceFeeBps),
            limits: AccountingManager.Limits({
                depositCap: type(uint128).max,
                minRequestAssets: uint96(MIN_REQUEST),
                depositsPaused: false,
                redeemsPaused: false
            }),
            guardrails: GuardrailMath.Guardrails({
                toleranceBps: 100,
                maxIncreaseBpsPerYear: 10_000,
                maxDecreaseBpsPerYear: 2_000,
                settlementDeadline: 3 days
            })
        });
        vault = new AccountingManager(
            IRegistry(address(registry)),
            IERC20Metadata(address(asset)),
            "Agent Vault USDC",
            "avUSDC",
            config
        );
        registry.registerVault(
            address(vault),
            IRegistry.VaultConfig({
                asset: address(asset),
                valueOracle: address(0),
                swapHandler: address(0),
                keeperGate: keeper,
                guardian: guardian,
                registered: true
            })
        );
        lens = new VaultLens();
        for (uint256 i = 0; i < connectorCount; ++i) _addConnector();
    }

    function _addConnector() internal returns (MockConnector connector) {
        connector = new MockConnector(address(vault), IERC20(address(asset)));
        registry.addConnector(address(vault), address(connector), type(uint128).max);
        connectors.push(connector);
    }

    function _fund(address user, uint256 amount) internal {
        asset.mint(user, amount);
        vm.prank(user);
        asset.approve(address(vault), type(uint256).max);
    }

    function _requestDeposit(address user, uint256 amount) internal {
        _fund(user, amount);
        vm.prank(user);
        vault.requestDeposit(amount, user, user);
    }

    function _settle() internal returns (bool settled) {
        vm.prank(keeper);
        settled = vault.settle();
    }

    /// @dev Deposits `amount` for `user`, settles and claims every share.
    function _enter(address user, uint256 amount) internal returns (uint256 shares) {
        _requestDeposit(user, amount);
        _settle();
        vm.prank(user);
        shares = vault.deposit(amount, user, user);
    }
}
