import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";

/** The two viem clients every deploy helper needs: one to read and wait, one to send. */
export interface Clients {
  readonly public: PublicClient;
  readonly wallet: WalletClient<Transport, Chain, Account>;
}
