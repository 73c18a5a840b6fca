import { decodeFunctionResult, encodeFunctionData, type Address, type Hex, type PublicClient } from "viem";
import { formatTokenAmount, type ChainDecoder, type DecodedCall } from "../chain/decode.js";
import type { ProposalRecord } from "../store/types.js";
import { batchProbeCode, productAbis } from "./abis.js";
import { singleSignerExecute } from "./batchSimulator.js";
import { productDecoder } from "./decoder.js";

/** Where the probe's code is placed for the simulation; no contract lives there on any chain. */
const PROBE_ADDRESS: Address = "0x00000000000000000000000000000000000b47c4";

export interface ValueChange {
  /** e.g. `NAV`, `idle USDC in the vault`, `aave connector value` */
  readonly label: string;
  readonly before: bigint;
  readonly after: bigint;
  /** `before → after (delta)` in units */
  readonly text: string;
}

/** What an operator should see before signing: the calls in plain words and what they change. */
export interface ProposalReview {
  readonly calls: readonly DecodedCall[];
  /** The proposer's note (hand-made batches) or the plan's kind. */
  readonly note: string | undefined;
  readonly simulation: { readonly ok: true } | { readonly ok: false; readonly reason: string };
  /** Balances and NAV before and after the whole batch, simulated at the gate at the current state. */
  readonly changes: readonly ValueChange[];
}

/** A connector's kind from the immutable it exposes (Aave `pool`, ERC-4626 `target`, Uniswap `positionManager`). */
async function connectorKind(client: PublicClient, connector: Address): Promise<string | undefined> {
  const probes = [
    ["aave", productAbis.aave, "pool"],
    ["erc4626", productAbis.erc4626, "target"],
    ["uniswap", productAbis.uniswap, "positionManager"],
  ] as const;
  for (const [kind, abi, functionName] of probes) {
    try {
      await client.readContract({ address: connector, abi, functionName });
      return kind;
    } catch {
      // not this kind
    }
  }
  return undefined;
}

/** The note the plan carries: `plan.note` (manual batches), else a summary of the plan's kind. */
export function planNote(planJson: string): string | undefined {
  const plan = JSON.parse(planJson) as { note?: unknown; kind?: unknown; proposer?: unknown };
  if (typeof plan.note === "string" && plan.note.length > 0) return plan.note;
  if (typeof plan.kind === "string")
    return `${plan.kind} plan${typeof plan.proposer === "string" ? ` by ${plan.proposer}` : ""}`;
  return undefined;
}

/**
 * Decodes each call and simulates the whole batch as the gate will run it (a throwaway single
 * signer by state override), reading NAV, price per share, idle assets and every connector's
 * value before and after inside the same `eth_call`, through the BatchProbe's code.
 */
export async function reviewProposal(
  client: PublicClient,
  proposal: ProposalRecord,
  options: { readonly connectorNames?: Readonly<Record<string, Address>> } = {},
): Promise<ProposalReview> {
  const vault = proposal.vault;
  const vaultAbi = productAbis.vault;
  const registry = await client.readContract({ address: vault, abi: vaultAbi, functionName: "registry" });
  const [asset, shareDecimals, connectors] = await Promise.all([
    client.readContract({ address: vault, abi: vaultAbi, functionName: "asset" }),
    client.readContract({ address: vault, abi: vaultAbi, functionName: "decimals" }),
    client.readContract({
      address: registry,
      abi: productAbis.registry,
      functionName: "connectorsOf",
      args: [vault],
    }),
  ]);
  const names = new Map<string, string>();
  for (const [name, address] of Object.entries(options.connectorNames ?? {}))
    names.set(address.toLowerCase(), name);
  const named: Record<string, Address> = {};
  for (const [i, c] of connectors.entries()) {
    let name = names.get(c.toLowerCase()) ?? (await connectorKind(client, c)) ?? `connector-${i + 1}`;
    if (named[name]) name = `${name}-${i + 1}`;
    named[name] = c;
  }
  const decoder: ChainDecoder = await productDecoder(client, {
    vault,
    gate: proposal.gate,
    registry,
    connectors: named,
  });
  const calls = proposal.calls.map((c) => decoder.decodeCall(c));
  const erc20 = productAbis.erc20;
  const symbol = await client.readContract({ address: asset, abi: erc20, functionName: "symbol" });
  const assetDecimals = Number(
    await client.readContract({ address: asset, abi: erc20, functionName: "decimals" }),
  );
  const unit = { symbol, decimals: assetDecimals };

  const watched: { label: string; target: Address; data: Hex }[] = [
    { label: "NAV", target: vault, data: encodeFunctionData({ abi: vaultAbi, functionName: "totalAssets" }) },
    {
      label: "price per share",
      target: vault,
      data: encodeFunctionData({
        abi: vaultAbi,
        functionName: "convertToAssets",
        args: [10n ** BigInt(shareDecimals)],
      }),
    },
    {
      label: `idle ${symbol} in the vault`,
      target: asset,
      data: encodeFunctionData({ abi: erc20, functionName: "balanceOf", args: [vault] }),
    },
    ...Object.entries(named).map(([name, address]) => ({
      label: `${name} connector value`,
      target: address,
      data: encodeFunctionData({ abi: productAbis.connector, functionName: "totalValue" }),
    })),
  ];
  const { data: executeData, stateOverride } = await singleSignerExecute(client, proposal);
  const probeAbi = productAbis.batchProbe;
  const result = await client.call({
    to: PROBE_ADDRESS,
    data: encodeFunctionData({
      abi: probeAbi,
      functionName: "measure",
      args: [proposal.gate, executeData, watched.map((w) => ({ target: w.target, data: w.data }))],
    }),
    stateOverride: [...stateOverride, { address: PROBE_ADDRESS, code: batchProbeCode }],
  });
  const [before, after, ok, returned] = decodeFunctionResult({
    abi: probeAbi,
    functionName: "measure",
    data: result.data ?? "0x",
  });
  const changes = watched.map((w, i) => {
    const from = before[i]!;
    const to = after[i]!;
    const delta = to - from;
    const fmt = (v: bigint) => formatTokenAmount(v, unit);
    return {
      label: w.label,
      before: from,
      after: to,
      text: `${fmt(from)} → ${fmt(to)} (${delta >= 0n ? "+" : ""}${fmt(delta)})`,
    };
  });
  return {
    calls,
    note: planNote(proposal.planJson),
    simulation: ok ? { ok: true } : { ok: false, reason: decoder.describeRevert(returned) },
    changes,
  };
}

/** The review as text lines, as the CLI prints it before a signature. */
export function reviewLines(review: ProposalReview): string[] {
  return [
    `  note: ${review.note ?? "(none)"}`,
    "  calls:",
    ...review.calls.map((c, i) => `    ${i}. ${c.text}`),
    review.simulation.ok
      ? "  simulated at the gate, at the current state: succeeds"
      : `  simulated at the gate, at the current state: REVERTS with ${review.simulation.reason}`,
    ...(review.simulation.ok ? review.changes.map((c) => `    ${c.label.padEnd(28)} ${c.text}`) : []),
  ];
}
