import { parseArgs } from "node:util";
import { network } from "hardhat";
import type { Clients } from "../deploy/lib/clients.js";
import { type LocalProtocols, deployLocalProtocols } from "../deploy/local/protocols.js";
import { startRpcServer } from "../deploy/local/rpcServer.js";

const USAGE = `Usage: npm start [-- --once] [-- --port <n>]

Starts an embedded Hardhat (EDR) chain, serves it as JSON-RPC on http://127.0.0.1:<port>,
deploys the real protocols (Uniswap v3, Aave v3, Morpho Blue, Safe 1.4.1, Conditional Tokens,
Chainlink feeds) and prints their addresses.

  --once        exit after deploying (default: keep serving until Ctrl-C)
  --port <n>    JSON-RPC port (default 8545; 0 picks a free one)
  --help        show this text`;

function parseCli(argv: string[]): { once: boolean; port: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: "boolean", default: false },
      port: { type: "string", default: "8545" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  return { once: values.once, port };
}

function printAddresses(protocols: LocalProtocols): void {
  const rows: [string, string][] = [
    ["USDC", protocols.tokens.usdc],
    ["USDT", protocols.tokens.usdt],
    ["WETH", protocols.tokens.weth],
    ["Chainlink USDC/USD", protocols.feeds.usdcUsd],
    ["Chainlink USDT/USD", protocols.feeds.usdtUsd],
    ["Chainlink ETH/USD", protocols.feeds.ethUsd],
    ["Uniswap v3 factory", protocols.uniswap.factory],
    ["Uniswap v3 position manager", protocols.uniswap.positionManager],
    ["Uniswap v3 swap router", protocols.uniswap.swapRouter],
    ["Uniswap v3 USDC/WETH 0.05%", protocols.uniswap.usdcWethPool],
    ["Uniswap v3 USDC/USDT 0.01%", protocols.uniswap.usdcUsdtPool],
    ["Aave v3 pool", protocols.aave.pool],
    ["Morpho Blue", protocols.morpho.morpho],
    ["Safe 1.4.1 singleton", protocols.safe.singleton],
    ["Safe proxy factory", protocols.safe.proxyFactory],
    ["Conditional Tokens", protocols.conditionalTokens],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, address] of rows) console.log(`  ${name.padEnd(width)}  ${address}`);
}

async function main(): Promise<void> {
  let options: { once: boolean; port: number };
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const connection = await network.create();
  const rpc = await startRpcServer(connection.provider, { port: options.port });
  console.log(`Local chain (Hardhat EDR) serving JSON-RPC at ${rpc.url}`);
  const [wallet] = await connection.viem.getWalletClients();
  if (!wallet) throw new Error("the local chain has no funded accounts");
  const clients: Clients = {
    public: (await connection.viem.getPublicClient()) as Clients["public"],
    wallet: wallet as Clients["wallet"],
  };
  const started = Date.now();
  const protocols = await deployLocalProtocols(clients);
  console.log(`Deployed the real protocols in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  printAddresses(protocols);

  const shutdown = async (): Promise<void> => {
    await rpc.close();
    await connection.close();
  };
  if (options.once) {
    await shutdown();
    return;
  }
  console.log("\nServing until Ctrl-C.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  console.log("\nShutting down.");
  await shutdown();
}

await main();
