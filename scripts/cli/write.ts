import type { Abi, Address } from "viem";
import { send } from "../../deploy/lib/artifacts.js";
import type { Clients } from "../../deploy/lib/clients.js";

export interface ContractWrite {
  readonly address: Address;
  readonly abi: Abi;
  readonly functionName: string;
  readonly args: readonly unknown[];
}

/**
 * Sends `write`, or with `dryRun` only simulates it from the same account (a revert surfaces with its
 * custom error either way). Returns the transaction hash, or "simulated".
 */
export async function writeOrSimulate(
  clients: Clients,
  write: ContractWrite,
  dryRun: boolean,
): Promise<string> {
  if (!dryRun) return send(clients, { ...write });
  await clients.public.simulateContract({ ...write, account: clients.wallet.account });
  return "simulated";
}
