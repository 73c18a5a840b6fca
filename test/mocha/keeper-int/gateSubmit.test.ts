import { expect } from "chai";
import { createPublicClient, custom, type Address } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployLocalStack } from "../../../deploy/local/productStack.js";
import { DEFAULT_ROLE_INDICES, stackCalls } from "../../../deploy/product/stack.js";
import { ReliableSender } from "../../../keeper/chain/sender.js";
import { gateConfigMismatches, ViemGateReader } from "../../../keeper/multisig/gate.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";
import { callsHash } from "../../../keeper/multisig/typedData.js";

import { SqliteStore } from "../../../keeper/store/sqlite.js";
import type { Store } from "../../../keeper/store/types.js";
import { localChain } from "../helpers/chain.js";
import { gateWorkflow } from "../helpers/gateWorkflow.js";

// The keeper's multisig workflow against the stack's real KeeperGate (AC20 signed batches): one
// execution per proposal, whoever submits, and the Executed event commits to the stored batch.

const { connection, clientsFor, publicClient } = await localChain();
const accounts = Array.from({ length: 13 }, (_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const MNEMONIC = "test test test test test test test test test test test junk";
const key = (index: number) => mnemonicToAccount(MNEMONIC, { addressIndex: index });
const client = createPublicClient({
  chain: publicClient.chain,
  transport: custom(connection.provider, { retryCount: 0 }),
  cacheTime: 0,
});
const retry = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, rpcTimeoutMs: 5_000 };

describe("Keeper multisig workflow against the stack's KeeperGate", function () {
  it("[AC20 signed batches] propose → sign ×2 → submit executes once; Executed matches nonce, provenance, callsHash; a second keeper loses the race without sending", async function () {
    const { stack, protocols } = await deployLocalStack(accounts[0]!, { accounts });
    const reader = new ViemGateReader(client, stack.gate);
    const signers = stack.addresses.operators as Address[];
    const workflowOn = (store: Store, operatorId: string) =>
      gateWorkflow(client, chainId, stack, store, operatorId);
    expect(
      gateConfigMismatches({ vault: stack.vault, threshold: 2, signers }, await reader.configuration()),
    ).to.deep.equal([]);
    expect(
      gateConfigMismatches({ vault: stack.vault, threshold: 3, signers }, await reader.configuration()),
    ).to.have.length(1);

    const store = SqliteStore.open({ path: ":memory:" });
    const workflow = workflowOn(store, "op");
    const sender = new ReliableSender({
      client,
      account: key(DEFAULT_ROLE_INDICES.strategist),
      chainId,
      store,
      retry,
      stuckAfterMs: 60_000,
      feeBumpPercent: 15,
      maxReplacements: 1,
      pollIntervalMs: 5,
    });
    const call = stackCalls.trackToken(stack.connectors.uniswap, protocols.tokens.weth);
    const plan = { actions: [{ trackToken: protocols.tokens.weth }] };
    const snapshot = { markets: [] };
    const p = await workflow.propose({
      plan,
      snapshot,
      calls: [call],
      provenance: computeProvenance(snapshot, plan),
    });
    expect(p.nonce).to.equal(await reader.nonce());
    await workflow.sign(p.id, key(DEFAULT_ROLE_INDICES.operators[2]));
    await workflow.sign(p.id, key(DEFAULT_ROLE_INDICES.operators[0]));
    const done = await workflow.submit(p.id, sender);
    expect(done.status).to.equal("executed");
    const event = await reader.executed(p.nonce);
    expect(event!.provenance).to.equal(p.provenance);
    expect(event!.callsHash).to.equal(callsHash(p.calls));
    expect(event!.txHash).to.equal(done.txHash);
    expect(await reader.nonce()).to.equal(p.nonce + 1n);
    expect((await workflow.submit(p.id, sender)).status).to.equal("executed");

    // A second keeper with its own store, holding the same proposal and signatures, loses the race.
    const store2 = SqliteStore.open({ path: ":memory:" });
    const { createdAt: _created, updatedAt: _updated, ...row } = (await store.getProposal(p.id))!;
    await store2.insertProposal({ ...row, status: "signed", txHash: undefined });
    for (const s of await store.listSignatures(p.id)) await store2.addSignature(s);
    const other = key(12);
    const sender2 = new ReliableSender({
      client,
      account: other,
      chainId,
      store: store2,
      retry,
      stuckAfterMs: 60_000,
      feeBumpPercent: 15,
      maxReplacements: 1,
      pollIntervalMs: 5,
    });
    const nonceBefore = await client.getTransactionCount({ address: other.address });
    const lost = await workflowOn(store2, "op2").submit(p.id, sender2);
    expect(lost.status).to.equal("executed");
    expect(lost.txHash).to.equal(done.txHash);
    expect(await client.getTransactionCount({ address: other.address })).to.equal(nonceBefore);
    store.close();
    store2.close();
  });
});
