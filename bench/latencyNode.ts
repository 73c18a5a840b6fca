import { writeFile } from "node:fs/promises";
import { network } from "hardhat";
import { parseUnits } from "viem";
import type { Clients } from "../deploy/lib/clients.js";
import { fundAndRequestDeposit } from "../deploy/local/deposits.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { startRpcServer } from "../deploy/local/rpcServer.js";
import { addressesJson } from "../scripts/demo/run.js";

// The chain of `npm run bench:latency`, in a process of its own: an EDR node with the local stack
// (the protocols and the product, as `npm start` deploys them) served as JSON-RPC the way `npm start`
// serves it, with one deposit request pending so the keepers have something to settle and invest.
// Usage: tsx bench/latencyNode.ts <addresses-out-file>; prints one JSON line {"rpcUrl"} when ready,
// then serves until SIGTERM. The bench switches it to interval mining over JSON-RPC.

const DEPOSIT = parseUnits("200000", 6);
/** A funded account outside the stack's roles (0 deployer, 1-3 Safe owners, 4-6 operators, 7, 8). */
const DEPOSITOR = 10;

const out = process.argv[2];
if (!out) throw new Error("usage: tsx bench/latencyNode.ts <addresses-out-file>");
const connection = await network.create();
const publicClient = (await connection.viem.getPublicClient()) as Clients["public"];
const wallets = (await connection.viem.getWalletClients()) as Clients["wallet"][];
const accounts = wallets.map((wallet): Clients => ({ public: publicClient, wallet }));
const local = await deployLocalStack(accounts[0]!, { accounts });
const { stack } = local;
const depositor = accounts[DEPOSITOR]!;
await fundAndRequestDeposit(accounts[0]!, depositor, stack, DEPOSIT);
const rpc = await startRpcServer(connection.provider, { port: 0 });
const chainId = await publicClient.getChainId();
await writeFile(
  out,
  JSON.stringify(addressesJson(local, rpc.url, chainId), (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  ),
);
console.log(JSON.stringify({ rpcUrl: rpc.url }));
const stop = () => void rpc.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
