import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import { type Hex, encodeFunctionData, toHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { projectArtifact } from "../../../deploy/lib/artifacts.js";
import { type DemoSession, startDemo } from "../../../scripts/demo/run.js";
import { depositorMain } from "../../../scripts/depositor.js";
import { operatorMain } from "../../../scripts/operator.js";
import { strategistMain } from "../../../scripts/strategist.js";

// Attack classes covered (../shared/research/attack-classes.md): AC20 (a hand-made batch still needs
// 2-of-3 operator signatures), AC16 (the guardian's pause stops new requests).

const MNEMONIC = "test test test test test test test test test test test junk";
const keyOf = (index: number): Hex =>
  toHex(mnemonicToAccount(MNEMONIC, { addressIndex: index }).getHdKey().privateKey!);

type Main = (
  argv: readonly string[],
  io: { stdout: (t: string) => void; stderr: (t: string) => void; env: NodeJS.ProcessEnv },
) => Promise<number>;
async function run(main: Main, argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("depositor, strategist and operator scripts", function () {
  it("print --help and exit 2 naming the bad argument, before touching the network", async function () {
    for (const main of [depositorMain, strategistMain, operatorMain] as Main[]) {
      const help = await run(main, ["--help"]);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.match(/^usage:/);
      expect((await run(main, [])).code).to.equal(2);
      const unknown = await run(main, ["frobnicate"]);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.include("unknown command 'frobnicate'");
      expect((await run(main, ["--bogus"])).stderr).to.include("--bogus");
    }
    const cases: [Main, string[], string][] = [
      [depositorMain, ["request-deposit"], "request-deposit needs --amount"],
      [
        depositorMain,
        ["request-deposit", "--amount", "1.0000001"],
        "--amount must be a positive decimal with at most 6 decimals",
      ],
      [depositorMain, ["request-deposit", "--amount", "0"], "--amount must be greater than zero"],
      [depositorMain, ["request-redeem", "--shares", "5", "--all"], "either --shares or --all"],
      [depositorMain, ["request-redeem", "--shares", "-5"], "--shares"],
      [depositorMain, ["cancel", "--request", "withdraw"], "--request must be 'deposit' or 'redeem'"],
      [depositorMain, ["position", "--rpc", "ftp://x"], "--rpc must be an http(s) URL"],
      [
        depositorMain,
        ["position", "--addresses", "/nonexistent.json"],
        "--addresses /nonexistent.json: cannot read it",
      ],
      [strategistMain, ["propose"], "exactly one of --calls <file> or --policy <file>"],
      [strategistMain, ["propose", "--calls", "a", "--policy", "b"], "exactly one of"],
      [strategistMain, ["propose", "--policy", "/nonexistent.json"], "cannot read /nonexistent.json"],
      [
        strategistMain,
        ["propose", "--calls", "x.json", "--threshold", "zero"],
        "--threshold must be an integer from 1 to 99",
      ],
      [operatorMain, ["sign"], "sign needs --proposal"],
      [operatorMain, ["submit", "--proposal", "0x12"], "--proposal must be a 32-byte hex id"],
      [operatorMain, ["pause", "--what", "everything"], "--what must be deposits, redeems or both"],
    ];
    for (const [main, argv, message] of cases) {
      const result = await run(main, argv);
      expect(result.code, argv.join(" ")).to.equal(2);
      expect(result.stderr, argv.join(" ")).to.include(message);
    }
    const policy = await run(strategistMain, [
      "propose",
      "--policy",
      "keeper/strategy/policies/example.policy.json",
      "--offline",
    ]);
    expect(policy.code).to.equal(0);
    expect(policy.stdout).to.include("rule usdc-depeg-market");
  });

  describe("against the local stack", function () {
    let session: DemoSession;
    let dir: string;
    let common: string[];
    before(async function () {
      dir = await mkdtemp(path.join(tmpdir(), "scripts-e2e-"));
      const addressesFile = path.join(dir, "addresses.json");
      session = await startDemo({
        port: 0,
        statusPort: null,
        addressesFile,
        log: () => undefined,
        polymarket: false,
      });
      common = ["--rpc", session.rpcUrl, "--addresses", addressesFile];
    });
    after(async function () {
      await session.close();
    });

    it("[AC20 signed batches] deposit request -> strategist proposes settle -> 2 operators sign -> submit -> claim; guardian pause stops requests", async function () {
      const depositor = { DEPOSITOR_PRIVATE_KEY: keyOf(10) };
      const dry = await run(
        depositorMain,
        ["request-deposit", "--amount", "1500", "--dry-run", ...common],
        depositor,
      );
      expect(dry.code, dry.stderr).to.equal(0);
      const request = await run(depositorMain, ["request-deposit", "--amount", "1500", ...common], depositor);
      expect(request.code, request.stderr).to.equal(0);
      expect((await run(depositorMain, ["position", ...common], depositor)).stdout).to.match(
        /pending deposit\s+1,500 USDC/,
      );

      const store = ["--store", path.join(dir, "keeper.sqlite")];
      const callsFile = path.join(dir, "settle.json");
      const vault = session.local.stack.vault;
      const settle = encodeFunctionData({
        abi: projectArtifact("AccountingManager").abi,
        functionName: "settle",
      });
      await writeFile(
        callsFile,
        JSON.stringify({ calls: [{ target: vault, data: settle }], note: "settle the queue" }),
      );
      const proposed = await run(strategistMain, ["propose", "--calls", callsFile, ...store, ...common]);
      expect(proposed.code, proposed.stderr).to.equal(0);
      const id = /proposal (0x[0-9a-f]{64})/.exec(proposed.stdout)![1]!;
      for (const [index, name] of [
        [4, "op-a"],
        [5, "op-b"],
      ] as const) {
        const signed = await run(
          operatorMain,
          ["sign", "--proposal", id, "--operator-id", name, ...store, ...common],
          {
            KEEPER_PRIVATE_KEY: keyOf(index),
          },
        );
        expect(signed.code, signed.stderr).to.equal(0);
      }
      const submitted = await run(
        operatorMain,
        ["submit", "--proposal", id, "--operator-id", "op-a", ...store, ...common],
        {
          KEEPER_PRIVATE_KEY: keyOf(4),
        },
      );
      expect(submitted.code, submitted.stderr + submitted.stdout).to.equal(0);
      const status = await run(operatorMain, ["status", ...store, ...common], {
        KEEPER_PRIVATE_KEY: keyOf(4),
      });
      expect(status.code, status.stderr).to.equal(0);
      expect(status.stdout).to.include(id.slice(0, 10));

      const claim = await run(depositorMain, ["claim", ...common], depositor);
      expect(claim.code, claim.stderr).to.equal(0);
      expect(claim.stdout).to.include("claimed the shares of a 1,500 USDC deposit");
      expect((await run(depositorMain, ["position", ...common], depositor)).stdout).to.match(
        /shares\s+1,500 shares\n/,
      );

      const guardian = { GUARDIAN_PRIVATE_KEY: keyOf(7) };
      expect(
        (await run(operatorMain, ["pause", "--what", "deposits", "--dry-run", ...common], guardian)).code,
      ).to.equal(0);
      const notGuardian = await run(operatorMain, ["pause", "--what", "deposits", ...common], {
        GUARDIAN_PRIVATE_KEY: keyOf(13),
      });
      expect(notGuardian.code).to.equal(1);
      const paused = await run(operatorMain, ["pause", "--what", "deposits", ...common], guardian);
      expect(paused.code, paused.stderr).to.equal(0);
      const refused = await run(depositorMain, ["request-deposit", "--amount", "10", ...common], depositor);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/Paused|paused/);
    });
  });
});
