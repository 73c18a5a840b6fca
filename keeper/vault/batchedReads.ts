import { createPublicClient, custom, type PublicClient } from "viem";

/**
 * A client over `client` whose `eth_call` reads started together (before the next timer tick) go
 * out as one `eth_call` of Multicall3 `aggregate3`: the chain's deployed Multicall3 when the
 * chain names one, otherwise deployless (the Multicall3 code in the call itself, so any node
 * serves it). Each read keeps its own result and error; reads pinned to one block number are
 * batched per block, so they see one state.
 */
export function batchedReads(client: PublicClient): PublicClient {
  return createPublicClient({
    chain: client.chain,
    transport: custom({ request: (args) => client.request(args) }, { retryCount: 0 }),
    batch: { multicall: { deployless: client.chain?.contracts?.multicall3 === undefined } },
  });
}
