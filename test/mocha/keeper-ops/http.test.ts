import { expect } from "chai";
import { keccak256, toHex } from "viem";
import { createKeeperMetrics } from "../../../keeper/http/keeperMetrics.js";
import { MetricsRegistry } from "../../../keeper/http/metrics.js";
import { createStatusServer, SignRefusedError } from "../../../keeper/http/server.js";
import { createLogger } from "../../../keeper/log/logger.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";

describe("keeper/http: status server and Prometheus metrics", function () {
  it("renders the text exposition format with HELP/TYPE, labels and escaping", async function () {
    const registry = new MetricsRegistry();
    const c = registry.counter("x_total", "Things.\nSecond line", ["kind"]);
    c.inc({ kind: 'a"b\\c\nd' });
    c.inc({ kind: 'a"b\\c\nd' }, 2);
    registry.gauge("y", "A gauge.").set(Number.NaN);
    const text = await registry.render();
    expect(text).to.equal(
      [
        "# HELP x_total Things.\\nSecond line",
        "# TYPE x_total counter",
        'x_total{kind="a\\"b\\\\c\\nd"} 3',
        "# HELP y A gauge.",
        "# TYPE y gauge",
        "y NaN",
        "",
      ].join("\n"),
    );
    expect(() => c.inc({ other: "x" })).to.throw("takes labels [kind]");
    expect(() => c.inc({ kind: "a" }, -1)).to.throw("only increase");
    expect(() => registry.counter("x_total", "again")).to.throw("registered twice");
    expect(() => registry.gauge("bad-name", "")).to.throw("invalid metric name");
  });

  it("serves /health, /status and /metrics on 127.0.0.1 (port 0) with live store counts", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const metrics = createKeeperMetrics(store);
    metrics.cycles.inc({ task: "strategy", outcome: "ok" });
    metrics.lastNav.set(1.0042, { vault: "0xabc" });
    let healthy = true;
    const server = createStatusServer({
      metrics: metrics.registry,
      health: async () => ({ ok: healthy, checks: { rpc: healthy } }),
      status: async () => ({ operator: "op-1", privateKey: "0xdeadbeef" }),
    });
    const { port, address } = await server.listen(0, "127.0.0.1");
    expect(address).to.equal("127.0.0.1");
    const base = `http://127.0.0.1:${port}`;
    try {
      const health = await fetch(`${base}/health`);
      expect(health.status).to.equal(200);
      expect(await health.json()).to.deep.equal({ status: "ok", reasons: [], checks: { rpc: true } });
      healthy = false;
      expect((await fetch(`${base}/health`)).status).to.equal(503);

      const status = await fetch(`${base}/status`);
      expect(status.headers.get("content-type")).to.include("application/json");
      expect(await status.json()).to.deep.equal({ operator: "op-1", privateKey: "[REDACTED]" });

      await store.insertProposal({
        id: keccak256(toHex("p")),
        chainId: 1,
        gate: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        vault: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        calls: [],
        nonce: 0n,
        deadline: 1n,
        provenance: keccak256("0x01"),
        planJson: "{}",
        snapshotJson: "{}",
        proposer: "op-1",
        status: "signed",
      });
      const scrape = await fetch(`${base}/metrics`);
      expect(scrape.headers.get("content-type")).to.include("text/plain; version=0.0.4");
      const text = await scrape.text();
      expect(text).to.include('keeper_cycles_total{task="strategy",outcome="ok"} 1');
      expect(text).to.include('keeper_proposals{status="signed"} 1');
      expect(text).to.include('keeper_proposals{status="executed"} 0');
      expect(text).to.include('keeper_last_nav_price_per_share{vault="0xabc"} 1.0042');
      expect(text).to.include("keeper_up 1");
      expect(text).to.match(/# TYPE keeper_sends gauge/);
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
      expect(gauge("process_resident_memory_bytes")).to.be.above(10 * 1024 * 1024);
      expect(gauge("nodejs_heap_used_bytes")).to.be.above(1024 * 1024);

      expect((await fetch(`${base}/nope`)).status).to.equal(404);
      expect((await fetch(`${base}/status`, { method: "POST" })).status).to.equal(405);
    } finally {
      await server.close();
      await store.close();
    }
  });

  it("answers 500 when a handler throws and keeps serving", async function () {
    const server = createStatusServer({
      metrics: new MetricsRegistry(),
      health: async () => ({ ok: true, checks: {} }),
      status: async () => {
        throw new Error("store unavailable");
      },
    });
    const { port } = await server.listen(0, "127.0.0.1");
    try {
      expect((await fetch(`http://127.0.0.1:${port}/status`)).status).to.equal(500);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
    } finally {
      await server.close();
    }
  });
  it("POST /proposals/<id>/sign: refused without or with a wrong bearer token (never calling the keeper), signs with the right one, never logs the token", async function () {
    const token = "t0ken-".repeat(8);
    const signed: string[] = [];
    const lines: string[] = [];
    const id = keccak256(toHex("proposal"));
    const refusedId = keccak256(toHex("refused"));
    const server = createStatusServer({
      metrics: new MetricsRegistry(),
      health: async () => ({ ok: true, checks: {} }),
      status: async () => ({}),
      logger: createLogger({ level: "debug", write: (line) => lines.push(line) }),
      sign: {
        token,
        sign: async (proposalId) => {
          if (proposalId === refusedId) throw new SignRefusedError("simulation failed: reverts");
          signed.push(proposalId);
          return { signer: "0x1", signatures: 1, threshold: 2 };
        },
      },
    });
    const { port } = await server.listen(0, "127.0.0.1");
    const url = (p: string) => `http://127.0.0.1:${port}/proposals/${p}/sign`;
    const post = (p: string, authorization?: string) =>
      fetch(url(p), { method: "POST", headers: authorization ? { authorization } : {} });
    try {
      const missing = await post(id);
      expect(missing.status).to.equal(401);
      expect(missing.headers.get("www-authenticate")).to.match(/^Bearer/);
      expect((await post(id, `Bearer ${token.slice(0, -1)}x`)).status).to.equal(401);
      expect((await post(id, `Bearer ${token}${token}`)).status).to.equal(401);
      expect((await post(id, "Bearer ")).status).to.equal(401);
      expect((await post(id, token)).status).to.equal(401);
      expect(signed).to.deep.equal([]);
      expect((await fetch(url(id), { headers: { authorization: `Bearer ${token}` } })).status).to.equal(405);
      expect((await post("0x12", `Bearer ${token}`)).status).to.equal(400);
      const refused = await post(refusedId, `Bearer ${token}`);
      expect(refused.status).to.equal(409);
      expect(await refused.json()).to.deep.equal({ error: "simulation failed: reverts" });
      const ok = await post(id, `Bearer ${token}`);
      expect(ok.status).to.equal(200);
      expect(await ok.json()).to.deep.equal({ signer: "0x1", signatures: 1, threshold: 2 });
      expect(signed).to.deep.equal([id]);
      expect(lines.some((l) => l.includes("bearer token"))).to.equal(true);
      expect(lines.join("\n")).to.not.include(token);
    } finally {
      await server.close();
    }
    const readOnly = createStatusServer({
      metrics: new MetricsRegistry(),
      health: async () => ({ ok: true, checks: {} }),
      status: async () => ({}),
    });
    const bound = await readOnly.listen(0, "127.0.0.1");
    try {
      const off = await fetch(`http://127.0.0.1:${bound.port}/proposals/${id}/sign`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(off.status).to.equal(404);
      expect(((await off.json()) as { error: string }).error).to.include("KEEPER_HTTP__API_TOKEN");
    } finally {
      await readOnly.close();
    }
  });
});
