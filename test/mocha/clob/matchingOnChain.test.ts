import {
  ClobClient,
  ExchangeOrderBuilder,
  OrderSide,
  OrderType,
  SignatureType,
} from "@polymarket/clob-client";
import { expect } from "chai";
import { type Hex, erc20Abi, parseUnits, zeroAddress, zeroHash } from "viem";
import { projectArtifact, read, send } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { ERRORS } from "../../../deploy/local/clob/clobEngine.js";
import { startLocalClob } from "../../../deploy/local/clob/localClob.js";
import { BUY } from "../../../deploy/local/clob/orders.js";
import {
  approvePolymarketVenue,
  deployPolymarketVenue,
  preparePolymarketBinary,
} from "../../../deploy/local/polymarketVenue.js";
import {
  conditionalTokensArtifact,
  deployConditionalTokens,
} from "../../../deploy/protocols/conditionalTokens.js";
import { deployMockToken, mintMockToken } from "../../../deploy/protocols/tokens.js";
import { localChain } from "../helpers/chain.js";

// Random traders post random orders (both tokens, both sides, GTC / FAK / FOK, prices around the
// seeded book, the market's 10 % fee) through clob-client: every match the CLOB plans must settle on
// the CTF Exchange (no "could not run the execution"), every trade is mined, and what rests on the
// book never exceeds what the exchange still lets the order fill.

const ORDERS = process.env.DEEP === "1" ? 400 : 30;
const SEED = 0xb00c;

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

/** Refusals a random order may meet; anything else is a failure of the CLOB. */
const EXPECTED_REFUSALS: readonly string[] = [ERRORS.balance, ERRORS.fok, ERRORS.fak];

describe("local CLOB: random orders always settle on chain", function () {
  it(`${ORDERS} random orders from 3 traders: every planned match is mined, resting sizes match the exchange`, async function () {
    const chain = await localChain();
    const deployer = chain.deployer;
    const chainId = await deployer.public.getChainId();
    const ctf = await deployConditionalTokens(deployer);
    const usdc = await deployMockToken(deployer, "USD Coin", "USDC", 6);
    const operator = chain.clientsFor(1);
    const venue = await deployPolymarketVenue(
      deployer,
      { conditionalTokens: ctf, tokens: { usdc } },
      { operator: operator.wallet.account.address },
    );
    const clob = await startLocalClob({ deployer, operator: operator.wallet, venue, makers: 1 });
    try {
      const prepared = await preparePolymarketBinary(deployer, venue, "random orders");
      await clob.addMarket(prepared, {
        source: "test",
        question: "random orders",
        slug: "random-orders",
        yesAsk: 5_500n,
        noAsk: 5_000n,
        tickSize: "0.01",
        feeRateBps: 1_000n,
        group: null,
      });
      const traders: { clients: Clients; client: ClobClient; builder: ExchangeOrderBuilder }[] = [];
      for (const index of [2, 3, 4]) {
        const clients = chain.clientsFor(index);
        const me = clients.wallet.account.address;
        await approvePolymarketVenue(clients, venue);
        await mintMockToken(deployer, usdc, me, parseUnits("400", 6));
        await send(clients, {
          address: usdc,
          abi: erc20Abi,
          functionName: "approve",
          args: [ctf, parseUnits("200", 6)],
        });
        await send(clients, {
          address: ctf,
          abi: conditionalTokensArtifact().abi,
          functionName: "splitPosition",
          args: [usdc, zeroHash, prepared.conditionId, [1n, 2n], parseUnits("200", 6)],
        });
        const creds = await new ClobClient(clob.url, chainId, clients.wallet).createOrDeriveApiKey();
        traders.push({
          clients,
          client: new ClobClient(clob.url, chainId, clients.wallet, creds),
          builder: new ExchangeOrderBuilder(venue.exchange, chainId, clients.wallet),
        });
      }

      const r = rng(SEED);
      const outcomes = { matched: 0, live: 0, refused: 0 };
      for (let i = 0; i < ORDERS; i++) {
        const trader = traders[r.int(0, traders.length - 1)]!;
        const me = trader.clients.wallet.account.address;
        const tokenId = r.next() < 0.5 ? prepared.yesTokenId : prepared.noTokenId;
        const side = r.next() < 0.5 ? OrderSide.BUY : OrderSide.SELL;
        const price = BigInt(r.int(30, 70)) * 100n;
        const tokens = BigInt(r.int(5, 40)) * 1_000_000n;
        const collateral = (tokens * price) / 10_000n;
        const orderType = [OrderType.GTC, OrderType.GTC, OrderType.FAK, OrderType.FOK][r.int(0, 3)]!;
        const order = await trader.builder.buildSignedOrder({
          maker: me,
          signer: me,
          taker: zeroAddress,
          tokenId: tokenId.toString(),
          makerAmount: (side === OrderSide.BUY ? collateral : tokens).toString(),
          takerAmount: (side === OrderSide.BUY ? tokens : collateral).toString(),
          side,
          feeRateBps: "1000",
          nonce: "0",
          expiration: "0",
          signatureType: SignatureType.EOA,
        });
        const result = (await trader.client.postOrder(order, orderType)) as {
          success?: boolean;
          status?: string | number;
          error?: string;
        };
        if (result.success === true) outcomes[result.status === "matched" ? "matched" : "live"] += 1;
        else {
          expect(EXPECTED_REFUSALS, `order ${i}: ${JSON.stringify(result)}`).to.include(result.error);
          outcomes.refused += 1;
        }
      }
      expect(outcomes.matched, JSON.stringify(outcomes)).to.be.greaterThan(ORDERS / 10);
      await chain.networkHelpers.mine();
      await clob.engine.refreshTrades();
      expect(clob.engine.allTrades().map((t) => t.status)).to.satisfy((s: string[]) =>
        s.every((x) => x === "CONFIRMED"),
      );
      const abi = projectArtifact("CtfExchange").abi;
      for (const resting of clob.engine.books.all()) {
        const status = await read<{ isFilledOrCancelled: boolean; remaining: bigint }>(deployer, {
          address: venue.exchange,
          abi,
          functionName: "getOrderStatus",
          args: [resting.id as Hex],
        });
        const onChain = status.remaining === 0n ? resting.order.makerAmount : status.remaining;
        expect(status.isFilledOrCancelled, resting.id).to.equal(false);
        expect(resting.remaining <= onChain, resting.id).to.equal(true);
        if (resting.order.side !== BUY) expect(resting.remaining, resting.id).to.equal(onChain);
      }
    } finally {
      await clob.close();
    }
  });
});
