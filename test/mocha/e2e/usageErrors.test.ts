import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";

// A bad command line, as an operator meets it: the keeper CLI and the scripts are started as
// processes (node with tsx's loader, as `npm run keeper` and `npx tsx scripts/…` run them); each
// exits 2 with a message naming the argument, before reading a file, touching the network or
// writing anything. The parsing and validation are one module (keeper/cli/usage.ts).

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      {
        env: { ...process.env, KEEPER_PRIVATE_KEY: "", KEEPER_KEYSTORE_PASSWORD: "", ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe("bad command lines exit 2 with the argument named (keeper CLI and scripts as processes)", function () {
  it("the keeper CLI, keeper-config, depositor, start and keeper-keystore refuse bad input and write nothing", async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(tmpdir(), "usage-errors-"));
    const out = path.join(dir, "keeper.json");
    const keystore = path.join(dir, "key.json");
    const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
      [
        "keeper/cli.ts",
        ["sign", "--proposal", "0x12"],
        {},
        /--proposal must be a 32-byte hex id \(0x \+ 64 hex digits\), got '0x12'/,
      ],
      [
        "scripts/keeper-config.ts",
        ["--out", out, "--port", "70000"],
        {},
        /--port must be an integer from 0 to 65535, got '70000'/,
      ],
      [
        "scripts/keeper-config.ts",
        ["--out", out, "--polymarket", "a-market", "--signals", "recorded.json"],
        {},
        /--signals \(recorded\) and --polymarket \(live\) exclude each other/,
      ],
      [
        "scripts/depositor.ts",
        ["position", "--account", "0x1234"],
        {},
        /--account must be a 20-byte hex address/,
      ],
      ["scripts/start.ts", ["--port", "99999"], {}, /--port must be an integer from 0 to 65535, got '99999'/],
      [
        "scripts/keeper-keystore.ts",
        [keystore],
        { KEEPER_KEYSTORE_PASSWORD: "pw", KEEPER_PRIVATE_KEY: "0xnothex" },
        /KEEPER_PRIVATE_KEY must be 0x followed by 64 hex digits \(value not shown\)/,
      ],
    ];
    const results = await Promise.all(cases.map(([script, args, env]) => run(script, args, env)));
    results.forEach((r, i) => {
      const [script, args, , message] = cases[i]!;
      const what = `${script} ${args.join(" ")}\n${r.stderr}`;
      expect(r.code, what).to.equal(2);
      expect(r.stderr, what).to.match(message);
      // the keeper CLI names the command; the scripts print their usage after the message
      expect(r.stderr, what).to.match(script === "keeper/cli.ts" ? /^keeper sign: / : /usage/i);
      expect(r.stdout, what).to.equal("");
    });
    expect(existsSync(out)).to.equal(false);
    expect(existsSync(keystore)).to.equal(false);
    // the secret given on the command line's environment is never echoed
    expect(results.at(-1)!.stderr).to.not.include("0xnothex");
  });
});
