import {
  type Address,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type Transport,
  createWalletClient,
  encodeFunctionData,
} from "viem";
import type { Logger } from "../log/logger.js";
import { silentLogger } from "../log/logger.js";
import type { Guardian } from "./ports.js";
import { productAbis } from "./abis.js";

/**
 * The guardian's de-risking levers with the guardian key: pause both sides of the vault, disable
 * a connector in the Registry, revoke the gate's single-keeper mandates. Each write is simulated
 * first; a revert is reported, never resent.
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
      /** The vault's KeeperGate; without it the guardian cannot revoke mandates. */
      readonly gate?: Address;
      readonly logger?: Logger;
    },
  ) {
    this.logger = o.logger ?? silentLogger;
  }

  /** Pauses deposits and redeems; returns the transaction hashes. */
  async pause(subject: string, reason: string): Promise<void> {
    for (const functionName of ["pauseDeposits", "pauseRedeems"] as const)
      await this.write(
        this.o.vault,
        functionName,
        encodeFunctionData({ abi: productAbis.vault, functionName }),
      );
    this.logger.warn("vault paused by the guardian", { subject, reason, vault: this.o.vault });
  }

  /** Stops new money reaching `connector` (it still counts in NAV and can be withdrawn). */
  async disableConnector(connector: Address, reason: string): Promise<void> {
    await this.write(
      this.o.registry,
      "disableConnector",
      encodeFunctionData({ abi: productAbis.registry, functionName: "disableConnector", args: [connector] }),
    );
    this.logger.warn("connector disabled by the guardian", { connector, reason });
  }

  /** Revokes one mandate (`KeeperGate.revokeMandate`); returns the transaction hash. */
  async revokeMandate(id: Hex, reason: string): Promise<Hex> {
    const hash = await this.write(
      this.gateAddress(),
      "revokeMandate",
      encodeFunctionData({ abi: productAbis.gate, functionName: "revokeMandate", args: [id] }),
    );
    this.logger.warn("mandate revoked by the guardian", { mandateId: id, reason, gate: this.o.gate });
    return hash;
  }

  /**
   * Revokes every mandate the gate approved that is still live (not revoked, not expired), so no
   * keeper acts alone while limits are broken; returns the ids revoked.
   */
  async revokeMandates(subject: string, reason: string): Promise<Hex[]> {
    const gate = this.gateAddress();
    const abi = productAbis.gate;
    const approved = await this.o.client.getContractEvents({
      address: gate,
      abi,
      eventName: "MandateApproved",
      fromBlock: 0n,
    });
    const { timestamp } = await this.o.client.getBlock();
    const revoked: Hex[] = [];
    for (const event of approved) {
      const id = event.args.mandateId;
      if (!id) continue;
      const state = await this.o.client.readContract({
        address: gate,
        abi,
        functionName: "mandateState",
        args: [id],
      });
      if (state.revoked || state.expiry <= timestamp) continue;
      revoked.push(await this.revokeMandate(id, `${subject}: ${reason}`).then(() => id));
    }
    return revoked;
  }

  private gateAddress(): Address {
    if (!this.o.gate) throw new Error("guardian has no gate address configured; cannot revoke mandates");
    return this.o.gate;
  }

  /** Simulates `data` on `to` as the guardian (a revert throws before anything is sent), then sends it. */
  private async write(to: Address, functionName: string, data: Hex) {
    const { client, account } = this.o;
    await client.call({ account, to, data });
    const wallet = createWalletClient({ account, transport: this.o.transport, chain: client.chain });
    const hash = await wallet.sendTransaction({ account, to, data, chain: client.chain });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`guardian ${functionName} reverted (tx ${hash})`);
    return hash;
  }
}
