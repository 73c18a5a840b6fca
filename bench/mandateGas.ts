import { type Hex, encodeFunctionData, keccak256, parseUnits, toHex } from "viem";
import { projectArtifact, read, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { actionMandate, deployGateTestbed, twoSignerMandateSignatures } from "../deploy/local/gateTestbed.js";
import { keeperGateArtifact } from "../deploy/product/gate.js";

/** Gas of one mandate action (the keeper alone, within signed bounds) against the same call made directly. */
export interface MandateGas {
  /** The same `act(token, amount, 0)` sent by an EOA straight to the connector. */
  readonly direct: bigint;
  /** KeeperGate.executeMandate of that call by the mandate's keeper. */
  readonly viaMandate: bigint;
  readonly overhead: bigint;
}

const USDC = (amount: string) => parseUnits(amount, 6);

async function gasOf(clients: Clients, hash: Promise<Hex>): Promise<bigint> {
  return (await clients.public.getTransactionReceipt({ hash: await hash })).gasUsed;
}

/**
 * Deploys the gate testbed (2-of-3 signers), has two signers approve a mandate for the keeper over the
 * testbed's action connector, and measures an action after two warm-up actions, so the mandate's
 * rolling notional window and loss state are already written, as they are for a keeper in service.
 */
export async function measureMandateGas(accounts: readonly Clients[]): Promise<MandateGas> {
  const tb = await deployGateTestbed(accounts, { signerCount: 3, threshold: 2n });
  const chainId = await tb.governance.public.getChainId();
  const now = (await tb.governance.public.getBlock()).timestamp;
  const mandate = actionMandate(tb, now, { maxNotionalPerPeriod: USDC("100000") });
  const gateAbi = keeperGateArtifact().abi;
  const signatures = await twoSignerMandateSignatures(tb, chainId, mandate);
  const mandateId = await read<Hex>(tb.outsider, {
    address: tb.gate,
    abi: gateAbi,
    functionName: "mandateDigest",
    args: [mandate],
  });
  await send(tb.outsider, {
    address: tb.gate,
    abi: gateAbi,
    functionName: "approveMandate",
    args: [mandate, signatures],
  });

  const actAbi = projectArtifact("MockActionConnector").abi;
  const actArgs = [tb.usdc, USDC("1000"), 0n] as const;
  const action = {
    target: tb.actionConnector,
    data: encodeFunctionData({ abi: actAbi, functionName: "act", args: actArgs }),
  };
  const provenance = keccak256(toHex("bench mandate action"));
  const viaMandate = () =>
    send(tb.keeper, {
      address: tb.gate,
      abi: gateAbi,
      functionName: "executeMandate",
      args: [mandateId, action, provenance],
    });
  const direct = () =>
    send(tb.outsider, { address: tb.actionConnector, abi: actAbi, functionName: "act", args: actArgs });
  await direct();
  await viaMandate();
  await viaMandate();
  const directGas = await gasOf(tb.outsider, direct());
  const mandateGas = await gasOf(tb.keeper, viaMandate());
  return { direct: directGas, viaMandate: mandateGas, overhead: mandateGas - directGas };
}
