import { type Address, type Hex, concat, encodeFunctionData, parseEventLogs, zeroAddress } from "viem";
import { type Artifact, deploy, npmArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

const SAFE = "@safe-global/safe-contracts/build/artifacts/contracts";

/** Real Safe 1.4.1 artifacts from npm. */
export const safeArtifacts = {
  safe: (): Artifact => npmArtifact(`${SAFE}/Safe.sol/Safe.json`),
  proxyFactory: (): Artifact => npmArtifact(`${SAFE}/proxies/SafeProxyFactory.sol/SafeProxyFactory.json`),
  fallbackHandler: (): Artifact =>
    npmArtifact(`${SAFE}/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json`),
};

export interface SafeDeployment {
  readonly singleton: Address;
  readonly proxyFactory: Address;
  readonly fallbackHandler: Address;
}

/** Deploys the Safe 1.4.1 singleton, proxy factory and compatibility fallback handler (ERC-1271). */
export async function deploySafeInfrastructure(clients: Clients): Promise<SafeDeployment> {
  return {
    singleton: await deploy(clients, safeArtifacts.safe()),
    proxyFactory: await deploy(clients, safeArtifacts.proxyFactory()),
    fallbackHandler: await deploy(clients, safeArtifacts.fallbackHandler()),
  };
}

/** Creates a Safe proxy with `owners` and `threshold`; returns its address. */
export async function createSafe(
  clients: Clients,
  infra: SafeDeployment,
  owners: readonly Address[],
  threshold: bigint,
  saltNonce = 0n,
): Promise<Address> {
  const initializer = encodeFunctionData({
    abi: safeArtifacts.safe().abi,
    functionName: "setup",
    args: [owners, threshold, zeroAddress, "0x", infra.fallbackHandler, zeroAddress, 0n, zeroAddress],
  });
  const factoryAbi = safeArtifacts.proxyFactory().abi;
  const hash = await send(clients, {
    address: infra.proxyFactory,
    abi: factoryAbi,
    functionName: "createProxyWithNonce",
    args: [infra.singleton, initializer, saltNonce],
  });
  const receipt = await clients.public.getTransactionReceipt({ hash });
  const [created] = parseEventLogs({ abi: factoryAbi, logs: receipt.logs, eventName: "ProxyCreation" });
  const proxy = (created as { args?: { proxy?: Address } } | undefined)?.args?.proxy;
  if (!proxy) throw new Error("Safe proxy creation emitted no ProxyCreation event");
  return proxy;
}

/** A Safe transaction as the Safe's EIP-712 `SafeTx` type defines it. */
export interface SafeTx {
  readonly to: Address;
  readonly value: bigint;
  readonly data: Hex;
  readonly operation: 0 | 1;
  readonly safeTxGas: bigint;
  readonly baseGas: bigint;
  readonly gasPrice: bigint;
  readonly gasToken: Address;
  readonly refundReceiver: Address;
  readonly nonce: bigint;
}

export const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

/** Builds a plain CALL SafeTx at the Safe's current nonce. */
export async function buildSafeTx(
  clients: Pick<Clients, "public">,
  safe: Address,
  to: Address,
  data: Hex,
): Promise<SafeTx> {
  const nonce = await read<bigint>(clients, {
    address: safe,
    abi: safeArtifacts.safe().abi,
    functionName: "nonce",
  });
  return {
    to,
    value: 0n,
    data,
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  };
}

/**
 * Collects EIP-712 signatures from `owners` (sorted ascending, as the Safe requires) and
 * executes `tx` from `executor`.
 */
export async function execSafeTx(
  executor: Clients,
  safe: Address,
  tx: SafeTx,
  owners: readonly Clients["wallet"][],
): Promise<Hex> {
  const chainId = await executor.public.getChainId();
  const sorted = [...owners].sort((a, b) => (BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1));
  const signatures = await Promise.all(
    sorted.map((owner) =>
      owner.signTypedData({
        domain: { chainId, verifyingContract: safe },
        types: SAFE_TX_TYPES,
        primaryType: "SafeTx",
        message: tx,
      }),
    ),
  );
  return send(executor, {
    address: safe,
    abi: safeArtifacts.safe().abi,
    functionName: "execTransaction",
    args: [
      tx.to,
      tx.value,
      tx.data,
      tx.operation,
      tx.safeTxGas,
      tx.baseGas,
      tx.gasPrice,
      tx.gasToken,
      tx.refundReceiver,
      concat(signatures),
    ],
  });
}
