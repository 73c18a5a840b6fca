import type { Clients } from "../lib/clients.js";
import { type ProductStack, type ProductStackOptions, deployProductStack } from "../product/stack.js";
import { type LocalProtocols, deployLocalProtocols } from "./protocols.js";

/** The local stack: real protocols, the product on top, and how long each half took to deploy. */
export interface LocalStack {
  readonly protocols: LocalProtocols;
  readonly stack: ProductStack;
  readonly durationsMs: { readonly protocols: number; readonly product: number };
}

/**
 * Deploys `deployLocalProtocols` then `deployProductStack` from `clients` (the deployer, normally
 * `options.accounts[0]`), timing both halves for `npm start` and the benchmarks.
 */
export async function deployLocalStack(clients: Clients, options: ProductStackOptions): Promise<LocalStack> {
  const started = performance.now();
  const protocols = await deployLocalProtocols(clients);
  const protocolsDone = performance.now();
  const stack = await deployProductStack(clients, protocols, options);
  return {
    protocols,
    stack,
    durationsMs: { protocols: protocolsDone - started, product: performance.now() - protocolsDone },
  };
}
