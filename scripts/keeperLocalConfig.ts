import { network } from "hardhat";
import type { Clients } from "../deploy/lib/clients.js";
import { deployLocalStack } from "../deploy/local/productStack.js";
import { localKeeperConfig } from "../deploy/local/keeperConfig.js";

/**
 * Prints the keeper config for the local stack as `deployLocalStack` lays it out on a fresh chain
 * from account #0 with the default roles (deployments are deterministic, so the addresses are those
 * of any chain deployed the same way). Usage: npx tsx scripts/keeperLocalConfig.ts [rpcUrl]
 */
const rpcUrl = process.argv[2] ?? "http://127.0.0.1:8545";
const connection = await network.create();
const publicClient = await connection.viem.getPublicClient();
const wallets = await connection.viem.getWalletClients();
const accounts: Clients[] = wallets.map((w) => ({
  public: publicClient as Clients["public"],
  wallet: w as Clients["wallet"],
}));
const local = await deployLocalStack(accounts[0]!, { accounts });
const config = localKeeperConfig(local, {
  rpcUrl,
  chainId: await publicClient.getChainId(),
  signalsFile: "keeper/config/examples/local-signals.json",
});
process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
await connection.close();
