import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BaseError, isAddress, isHex, type Address, type Hex } from "viem";
import { z } from "zod";
import { ConfigError, loadConfig } from "../config/load.js";
import type { KeeperConfig } from "../config/schema.js";
import { createStatusServer, SignRefusedError } from "../http/server.js";
import { SignerError } from "../keys/signer.js";
import { createLogger, type Logger } from "../log/logger.js";
import { environmentSecrets, redact, redactMessage } from "../log/redact.js";
import { computeProvenance } from "../multisig/provenance.js";
import { ProposalError } from "../multisig/workflow.js";
import { signAsKeeper } from "../cycle/cycle.js";
import { createHealthCheck } from "../ops/health.js";
import { installGracefulShutdown, Scheduler, type ScheduledTask } from "../ops/scheduler.js";
import { runReplay as runReplayEngine, type ReplayOptions } from "../backtest/index.js";
import { composeKeeper, type ComposeOptions } from "../service/compose.js";
import { createRuntime, GateConfigError, openStore, type Runtime } from "../service/runtime.js";
import { productErrorDecoder } from "../vault/decoder.js";
import { reviewLines, reviewProposal, type ProposalReview } from "../vault/review.js";
import {
  monitorTask,
  multisigTask,
  outcomeStatus,
  outcomeTask,
  settleTask,
  strategyTask,
} from "../service/tasks.js";
import { calibrationByEstimator } from "../strategy/calibration.js";
import type { Guardian, ReadingsSource } from "../vault/ports.js";
import { RebuildError, rebuildStoreFromChain } from "../multisig/rebuild.js";
import {
  blockNumber,
  helpText,
  importedSignature,
  parseCommandLine,
  positiveInteger,
  proposalId,
  requireString,
  type Command,
  type ParsedArgs,
} from "./args.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./usage.js";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Parts that replace what the config builds: the monitors' readings and the guardian (tests of
   * the service without a product stack), the replay engine (tests of the command).
   */
  readonly components?: {
    readonly readings?: ReadingsSource;
    readonly guardian?: Guardian;
    readonly runReplay?: (options: ReplayOptions) => Promise<unknown>;
  };
  /** What `keeper run` composes with besides the config (an in-process client, co-signers). */
  readonly compose?: Omit<ComposeOptions, "env" | "logger">;
  /** Log lines go here (default: stderr as JSON lines). */
  readonly log?: (line: string) => void;
}

const proposalInputSchema = z.strictObject({
  plan: z.unknown().refine((v) => v !== undefined, "required"),
  snapshot: z.unknown().refine((v) => v !== undefined, "required"),
  calls: z
    .array(
      z.strictObject({
        target: z.string().refine((v) => isAddress(v, { strict: false }), "must be an address"),
        data: z.string().refine((v) => isHex(v) && v.length % 2 === 0, "must be 0x-prefixed hex bytes"),
      }),
    )
    .min(1),
});

interface Context {
  readonly args: ParsedArgs;
  readonly config: KeeperConfig;
  readonly io: CliIo;
  readonly logger: Logger;
  readonly json: boolean;
}

function print(ctx: Pick<Context, "io" | "json">, value: unknown, human: string): void {
  ctx.io.stdout(ctx.json ? `${JSON.stringify(redact(value), null, 2)}\n` : `${human}\n`);
}

async function withRuntime<T>(ctx: Context, fn: (rt: Runtime) => Promise<T>, needsSigner = true): Promise<T> {
  const rt = await createRuntime(ctx.config, { env: ctx.io.env, logger: ctx.logger, needsSigner });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

async function propose(ctx: Context): Promise<number> {
  const file = requireString(ctx.args, "input");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--input ${file}: ${(error as Error).message}`, "propose");
  }
  const parsed = proposalInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--input ${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`, "propose");
  }
  const { plan, snapshot } = parsed.data;
  const calls = parsed.data.calls.map((c) => ({ target: c.target as Address, data: c.data as Hex }));
  return withRuntime(
    ctx,
    async (rt) => {
      const p = await rt.workflow.propose({
        plan,
        snapshot,
        calls,
        provenance: computeProvenance(snapshot, plan),
      });
      print(
        ctx,
        {
          id: p.id,
          nonce: p.nonce,
          deadline: p.deadline,
          provenance: p.provenance,
          status: p.status,
          store: rt.storePath,
        },
        `proposal ${p.id}\n  nonce ${p.nonce}, deadline ${p.deadline}, ${p.calls.length} call(s), status ${p.status}` +
          (ctx.config.dryRun ? `\n  dry run: stored only in ${rt.storePath}` : ""),
      );
      return EXIT_OK;
    },
    false,
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** The proposal's calls decoded, its note and its simulated effect, from the chain at this moment. */
async function proposalReview(ctx: Context, rt: Runtime, id: Hex): Promise<ProposalReview> {
  const view = await rt.workflow.status(id);
  const connectorNames = Object.fromEntries(
    Object.entries(ctx.config.product?.connectors ?? {}).map(([name, c]) => [name, c.address]),
  );
  return reviewProposal(rt.client, view.proposal, { connectorNames });
}

function reviewJson(review: ProposalReview) {
  return {
    note: review.note,
    calls: review.calls.map((c) => ({
      contract: c.contract,
      function: c.functionName,
      args: c.args,
      text: c.text,
    })),
    simulation: review.simulation,
    changes: review.changes.map((c) => ({ label: c.label, before: c.before, after: c.after, text: c.text })),
  };
}

async function review(ctx: Context): Promise<number> {
  const id = proposalId(ctx.args)!;
  return withRuntime(
    ctx,
    async (rt) => {
      const view = await rt.workflow.status(id);
      const r = await proposalReview(ctx, rt, id);
      print(
        ctx,
        { proposal: id, status: view.proposal.status, ...reviewJson(r) },
        [`proposal ${id}: ${view.proposal.status}, nonce ${view.proposal.nonce}`, ...reviewLines(r)].join(
          "\n",
        ),
      );
      return r.simulation.ok ? EXIT_OK : EXIT_FAILURE;
    },
    false,
  );
}

async function closeProposal(ctx: Context, action: "rejected" | "cancelled"): Promise<number> {
  const id = proposalId(ctx.args)!;
  const reason = requireString(ctx.args, "reason");
  return withRuntime(
    ctx,
    async (rt) => {
      const closed = await rt.workflow.close(id, { action, by: ctx.config.operator.id, reason });
      print(
        ctx,
        {
          proposal: id,
          status: closed.proposal.status,
          reason: closed.proposal.statusReason,
          signatures: closed.signatures,
        },
        `proposal ${id}: ${action}; status ${closed.proposal.status} (${closed.proposal.statusReason})` +
          (closed.signatures > 0
            ? `\n  ${closed.signatures} signature(s) given earlier stay valid on chain until the deadline ${closed.proposal.deadline} or until the gate's nonce moves`
            : "") +
          (ctx.config.dryRun ? `\n  dry run: recorded only in ${rt.storePath}` : ""),
      );
      return EXIT_OK;
    },
    false,
  );
}

async function sign(ctx: Context): Promise<number> {
  const id = proposalId(ctx.args)!;
  const imported = importedSignature(ctx.args);
  if (imported) {
    return withRuntime(
      ctx,
      async (rt) => {
        await rt.workflow.addSignature(id, imported.signer, imported.signature);
        const view = await rt.workflow.status(id);
        print(
          ctx,
          {
            proposal: id,
            signer: imported.signer,
            signatures: view.signatures.length,
            threshold: view.threshold,
          },
          `recorded ${imported.signer}'s signature on ${id} (${view.signatures.length}/${view.threshold})`,
        );
        return EXIT_OK;
      },
      false,
    );
  }
  return withRuntime(ctx, async (rt) => {
    // What is being signed, shown first: the calls in words and their simulated effect.
    // The review is for the operator's eyes; the workflow's own checks decide whether to sign.
    let r: ProposalReview | undefined;
    let unavailable: string | undefined;
    try {
      r = await proposalReview(ctx, rt, id);
    } catch (error) {
      unavailable = firstLine(error);
    }
    if (!ctx.json)
      ctx.io.stdout(
        `proposal ${id}\n${r ? reviewLines(r).join("\n") : `  review unavailable: ${unavailable}`}\n`,
      );
    const signature = await rt.workflow.sign(id, rt.account!);
    const view = await rt.workflow.status(id);
    print(
      ctx,
      {
        proposal: id,
        signer: signature.signer,
        signature: signature.signature,
        signatures: view.signatures.length,
        threshold: view.threshold,
        review: r ? reviewJson(r) : { unavailable },
      },
      `signed ${id} as ${signature.signer} (${view.signatures.length}/${view.threshold})` +
        (ctx.config.dryRun ? `\n  dry run: signature kept only in ${rt.storePath}` : ""),
    );
    return EXIT_OK;
  });
}

async function submit(ctx: Context): Promise<number> {
  const id = proposalId(ctx.args)!;
  return withRuntime(ctx, async (rt) => {
    if (ctx.config.dryRun || !rt.sender) {
      const data = await rt.workflow.executeCalldata(id);
      try {
        await rt.client.call({ account: rt.account?.address, to: rt.config.gate.address, data });
      } catch (error) {
        throw new ProposalError(id, `execute reverts: ${productErrorDecoder().describeError(error)}`);
      }
      print(
        ctx,
        { proposal: id, dryRun: true, to: rt.config.gate.address, data, simulation: "ok" },
        `dry run: execute(${id}) simulates fine; nothing sent\n  to ${rt.config.gate.address}\n  calldata ${data}`,
      );
      return EXIT_OK;
    }
    const done = await rt.workflow.submit(id, rt.sender);
    print(
      ctx,
      { proposal: id, status: done.status, txHash: done.txHash, reason: done.statusReason },
      `proposal ${id}: ${done.status}${done.txHash ? ` in ${done.txHash}` : ""}${done.statusReason ? ` (${done.statusReason})` : ""}`,
    );
    return done.status === "executed" ? EXIT_OK : EXIT_FAILURE;
  });
}

async function status(ctx: Context): Promise<number> {
  const id = proposalId(ctx.args, false);
  if (id) {
    return withRuntime(
      ctx,
      async (rt) => {
        const view = await rt.workflow.status(id);
        const p = view.proposal;
        print(
          ctx,
          {
            ...view,
            proposal: { ...p, planJson: undefined, snapshotJson: undefined, plan: JSON.parse(p.planJson) },
          },
          [
            `proposal ${p.id}: ${p.status}${p.statusReason ? ` (${p.statusReason})` : ""}`,
            `  vault ${p.vault}, nonce ${p.nonce}, deadline ${p.deadline}, ${p.calls.length} call(s)`,
            `  signatures ${view.signatures.length}/${view.threshold}: ${view.signatures.map((s) => s.signer).join(", ") || "none"}`,
            p.txHash ? `  tx ${p.txHash}` : "",
          ]
            .filter(Boolean)
            .join("\n"),
        );
        return EXIT_OK;
      },
      false,
    );
  }
  const limit = positiveInteger(ctx.args, "limit", 20);
  const { store } = await openStore({ ...ctx.config, dryRun: !ctx.config.store.url }, ctx.logger);
  try {
    const [proposals, counts, sends] = await Promise.all([
      store.listProposals({ limit }),
      store.countProposalsByStatus(),
      store.countSendsByStatus(),
    ]);
    const rows = proposals.map((p) => ({
      id: p.id,
      status: p.status,
      nonce: p.nonce,
      calls: p.calls.length,
      txHash: p.txHash,
    }));
    const outcomes = ctx.config.outcomes ? await outcomeStatus(store) : undefined;
    print(
      ctx,
      { proposals: rows, proposalCounts: counts, sendCounts: sends, ...(outcomes ? { outcomes } : {}) },
      [
        `proposals: ${Object.entries(counts)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}`,
        `sends: ${Object.entries(sends)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")}`,
        ...rows.map(
          (r) =>
            `  ${r.id} ${r.status.padEnd(9)} nonce ${r.nonce} ${r.calls} call(s)${r.txHash ? ` tx ${r.txHash}` : ""}`,
        ),
        ...(outcomes
          ? [
              `outcome batches: ${outcomes.batches.length} (newest first)`,
              ...outcomes.batches.map(
                (b) =>
                  `  ${b.id} ${b.status.padEnd(8)} ${b.strategy} expected profit ${b.expectedProfit}${b.realized !== null ? ` realized ${b.realized}` : ""}${b.reason ? ` (${b.reason})` : ""}`,
              ),
            ]
          : []),
      ].join("\n"),
    );
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

/** Live calibration per estimator, read from the store (SQLite through a temporary copy; nothing is written). */
async function calibration(ctx: Context): Promise<number> {
  const { store } = await openStore({ ...ctx.config, dryRun: !ctx.config.store.url }, ctx.logger);
  try {
    const rows = calibrationByEstimator(await store.listEstimates());
    const fmt = (x: number | null) => (x === null ? "–" : x.toFixed(4));
    print(
      ctx,
      { estimators: rows },
      rows.length === 0
        ? "no estimates stored yet"
        : [
            "estimator: resolved (open) | Brier estimate vs market | log-loss estimate vs market",
            ...rows.map(
              (r) =>
                `  ${r.estimator}: ${r.resolved} (${r.open}) | ${fmt(r.brierEstimate)} vs ${fmt(r.brierMarket)} | ${fmt(r.logLossEstimate)} vs ${fmt(r.logLossMarket)}`,
            ),
          ].join("\n"),
    );
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

/**
 * Fills a new, empty store from the chain (see `rebuildStoreFromChain`). It reads the operator's
 * key only to know its account, whose pooled transactions it journals again; it signs nothing.
 */
async function rebuild(ctx: Context): Promise<number> {
  return withRuntime(ctx, async (rt) => {
    const report = await rebuildStoreFromChain({
      client: rt.client,
      store: rt.store,
      chainId: rt.config.chain.chainId,
      gate: rt.config.gate.address,
      vault: rt.config.gate.vault,
      account: rt.account?.address,
      fromBlock: blockNumber(ctx.args, "from-block"),
      leaseTtlMs: rt.config.sender.waitTimeoutMs + 60_000,
      logger: rt.logger,
    });
    print(
      ctx,
      { store: rt.storePath, ...report },
      [
        `store ${rt.storePath} rebuilt from blocks ${report.scannedBlocks.from}..${report.scannedBlocks.to}`,
        `  ${report.executed} executed proposal(s) with ${report.signatures} signature(s), gate nonce ${report.gateNonce}`,
        `  ${report.mandateActions} mandate action(s), ${report.pending} pooled transaction(s) of ${rt.account?.address ?? "no account"}`,
        report.unreadable.length > 0
          ? `  nonces executed through another contract (batch not readable): ${report.unreadable.join(", ")}`
          : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
    return EXIT_OK;
  });
}

/** Offline: reads recorded data only, so it needs no config, key or chain. */
async function replay(ctx: Pick<Context, "args" | "io" | "logger" | "json">): Promise<number> {
  const dataDir = requireString(ctx.args, "data-dir");
  const outDir =
    ctx.args.values["dry-run"] === true
      ? mkdtempSync(path.join(tmpdir(), "keeper-replay-"))
      : requireString(ctx.args, "out-dir");
  const runReplay = ctx.io.components?.runReplay ?? runReplayEngine;
  const result = await runReplay({
    dataDir,
    outDir,
    onProgress: (progress) => ctx.logger.info("replay progress", { progress }),
  });
  print(ctx, { outDir, result }, `replay written to ${outDir}`);
  return EXIT_OK;
}

async function run(ctx: Context): Promise<number> {
  const rt = await composeKeeper(ctx.config, { ...ctx.io.compose, env: ctx.io.env, logger: ctx.logger });
  const readings = ctx.io.components?.readings ?? rt.product?.readings;
  const guardian = ctx.io.components?.guardian ?? rt.product?.guardian;
  const tasks: ScheduledTask[] = [
    multisigTask(rt, { workflow: rt.workflow, sender: rt.sender, account: rt.account! }),
  ];
  const disabled: string[] = [];
  if (readings) tasks.push(monitorTask(rt, { readings, guardian }));
  else disabled.push("monitor (needs product)");
  if (rt.product)
    tasks.push(
      settleTask(rt, {
        settler: rt.product.settler,
        workflow: rt.workflow,
        sender: rt.sender,
        client: rt.client,
        from: rt.account!.address,
      }),
    );
  else disabled.push("settle (needs product)");
  if (rt.product?.snapshots) tasks.push(strategyTask(rt));
  else disabled.push("strategy (needs product with signalsFile or liveSignals)");
  // with a strategy task the one cycle runs the outcome step; without one, the step runs alone
  if (rt.outcomes && !rt.product?.snapshots) tasks.push(outcomeTask(rt, rt.outcomes));
  for (const d of disabled) rt.logger.warn(`task disabled: ${d}`);

  if (rt.sender) {
    const report = await rt.sender.reconcile();
    rt.logger.info("send journal reconciled", { ...report });
  }
  const scheduler = new Scheduler({
    tasks,
    logger: rt.logger.child({ component: "scheduler" }),
    alerts: rt.alerts,
    store: rt.store,
    onStep: (task, outcome) => {
      rt.metrics.cycles.inc({ task, outcome });
      rt.metrics.lastStepTimestamp.set(Math.floor(Date.now() / 1_000), { task });
    },
  });
  const apiToken = rt.config.http.apiToken;
  const http = createStatusServer({
    metrics: rt.metrics.registry,
    logger: rt.logger.child({ component: "http" }),
    ...(apiToken
      ? {
          sign: {
            token: apiToken,
            sign: (id: Hex) =>
              signAsKeeper(rt, id).catch((error: unknown) => {
                throw error instanceof ProposalError ? new SignRefusedError(error.message) : error;
              }),
          },
        }
      : {}),
    health: createHealthCheck({
      scheduler,
      store: rt.store,
      storeFile: rt.config.store.url ? undefined : rt.storePath,
      sender: rt.sender,
      rpc: () => rt.client.getBlockNumber({ cacheTime: 0 }),
    }),
    status: async () => ({
      operator: rt.config.operator.id,
      address: rt.account?.address,
      chainId: rt.config.chain.chainId,
      gate: rt.config.gate.address,
      dryRun: rt.config.dryRun,
      store: rt.storePath,
      disabled,
      tasks: Object.fromEntries(scheduler.stats),
      proposals: await rt.store.countProposalsByStatus(),
      sends: await rt.store.countSendsByStatus(),
      alerts: rt.alerts.counters,
      ...(rt.outcomes ? { outcomes: await outcomeStatus(rt.store) } : {}),
    }),
  });
  const bound = await http.listen(rt.config.http.port, rt.config.http.host);
  rt.logger.info("keeper running", {
    http: `${bound.address}:${bound.port}`,
    tasks: tasks.map((t) => t.name),
    dryRun: rt.config.dryRun,
  });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= http.close().then(() => rt.close()));
  const uninstall = installGracefulShutdown(scheduler, close, { logger: rt.logger });
  try {
    await scheduler.start();
    await close();
  } finally {
    uninstall();
  }
  return EXIT_OK;
}

/** Validates a command's own options before anything is loaded, so a typo is reported as such. */
function checkArguments(args: ParsedArgs): void {
  switch (args.command) {
    case "propose":
      requireString(args, "input");
      break;
    case "sign":
      proposalId(args);
      importedSignature(args);
      break;
    case "submit":
    case "review":
      proposalId(args);
      break;
    case "reject":
    case "cancel":
      proposalId(args);
      requireString(args, "reason");
      break;
    case "status":
      proposalId(args, false);
      positiveInteger(args, "limit", 20);
      break;
    case "rebuild":
      blockNumber(args, "from-block");
      if (args.values["new-store"] !== true)
        throw new UsageError("rebuild fills a new, empty store: pass --new-store", "rebuild");
      break;
    case "replay":
      requireString(args, "data-dir");
      if (args.values["dry-run"] !== true) requireString(args, "out-dir");
      break;
    default:
      break;
  }
}

const HANDLERS: Record<Command, (ctx: Context) => Promise<number>> = {
  run,
  propose,
  review,
  sign,
  submit,
  reject: (ctx) => closeProposal(ctx, "rejected"),
  cancel: (ctx) => closeProposal(ctx, "cancelled"),
  status,
  calibration,
  rebuild,
  replay,
};

/** The CLI as a function: parses, validates, runs one command, returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(
      `keeper: ${error.message}\n${error.command ? `run 'keeper ${error.command} --help'` : "run 'keeper --help'"}\n`,
    );
    return EXIT_USAGE;
  }
  if (args.help || !args.command) {
    (args.command || args.help ? io.stdout : io.stderr)(helpText(args.command));
    return args.help ? EXIT_OK : EXIT_USAGE;
  }
  const json = args.values.json === true;
  try {
    checkArguments(args);
    if (args.command === "replay") {
      return await replay({ args, io, json, logger: createLogger({ write: io.log }) });
    }
    const config = loadConfig({
      file: typeof args.values.config === "string" ? args.values.config : undefined,
      env: io.env,
      overrides: {
        ...(args.values["dry-run"] === true ? { dryRun: true } : {}),
        ...(args.values["new-store"] === true ? { "store.allowNew": true } : {}),
      },
    });
    const logger = createLogger({
      level: config.log.level,
      write: io.log,
      fields: { operator: config.operator.id },
    });
    return await HANDLERS[args.command as Exclude<Command, "replay">]({ args, config, io, logger, json });
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`keeper ${args.command}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const known =
      error instanceof ProposalError ||
      error instanceof SignerError ||
      error instanceof GateConfigError ||
      error instanceof RebuildError;
    // The operator's own message: proposal ids and tx hashes stay readable, secrets never do.
    const text =
      error instanceof BaseError
        ? productErrorDecoder().describeError(error)
        : error instanceof Error
          ? error.message
          : String(error);
    const message = redactMessage(text, environmentSecrets(io.env));
    io.stderr(`keeper ${args.command}: ${known ? "" : "failed: "}${message}\n`);
    return EXIT_FAILURE;
  }
}
