import { expect } from "chai";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "../../../keeper/log/logger.js";
import { WebhookAlertSink, type Alert } from "../../../keeper/ops/alerts.js";
import { installGracefulShutdown, Scheduler } from "../../../keeper/ops/scheduler.js";
import { SqliteStore } from "../../../keeper/store/sqlite.js";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function webhook(answer: (body: unknown) => number | "hang") {
  const received: unknown[] = [];
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as unknown;
    received.push(body);
    const status = answer(body);
    if (status === "hang") return;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const depeg: Alert = {
  kind: "depeg",
  severity: "critical",
  subject: "USR",
  message: "USR 39% off peg",
  details: { price: "0.61", password: "do-not-send" },
};

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("keeper/ops: webhook alerts", function () {
  it("posts JSON with operator and time, redacts details, and de-duplicates within the cooldown", async function () {
    const hook = await webhook(() => 200);
    let now = 1_000_000;
    const sink = new WebhookAlertSink({
      url: hook.url,
      timeoutMs: 1_000,
      cooldownMs: 60_000,
      operatorId: "op-1",
      now: () => now,
    });
    await sink.send(depeg);
    await sink.send(depeg);
    now += 60_000;
    await sink.send(depeg);
    await sink.send({ ...depeg, severity: "warn" });
    await hook.close();
    expect(hook.received).to.have.length(3);
    expect(hook.received[0]).to.deep.include({
      operator: "op-1",
      kind: "depeg",
      subject: "USR",
      severity: "critical",
    });
    expect((hook.received[0] as { details: unknown }).details).to.deep.equal({
      price: "0.61",
      password: "[REDACTED]",
    });
    expect(sink.counters).to.deep.equal({ sent: 3, failed: 0, suppressed: 1 });
  });

  it("never throws on HTTP errors, timeouts or a dead endpoint, and logs the failure", async function () {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l) });
    const failing = await webhook(() => 500);
    const hanging = await webhook(() => "hang");
    for (const url of [failing.url, hanging.url, "http://127.0.0.1:1/none"]) {
      const sink = new WebhookAlertSink({
        url,
        timeoutMs: 100,
        cooldownMs: 60_000,
        operatorId: "op",
        logger,
      });
      await sink.send(depeg);
      await sink.send(depeg);
      expect(sink.counters).to.deep.equal(
        { sent: 0, failed: 2, suppressed: 0 },
        "a failed alert is retried next time",
      );
    }
    await failing.close();
    await hanging.close();
    expect(lines.filter((l) => l.includes("alert delivery failed"))).to.have.length(6);
  });
});

describe("keeper/ops: scheduler", function () {
  it("runs tasks of one lane on cadence without overlap; a failing step is alerted and the loop goes on", async function () {
    const hook = await webhook(() => 200);
    const alerts = new WebhookAlertSink({ url: hook.url, timeoutMs: 1_000, cooldownMs: 0, operatorId: "op" });
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    let failures = 0;
    const task = (name: string, fail: boolean) => ({
      name,
      everyMs: 5,
      lane: "chain",
      async run() {
        active++;
        maxActive = Math.max(maxActive, active);
        order.push(name);
        await wait(2);
        active--;
        if (fail && failures++ < 2) throw new Error(`${name} broke`);
      },
    });
    const scheduler = new Scheduler({ tasks: [task("settle", false), task("strategy", true)], alerts });
    const loop = scheduler.start();
    while (scheduler.stats.get("strategy")!.runs < 4) await wait(5);
    await scheduler.stop();
    await loop;
    await hook.close();
    expect(maxActive).to.equal(1);
    expect(scheduler.stats.get("strategy")).to.include({ failures: 2 });
    expect(scheduler.stats.get("settle")!.runs).to.be.greaterThan(2);
    expect(hook.received.filter((a) => (a as Alert).kind === "task-failed")).to.have.length(2);
  });

  it("on SIGTERM finishes the running step, then closes the store", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    let release!: () => void;
    let finished = false;
    let started = false;
    const scheduler = new Scheduler({
      store,
      tasks: [
        {
          name: "settle",
          everyMs: 1_000,
          async run(signal) {
            started = true;
            await new Promise<void>((r) => (release = r));
            expect(signal.aborted).to.equal(true, "the step sees that shutdown was requested");
            finished = true;
          },
        },
      ],
    });
    let closedAfterStep: boolean | undefined;
    const uninstall = installGracefulShutdown(scheduler, async () => {
      closedAfterStep = finished;
      await store.close();
    });
    const loop = scheduler.start();
    while (!started) await wait(1);
    process.emit("SIGTERM", "SIGTERM");
    await wait(10);
    expect(closedAfterStep).to.equal(undefined, "not closed while the step runs");
    release();
    await loop;
    while (closedAfterStep === undefined) await wait(1);
    uninstall();
    expect(closedAfterStep).to.equal(true);
    let closed = false;
    try {
      await store.getState("x");
    } catch {
      closed = true;
    }
    expect(closed).to.equal(true);
  });

  it("with no tasks, idles until stopped instead of spinning", async function () {
    const scheduler = new Scheduler({ tasks: [] });
    const loop = scheduler.start();
    await wait(20);
    await scheduler.stop();
    await loop;
    expect(scheduler.stopping).to.equal(true);
  });

  it("keeps the cadence across a restart through the store", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    let now = 10_000;
    let runs = 0;
    const tasks = [{ name: "settle", everyMs: 1_000, run: async () => void runs++ }];
    const first = new Scheduler({ store, tasks, now: () => now });
    const loop = first.start();
    while (runs < 1) await wait(1);
    await first.stop();
    await loop;
    expect(await store.getState("scheduler:lastRun:settle")).to.equal("10000");
    now = 10_500;
    const second = new Scheduler({ store, tasks, now: () => now });
    const loop2 = second.start();
    await wait(20);
    expect(runs).to.equal(1, "not due yet after restart");
    now = 11_000;
    await second.stop();
    await loop2;
  });

  it("a step stuck in one lane never stops another; health names it; stop is bounded", async function () {
    const lines: string[] = [];
    let monitorRuns = 0;
    const scheduler = new Scheduler({
      logger: createLogger({ write: (l) => lines.push(l) }),
      stopTimeoutMs: 100,
      tasks: [
        { name: "multisig", everyMs: 5, budgetMs: 50, run: () => new Promise<void>(() => {}) },
        { name: "monitor", everyMs: 5, budgetMs: 50, run: async () => void monitorRuns++ },
      ],
    });
    const loop = scheduler.start();
    await wait(120);
    expect(monitorRuns).to.be.greaterThan(5, "the monitor kept running beside the stuck step");
    const problems = scheduler.problems();
    expect(problems.map((p) => p.task)).to.deep.equal(["multisig"]);
    expect(problems[0]!.problem).to.match(/step running for \d+ s, budget 0 s/);
    const started = performance.now();
    await scheduler.stop("test");
    await loop;
    expect(performance.now() - started).to.be.below(1_000);
    expect(lines.some((l) => l.includes("abandoned") && l.includes("multisig"))).to.equal(true);
  });

  it("cadence is monotonic: a wall clock stepped back or forward a day changes nothing", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    let wall = Date.now();
    let runs = 0;
    const scheduler = new Scheduler({
      store,
      now: () => wall,
      tasks: [{ name: "monitor", everyMs: 5, run: async () => void runs++ }],
    });
    const loop = scheduler.start();
    while (runs < 3) await wait(2);
    wall -= 86_400_000;
    const before = runs;
    await wait(60);
    expect(runs).to.be.greaterThan(before + 3, "still running after the clock went back a day");
    wall += 2 * 86_400_000;
    const ahead = runs;
    await wait(60);
    expect(runs).to.be.greaterThan(ahead + 3, "still running after the clock went forward a day");
    await scheduler.stop();
    await loop;
    expect(Number(await store.getState("scheduler:lastRun:monitor"))).to.be.greaterThan(Date.now());
  });

  it("distrusts a run time from the future in the store: repairs it with a warning and runs", async function () {
    const store = SqliteStore.open({ path: ":memory:" });
    const tomorrow = Date.now() + 86_400_000;
    await store.setState("scheduler:lastRun:settle", String(tomorrow));
    const lines: string[] = [];
    let runs = 0;
    const scheduler = new Scheduler({
      store,
      logger: createLogger({ write: (l) => lines.push(l) }),
      tasks: [{ name: "settle", everyMs: 3_600_000, run: async () => void runs++ }],
    });
    const loop = scheduler.start();
    const until = Date.now() + 2_000;
    while (runs < 1 && Date.now() < until) await wait(2);
    await scheduler.stop();
    await loop;
    expect(runs).to.equal(1, "ran at once instead of waiting a day");
    expect(lines.some((l) => l.includes("in the future; distrusted and repaired"))).to.equal(true);
    expect(Number(await store.getState("scheduler:lastRun:settle"))).to.be.below(Date.now() + 1);
  });

  it("rate-limits identical failures in the log and names the repeat count", async function () {
    const lines: string[] = [];
    let runs = 0;
    const scheduler = new Scheduler({
      logger: createLogger({ write: (l) => lines.push(l) }),
      repeatWindowMs: 60_000,
      tasks: [
        {
          name: "settle",
          everyMs: 1,
          run: async () => {
            runs++;
            throw new Error("database or disk is full");
          },
        },
      ],
    });
    const loop = scheduler.start();
    while (runs < 50) await wait(1);
    await scheduler.stop();
    await loop;
    expect(lines.filter((l) => l.includes("task step failed"))).to.have.length(1);
    expect(scheduler.problems()[0]!.problem).to.include("failed steps in a row");
  });
});
