import { type Address, getAddress } from "viem";
import { type Write, deploy, projectArtifact, read, send } from "../lib/artifacts.js";
import type { Clients } from "../lib/clients.js";

/** Pseudo-units the ValueOracle uses for feeds that are not priced in a token. */
export const USD_UNIT: Address = "0x0000000000000000000000000000000000000348";
export const ETH_UNIT: Address = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE";

/** ValueOracle.SourceKind. */
export const SourceKind = { Chainlink: 1, UniswapTwap: 2 } as const;

/** One route step, as the contract's `Hop` struct. */
export interface Hop {
  readonly source: Address;
  readonly kind: (typeof SourceKind)[keyof typeof SourceKind];
  readonly inverse: boolean;
}

export const chainlinkHop = (feed: Address, inverse = false): Hop => ({
  source: feed,
  kind: SourceKind.Chainlink,
  inverse,
});

export const twapHop = (pool: Address, inverse = false): Hop => ({
  source: pool,
  kind: SourceKind.UniswapTwap,
  inverse,
});

export interface ChainlinkFeedConfig {
  readonly feed: Address;
  /** what the feed prices (a token or USD_UNIT / ETH_UNIT) */
  readonly base: Address;
  /** what the answer is expressed in */
  readonly quote: Address;
  /** the feed's own maximum update interval, seconds */
  readonly heartbeat: number;
  /** bounds in the feed's decimals */
  readonly minAnswer: bigint;
  readonly maxAnswer: bigint;
}

export interface TwapPoolConfig {
  readonly pool: Address;
  readonly window: number;
  readonly minCardinality: number;
}

export interface RouteConfig {
  readonly token: Address;
  readonly primary: readonly Hop[];
  readonly secondary?: readonly Hop[];
  readonly maxDeviationBps?: number;
}

export interface OracleConfig {
  /** tokens redeemable 1:1 for a pseudo-unit (WETH -> ETH_UNIT), declared before routes use them */
  readonly units?: readonly { readonly token: Address; readonly unit: Address }[];
  readonly feeds?: readonly ChainlinkFeedConfig[];
  readonly pools?: readonly TwapPoolConfig[];
  readonly routes?: readonly RouteConfig[];
  readonly sequencer?: { readonly feed: Address; readonly gracePeriod: number };
}

const oracleAbi = () => projectArtifact("ValueOracle").abi;

/** Deploys a ValueOracle for `baseAsset`, governed by the registry's owner. */
export async function deployValueOracle(
  clients: Clients,
  params: { registry: Address; baseAsset: Address },
): Promise<Address> {
  return deploy(clients, projectArtifact("ValueOracle"), [params.registry, params.baseAsset]);
}

/**
 * The governance writes that apply `config` to `oracle`, in dependency order (feeds and pools before
 * the routes that use them). Send them directly from the governance account, or wrap them in a
 * timelock batch in production.
 */
export function oracleConfigWrites(oracle: Address, config: OracleConfig): Write[] {
  const abi = oracleAbi();
  const writes: Write[] = [];
  for (const u of config.units ?? []) {
    writes.push({ address: oracle, abi, functionName: "setUnit", args: [u.token, u.unit] });
  }
  for (const f of config.feeds ?? []) {
    writes.push({
      address: oracle,
      abi,
      functionName: "setChainlinkFeed",
      args: [f.feed, f.base, f.quote, f.heartbeat, f.minAnswer, f.maxAnswer],
    });
  }
  for (const p of config.pools ?? []) {
    writes.push({
      address: oracle,
      abi,
      functionName: "setTwapPool",
      args: [p.pool, p.window, p.minCardinality],
    });
  }
  for (const r of config.routes ?? []) {
    writes.push({
      address: oracle,
      abi,
      functionName: "setRoute",
      args: [r.token, r.primary, r.secondary ?? [], r.maxDeviationBps ?? 0],
    });
  }
  if (config.sequencer) {
    writes.push({
      address: oracle,
      abi,
      functionName: "setSequencerUptimeFeed",
      args: [config.sequencer.feed, config.sequencer.gracePeriod],
    });
  }
  return writes;
}

/** Applies `config` from `governance` (the registry owner) one write at a time. */
export async function configureValueOracle(
  governance: Clients,
  oracle: Address,
  config: OracleConfig,
): Promise<void> {
  for (const write of oracleConfigWrites(oracle, config)) await send(governance, write);
}

/** `tryValueOf` as a typed result; `reason` is the error selector when `ok` is false. */
export async function tryValueOf(
  clients: Pick<Clients, "public">,
  oracle: Address,
  token: Address,
  amount: bigint,
): Promise<{ ok: boolean; value: bigint; reason: `0x${string}` }> {
  const [ok, value, reason] = await read<readonly [boolean, bigint, `0x${string}`]>(clients, {
    address: oracle,
    abi: oracleAbi(),
    functionName: "tryValueOf",
    args: [getAddress(token), amount],
  });
  return { ok, value, reason };
}
