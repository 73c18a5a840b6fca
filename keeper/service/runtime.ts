import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, type LocalAccount, type PublicClient } from "viem";
import { ReliableSender } from "../chain/sender.js";
import { rpcTransport } from "../chain/transport.js";
import type { KeeperConfig } from "../config/schema.js";
import { createKeeperMetrics } from "../http/keeperMetrics.js";
import { loadSigner } from "../keys/signer.js";
import type { Logger } from "../log/logger.js";
import { WebhookAlertSink } from "../ops/alerts.js";
import { gateConfigMismatches, ViemGateReader, type GateReader, type RiskChecker } from "../multisig/gate.js";
import { MultisigWorkflow } from "../multisig/workflow.js";
import { defaultIdFile, openCheckedStore, type StoreLocation } from "../store/open.js";
import { SqliteStore } from "../store/sqlite.js";
import { GateBatchSimulator } from "../vault/batchSimulator.js";
import { namedProductDecoder } from "../vault/decoder.js";
import { ChainRiskChecker } from "../vault/riskChecker.js";
import type { Store } from "../store/types.js";
import type { KeeperCore } from "../cycle/keeper.js";
import type { AlertSink } from "../ops/alerts.js";

/** What every keeper command runs on (see `KeeperCore`); `composeKeeper` adds the product side. */
export type Runtime = KeeperCore;

/** The configured store's location: Postgres when `store.url` is set, else the SQLite file. */
export function storeLocation(config: KeeperConfig): StoreLocation {
  return config.store.url
    ? { kind: "postgres", url: config.store.url, statementTimeoutMs: config.store.statementTimeoutMs }
    : { kind: "sqlite", path: config.store.path, busyTimeoutMs: config.store.busyTimeoutMs };
}

/**
 * Opens the store the run uses, checked (integrity, and no silent fresh start, see
 * {@link openCheckedStore}). In dry-run mode a SQLite database is copied to a temporary file first,
 * so the run sees real state but writes nothing where other operators look; a Postgres store is not
 * copied: the dry run starts on an empty temporary SQLite store and says so.
 */
export async function openStore(
  config: KeeperConfig,
  logger?: Logger,
): Promise<{ store: Store; path: string }> {
  const location = storeLocation(config);
  const where = location.kind === "sqlite" ? location.path : "postgres (store.url)";
  if (!config.dryRun) {
    const store = await openCheckedStore({
      location,
      idFile: config.store.idFile ?? defaultIdFile(location),
      allowNew: config.store.allowNew,
    });
    return { store, path: where };
  }
  const copy = path.join(mkdtempSync(path.join(tmpdir(), "keeper-dry-run-")), "state.sqlite");
  if (location.kind === "sqlite" && existsSync(location.path)) SqliteStore.snapshot(location.path, copy);
  if (location.kind === "postgres")
    logger?.warn("dry run on a Postgres store: starting from an empty temporary copy", { copy });
  return { store: SqliteStore.open({ path: copy, busyTimeoutMs: config.store.busyTimeoutMs }), path: copy };
}

/**
 * The operator's own limits, checked before every signature: the batch size and, when configured,
 * that every call targets an allowed contract. Strategy limits (caps, mandates, slippage) are
 * added by passing another {@link RiskChecker} to `createRuntime`; the two are combined.
 */
export function configRiskChecker(config: KeeperConfig, extra?: RiskChecker): RiskChecker {
  const allowed = new Set(config.gate.allowedTargets.map((a) => a.toLowerCase()));
  return {
    async check(proposal, plan) {
      const reasons: string[] = [];
      if (proposal.calls.length > config.gate.maxCallsPerProposal) {
        reasons.push(
          `${proposal.calls.length} calls, more than gate.maxCallsPerProposal ${config.gate.maxCallsPerProposal}`,
        );
      }
      if (allowed.size > 0) {
        for (const [i, call] of proposal.calls.entries()) {
          if (!allowed.has(call.target.toLowerCase()))
            reasons.push(`calls[${i}] targets ${call.target}, not in gate.allowedTargets`);
        }
      }
      if (extra) {
        const result = await extra.check(proposal, plan);
        if (!result.ok) reasons.push(...result.reasons);
      }
      return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
    },
  };
}

/**
 * Refuses to start when the configured vault, threshold or signers differ from the gate on chain.
 * A gate that cannot be read (wrong address, not deployed yet) is logged and left to the tasks,
 * which fail and alert on their own.
 */
export async function checkGateConfiguration(
  config: KeeperConfig,
  reader: GateReader,
  logger: Logger,
): Promise<void> {
  let actual;
  try {
    actual = await reader.configuration();
  } catch (error) {
    logger.warn("cannot read the gate's configuration; is gate.address right?", {
      gate: config.gate.address,
      error: (error as Error).message.split("\n")[0],
    });
    return;
  }
  const problems = gateConfigMismatches(config.gate, actual);
  if (problems.length > 0) throw new GateConfigError(problems);
}

export class GateConfigError extends Error {
  override name = "GateConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`config does not match the gate on chain: ${problems.join("; ")}`);
  }
}

export async function createRuntime(
  config: KeeperConfig,
  options: {
    readonly env: NodeJS.ProcessEnv;
    readonly logger: Logger;
    readonly checker?: RiskChecker;
    readonly needsSigner?: boolean;
    /** Default: an HTTP client on `chain.rpcUrl`. */
    readonly client?: PublicClient;
    /** Default: the key from `signer` and the environment. */
    readonly account?: LocalAccount;
    /** Default: the webhook of `alerts`. */
    readonly alerts?: AlertSink;
  },
): Promise<Runtime> {
  const logger = options.logger;
  const account =
    options.account ??
    (options.needsSigner === false ? undefined : loadSigner(config.signer, options.env, logger));
  const client =
    options.client ??
    createPublicClient({
      transport: rpcTransport(config.chain.rpcUrl, {
        timeoutMs: config.sender.rpcTimeoutMs,
        maxResponseBytes: config.chain.maxResponseBytes,
      }),
      pollingInterval: config.chain.pollingIntervalMs,
    });
  const chainId = await client.getChainId();
  if (chainId !== config.chain.chainId) {
    throw new Error(
      `RPC ${config.chain.rpcUrl} serves chain ${chainId}, config says chain.chainId ${config.chain.chainId}`,
    );
  }
  await checkGateConfiguration(config, new ViemGateReader(client, config.gate.address), logger);
  const { store, path: storePath } = await openStore(config, logger);
  const alerts =
    options.alerts ??
    new WebhookAlertSink({
      url: config.alerts.webhookUrl,
      timeoutMs: config.alerts.timeoutMs,
      cooldownMs: config.alerts.cooldownSeconds * 1_000,
      operatorId: config.operator.id,
      logger: logger.child({ component: "alerts" }),
    });
  const metrics = createKeeperMetrics(store);
  const sender =
    config.dryRun || !account
      ? undefined
      : new ReliableSender({
          client,
          account,
          chainId,
          store,
          retry: config.sender,
          stuckAfterMs: config.sender.stuckAfterMs,
          feeBumpPercent: config.sender.feeBumpPercent,
          maxReplacements: config.sender.maxReplacements,
          pollIntervalMs: config.chain.pollingIntervalMs,
          confirmations: config.chain.confirmations,
          sendTimeoutMs: config.sender.waitTimeoutMs,
          logger: logger.child({ component: "sender" }),
          onCheckpoint: (checkpoint) => metrics.txEvents.inc({ event: checkpoint }),
          onStuck: (stuck) =>
            alerts.send({
              kind: "tx-stuck",
              severity: "critical",
              subject: stuck.intentId,
              message: `transaction for ${stuck.intentId} (nonce ${stuck.nonce}) unmined after every replacement`,
            }),
        });
  const workflow = new MultisigWorkflow({
    store,
    chainId,
    gate: config.gate.address,
    vault: config.gate.vault,
    threshold: config.gate.threshold,
    signers: config.gate.signers,
    proposalTtlSeconds: config.gate.proposalTtlSeconds,
    reader: new ViemGateReader(client, config.gate.address),
    // The whole batch, in order, as the gate will run it.
    simulator: new GateBatchSimulator(
      client,
      namedProductDecoder({
        vault: config.gate.vault,
        gate: config.gate.address,
        ...(config.product
          ? {
              registry: config.product.registry,
              oracle: config.product.oracle,
              connectors: Object.fromEntries(
                Object.entries(config.product.connectors).map(([name, c]) => [name, c.address]),
              ),
            }
          : {}),
      }),
    ),
    checker: configRiskChecker(
      config,
      options.checker ??
        (config.product
          ? new ChainRiskChecker({ client, vault: config.gate.vault, registry: config.product.registry })
          : undefined),
    ),
    operatorId: config.operator.id,
    submitTimeoutMs: config.sender.waitTimeoutMs,
    logger: logger.child({ component: "multisig" }),
  });
  return {
    config,
    logger,
    store,
    storePath,
    client,
    account,
    sender,
    workflow,
    metrics,
    alerts,
    close: () => store.close(),
  };
}
