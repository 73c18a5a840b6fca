import { expect } from "chai";
import { DatabaseSync } from "node:sqlite";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  concat,
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionData,
  hashDomain,
  keccak256,
  recoverTypedDataAddress,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import { SimulationRevertedError, type SendOutcome, type TxIntent } from "../../../keeper/chain/sender.js";
import {
  GateCallSimulator,
  gateConfigMismatches,
  type GateReader,
  type RiskChecker,
} from "../../../keeper/multisig/gate.js";
import { keeperGateAbi } from "../../../keeper/abi/contracts.js";
import { computeProvenance } from "../../../keeper/multisig/provenance.js";
import {
  callsHash,
  EXECUTE_TYPEHASH,
  executeDigest,
  executeTypedData,
  gateDomain,
} from "../../../keeper/multisig/typedData.js";
import {
  MultisigWorkflow,
  ProposalError,
  submitIntentId,
  type TxSender,
} from "../../../keeper/multisig/workflow.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { localChain } from "../helpers/chain.js";

const { deployer, publicClient, networkHelpers } = await localChain();
const chainId = await publicClient.getChainId();
const token = await deploy(deployer, projectArtifact("MockERC20"), ["USD Coin", "USDC", 6]);
const erc20 = projectArtifact("MockERC20").abi;

const GATE = privateKeyToAccount(generatePrivateKey()).address;
const VAULT = privateKeyToAccount(generatePrivateKey()).address;
const operators = [0, 1, 2, 3].map(() => privateKeyToAccount(generatePrivateKey()));
const signers = operators.slice(0, 3).map((a) => a.address);
const outsider = operators[3]!;

/**
 * Stands in for the gate contract's two views until it lands: the nonce is settable, chain time
 * comes from the real EDR chain, and `Executed` events are recorded by the test.
 */
class ScriptedGate implements GateReader {
  current = 0n;
  events = new Map<bigint, { provenance: Hex; callsHash: Hex; txHash: Hex }>();
  async nonce() {
    return this.current;
  }
  async chainTime() {
    return (await publicClient.getBlock()).timestamp;
  }
  async executed(nonce: bigint) {
    return this.events.get(nonce);
  }
  async configuration() {
    return { vault: VAULT, threshold: 2, signers };
  }
}

const notionalLimit: RiskChecker = {
  async check(_proposal, plan) {
    const notional = (plan as { notional: number }).notional;
    return notional <= 1_000 ? { ok: true } : { ok: false, reasons: [`notional ${notional} above 1000`] };
  },
};

function mintCall(amount: bigint) {
  return {
    target: token,
    data: encodeFunctionData({ abi: erc20, functionName: "mint", args: [VAULT, amount] }),
  };
}

function setup(options: { dbPath?: string } = {}) {
  const store = SqliteStore.open({ path: options.dbPath ?? ":memory:" });
  const gate = new ScriptedGate();
  const workflow = new MultisigWorkflow({
    store,
    chainId,
    gate: GATE,
    vault: VAULT,
    threshold: 2,
    signers,
    proposalTtlSeconds: 3_600,
    reader: gate,
    simulator: new GateCallSimulator(publicClient),
    checker: notionalLimit,
    operatorId: "op-test",
  });
  return { store, gate, workflow };
}

function input(notional = 100, calls = [mintCall(5n)]) {
  const plan = { notional, actions: ["mint"] };
  const snapshot = { markets: [{ id: "m1", p: 0.42 }] };
  return { plan, snapshot, calls, provenance: computeProvenance(snapshot, plan) };
}

async function rejects(promise: Promise<unknown>, text: string) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ProposalError);
    expect((error as Error).message).to.include(text);
    return;
  }
  expect.fail(`expected a ProposalError with "${text}"`);
}

class RecordingSender implements TxSender {
  intents: TxIntent[] = [];
  readonly address = operators[0]!.address;
  constructor(private readonly result: (intent: TxIntent) => Promise<SendOutcome>) {}
  async send(intent: TxIntent) {
    this.intents.push(intent);
    return this.result(intent);
  }
}

describe("keeper/multisig: EIP-712 typed data for the KeeperGate", function () {
  it("matches a by-hand EIP-712 encoding (domain, Execute struct, Call[] array hash)", function () {
    const calls = [mintCall(1n), mintCall(2n)];
    const message = {
      vault: VAULT,
      calls,
      nonce: 7n,
      deadline: 1_900_000_000n,
      provenance: keccak256("0x01"),
    };
    const domainSeparator = hashDomain({
      domain: { ...gateDomain(chainId, GATE), chainId: BigInt(chainId) },
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
      },
    });
    const structHash = keccak256(
      encodeAbiParameters(
        [
          { type: "bytes32" },
          { type: "address" },
          { type: "bytes32" },
          { type: "uint256" },
          { type: "uint256" },
          { type: "bytes32" },
        ],
        [EXECUTE_TYPEHASH, VAULT, callsHash(calls), 7n, 1_900_000_000n, message.provenance],
      ),
    );
    expect(executeDigest(chainId, GATE, message)).to.equal(
      keccak256(concat(["0x1901", domainSeparator, structHash])),
    );
    expect(executeDigest(chainId + 1, GATE, message)).not.to.equal(executeDigest(chainId, GATE, message));
  });

  it("signatures made with viem recover to the signer and to nobody else for another nonce", async function () {
    const message = {
      vault: VAULT,
      calls: [mintCall(1n)],
      nonce: 1n,
      deadline: 10n ** 10n,
      provenance: keccak256("0x02"),
    };
    const typed = executeTypedData(chainId, GATE, message);
    const signature = await operators[0]!.signTypedData(typed);
    expect(await recoverTypedDataAddress({ ...typed, signature })).to.equal(operators[0]!.address);
    const other = executeTypedData(chainId, GATE, { ...message, nonce: 2n });
    expect(await recoverTypedDataAddress({ ...other, signature })).not.to.equal(operators[0]!.address);
  });
});

describe("keeper/multisig: gate configuration check", function () {
  it("reports every difference between the configured and the on-chain gate", function () {
    const onChain = { vault: VAULT, threshold: 2, signers };
    expect(gateConfigMismatches({ ...onChain, signers: [...signers].reverse() }, onChain)).to.deep.equal([]);
    const wrong = gateConfigMismatches(
      { vault: GATE, threshold: 3, signers: [signers[0]!, signers[1]!, outsider.address] },
      onChain,
    );
    expect(wrong).to.have.length(4);
    expect(wrong.join("\n"))
      .to.include("gate.vault")
      .and.include("requires 2")
      .and.include(signers[2]!)
      .and.include(outsider.address);
  });
});

describe("keeper/multisig: propose → sign → submit workflow", function () {
  it("proposes idempotently at the gate's nonce with id = EIP-712 digest", async function () {
    const { workflow, gate, store } = setup();
    gate.current = 4n;
    const a = await workflow.propose(input());
    const b = await workflow.propose(input());
    expect(a.id).to.equal(b.id);
    expect(a).to.include({ nonce: 4n, status: "proposed", proposer: "op-test" });
    expect(a.id).to.equal(executeDigest(chainId, GATE, a));
    expect((await store.listProposals()).length).to.equal(1);
  });

  it("returns the open proposal for the same batch later on, and with `exclusive` refuses a competing one", async function () {
    const { workflow } = setup();
    const first = await workflow.propose(input());
    await networkHelpers.mine(1, { interval: 60 });
    expect((await workflow.propose(input())).id).to.equal(first.id, "same calls + provenance + nonce");
    const competing = input(200);
    const other = await workflow.propose(competing);
    expect(other.id).not.to.equal(first.id);
    await rejects(workflow.propose(input(300), { exclusive: true }), "already open for gate nonce 0");
  });

  it("refuses bad proposals with the reason", async function () {
    const { workflow } = setup();
    await rejects(workflow.propose({ ...input(), calls: [] }), "at least one call");
    await rejects(
      workflow.propose({ ...input(), provenance: keccak256("0x99") }),
      "does not match the snapshot",
    );
    await rejects(
      workflow.propose({ ...input(), calls: [{ target: "0x1234" as Address, data: "0x" }] }),
      "calls[0].target",
    );
    await rejects(
      workflow.propose({ ...input(), calls: [{ target: token, data: "0xabc" as Hex }] }),
      "calls[0].data",
    );
  });

  it("collects k-of-n signatures from gate signers only and builds execute with sorted signers", async function () {
    const { workflow } = setup();
    const p = await workflow.propose(input());
    await rejects(workflow.executeCalldata(p.id), "0 of 2");
    await rejects(workflow.sign(p.id, outsider), "not one of the gate's signers");
    const s2 = await workflow.sign(p.id, operators[2]!);
    expect(await workflow.sign(p.id, operators[2]!)).to.deep.equal(s2);
    expect((await workflow.status(p.id)).proposal.status).to.equal("signed");
    await workflow.sign(p.id, operators[0]!);
    const view = await workflow.status(p.id);
    expect(view.ready).to.equal(true);
    const typed = executeTypedData(chainId, GATE, p);
    for (const s of view.signatures)
      expect(await recoverTypedDataAddress({ ...typed, signature: s.signature })).to.equal(s.signer);

    const decoded = decodeFunctionData({ abi: keeperGateAbi, data: await workflow.executeCalldata(p.id) });
    expect(decoded.functionName).to.equal("execute");
    const [calls, deadline, provenance, sigs] = decoded.args as unknown as [
      { target: Address; data: Hex }[],
      bigint,
      Hex,
      { signer: Address; signature: Hex }[],
    ];
    expect(calls).to.deep.equal(p.calls);
    expect([deadline, provenance]).to.deep.equal([p.deadline, p.provenance]);
    const order = sigs.map((s) => BigInt(s.signer));
    expect(order).to.have.length(2);
    expect(order[0]! < order[1]!).to.equal(true, "strictly ascending signers");
  });

  it("accepts an external signature only if it recovers to the named signer", async function () {
    const { workflow } = setup();
    const p = await workflow.propose(input());
    const sig = await operators[1]!.signTypedData(executeTypedData(chainId, GATE, p));
    await rejects(workflow.addSignature(p.id, operators[0]!.address, sig), "recovers to");
    await workflow.addSignature(p.id, operators[1]!.address, sig);
    expect((await workflow.status(p.id)).signatures.map((s) => s.signer)).to.deep.equal([
      operators[1]!.address,
    ]);
  });

  it("refuses to sign when the calls revert in simulation or the risk check fails", async function () {
    const { workflow } = setup();
    const transfer = {
      target: token,
      data: encodeFunctionData({ abi: erc20, functionName: "transfer", args: [VAULT, 1n] }),
    };
    const reverting = await workflow.propose(input(100, [mintCall(1n), transfer]));
    await rejects(workflow.sign(reverting.id, operators[0]!), "call 1 to");
    const risky = await workflow.propose(input(5_000));
    await rejects(workflow.sign(risky.id, operators[0]!), "notional 5000 above 1000");
    expect((await workflow.status(risky.id)).signatures).to.have.length(0);
    // both were this operator's own and unsigned: withdrawn at once, so they hold no nonce
    for (const id of [reverting.id, risky.id]) {
      const { proposal } = await workflow.status(id);
      expect(proposal.status).to.equal("failed");
      expect(proposal.statusReason).to.match(/^withdrawn by its proposer op-test: /);
    }
    expect((await workflow.propose(input(100), { exclusive: true })).status).to.equal("proposed");
  });

  it("refuses to sign once the gate nonce moved, and marks the proposal expired", async function () {
    const { workflow, gate } = setup();
    const p = await workflow.propose(input());
    gate.current = 1n;
    await rejects(workflow.sign(p.id, operators[0]!), "gate nonce is 1");
    expect((await workflow.status(p.id)).proposal).to.include({ status: "expired" });
    await rejects(workflow.sign(p.id, operators[0]!), "status expired");
  });

  it("refuses to sign after the deadline (chain time) and marks the proposal expired", async function () {
    const { workflow } = setup();
    const p = await workflow.propose(input(100, [mintCall(3n)]));
    await networkHelpers.time.increase(3_600);
    await rejects(workflow.sign(p.id, operators[0]!), "deadline");
    expect((await workflow.status(p.id)).proposal.status).to.equal("expired");
  });

  it("refuses to sign a proposal of another vault found in a shared store", async function () {
    const { workflow, store, gate } = setup();
    const p = await workflow.propose(input());
    const otherVault = new MultisigWorkflow({
      store,
      chainId,
      gate: GATE,
      vault: outsider.address,
      threshold: 2,
      signers,
      proposalTtlSeconds: 3_600,
      reader: gate,
      simulator: new GateCallSimulator(publicClient),
      checker: notionalLimit,
      operatorId: "op-other",
    });
    await rejects(otherVault.sign(p.id, operators[0]!), `belongs to vault ${VAULT}`);
  });

  it("refuses to sign a proposal whose stored plan was tampered with", async function () {
    const dbPath = path.join(mkdtempSync(path.join(tmpdir(), "keeper-ms-")), "s.sqlite");
    const { workflow, store } = setup({ dbPath });
    const p = await workflow.propose(input());
    const raw = new DatabaseSync(dbPath);
    raw.prepare("UPDATE proposals SET plan_json = ? WHERE id = ?").run('{"notional":1}', p.id);
    raw.close();
    await rejects(workflow.sign(p.id, operators[0]!), "provenance");
    await store.close();
  });

  it("submits once the threshold is met, keyed by the proposal id, and records the outcome", async function () {
    const { workflow } = setup();
    const p = await workflow.propose(input());
    const sender = new RecordingSender(async (intent) => ({
      intentId: intent.id,
      status: "confirmed",
      hash: keccak256("0xfeed"),
      blockNumber: 1n,
    }));
    await workflow.sign(p.id, operators[0]!);
    await rejects(workflow.submit(p.id, sender), "1 of 2");
    expect(sender.intents).to.have.length(0);
    await workflow.sign(p.id, operators[1]!);
    const done = await workflow.submit(p.id, sender);
    expect(done).to.include({ status: "executed", txHash: keccak256("0xfeed") });
    expect(sender.intents).to.have.length(1);
    expect(sender.intents[0]).to.include({
      id: submitIntentId(p.id, sender.address),
      to: GATE,
      data: await workflow.executeCalldata(p.id),
    });
    expect((await workflow.submit(p.id, sender)).status).to.equal("executed");
    expect(sender.intents).to.have.length(1, "an executed proposal is never sent again");
  });

  it("when another keeper's submission won, settles the proposal from the gate's Executed event", async function () {
    const { workflow, gate } = setup();
    const p = await workflow.propose(input());
    await workflow.sign(p.id, operators[0]!);
    await workflow.sign(p.id, operators[1]!);
    const winner = keccak256("0xbeef");
    const sender = new RecordingSender(async (intent) => {
      gate.current = 1n;
      gate.events.set(0n, { provenance: p.provenance, callsHash: callsHash(p.calls), txHash: winner });
      throw new SimulationRevertedError(intent.id, "execution reverted: BadNonce");
    });
    expect(await workflow.submit(p.id, sender)).to.include({ status: "executed", txHash: winner });
  });

  it("submitting after another keeper already executed it returns executed without sending", async function () {
    const { workflow, gate } = setup();
    const p = await workflow.propose(input());
    await workflow.sign(p.id, operators[0]!);
    await workflow.sign(p.id, operators[1]!);
    gate.current = 1n;
    gate.events.set(0n, {
      provenance: p.provenance,
      callsHash: callsHash(p.calls),
      txHash: keccak256("0xaa"),
    });
    const sender = new RecordingSender(async () => expect.fail("must not send"));
    expect(await workflow.submit(p.id, sender)).to.include({ status: "executed", txHash: keccak256("0xaa") });
    expect(sender.intents).to.have.length(0);
  });

  it("a proposal whose nonce was used by a different execution becomes expired, not executed", async function () {
    const { workflow, gate } = setup();
    const p = await workflow.propose(input());
    gate.current = 1n;
    gate.events.set(0n, {
      provenance: keccak256("0x77"),
      callsHash: callsHash(p.calls),
      txHash: keccak256("0x78"),
    });
    const view = await workflow.status(p.id);
    expect(view.proposal).to.include({ status: "expired" });
    expect(view.proposal.statusReason).to.include("another execution");
  });
});
