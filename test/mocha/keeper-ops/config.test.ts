import { expect } from "chai";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, envNameToPath, loadConfig } from "../../../keeper/config/load.js";
import { REDACTED, redact } from "../../../keeper/log/redact.js";

const GATE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const VAULT = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function minimal() {
  return {
    operator: { id: "op-1" },
    chain: { rpcUrl: "http://127.0.0.1:8545", chainId: 31337 },
    gate: { address: GATE, vault: VAULT, threshold: 1, signers: [SIGNER] },
  };
}

function writeConfig(value: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), "keeper-config-"));
  const file = path.join(dir, "keeper.json");
  writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("keeper/config: JSON file + KEEPER_* env, validated", function () {
  it("loads a minimal file and fills defaults (depeg bands 50/200/500 bps)", function () {
    const config = loadConfig({ file: writeConfig(minimal()), env: {} });
    expect(config.operator.id).to.equal("op-1");
    expect(config.monitors.depeg).to.deep.equal({ watchBps: 50, reduceBps: 200, exitBps: 500 });
    expect(config.http.host).to.equal("127.0.0.1");
    expect(config.gate.signers).to.deep.equal([SIGNER]);
    expect(config.dryRun).to.equal(false);
  });

  it("maps KEEPER_SECTION__FIELD_NAME env vars onto the document and lets them win", function () {
    expect(envNameToPath("KEEPER_CHAIN__RPC_URL")).to.deep.equal(["chain", "rpcUrl"]);
    const config = loadConfig({
      file: writeConfig(minimal()),
      env: {
        KEEPER_CHAIN__RPC_URL: "http://127.0.0.1:9999",
        KEEPER_HTTP__PORT: "0",
        KEEPER_DRY_RUN: "true",
        KEEPER_MONITORS__DEPEG__EXIT_BPS: "800",
        KEEPER_PRIVATE_KEY: "ignored by config, read by keeper/keys",
        PATH: "/bin",
      },
    });
    expect(config.chain.rpcUrl).to.equal("http://127.0.0.1:9999");
    expect(config.http.port).to.equal(0);
    expect(config.dryRun).to.equal(true);
    expect(config.monitors.depeg.exitBps).to.equal(800);
  });

  it("names the key path and the source of every bad value", function () {
    const doc = minimal();
    (doc.chain as Record<string, unknown>).chainId = -1;
    (doc.gate as Record<string, unknown>).address = "0x1234";
    const issues = issuesOf(() =>
      loadConfig({ file: writeConfig(doc), env: { KEEPER_HTTP__PORT: "70000", KEEPER_HTTP__PROT: "1" } }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath["chain.chainId"]!.source).to.match(/^file /);
    expect(byPath["gate.address"]!.message).to.include("20-byte hex address");
    expect(byPath["http.port"]!.source).to.equal("env KEEPER_HTTP__PORT");
    expect(byPath["http.prot"]!).to.include({ message: "unknown key", source: "env KEEPER_HTTP__PROT" });
  });

  it("reports missing required sections and bad depeg band ordering", function () {
    const issues = issuesOf(() =>
      loadConfig({
        env: { KEEPER_OPERATOR__ID: "x", KEEPER_MONITORS__DEPEG__WATCH_BPS: "300" },
      }),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).to.include.members(["chain", "gate", "monitors.depeg"]);
    expect(issues.find((i) => i.path === "chain")!.source).to.equal("missing");
  });

  it("checks the gate's threshold against its signer set", function () {
    const doc = minimal();
    doc.gate.threshold = 2;
    const issues = issuesOf(() => loadConfig({ file: writeConfig(doc), env: {} }));
    expect(issues.find((i) => i.path === "gate.threshold")!.message).to.include("cannot exceed");
    const repeated = { ...minimal(), gate: { ...minimal().gate, signers: [SIGNER, SIGNER.toLowerCase()] } };
    expect(
      issuesOf(() => loadConfig({ file: writeConfig(repeated), env: {} })).map((i) => i.path),
    ).to.include("gate.signers");
  });

  it("refuses secrets in the config file and names where they are", function () {
    const doc = { ...minimal(), signer: { privateKey: "0x01" }, extra: { note: `0x${"1f".repeat(32)}` } };
    const issues = issuesOf(() => loadConfig({ file: writeConfig(doc), env: {} }));
    expect(issues.find((i) => i.path === "signer.privateKey")!.message).to.include(
      "not allowed in the config file",
    );
    expect(issues.find((i) => i.path === "extra.note")!.message).to.include("looks like a private key");
    const message = issuesOf(() => loadConfig({ file: writeConfig(doc), env: {} }))
      .map((i) => i.message)
      .join(" ");
    expect(message).not.to.include("1f1f1f");
  });

  it("reports unreadable files and invalid JSON without throwing anything else", function () {
    expect(issuesOf(() => loadConfig({ file: "/nonexistent/keeper.json", env: {} }))[0]!.message).to.include(
      "cannot read",
    );
    expect(issuesOf(() => loadConfig({ file: writeConfig("{ nope"), env: {} }))[0]!.message).to.include(
      "not valid JSON",
    );
    expect(issuesOf(() => loadConfig({ file: writeConfig("[1]"), env: {} }))[0]!.message).to.equal(
      "must be a JSON object",
    );
  });

  it("applies validated command-line overrides last", function () {
    const config = loadConfig({
      file: writeConfig(minimal()),
      env: { KEEPER_DRY_RUN: "false" },
      overrides: { dryRun: true },
    });
    expect(config.dryRun).to.equal(true);
  });

  it("the per-chain examples load, wait for their chain's confirmations and use a Postgres store", function () {
    const expected = { ethereum: [1, 12], arbitrum: [42161, 40], base: [8453, 10] } as const;
    for (const [name, [chainId, confirmations]] of Object.entries(expected)) {
      const config = loadConfig({ file: `keeper/config/examples/${name}.json`, env: {} });
      expect(config.chain).to.include({ chainId, confirmations });
      expect(config.store.url).to.match(/^postgres:\/\/keeper@/);
      expect(config.store.allowNew).to.equal(false);
    }
  });

  it("the outcome example (npm start's stack, scripts/keeper-config.ts --outcomes) loads; a gate allowlist without the connector is refused", function () {
    const file = "keeper/config/examples/local-outcomes.json";
    const config = loadConfig({ file, env: {} });
    expect(config.outcomes?.clobUrl).to.equal("http://127.0.0.1:8845");
    expect(config.gate.allowedTargets).to.include(config.outcomes!.connector);
    const raw = JSON.parse(readFileSync(file, "utf8"));
    raw.gate.allowedTargets = raw.gate.allowedTargets.filter((t: string) => t !== raw.outcomes.connector);
    const issues = issuesOf(() => loadConfig({ file: writeConfig(raw), env: {} }));
    expect(issues.map((i) => i.path)).to.deep.equal(["gate.allowedTargets"]);
  });

  it("refuses a database password in the file and takes the URL from KEEPER_STORE__URL", function () {
    const file = writeConfig({ ...minimal(), store: { url: "postgres://keeper:hunter2@db:5432/keeper" } });
    const issues = issuesOf(() => loadConfig({ file, env: {} }));
    expect(issues.map((i) => i.path)).to.deep.equal(["store.url"]);
    expect(issues[0]!.message).to.include("KEEPER_STORE__URL");
    const fromEnv = loadConfig({
      file: writeConfig(minimal()),
      env: { KEEPER_STORE__URL: "postgres://keeper:hunter2@db:5432/keeper" },
    });
    expect(fromEnv.store.url).to.equal("postgres://keeper:hunter2@db:5432/keeper");
  });

  it("product: refuses an unknown connector kind, an LP connector without its pool, a swap share without swap routing and a malformed mandate, each by its path", function () {
    const product = (connectors: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      ...minimal(),
      product: { registry: GATE, oracle: GATE, asset: GATE, nativeToken: GATE, connectors, ...extra },
    });
    const unknownKind = issuesOf(() =>
      loadConfig({ file: writeConfig(product({ x: { address: GATE, kind: "compound" } })), env: {} }),
    );
    expect(unknownKind.map((i) => i.path)).to.deep.equal(["product.connectors.x.kind"]);
    expect(unknownKind[0]!.message).to.include("aave, erc4626, uniswapLp, hold");
    const noPool = issuesOf(() =>
      loadConfig({
        file: writeConfig(
          product({
            lp: {
              address: GATE,
              kind: "uniswapLp",
              liquidity: { fee: 500, tickSpacing: 10, halfWidthTicks: 600 },
            },
          }),
        ),
        env: {},
      }),
    );
    expect(noPool.map((i) => i.path)).to.deep.equal(["product.connectors.lp.liquidity.pool"]);
    const noSwaps = issuesOf(() =>
      loadConfig({
        file: writeConfig(
          product({ lp: { address: GATE, kind: "hold", swapShare: { token: VAULT, shareBps: 5_000 } } }),
        ),
        env: {},
      }),
    );
    expect(noSwaps.map((i) => i.path)).to.deep.equal(["product.swaps"]);
    expect(noSwaps[0]!.message).to.include('connector "lp" swaps');
    const noHandler = issuesOf(() =>
      loadConfig({
        file: writeConfig(product({}, { swaps: { quoteUrl: "http://127.0.0.1:1" } })),
        env: {},
      }),
    );
    expect(noHandler.map((i) => i.path)).to.deep.equal(["product.swaps.handler"]);
    const badMandate = issuesOf(() =>
      loadConfig({
        file: writeConfig(
          product(
            {},
            { mandates: [{ id: "0x12", connectors: [GATE], tokens: [GATE], selectors: ["0x1234"] }] },
          ),
        ),
        env: {},
      }),
    );
    expect(badMandate.map((i) => i.path).sort()).to.deep.equal([
      "product.mandates.0.id",
      "product.mandates.0.selectors.0",
    ]);
  });
  it("http.apiToken (the keeper's sign endpoint) comes from the environment only, at least 32 characters, redacted in logs", function () {
    const token = "a".repeat(40);
    const config = loadConfig({ file: writeConfig(minimal()), env: { KEEPER_HTTP__API_TOKEN: token } });
    expect(config.http.apiToken).to.equal(token);
    expect(redact({ http: config.http })).to.deep.equal({
      http: { host: "127.0.0.1", port: 9464, apiToken: REDACTED },
    });
    const inFile = issuesOf(() =>
      loadConfig({ file: writeConfig({ ...minimal(), http: { apiToken: token } }), env: {} }),
    );
    expect(inFile.map((i) => i.path)).to.deep.equal(["http.apiToken"]);
    expect(inFile[0]!.message).to.include("environment");
    const short = issuesOf(() =>
      loadConfig({ file: writeConfig(minimal()), env: { KEEPER_HTTP__API_TOKEN: "short" } }),
    );
    expect(short.map((i) => i.path)).to.deep.equal(["http.apiToken"]);
    expect(JSON.stringify(short)).to.not.include('short"');
  });
});
