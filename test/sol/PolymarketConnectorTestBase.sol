// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IConditionalTokens} from "../../contracts/interfaces/IConditionalTokens.sol";
import {ICtfExchange} from "../../contracts/interfaces/ICtfExchange.sol";
import {PolymarketConnector} from "../../contracts/connectors/PolymarketConnector.sol";
import {PolymarketValuer} from "../../contracts/connectors/PolymarketValuer.sol";
import {CtfExchange} from "../../contracts/venues/polymarket/CtfExchange.sol";
import {NegRiskAdapter} from "../../contracts/venues/polymarket/NegRiskAdapter.sol";
import {VaultTestBase} from "./VaultTestBase.sol";

/// @notice A real vault (VaultTestBase) whose USDC sits in one PolymarketConnector, on the real Gnosis
///         ConditionalTokens 1.0.3 (bytecode from its npm package) with the local CTF Exchange, NegRisk CTF
///         Exchange and NegRiskAdapter (this test contract is their admin, operator and market oracle). One
///         binary market and one negRisk market of three questions are registered; an EOA maker holds
///         full sets of every market and signs real EIP-712 orders.
abstract contract PolymarketConnectorTestBase is VaultTestBase {
    string internal constant CTF_ARTIFACT =
        "node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json";
    string internal constant EXCHANGE_ARTIFACT =
        "artifacts/contracts/venues/polymarket/CtfExchange.sol/CtfExchange.json";
    string internal constant ADAPTER_ARTIFACT =
        "artifacts/contracts/venues/polymarket/NegRiskAdapter.sol/NegRiskAdapter.json";
    string internal constant CONNECTOR_ARTIFACT =
        "artifacts/contracts/connectors/PolymarketConnector.sol/PolymarketConnector.json";
    string internal constant VALUER_ARTIFACT = "artifacts/contracts/connectors/PolymarketValuer.sol/PolymarketValuer.json";
    uint256 internal constant NAV = 100_000 * ONE;
    uint256 internal constant QUESTIONS = 3;
    bytes32 internal constant Q = keccak256("will it rain");

    IConditionalTokens internal ctf;
    CtfExchange internal exchange;
    CtfExchange internal negRiskExchange;
    NegRiskAdapter internal adapter;
    PolymarketValuer internal valuer;
    PolymarketConnector internal connector;

    address internal oracle = makeAddr("oracle");
    address internal alice = makeAddr("alice");
    address internal stranger = makeAddr("stranger");
    address internal adapterFees = makeAddr("adapterFees");
    address internal maker;
    uint256 internal makerKey;

    bytes32 internal cid;
    uint256 internal yes;
    uint256 internal no;
    bytes32 internal marketId;
    bytes32[] internal qCids;
    uint256[] internal qYes;
    uint256[] internal qNo;
    uint256 private _salt;

    ICtfExchange.Side internal constant BUY = ICtfExchange.Side.BUY;
    ICtfExchange.Side internal constant SELL = ICtfExchange.Side.SELL;
    bytes4 internal constant MAGIC = 0x1626ba7e;

    function _setUpStack() internal {
        _deployVault(0, 0, 0);
        (maker, makerKey) = makeAddrAndKey("maker");
        ctf = IConditionalTokens(_deployArtifact(CTF_ARTIFACT, ""));
        exchange = CtfExchange(
            _deployArtifact(EXCHANGE_ARTIFACT, abi.encode(address(asset), address(ctf), address(0), address(this)))
        );
        adapter = NegRiskAdapter(_deployArtifact(ADAPTER_ARTIFACT, abi.encode(address(ctf), address(asset), adapterFees)));
        negRiskExchange = CtfExchange(
            _deployArtifact(EXCHANGE_ARTIFACT, abi.encode(address(asset), address(ctf), address(adapter), address(this)))
        );
        valuer = PolymarketValuer(_deployArtifact(VALUER_ARTIFACT, ""));
        connector = PolymarketConnector(
            _deployArtifact(
                CONNECTOR_ARTIFACT,
                abi.encode(address(registry), address(vault), exchange, negRiskExchange, adapter, valuer)
            )
        );
        registry.addConnector(address(vault), address(connector), type(uint128).max);
        _enter(alice, NAV);
        vm.prank(keeper);
        vault.transferToConnector(address(connector), NAV);

        (cid, yes, no) = _binary(Q);
        connector.addBinaryMarket(cid, yes, no, bytes32(0));
        marketId = _negRiskMarket("who wins", QUESTIONS);
        connector.addNegRiskMarket(marketId, bytes32(0));
    }

    /// @dev Deploys the creation code of a built artifact with ABI-encoded constructor `args` (inline creation
    ///      code of these contracts makes the test contract too large for WASM solc).
    function _deployArtifact(string memory path, bytes memory args) internal returns (address deployed) {
        bytes memory code = bytes.concat(vm.parseJsonBytes(vm.readFile(path), ".bytecode"), args);
        assembly ("memory-safe") {
            deployed := create(0, add(code, 0x20), mload(code))
        }
        require(deployed != address(0), "artifact deployment failed");
    }

    /// @dev A binary condition answered by `oracle`, registered on the CTF Exchange.
    function _binary(bytes32 questionId) internal returns (bytes32 conditionId, uint256 yesId, uint256 noId) {
        ctf.prepareCondition(oracle, questionId, 2);
        conditionId = ctf.getConditionId(oracle, questionId, 2);
        yesId = ctf.getPositionId(address(asset), ctf.getCollectionId(bytes32(0), conditionId, 1));
        noId = ctf.getPositionId(address(asset), ctf.getCollectionId(bytes32(0), conditionId, 2));
        exchange.registerToken(yesId, noId, conditionId);
    }

    /// @dev A negRisk market of `count` questions (this contract is its oracle), registered on the NegRisk
    ///      CTF Exchange; its questions are recorded in qCids / qYes / qNo.
    function _negRiskMarket(string memory name, uint256 count) internal returns (bytes32 id) {
        id = adapter.prepareMarket(0, bytes(name));
        for (uint256 i; i < count; ++i) _addQuestion(id);
    }

    function _addQuestion(bytes32 id) internal returns (bytes32 questionId) {
        questionId = adapter.prepareQuestion(id, "question");
        bytes32 conditionId = adapter.getConditionId(questionId);
        uint256 yesId = adapter.getPositionId(questionId, true);
        uint256 noId = adapter.getPositionId(questionId, false);
        negRiskExchange.registerToken(yesId, noId, conditionId);
        qCids.push(conditionId);
        qYes.push(yesId);
        qNo.push(noId);
    }

    // ------------------------------------------------------------------------------- orders

    /// @dev A POLY_1271 order of the connector, expiring in an hour, fee 0.
    function _pmOrder(uint256 tokenId, ICtfExchange.Side side, uint256 makerAmount, uint256 takerAmount)
        internal
        returns (ICtfExchange.Order memory order)
    {
        order.salt = ++_salt;
        order.maker = address(connector);
        order.signer = address(connector);
        order.tokenId = tokenId;
        order.makerAmount = makerAmount;
        order.takerAmount = takerAmount;
        order.expiration = block.timestamp + 1 hours;
        order.side = side;
        order.signatureType = ICtfExchange.SignatureType.POLY_1271;
    }

    /// @dev An EOA order of `maker`, signed for `venue`.
    function _makerOrder(
        CtfExchange venue,
        uint256 tokenId,
        ICtfExchange.Side side,
        uint256 makerAmount,
        uint256 takerAmount
    ) internal returns (ICtfExchange.Order memory order) {
        order.salt = ++_salt;
        order.maker = maker;
        order.signer = maker;
        order.tokenId = tokenId;
        order.makerAmount = makerAmount;
        order.takerAmount = takerAmount;
        order.side = side;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(makerKey, venue.hashOrder(order));
        order.signature = abi.encodePacked(r, s, v);
    }

    function _one(ICtfExchange.Order memory order) internal pure returns (ICtfExchange.Order[] memory orders) {
        orders = new ICtfExchange.Order[](1);
        orders[0] = order;
    }

    function _two(ICtfExchange.Order memory a, ICtfExchange.Order memory b)
        internal
        pure
        returns (ICtfExchange.Order[] memory orders)
    {
        orders = new ICtfExchange.Order[](2);
        orders[0] = a;
        orders[1] = b;
    }

    function _amounts(uint256 amount) internal pure returns (uint256[] memory amounts) {
        amounts = new uint256[](1);
        amounts[0] = amount;
    }

    function _notional(ICtfExchange.Order[] memory orders) internal pure returns (uint256 sum) {
        for (uint256 i; i < orders.length; ++i) sum += orders[i].makerAmount;
    }

    function _place(ICtfExchange.Order[] memory orders) internal {
        vm.prank(keeper);
        connector.placeOrders(address(asset), _notional(orders), orders);
    }

    function _close(ICtfExchange.Order[] memory orders) internal {
        vm.prank(keeper);
        connector.closeOrders(orders);
    }

    /// @dev The maker holds `amount` full sets of the binary market and of every negRisk question, and has
    ///      approved both exchanges for its USDC and tokens.
    function _fundMaker(uint256 amount) internal {
        asset.mint(maker, amount * (1 + qCids.length) + amount);
        vm.startPrank(maker);
        asset.approve(address(ctf), amount);
        uint256[] memory partition = new uint256[](2);
        partition[0] = 1;
        partition[1] = 2;
        ctf.splitPosition(address(asset), bytes32(0), cid, partition, amount);
        asset.approve(address(adapter), type(uint256).max);
        for (uint256 i; i < qCids.length; ++i) adapter.splitPosition(qCids[i], amount);
        asset.approve(address(exchange), type(uint256).max);
        asset.approve(address(negRiskExchange), type(uint256).max);
        ctf.setApprovalForAll(address(exchange), true);
        ctf.setApprovalForAll(address(negRiskExchange), true);
        vm.stopPrank();
    }

    /// @dev The operator (this contract) matches the connector's BUY `buy` against the maker's SELL of the
    ///      same token at the same price, in full.
    function _fillBuy(CtfExchange venue, ICtfExchange.Order memory buy) internal {
        ICtfExchange.Order memory sell =
            _makerOrder(venue, buy.tokenId, ICtfExchange.Side.SELL, buy.takerAmount, buy.makerAmount);
        venue.matchOrders(buy, _one(sell), buy.makerAmount, _amounts(buy.takerAmount));
    }

    /// @dev The operator (this contract) receives BUY fees in outcome tokens.
    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    function _expectPlaceRevert(ICtfExchange.Order memory order, bytes memory reason) internal {
        vm.prank(keeper);
        vm.expectRevert(reason);
        connector.placeOrders(address(asset), order.makerAmount, _one(order));
    }

    function _value() internal view returns (uint256 value) {
        (value,) = connector.totalValue();
    }

    function _bal(uint256 tokenId) internal view returns (uint256) {
        return ctf.balanceOf(address(connector), tokenId);
    }

    function _report(bytes32 questionId, uint256 winner) internal {
        uint256[] memory payouts = new uint256[](2);
        payouts[winner] = 1;
        vm.prank(oracle);
        ctf.reportPayouts(questionId, payouts);
    }
}
