import { network } from "hardhat";
import type { Clients } from "../../../deploy/lib/clients.js";

/**
 * Starts one in-process EDR chain for a test file and returns its viem handles plus the
 * plain `Clients` pairs the shared deploy helpers take (one per funded account).
 */
export async function localChain() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const clientsFor = (index: number): Clients => {
    const wallet = wallets[index];
    if (!wallet) throw new Error(`no funded account #${index}`);
    return { public: publicClient as Clients["public"], wallet: wallet as Clients["wallet"] };
  };
  return { connection, viem, networkHelpers, publicClient, wallets, clientsFor, deployer: clientsFor(0) };
}
