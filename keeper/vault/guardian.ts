import { type Address, type LocalAccount, type PublicClient, type Transport, createWalletClient } from "viem";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { Guardian } from "../service/ports.js";
import { productAbis } from "./abis.js";

/**
 * The guardian's de-risking levers with the guardian key: pause both sides of the vault, disable
 * a connector in the Registry. Each write is simulated first; a revert is reported, never resent.
 */
export class ChainGuardian implements Guardian {
  private readonly logger: Logger;
  constructor(
    private readonly o: {
      readonly client: PublicClient;
      readonly transport: Transport;
      readonly account: LocalAccount;
      readonly vault: Address;
      readonly registry: Address;
      readonly logger?: Logger;
    },
  ) {
    this.logger = o.logger ?? silentLogger;
  }

  /** Pauses deposits and redeems; returns the transaction hashes. */
  async pause(subject: string, reason: string): Promise<void> {
    const abi = productAbis.vault();
    for (const functionName of ["pauseDeposits", "pauseRedeems"] as const) {
      await this.write(this.o.vault, abi, functionName, []);
    }
    this.logger.warn("vault paused by the guardian", { subject, reason, vault: this.o.vault });
  }

  /** Stops new money reaching `connector` (it still counts in NAV and can be withdrawn). */
  async disableConnector(connector: Address, reason: string): Promise<void> {
    await this.write(this.o.registry, productAbis.registry(), "disableConnector", [connector]);
    this.logger.warn("connector disabled by the guardian", { connector, reason });
  }

  private async write(
    address: Address,
    abi: ReturnType<typeof productAbis.vault>,
    functionName: string,
    args: readonly unknown[],
  ) {
    const { client, account } = this.o;
    const { request } = await client.simulateContract({ address, abi, functionName, args, account });
    const wallet = createWalletClient({ account, transport: this.o.transport, chain: client.chain });
    const hash = await wallet.writeContract(request as never);
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`guardian ${functionName} reverted (tx ${hash})`);
    return hash;
  }
}
