import { expect } from "chai";
import {
  type Address,
  type Hex,
  concat,
  encodeFunctionData,
  getAddress,
  hashTypedData,
  keccak256,
  parseSignature,
  serializeSignature,
  toHex,
  zeroAddress,
} from "viem";
import { deploy, projectArtifact } from "../../../deploy/lib/artifacts.js";
import type { Clients } from "../../../deploy/lib/clients.js";
import { ACT_SELECTOR, deployGateTestbed } from "../../../deploy/local/gateTestbed.js";
import {
  EXECUTE_TYPES,
  type GateCall,
  type SignerSignature,
  deployKeeperGate,
  gateDomain,
  signDigestWithSafe,
  signExecute,
  sortSignatures,
} from "../../../deploy/product/gate.js";
import { createSafe, deploySafeInfrastructure } from "../../../deploy/protocols/safe.js";
import { localChain } from "../helpers/chain.js";

// Attack classes covered (../shared/research/attack-classes.md): AC17 arbitrary-call helpers,
// AC20 keeper multisig signature scheme, AC21 role and modifier logic.

const { viem, networkHelpers, wallets, clientsFor, publicClient } = await localChain();
const accounts = wallets.map((_, i) => clientsFor(i));
const chainId = await publicClient.getChainId();
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const PROVENANCE = keccak256(toHex("signals snapshot 42 + plan 7"));

async function fixture() {
  const tb = await deployGateTestbed(accounts, { signerCount: 3, threshold: 2n });
  const gate = await viem.getContractAt("KeeperGate", tb.gate);
  const registry = await viem.getContractAt("Registry", tb.registry);
  const action = await viem.getContractAt("MockActionConnector", tb.actionConnector);
  return { tb, gate, registry, action };
}

function actCall(target: Address, amount = 1000n): GateCall {
  return {
    target,
    data: encodeFunctionData({
      abi: projectArtifact("MockActionConnector").abi,
      functionName: "act",
      args: [zeroAddress, amount, 0n],
    }),
  };
}

async function deadlineIn(seconds: bigint): Promise<bigint> {
  return (await publicClient.getBlock()).timestamp + seconds;
}

async function sign(
  signers: readonly Clients[],
  gate: Address,
  message: { vault: Address; calls: readonly GateCall[]; nonce: bigint; deadline: bigint; provenance: Hex },
): Promise<SignerSignature[]> {
  return sortSignatures(
    await Promise.all(signers.map((s) => signExecute(s.wallet, gateDomain(chainId, gate), message))),
  );
}

function highS(signature: Hex): Hex {
  const { r, s, yParity } = parseSignature(signature);
  return serializeSignature({
    r,
    s: toHex(SECP256K1_N - BigInt(s), { size: 32 }),
    yParity: yParity === 0 ? 1 : 0,
  });
}

describe("KeeperGate: k-of-n EIP-712 execution", function () {
  it("[AC20 signature scheme] viem signTypedData signatures verify; the call runs, the nonce moves, provenance is emitted", async function () {
    const { tb, gate, action } = await networkHelpers.loadFixture(fixture);
    const calls = [actCall(tb.actionConnector, 1234n)];
    const deadline = await deadlineIn(3600n);
    const message = { vault: tb.vault, calls, nonce: 0n, deadline, provenance: PROVENANCE };
    const onChainDigest = await gate.read.executeDigest([calls, 0n, deadline, PROVENANCE]);
    expect(onChainDigest).to.equal(
      hashTypedData({
        domain: gateDomain(chainId, tb.gate),
        types: EXECUTE_TYPES,
        primaryType: "Execute",
        message,
      }),
    );
    const signatures = await sign(tb.signers.slice(0, 2), tb.gate, message);
    const hash = gate.write.execute([calls, deadline, PROVENANCE, signatures], {
      account: tb.outsider.wallet.account,
    });
    await viem.assertions.emit(hash, gate, "Executed");
    expect(await gate.read.nonce()).to.equal(1n);
    expect(await action.read.actions()).to.equal(1n);
    const [executed] = await gate.getEvents.Executed();
    expect(executed?.args.nonce).to.equal(0n);
    expect(executed?.args.provenance).to.equal(PROVENANCE);
  });

  it("[AC20 signature scheme] a Safe 1.4.1 (2-of-3 owners) signs through ERC-1271 and a Safe signature missing an owner fails", async function () {
    const { tb, registry } = await networkHelpers.loadFixture(fixture);
    const infra = await deploySafeInfrastructure(tb.governance);
    const owners = [accounts[14]!, accounts[15]!, accounts[16]!];
    const safe = await createSafe(
      tb.governance,
      infra,
      owners.map((o) => o.wallet.account.address),
      2n,
    );
    // A gate whose signers are the Safe and one EOA, 2 of 2.
    const eoa = tb.signers[0]!;
    const gateAddress = await deployKeeperGate(tb.governance, {
      registry: tb.registry,
      vault: tb.vault,
      signers: [safe, eoa.wallet.account.address],
      threshold: 2n,
    });
    await registry.write.setKeeperGate([tb.vault, gateAddress], { account: tb.governance.wallet.account });
    const gate = await viem.getContractAt("KeeperGate", gateAddress);
    const calls = [actCall(tb.actionConnector)];
    const deadline = await deadlineIn(3600n);
    const digest = await gate.read.executeDigest([calls, 0n, deadline, PROVENANCE]);
    const eoaSig = await signExecute(eoa.wallet, gateDomain(chainId, gateAddress), {
      vault: tb.vault,
      calls,
      nonce: 0n,
      deadline,
      provenance: PROVENANCE,
    });

    const oneOwner = await signDigestWithSafe([owners[0]!.wallet], safe, chainId, digest);
    await viem.assertions.revertWithCustomErrorWithArgs(
      gate.write.execute([calls, deadline, PROVENANCE, sortSignatures([oneOwner, eoaSig])]),
      gate,
      "InvalidSignature",
      [getAddress(safe)],
    );

    const safeSig = await signDigestWithSafe([owners[2]!.wallet, owners[0]!.wallet], safe, chainId, digest);
    await gate.write.execute([calls, deadline, PROVENANCE, sortSignatures([safeSig, eoaSig])]);
    expect(await gate.read.nonce()).to.equal(1n);
  });

  it("[AC20 replay] signatures do not replay on the next nonce, on another gate or vault, or on another chain id", async function () {
    const { tb, gate } = await networkHelpers.loadFixture(fixture);
    const calls = [actCall(tb.actionConnector)];
    const deadline = await deadlineIn(3600n);
    const message = { vault: tb.vault, calls, nonce: 0n, deadline, provenance: PROVENANCE };
    const signatures = await sign(tb.signers.slice(0, 2), tb.gate, message);
    await gate.write.execute([calls, deadline, PROVENANCE, signatures]);

    // Same signatures, next nonce.
    await viem.assertions.revertWithCustomError(
      gate.write.execute([calls, deadline, PROVENANCE, signatures]),
      gate,
      "InvalidSignature",
    );

    // Another gate of the same vault (same signers): the domain's verifyingContract differs.
    const signerAddresses = tb.signers.map((s) => s.wallet.account.address);
    const twinGate = await viem.getContractAt(
      "KeeperGate",
      await deployKeeperGate(tb.governance, {
        registry: tb.registry,
        vault: tb.vault,
        signers: signerAddresses,
        threshold: 2n,
      }),
    );
    await viem.assertions.revertWithCustomError(
      twinGate.write.execute([calls, deadline, PROVENANCE, signatures]),
      twinGate,
      "InvalidSignature",
    );

    // A gate of another vault: the signed `vault` field differs.
    const otherVault = await deploy(tb.governance, projectArtifact("MockPricedVault"), [18, 1n, 1n]);
    const otherGate = await viem.getContractAt(
      "KeeperGate",
      await deployKeeperGate(tb.governance, {
        registry: tb.registry,
        vault: otherVault,
        signers: signerAddresses,
        threshold: 2n,
      }),
    );
    await viem.assertions.revertWithCustomError(
      otherGate.write.execute([calls, deadline, PROVENANCE, signatures]),
      otherGate,
      "InvalidSignature",
    );

    // Another chain id: a different digest, so a signature made for it fails here.
    const nextMessage = { ...message, nonce: 1n };
    const foreignDomain = { ...gateDomain(chainId + 1, tb.gate) };
    const foreignDigest = hashTypedData({
      domain: foreignDomain,
      types: EXECUTE_TYPES,
      primaryType: "Execute",
      message: nextMessage,
    });
    expect(foreignDigest).to.not.equal(await gate.read.executeDigest([calls, 1n, deadline, PROVENANCE]));
    const foreign = await Promise.all(
      tb.signers.slice(0, 2).map(async (s) => ({
        signer: getAddress(s.wallet.account.address),
        signature: await s.wallet.signTypedData({
          account: s.wallet.account,
          domain: foreignDomain,
          types: EXECUTE_TYPES,
          primaryType: "Execute",
          message: nextMessage,
        }),
      })),
    );
    await viem.assertions.revertWithCustomError(
      gate.write.execute([calls, deadline, PROVENANCE, sortSignatures(foreign)]),
      gate,
      "InvalidSignature",
    );
  });

  it("[AC20 signature scheme] duplicate, unsorted, high-s, non-signer, expired and below-threshold signatures fail with named errors", async function () {
    const { tb, gate } = await networkHelpers.loadFixture(fixture);
    const calls = [actCall(tb.actionConnector)];
    const deadline = await deadlineIn(3600n);
    const message = { vault: tb.vault, calls, nonce: 0n, deadline, provenance: PROVENANCE };
    const [a, b] = await sign(tb.signers.slice(0, 2), tb.gate, message);
    const exec = (sigs: SignerSignature[], d = deadline) => gate.write.execute([calls, d, PROVENANCE, sigs]);

    await viem.assertions.revertWithCustomErrorWithArgs(exec([a!, a!]), gate, "DuplicateSigner", [a!.signer]);
    await viem.assertions.revertWithCustomErrorWithArgs(exec([b!, a!]), gate, "SignersNotAscending", [
      b!.signer,
      a!.signer,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      exec([{ ...a!, signature: highS(a!.signature) }, b!]),
      gate,
      "MalleableSignature",
      [a!.signer],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(exec([a!]), gate, "BelowThreshold", [1n, 2n]);
    const outsiderSig = await signExecute(tb.outsider.wallet, gateDomain(chainId, tb.gate), message);
    await viem.assertions.revertWithCustomErrorWithArgs(
      exec(sortSignatures([a!, outsiderSig])),
      gate,
      "NotSigner",
      [outsiderSig.signer],
    );
    // A current signer's signature over different calls.
    const [wrong] = await sign([tb.signers[1]!], tb.gate, {
      ...message,
      calls: [actCall(tb.actionConnector, 1n)],
    });
    await viem.assertions.revertWithCustomErrorWithArgs(exec([a!, wrong!]), gate, "InvalidSignature", [
      wrong!.signer,
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      exec([a!, { ...b!, signature: concat([b!.signature, "0x00"]) }]),
      gate,
      "InvalidSignature",
      [b!.signer],
    );

    await networkHelpers.time.increaseTo(deadline + 1n);
    await viem.assertions.revertWithCustomError(exec([a!, b!]), gate, "DeadlineExpired");
    expect(await gate.read.nonce()).to.equal(0n);
  });

  it("[AC17 arbitrary call] non-allowlisted target or selector, empty batch, missing selector fail; call failures bubble as CallFailed", async function () {
    const { tb, gate, registry } = await networkHelpers.loadFixture(fixture);
    const deadline = await deadlineIn(3600n);
    const run = async (calls: GateCall[]) =>
      gate.write.execute([
        calls,
        deadline,
        PROVENANCE,
        await sign(tb.signers.slice(0, 2), tb.gate, {
          vault: tb.vault,
          calls,
          nonce: 0n,
          deadline,
          provenance: PROVENANCE,
        }),
      ]);

    // Allowlisted selector on a target that is not allowlisted (a token the gate could otherwise drain).
    await viem.assertions.revertWithCustomErrorWithArgs(run([actCall(tb.usdc)]), gate, "CallNotAllowed", [
      getAddress(tb.usdc),
      ACT_SELECTOR,
    ]);
    // Allowlisted target, selector that is not allowlisted.
    const notAllowed = {
      target: tb.actionConnector,
      data: encodeFunctionData({ abi: projectArtifact("MockActionConnector").abi, functionName: "actions" }),
    };
    await viem.assertions.revertWithCustomError(run([notAllowed]), gate, "CallNotAllowed");
    await viem.assertions.revertWithCustomError(run([]), gate, "EmptyBatch");
    await viem.assertions.revertWithCustomErrorWithArgs(
      run([{ target: tb.actionConnector, data: "0x01" }]),
      gate,
      "MissingSelector",
      [0n],
    );
    // The MockPricedVault underflows when an action loses more than it holds: the revert bubbles as CallFailed.
    const failing = {
      target: tb.actionConnector,
      data: encodeFunctionData({
        abi: projectArtifact("MockActionConnector").abi,
        functionName: "act",
        args: [zeroAddress, 1n, 2n ** 255n],
      }),
    };
    await viem.assertions.revertWithCustomError(
      run([actCall(tb.actionConnector), failing]),
      gate,
      "CallFailed",
    );

    // The guardian forbids the call at once; the same signed batch then fails.
    await registry.write.setAllowedCall([tb.vault, tb.actionConnector, ACT_SELECTOR, false], {
      account: tb.guardian.wallet.account,
    });
    await viem.assertions.revertWithCustomError(run([actCall(tb.actionConnector)]), gate, "CallNotAllowed");
    expect(await gate.read.nonce()).to.equal(0n);
  });

  it("[AC21 role truth table] only governance changes signers and threshold; the change bumps the epoch and drops old signers", async function () {
    const { tb, gate } = await networkHelpers.loadFixture(fixture);
    const newSigners = [tb.outsider.wallet.account.address];
    for (const caller of [tb.guardian, tb.keeper, tb.outsider, tb.signers[0]!]) {
      await viem.assertions.revertWithCustomErrorWithArgs(
        gate.write.setSigners([newSigners, 1n], { account: caller.wallet.account }),
        gate,
        "NotGovernance",
        [getAddress(caller.wallet.account.address)],
      );
    }
    const gov = { account: tb.governance.wallet.account };
    await viem.assertions.revertWithCustomError(
      gate.write.setSigners([newSigners, 2n], gov),
      gate,
      "InvalidThreshold",
    );
    await viem.assertions.revertWithCustomError(
      gate.write.setSigners([newSigners, 0n], gov),
      gate,
      "InvalidThreshold",
    );
    await viem.assertions.revertWithCustomError(
      gate.write.setSigners([[newSigners[0]!, newSigners[0]!], 1n], gov),
      gate,
      "InvalidSigner",
    );
    await viem.assertions.revertWithCustomError(
      gate.write.setSigners([[zeroAddress], 1n], gov),
      gate,
      "InvalidSigner",
    );
    const epoch = await gate.read.signerEpoch();
    await viem.assertions.emit(gate.write.setSigners([newSigners, 1n], gov), gate, "SignersSet");
    expect(await gate.read.signerEpoch()).to.equal(epoch + 1n);
    expect(await gate.read.threshold()).to.equal(1n);
    expect(await gate.read.isSigner([tb.signers[0]!.wallet.account.address])).to.equal(false);

    const calls = [actCall(tb.actionConnector)];
    const deadline = await deadlineIn(3600n);
    const message = { vault: tb.vault, calls, nonce: 0n, deadline, provenance: PROVENANCE };
    const oldSigs = await sign(tb.signers.slice(0, 2), tb.gate, message);
    await viem.assertions.revertWithCustomError(
      gate.write.execute([calls, deadline, PROVENANCE, oldSigs]),
      gate,
      "NotSigner",
    );
    await gate.write.execute([calls, deadline, PROVENANCE, await sign([tb.outsider], tb.gate, message)]);
    expect(await gate.read.nonce()).to.equal(1n);
  });
});
