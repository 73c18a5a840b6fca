import { type Hex, encodeFunctionData, parseEther, parseUnits, zeroAddress } from "viem";
import { projectArtifact, send } from "../deploy/lib/artifacts.js";
import type { Clients } from "../deploy/lib/clients.js";
import { deployGateTestbed, deploySwapTestbed } from "../deploy/local/gateTestbed.js";
import { executeSigned } from "../deploy/product/gate.js";
import { encodeExactInputSingle, encodeSingleV3Swap } from "../deploy/product/lifi.js";
import { buildSafeTx, createSafe, deploySafeInfrastructure, execSafeTx } from "../deploy/protocols/safe.js";
import { FLOOR_MODELS, type ReceiptLog, floorGas } from "./gasFloor.js";

/**
 * Gas measurements for the keeper gate and the swap handler, shared by the gas test and the lead's benchmark.
 * Every figure is the receipt's gasUsed of one transaction on the local EDR chain, measured after a warm-up
 * run of the same path so both sides pay for the same storage transitions.
 */

export interface GateOverhead {
  readonly threshold: number;
  readonly signers: number;
  /** The same call sent by an EOA straight to the target. */
  readonly direct: bigint;
  /** The call through KeeperGate.execute with `threshold` signatures. */
  readonly viaGate: bigint;
  /** Physical floor of the gated transaction (`gate_<k>of<n>_exec` in bench/gasFloor.ts). */
  readonly viaGateFloor: number;
  readonly overhead: bigint;
  /** The budget: 10k + 8k per signature. */
  readonly budget: bigint;
}

export interface SafeComparison {
  /** The same call through a Safe 1.4.1 2-of-3 execTransaction. */
  readonly viaSafe: bigint;
  readonly safeOverhead: bigint;
  /** KeeperGate 2-of-3 overhead divided by Safe 2-of-3 overhead. */
  readonly gateToSafeRatio: number;
}

async function gasOf(clients: Clients, hash: Promise<Hex>): Promise<bigint> {
  return (await clients.public.getTransactionReceipt({ hash: await hash })).gasUsed;
}

/** Gas of the transaction and its physical floor under `FLOOR_MODELS[model]` (bench/gasFloor.ts). */
async function gasAndFloor(clients: Clients, hash: Promise<Hex>, model: string) {
  const txHash = await hash;
  const [receipt, tx] = await Promise.all([
    clients.public.getTransactionReceipt({ hash: txHash }),
    clients.public.getTransaction({ hash: txHash }),
  ]);
  const floorModel = FLOOR_MODELS[model];
  if (!floorModel) throw new Error(`no floor model ${model}`);
  return {
    gas: receipt.gasUsed,
    floor: floorGas(tx.input, receipt.logs as readonly ReceiptLog[], floorModel),
  };
}

const ACT_ABI = () => projectArtifact("MockActionConnector").abi;

function actData(): Hex {
  return encodeFunctionData({ abi: ACT_ABI(), functionName: "act", args: [zeroAddress, 1000n, 0n] });
}

/** Gate overhead over calling the target directly, for one k-of-n configuration. */
export async function measureGateOverhead(
  accounts: readonly Clients[],
  config: { threshold: number; signers: number },
): Promise<GateOverhead> {
  const tb = await deployGateTestbed(accounts, {
    signerCount: config.signers,
    threshold: BigInt(config.threshold),
  });
  const call = { target: tb.actionConnector, data: actData() };
  const direct = () =>
    send(tb.outsider, {
      address: tb.actionConnector,
      abi: ACT_ABI(),
      functionName: "act",
      args: [zeroAddress, 1000n, 0n],
    });
  const viaGate = async () =>
    executeSigned(
      tb.outsider,
      tb.gate,
      {
        vault: tb.vault,
        calls: [call],
        deadline: (await tb.outsider.public.getBlock()).timestamp + 600n,
        provenance: `0x${"11".repeat(32)}`,
      },
      tb.signers.slice(0, config.threshold).map((s) => s.wallet),
    );
  await direct();
  await viaGate();
  const directGas = await gasOf(tb.outsider, direct());
  const gated = await gasAndFloor(tb.outsider, viaGate(), `gate_${config.threshold}of${config.signers}_exec`);
  const gateGas = gated.gas;
  return {
    threshold: config.threshold,
    signers: config.signers,
    direct: directGas,
    viaGate: gateGas,
    viaGateFloor: gated.floor,
    overhead: gateGas - directGas,
    budget: 10_000n + 8_000n * BigInt(config.threshold),
  };
}

/** The same target call through a real Safe 1.4.1 2-of-3, against the gate's 2-of-3 overhead. */
export async function measureSafeComparison(
  accounts: readonly Clients[],
  gate2of3: GateOverhead,
): Promise<SafeComparison> {
  const tb = await deployGateTestbed(accounts, { signerCount: 3, threshold: 2n });
  const infra = await deploySafeInfrastructure(tb.governance);
  const owners = tb.signers.slice(0, 3);
  const safe = await createSafe(
    tb.governance,
    infra,
    owners.map((o) => o.wallet.account.address),
    2n,
  );
  const viaSafe = async () =>
    execSafeTx(tb.outsider, safe, await buildSafeTx(tb.outsider, safe, tb.actionConnector, actData()), [
      owners[0]!.wallet,
      owners[1]!.wallet,
    ]);
  await send(tb.outsider, {
    address: tb.actionConnector,
    abi: ACT_ABI(),
    functionName: "act",
    args: [zeroAddress, 1000n, 0n],
  });
  await viaSafe();
  const safeGas = await gasOf(tb.outsider, viaSafe());
  const safeOverhead = safeGas - gate2of3.direct;
  return {
    viaSafe: safeGas,
    safeOverhead,
    gateToSafeRatio: Number(gate2of3.overhead) / Number(safeOverhead),
  };
}

export interface SwapOverhead {
  /** The connector approving the Diamond exactly, calling it, resetting the approval: nothing checked. */
  readonly direct: bigint;
  readonly directFloor: number;
  /** The connector's checked swap: LiFiSwapHandler.checkSwap, the same Diamond call, exact-spend and output checks. */
  readonly viaHandler: bigint;
  readonly viaHandlerFloor: number;
  readonly overhead: bigint;
  readonly budget: bigint;
}

/**
 * Swap handler overhead over calling the Diamond directly, both from the same connector in one transaction
 * each (the testbed's keeper account is the vault's gate): `MockSwapConnector.swapUnchecked` against
 * `MockSwapConnector.swap`, which runs `SwapExecution.run` exactly as BaseConnector does.
 */
export async function measureSwapHandlerOverhead(accounts: readonly Clients[]): Promise<SwapOverhead> {
  const tb = await deploySwapTestbed(accounts);
  const connectorAbi = projectArtifact("MockSwapConnector").abi;
  const amountIn = parseUnits("3000", 6);
  const calldata = async () =>
    encodeSingleV3Swap({
      transactionId: `0x${"22".repeat(32)}`,
      integrator: "agent-vault",
      referrer: zeroAddress,
      receiver: tb.connector,
      minAmountOut: parseEther("0.99"),
      swapData: {
        callTo: tb.uniswap.swapRouter,
        approveTo: tb.uniswap.swapRouter,
        sendingAssetId: tb.usdc,
        receivingAssetId: tb.weth,
        fromAmount: amountIn,
        callData: encodeExactInputSingle({
          tokenIn: tb.usdc,
          tokenOut: tb.weth,
          fee: 3000,
          recipient: tb.diamond,
          deadline: (await tb.governance.public.getBlock()).timestamp + 3600n,
          amountIn,
          amountOutMinimum: parseEther("0.99"),
        }),
        requiresDeposit: true,
      },
    });
  const direct = async () =>
    gasAndFloor(
      tb.keeper,
      send(tb.keeper, {
        address: tb.connector,
        abi: connectorAbi,
        functionName: "swapUnchecked",
        args: [tb.diamond, tb.usdc, amountIn, await calldata()],
      }),
      "swapHandler_direct",
    );
  const viaHandler = async () =>
    gasAndFloor(
      tb.keeper,
      send(tb.keeper, {
        address: tb.connector,
        abi: connectorAbi,
        functionName: "swap",
        args: [tb.usdc, amountIn, await calldata()],
      }),
      "swapHandler_exec",
    );
  await direct();
  await viaHandler();
  const unchecked = await direct();
  const checked = await viaHandler();
  const directGas = unchecked.gas;
  const handlerGas = checked.gas;
  return {
    direct: directGas,
    directFloor: unchecked.floor,
    viaHandler: handlerGas,
    viaHandlerFloor: checked.floor,
    overhead: handlerGas - directGas,
    budget: 45_000n,
  };
}
