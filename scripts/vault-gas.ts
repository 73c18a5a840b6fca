import { network } from "hardhat";
import { measureVaultGas } from "../bench/vaultGas.js";
import type { Clients } from "../deploy/lib/clients.js";

// Prints the vault's gas report on an in-process chain: `npx hardhat run scripts/vault-gas.ts`.
const { viem } = await network.create();
const publicClient = (await viem.getPublicClient()) as Clients["public"];
const wallets = (await viem.getWalletClients()) as Clients["wallet"][];
const clients = (i: number): Clients => ({ public: publicClient, wallet: wallets[i]! });
const report = await measureVaultGas(clients(0), [clients(1), clients(2)]);
console.log(JSON.stringify(report, (_key, value) => (typeof value === "bigint" ? Number(value) : value), 2));
