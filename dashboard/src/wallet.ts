import { useCallback, useEffect, useState } from "react";
import {
  createWalletClient,
  custom,
  getAddress,
  type Address,
  type EIP1193Provider,
  type WalletClient,
} from "viem";

/** The browser wallet (EIP-1193, `window.ethereum`) through viem's custom transport. */

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

export interface Wallet {
  readonly account: Address | undefined;
  readonly chainId: number | undefined;
  readonly client: WalletClient | undefined;
  readonly error: string | undefined;
  connect(): Promise<void>;
}

export function useWallet(): Wallet {
  const [account, setAccount] = useState<Address>();
  const [chainId, setChainId] = useState<number>();
  const [error, setError] = useState<string>();
  const provider = typeof window === "undefined" ? undefined : window.ethereum;

  const refresh = useCallback(async () => {
    if (!provider) return;
    const [accounts, chain] = await Promise.all([
      provider.request({ method: "eth_accounts" }) as Promise<string[]>,
      provider.request({ method: "eth_chainId" }) as Promise<string>,
    ]);
    setAccount(accounts[0] ? getAddress(accounts[0]) : undefined);
    setChainId(Number(chain));
  }, [provider]);

  useEffect(() => {
    if (!provider) return;
    void refresh();
    const onAccounts = () => void refresh();
    provider.on("accountsChanged", onAccounts);
    provider.on("chainChanged", onAccounts);
    return () => {
      provider.removeListener("accountsChanged", onAccounts);
      provider.removeListener("chainChanged", onAccounts);
    };
  }, [provider, refresh]);

  const connect = useCallback(async () => {
    setError(undefined);
    if (!provider)
      return setError("no browser wallet found (window.ethereum): install one, e.g. MetaMask or Rabby");
    try {
      await provider.request({ method: "eth_requestAccounts" });
      await refresh();
    } catch (e) {
      setError(`the wallet refused the connection: ${(e as Error).message}`);
    }
  }, [provider, refresh]);

  const client =
    provider && account ? createWalletClient({ account, transport: custom(provider) }) : undefined;
  return { account, chainId, client, error, connect };
}
