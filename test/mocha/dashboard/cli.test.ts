import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { exited } from "../helpers/keeperProcess.js";

/**
 * `npm run dashboard` on bad input, as processes (`node --import tsx dashboard/server/main.ts`,
 * what the npm script runs after building the page): an unknown addresses file and a wrong chain
 * exit 1 with the problem; a chain that does not answer and a missing keeper store are named while
 * it serves (the page says the same). Each sends nothing: a JSON-RPC server records every method.
 */

const ADDRESSES = {
  chainId: 31337,
  vault: "0x36b58F5C1969B7b6591D752ea6F5486D069010AB",
  asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  gate: "0x8198f5d8F8CfFE8f9C413d98a0A55aEB8ab9FbB7",
  connectors: { aave: "0x0355B7B8cb128fA5692729Ab3AAa199C1753f726" },
};

/** A JSON-RPC endpoint that serves chain 1 and records the methods it was asked. */
async function chainOne(): Promise<{ server: Server; url: string; methods: string[] }> {
  const methods: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const calls = [JSON.parse(body) as { id: number; method: string }].flat();
      methods.push(...calls.map((c) => c.method));
      const answers = calls.map((c) => ({
        jsonrpc: "2.0",
        id: c.id,
        ...(c.method === "eth_chainId" ? { result: "0x1" } : { error: { code: -32601, message: "no" } }),
      }));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(Array.isArray(JSON.parse(body)) ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
}

function dashboard(args: readonly string[]) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "dashboard/server/main.ts", "--port", "0", ...args],
    {
      cwd: process.cwd(),
      env: { ...process.env, DASHBOARD_KEEPER_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (c: Buffer) => (out.stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (out.stderr += c.toString("utf8")));
  return { child, out };
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("dashboard CLI (npm run dashboard) on bad input, as processes", function () {
  this.timeout(60_000);

  it("unknown addresses file and wrong chain exit 1 naming the problem; RPC down and a missing store are named while it serves; nothing is sent", async function () {
    const dir = mkdtempSync(path.join(tmpdir(), "dashboard-cli-"));
    const addresses = path.join(dir, "addresses.json");
    writeFileSync(addresses, JSON.stringify(ADDRESSES));
    const missingStore = path.join(dir, "missing", "keeper.sqlite");
    const rpc = await chainOne();
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
    const downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    try {
      const missing = dashboard(["--rpc", rpc.url, "--addresses", path.join(dir, "missing.json")]);
      const wrongChain = dashboard(["--rpc", rpc.url, "--addresses", addresses]);
      const serving = dashboard(["--rpc", downUrl, "--addresses", addresses, "--store", missingStore]);
      const [missingCode, wrongCode] = await Promise.all([exited(missing.child), exited(wrongChain.child)]);

      expect(missingCode).to.equal(1);
      expect(missing.out.stderr).to.match(/error: addresses file .*missing\.json does not exist/);
      expect(missing.out.stdout).to.not.include("Dashboard at");
      expect(wrongCode).to.equal(1);
      expect(wrongChain.out.stderr).to.include(
        `error: wrong chain: the RPC ${rpc.url} serves chain 1, the addresses file is for chain 31337`,
      );
      // the only question the chain was asked: which chain it is (once, by the wrong-chain process)
      expect(rpc.methods).to.deep.equal(["eth_chainId"]);

      try {
        await until("the serving dashboard's URL", () => /Dashboard at (\S+)/.test(serving.out.stdout));
        expect(serving.out.stderr).to.include(`waiting: the RPC ${downUrl} does not answer`);
        expect(serving.out.stderr).to.include(
          `keeper store: the keeper store ${missingStore} does not exist`,
        );
        const url = /Dashboard at (\S+)/.exec(serving.out.stdout)![1]!;
        const config = (await (await fetch(`${url}api/config`)).json()) as {
          ok: boolean;
          problem: string;
          store: { ok: boolean; problem: string };
        };
        expect(config.ok).to.equal(false);
        expect(config.problem).to.include("does not answer");
        expect(config.store).to.deep.equal({
          ok: false,
          problem: `the keeper store ${missingStore} does not exist`,
        });
        const proposals = await fetch(`${url}api/proposals`);
        expect(proposals.status).to.equal(503);
        expect(existsSync(missingStore)).to.equal(false);
      } finally {
        serving.child.kill("SIGTERM");
        expect(await exited(serving.child)).to.equal(0);
      }
    } finally {
      await new Promise<void>((resolve) => rpc.server.close(() => resolve()));
    }
  });
});
