import { getQuote, getRoutes, getStepTransaction } from "@lifi/sdk";
import { expect } from "chai";
import {
  type Hex,
  decodeFunctionData,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseUnits,
  toHex,
} from "viem";
import { projectArtifact } from "../../../deploy/lib/artifacts.js";
import type { LiFiQuoteServiceConfig } from "../../../deploy/local/lifiQuoteService.js";
import { SWAP_SELECTOR, deploySwapTestbed } from "../../../deploy/local/gateTestbed.js";
import {
  type Mandate,
  deployKeeperGate,
  executeSigned,
  gateDomain,
  signMandate,
  sortSignatures,
} from "../../../deploy/product/gate.js";
import { LIFI_DIAMOND_ABI } from "../../../deploy/product/lifi.js";
import { localChain } from "../helpers/chain.js";
import { withLocalLiFi } from "../helpers/localLiFi.js";

// Attack classes covered (../shared/research/attack-classes.md): AC17 (the gate reaches the swap only through
// an allowlisted connector call), AC18 (real SDK calldata passes the handler's checks), AC19 (oracle-bounded
// minimum, balance delta), AC20 (k-of-n signed batch).

const { viem, networkHelpers, wallets, clientsFor, publicClient } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const AMOUNT_IN = parseUnits("3000", 6);

type Testbed = Awaited<ReturnType<typeof deploySwapTestbed>>;

async function fixture() {
  const tb = await deploySwapTestbed(accounts);
  const gov = { account: tb.governance.wallet.account };
  const gateAddress = await deployKeeperGate(tb.governance, {
    registry: tb.registry,
    vault: tb.vault,
    signers: tb.signers.map((s) => s.wallet.account.address),
    threshold: 2n,
  });
  const registry = await viem.getContractAt("Registry", tb.registry);
  await registry.write.setKeeperGate([tb.vault, gateAddress], gov);
  await registry.write.setAllowedCall([tb.vault, tb.connector, SWAP_SELECTOR, true], gov);
  return {
    tb,
    gate: await viem.getContractAt("KeeperGate", gateAddress),
    weth: await viem.getContractAt("WETH9", tb.weth),
    diamond: await viem.getContractAt("LocalLiFiDiamond", tb.diamond),
    connector: await viem.getContractAt("MockSwapConnector", tb.connector),
  };
}

/** The local LI.FI API over the testbed's Diamond and Uniswap v3. */
const quoteService = (tb: Testbed): LiFiQuoteServiceConfig => ({
  client: publicClient,
  diamond: tb.diamond,
  swapRouter: tb.uniswap.swapRouter,
  quoterV2: tb.uniswap.quoterV2,
});

function connectorSwap(tokenIn: Hex, amountIn: bigint, lifiCalldata: Hex): Hex {
  return encodeFunctionData({
    abi: projectArtifact("MockSwapConnector").abi,
    functionName: "swap",
    args: [tokenIn, amountIn, lifiCalldata],
  });
}

describe("End to end: keeper gate -> connector -> LiFiSwapHandler -> LocalLiFiDiamond -> Uniswap v3, quoted by @lifi/sdk", function () {
  it("[AC18 aggregator calldata] a 2-of-3 signed batch swaps with calldata from getQuote against the local LI.FI API", async function () {
    const { tb, gate, weth, diamond, connector } = await networkHelpers.loadFixture(fixture);
    await withLocalLiFi(quoteService(tb), async (lifi, service) => {
      // The connector sends the Diamond call the handler checked, and receives the output.
      const quote = await getQuote(lifi, {
        fromChain: chainId,
        toChain: chainId,
        fromToken: tb.usdc,
        toToken: tb.weth,
        fromAmount: AMOUNT_IN.toString(),
        fromAddress: tb.connector,
        toAddress: tb.connector,
        slippage: 0.003,
      });
      expect(getAddress(quote.transactionRequest!.to!)).to.equal(getAddress(tb.diamond));
      const data = quote.transactionRequest!.data as Hex;
      const decoded = decodeFunctionData({ abi: LIFI_DIAMOND_ABI, data });
      expect(decoded.functionName).to.equal("swapTokensSingleV3ERC20ToERC20");
      expect(decoded.args[1]).to.equal("agent-vault");
      expect(getAddress(decoded.args[3] as Hex)).to.equal(getAddress(tb.connector));
      const toAmountMin = BigInt(quote.estimate.toAmountMin);
      expect(decoded.args[4]).to.equal(toAmountMin);

      const provenance = keccak256(toHex("e2e: signal snapshot + plan"));
      const hash = await executeSigned(
        tb.outsider,
        gate.address,
        {
          vault: tb.vault,
          calls: [{ target: tb.connector, data: connectorSwap(tb.usdc, AMOUNT_IN, data) }],
          deadline: (await publicClient.getBlock()).timestamp + 600n,
          provenance,
        },
        [tb.signers[2]!.wallet, tb.signers[0]!.wallet],
      );
      const received = await weth.read.balanceOf([tb.connector]);
      expect(received >= toAmountMin).to.equal(true);
      expect(received).to.equal(BigInt(quote.estimate.toAmount));
      const [executed] = await gate.getEvents.Executed(
        {},
        { blockHash: (await publicClient.getTransactionReceipt({ hash })).blockHash },
      );
      expect(executed?.args.provenance).to.equal(provenance);
      const [completed] = await diamond.getEvents.LiFiGenericSwapCompleted();
      expect(completed?.args.toAmount).to.equal(received);
      const [swapped] = await connector.getEvents.Swapped();
      expect(swapped?.args.amountOut).to.equal(received);
      expect(service.served.map((r) => `${r.method} ${r.path} ${r.status}`)).to.deep.equal([
        "GET /v1/quote 200",
      ]);
    });
  });

  it("[AC19 slippage] getRoutes + getStepTransaction fill the step, and the keeper swaps alone under a mandate", async function () {
    const { tb, gate, weth } = await networkHelpers.loadFixture(fixture);
    await withLocalLiFi(quoteService(tb), async (lifi) => {
      const { routes } = await getRoutes(lifi, {
        fromChainId: chainId,
        toChainId: chainId,
        fromTokenAddress: tb.usdc,
        toTokenAddress: tb.weth,
        fromAmount: AMOUNT_IN.toString(),
        fromAddress: tb.connector,
        toAddress: tb.connector,
        options: { slippage: 0.003 },
      });
      expect(routes).to.have.length(1);
      const step = routes[0]!.steps[0]!;
      expect(step.transactionRequest).to.equal(undefined);
      const filled = await getStepTransaction(lifi, step);
      expect(filled.id).to.equal(step.id);
      const data = filled.transactionRequest!.data as Hex;

      const now = (await publicClient.getBlock()).timestamp;
      const mandate: Mandate = {
        keeper: tb.keeper.wallet.account.address,
        connectors: [tb.connector],
        tokens: [tb.usdc],
        selectors: [SWAP_SELECTOR],
        maxNotionalPerAction: parseUnits("5000", 6),
        maxNotionalPerPeriod: parseUnits("20000", 6),
        period: 86_400n,
        maxSlippageBps: 100n,
        maxLossBps: 100n,
        lossWindow: 7n * 86_400n,
        expiry: now + 86_400n,
        nonce: 1n,
      };
      const signatures = sortSignatures(
        await Promise.all(
          tb.signers
            .slice(0, 2)
            .map((s) => signMandate(s.wallet, gateDomain(chainId, gate.address), tb.vault, mandate)),
        ),
      );
      const id = await gate.read.mandateDigest([mandate]);
      await gate.write.approveMandate([mandate, signatures]);
      const provenance = keccak256(toHex("mandate swap"));
      await viem.assertions.emitWithArgs(
        gate.write.executeMandate(
          [id, { target: tb.connector, data: connectorSwap(tb.usdc, AMOUNT_IN, data) }, provenance],
          {
            account: tb.keeper.wallet.account,
          },
        ),
        gate,
        "MandateExecuted",
        [id, provenance, getAddress(tb.connector), SWAP_SELECTOR, getAddress(tb.usdc), AMOUNT_IN, AMOUNT_IN],
      );
      expect((await weth.read.balanceOf([tb.connector])) >= BigInt(filled.estimate!.toAmountMin)).to.equal(
        true,
      );
    });
  });

  it("[AC18 aggregator calldata] the local API answers bad requests with LI.FI error bodies and never crashes", async function () {
    const { tb } = await networkHelpers.loadFixture(fixture);
    await withLocalLiFi(quoteService(tb), async (_lifi, service) => {
      const base = `${service.apiUrl}/quote?fromChain=${chainId}&toChain=${chainId}&fromAddress=${tb.connector}`;
      const bad = await fetch(`${base}&fromToken=${tb.usdc}&toToken=0x12&fromAmount=1`);
      expect(bad.status).to.equal(400);
      const badBody = (await bad.json()) as { message: string; code: number };
      expect(badBody.code).to.equal(1011);
      expect(badBody.message).to.contain("toToken");

      const crossChain = await fetch(
        `${service.apiUrl}/quote?fromChain=${chainId}&toChain=1&fromAddress=${tb.connector}&fromToken=${tb.usdc}&toToken=${tb.weth}&fromAmount=1000`,
      );
      expect(crossChain.status).to.equal(400);

      // A pair with no pool: LI.FI's "no quote" code.
      const noPool = await fetch(`${base}&fromToken=${tb.usdc}&toToken=${tb.vault}&fromAmount=1000`);
      expect(noPool.status).to.equal(404);
      const routes = await fetch(`${service.apiUrl}/advanced/routes`, { method: "POST", body: "{not json" });
      expect(routes.status).to.equal(400);
      const good = await fetch(`${base}&fromToken=${tb.usdc}&toToken=${tb.weth}&fromAmount=1000000`);
      expect(good.status).to.equal(200);
    });
  });
});
