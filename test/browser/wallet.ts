/**
 * A test wallet for the page: an EIP-1193 `window.ethereum` installed by a page init script,
 * backed by the local chain's unlocked development accounts (EDR signs eth_sendTransaction,
 * eth_signTypedData_v4 and personal_sign for them). `window.__testWallet` switches the account
 * or the network the way a user does in a wallet, emitting the EIP-1193 events; every method the
 * page asked for is recorded in `window.__walletCalls`.
 */
export interface TestWalletOptions {
  readonly rpcUrl: string;
  readonly account: string;
  readonly chainId: number;
}

/** The init script's source: plain browser JavaScript, run in the page before its own scripts. */
export function testWalletScript(options: TestWalletOptions): string {
  return `(() => {
  const options = ${JSON.stringify(options)};
  const state = { account: options.account, chainId: options.chainId, connected: false };
  const listeners = new Map();
  const emit = (event, value) => (listeners.get(event) || new Set()).forEach((l) => l(value));
  const hex = (n) => "0x" + n.toString(16);
  let id = 0;
  async function forward(method, params) {
    const res = await fetch(options.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }),
    });
    const body = await res.json();
    if (body.error) throw Object.assign(new Error(body.error.message), body.error);
    return body.result;
  }
  window.__walletCalls = [];
  window.ethereum = {
    isTestWallet: true,
    async request({ method, params }) {
      window.__walletCalls.push(method);
      switch (method) {
        case "eth_requestAccounts":
          state.connected = true;
          return [state.account];
        case "eth_accounts":
          return state.connected ? [state.account] : [];
        case "eth_chainId":
          return hex(state.chainId);
        case "wallet_switchEthereumChain":
          state.chainId = Number(params[0].chainId);
          emit("chainChanged", hex(state.chainId));
          return null;
        case "eth_sendTransaction":
          if (state.chainId !== options.chainId) throw new Error("test wallet is on chain " + state.chainId);
          return forward(method, params);
        default:
          return forward(method, params);
      }
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
    },
    removeListener(event, listener) {
      (listeners.get(event) || new Set()).delete(listener);
    },
  };
  window.__testWallet = {
    setAccount(account) {
      state.account = account;
      emit("accountsChanged", [account]);
    },
    setChainId(chainId) {
      state.chainId = chainId;
      emit("chainChanged", hex(chainId));
    },
  };
})();`;
}
