import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { main, type CliIo } from "../../../keeper/cli/main.js";
import type { KeeperComponents } from "../../../keeper/service/ports.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";
import { localChain } from "../helpers/chain.js";
import { rpcBridge } from "./helpers/rpcBridge.js";

const { connection } = await localChain();
const operatorKey = generatePrivateKey();
const operator = privateKeyToAccount(operatorKey);
const GATE = privateKeyToAccount(generatePrivateKey()).address;
const VAULT = privateKeyToAccount(generatePrivateKey()).address;

function workspace(rpcUrl = "http://127.0.0.1:1", chainId = 31337) {
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-cli-"));
  const config = path.join(dir, "keeper.json");
  writeFileSync(
    config,
    JSON.stringify({
      operator: { id: "op-cli" },
      chain: { rpcUrl, chainId, pollingIntervalMs: 20 },
      store: { path: path.join(dir, "state.sqlite") },
      gate: { address: GATE, vault: VAULT, threshold: 1, signers: [operator.address] },
      http: { port: 0 },
      schedule: { monitorEverySeconds: 1 },
    }),
  );
  return { dir, config, store: path.join(dir, "state.sqlite") };
}

function startCli(argv: string[], options: { env?: NodeJS.ProcessEnv; components?: KeeperComponents } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    log: (l) => logs.push(l),
    env: { KEEPER_PRIVATE_KEY: operatorKey, ...options.env },
    components: options.components ?? {},
  };
  const done = main(argv, io).then((code) => ({ code, stdout: out.join(""), stderr: err.join(""), logs }));
  return { done, logs };
}

function cli(argv: string[], options: { env?: NodeJS.ProcessEnv; components?: KeeperComponents } = {}) {
  return startCli(argv, options).done;
}

describe("keeper/cli", function () {
  it("prints help per command and exits 0; no command is a usage error", async function () {
    const top = await cli(["--help"]);
    expect(top.code).to.equal(0);
    expect(top.stdout).to.include("usage: keeper <command>").and.include("replay");
    const sign = await cli(["sign", "--help"]);
    expect(sign.stdout)
      .to.include("usage: keeper sign")
      .and.include("--proposal <id>")
      .and.include("--dry-run");
    expect((await cli([])).code).to.equal(2);
  });

  it("exits 2 naming the bad argument", async function () {
    const unknown = await cli(["launch"]);
    expect([unknown.code, unknown.stderr]).to.satisfy(
      ([c, e]: [number, string]) => c === 2 && e.includes("'launch'"),
    );
    const flag = await cli(["status", "--frobnicate"]);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.include("--frobnicate");
    const badId = await cli(["sign", "--proposal", "0x12"]);
    expect(badId.code).to.equal(2);
    expect(badId.stderr).to.include("--proposal must be a 32-byte hex id");
    const half = await cli(["sign", "--proposal", keccak256("0x01"), "--signature", "0x12"]);
    expect(half.code).to.equal(2);
    expect(half.stderr).to.include("--signer must be an address");
    const missing = await cli(["submit"]);
    expect(missing.stderr).to.include("missing required option --proposal");
    const limit = await cli(["status", "--limit", "-3"]);
    expect(limit.code).to.equal(2);
    const extra = await cli(["status", "now"]);
    expect(extra.stderr).to.include("unexpected argument 'now'");
  });

  it("exits 2 on an invalid config, naming the key path", async function () {
    const { config } = workspace("ftp://nowhere");
    const result = await cli(["status", "--config", config]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include("chain.rpcUrl");
  });

  it("status lists proposals from the store, as text and as JSON, without a chain", async function () {
    const ws = workspace();
    const store = SqliteStore.open({ path: ws.store });
    await store.insertProposal({
      id: keccak256(toHex("cli")),
      chainId: 31337,
      gate: GATE,
      vault: VAULT,
      calls: [{ target: GATE, data: "0x" }],
      nonce: 2n,
      deadline: 99n,
      provenance: keccak256("0x01"),
      planJson: "{}",
      snapshotJson: "{}",
      proposer: "op-cli",
      status: "proposed",
    });
    await store.close();
    const text = await cli(["status", "--config", ws.config]);
    expect(text.code).to.equal(0);
    expect(text.stdout)
      .to.include("proposed 1")
      .and.include(keccak256(toHex("cli")));
    const json = await cli(["status", "--config", ws.config, "--json"]);
    const parsed = JSON.parse(json.stdout) as {
      proposals: { id: string; nonce: string }[];
      proposalCounts: Record<string, number>;
    };
    expect(parsed.proposals[0]).to.include({ id: keccak256(toHex("cli")), nonce: "2" });
    expect(parsed.proposalCounts.proposed).to.equal(1);
  });

  it("calibration reports each estimator's Brier and log-loss against the market from the store", async function () {
    const ws = workspace();
    const empty = await cli(["calibration", "--config", ws.config]);
    expect(empty.code).to.equal(0);
    expect(empty.stdout).to.include("no estimates stored yet");
    const store = SqliteStore.open({ path: ws.store });
    const base = { venue: "kalshi", marketId: "KXFED", stdError: 0.02, inputsJson: "{}", estimatedAt: 1 };
    await store.recordEstimate({
      ...base,
      estimator: "cross-venue",
      tokenId: "KXFED:yes",
      p: 0.8,
      marketPrice: 0.6,
    });
    await store.resolveEstimates("kalshi", "KXFED:yes", 1, 2);
    await store.close();
    const text = await cli(["calibration", "--config", ws.config]);
    expect(text.code).to.equal(0);
    // Brier (0.2)² = 0.04 vs the market's (0.4)² = 0.16.
    expect(text.stdout).to.include("cross-venue: 1 (0) | 0.0400 vs 0.1600");
    const json = JSON.parse((await cli(["calibration", "--config", ws.config, "--json"])).stdout) as {
      estimators: { estimator: string; resolved: number }[];
    };
    expect(json.estimators).to.deep.include({
      estimator: "cross-venue",
      resolved: 1,
      open: 0,
      brierEstimate: (0.8 - 1) ** 2,
      brierMarket: (0.6 - 1) ** 2,
      logLossEstimate: -Math.log(0.8),
      logLossMarket: -Math.log(0.6),
    });
  });

  it("replay says what is not wired (exit 1) and runs the wired function otherwise", async function () {
    const ws = workspace();
    const missing = await cli(["replay", "--data-dir", "../shared/data", "--out-dir", ws.dir]);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("runReplay from keeper/backtest");
    const calls: unknown[] = [];
    const wired = await cli(["replay", "--data-dir", "data", "--dry-run", "--json"], {
      components: {
        runReplay: async (options) => {
          calls.push(options);
          return { cycles: 3 };
        },
      },
    });
    expect(wired.code).to.equal(0);
    expect(calls).to.have.length(1);
    const out = JSON.parse(wired.stdout) as { outDir: string; result: unknown };
    expect(out.result).to.deep.equal({ cycles: 3 });
    expect(out.outDir).to.include("keeper-replay-", "dry run writes to a temporary directory");
    expect((await cli(["replay", "--config", ws.config, "--data-dir", "d", "--out-dir", "o"])).code).to.equal(
      2,
      "replay is offline and takes no config",
    );
  });

  it("exits 1 with the reason when the RPC serves another chain or a command fails at runtime", async function () {
    const bridge = await rpcBridge(connection.provider);
    try {
      const wrongChain = workspace(bridge.url, 1);
      const mismatch = await cli(["status", "--config", wrongChain.config, "--proposal", keccak256("0x01")]);
      expect(mismatch.code).to.equal(1);
      expect(mismatch.stderr).to.include("serves chain 31337, config says chain.chainId 1");
      const ws = workspace(bridge.url);
      const notFound = await cli(["sign", "--config", ws.config, "--proposal", keccak256("0x01")]);
      expect(notFound.code).to.equal(1);
      expect(notFound.stderr).to.include("not found in the store");
      const noKey = await cli(["sign", "--config", ws.config, "--proposal", keccak256("0x01")], {
        env: { KEEPER_PRIVATE_KEY: "" },
      });
      expect(noKey.code).to.equal(1);
      expect(noKey.stderr).to.include("no signer configured");
    } finally {
      await bridge.close();
    }
  });

  it("run --dry-run serves /health and /status, runs the monitors, and stops cleanly on SIGTERM", async function () {
    const bridge = await rpcBridge(connection.provider);
    const ws = workspace(bridge.url);
    const depegged = {
      read: async () => ({
        nav: [],
        oracles: [],
        stablecoins: [{ token: "USR", peg: 10n ** 18n, venues: [{ venue: "a", price: 61n * 10n ** 16n }] }],
      }),
    };
    const pauses: string[] = [];
    const running = startCli(["run", "--config", ws.config, "--dry-run"], {
      components: { readings: depegged, guardian: { pause: async (subject) => void pauses.push(subject) } },
    });
    try {
      let port: number | undefined;
      for (let i = 0; i < 500 && port === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10));
        const line = running.logs.find((l) => l.includes('"keeper running"'));
        if (line) port = Number((JSON.parse(line) as { http: string }).http.split(":")[1]);
      }
      expect(port, "the keeper announced its HTTP port").to.be.a("number");
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).to.equal(200);
      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as Record<
        string,
        unknown
      >;
      expect(status).to.include({ operator: "op-cli", dryRun: true, address: operator.address });
      expect(status.disabled).to.have.length(2);
      let text = "";
      for (
        let i = 0;
        i < 200 && !text.includes('keeper_alerts_total{kind="depeg",severity="critical"}');
        i++
      ) {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(text).to.include('keeper_alerts_total{kind="depeg",severity="critical"} 1');
      expect(text).to.include('keeper_cycles_total{task="monitor",outcome="ok"}');
      expect(pauses).to.deep.equal([], "dry run never pulls the guardian lever");
      process.emit("SIGTERM", "SIGTERM");
      const result = await running.done;
      expect(result.code).to.equal(0);
      expect(result.logs.some((l) => l.includes("scheduler stopped"))).to.equal(true);
    } finally {
      await bridge.close();
    }
  });

  it("`npm run keeper -- --help` works as a real process", async function () {
    const { stdout } = await promisify(execFile)("npx", ["tsx", "keeper/cli.ts", "sign", "--help"], {
      cwd: process.cwd(),
    });
    expect(stdout).to.include("usage: keeper sign");
  });
});
