// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {WETH9} from "../../contracts/mocks/WETH9.sol";

contract WETH9Handler is Test {
    WETH9 public immutable weth;
    address[3] public actors = [address(0xA11CE), address(0xB0B), address(0xCA201)];

    constructor(WETH9 weth_) {
        weth = weth_;
    }

    function deposit(uint256 actorSeed, uint96 amount) external {
        address actor = actors[actorSeed % actors.length];
        vm.deal(actor, amount);
        vm.prank(actor);
        weth.deposit{value: amount}();
    }

    function withdraw(uint256 actorSeed, uint256 amount) external {
        address actor = actors[actorSeed % actors.length];
        amount = bound(amount, 0, weth.balanceOf(actor));
        vm.prank(actor);
        weth.withdraw(amount);
    }
}

/// Proves the Solidity test toolchain (forge-std fuzz and invariants on Hardhat 3) on the local WETH9.
contract WETH9Test is StdInvariant, Test {
    WETH9 internal weth;
    WETH9Handler internal handler;

    function setUp() public {
        weth = new WETH9();
        handler = new WETH9Handler(weth);
        targetContract(address(handler));
    }

    function testFuzz_DepositThenWithdrawReturnsEther(uint96 amount) public {
        address user = makeAddr("user");
        vm.deal(user, amount);
        vm.startPrank(user);
        weth.deposit{value: amount}();
        assertEq(weth.balanceOf(user), amount);
        weth.withdraw(amount);
        vm.stopPrank();
        assertEq(user.balance, amount);
        assertEq(weth.totalSupply(), 0);
    }

    function test_WithdrawMoreThanBalanceReverts() public {
        vm.expectRevert();
        weth.withdraw(1);
    }

    function invariant_SupplyIsBackedByEther() public view {
        assertEq(weth.totalSupply(), address(weth).balance);
    }
}
