import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";

// The keeper's dependency rule (docs/architecture.md, "The keeper's layers"), checked on every
// import in keeper/, and the one-cycle rule: one function runs a keeper cycle, one composes a keeper.

const ROOT = process.cwd();

/** Folder under keeper/ → layer; a file may import its own layer or a lower one, never a higher one. */
const KEEPER_LAYERS: Readonly<Record<string, number>> = {
  // 0: pure modules (parsing, maths, decisions, the rebalance plan, generated ABIs), no chain or multisig I/O
  abi: 0,
  log: 0,
  config: 0,
  signals: 0,
  strategy: 0,
  planning: 0,
  backtest: 0,
  // 1: chain, store, keys, multisig and HTTP I/O
  store: 1,
  chain: 1,
  keys: 1,
  http: 1,
  multisig: 1,
  ops: 1,
  vault: 1,
  venues: 1,
  // 2: the keeper cycle
  cycle: 2,
  // 3: the service and the CLI on top
  service: 3,
  cli: 3,
};
const LAYER_NAMES = ["pure", "chain & multisig I/O", "cycle", "service & CLI"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/** Relative import specifiers of a TypeScript file (static `from "…"` and dynamic `import("…")`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]!);
}

/** The keeper/ folder a path lies in (`cli` for keeper/cli.ts itself), or undefined outside keeper/. */
function keeperFolder(relative: string): string | undefined {
  const parts = relative.split(path.sep);
  if (parts[0] !== "keeper") return undefined;
  if (parts.length === 2) return parts[1] === "cli.ts" ? "cli" : undefined;
  return parts[1];
}

/** What is wrong with the imports `specs` of the keeper file `from` (repository-relative). */
function violationsOf(from: string, specs: readonly string[]): string[] {
  const fromLayer = KEEPER_LAYERS[keeperFolder(from)!]!;
  const violations: string[] = [];
  for (const spec of specs) {
    if (spec === "hardhat" || spec.startsWith("hardhat/")) {
      violations.push(`${from} imports ${spec}: the keeper runs without Hardhat`);
      continue;
    }
    if (!spec.startsWith(".")) continue;
    const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(from), spec));
    const folder = keeperFolder(target);
    if (folder === undefined) {
      violations.push(`${from} imports ${target}, outside keeper/`);
      continue;
    }
    const toLayer = KEEPER_LAYERS[folder];
    if (toLayer !== undefined && toLayer > fromLayer)
      violations.push(
        `${from} (${LAYER_NAMES[fromLayer]}) imports ${target} (${LAYER_NAMES[toLayer]}), a higher layer`,
      );
  }
  return violations;
}

describe("keeper structure", function () {
  const files = sourceFiles(path.join(ROOT, "keeper"));

  it("every keeper folder has a layer", function () {
    const folders = new Set(files.map((f) => keeperFolder(path.relative(ROOT, f))).filter((f) => f));
    expect([...folders].filter((f) => KEEPER_LAYERS[f!] === undefined)).to.deep.equal([]);
  });

  it("imports follow the layers: nothing imports upward, and keeper/ imports nothing from deploy/, scripts/, bench/ or test/", function () {
    const violations = files.flatMap((file) => violationsOf(path.relative(ROOT, file), importsOf(file)));
    expect(violations).to.deep.equal([]);
  });

  it("the check refuses an upward import, an import of deploy/ and Hardhat", function () {
    expect(
      violationsOf(path.join("keeper", "strategy", "x.ts"), [
        "../service/compose.js",
        "../../deploy/lib/artifacts.js",
        "hardhat",
        "../signals/types.js",
        "viem",
      ]),
    ).to.have.length(3);
  });

  it("one keeper cycle: only keeper/cycle/cycle.ts evaluates the strategy and proposes rebalances; only keeper/service/compose.ts builds a planner", function () {
    const everywhere = ["keeper", "scripts", "bench"].flatMap((dir) => sourceFiles(path.join(ROOT, dir)));
    const evaluating = everywhere
      .filter((f) => /\bevaluate\(/.test(readFileSync(f, "utf8")))
      .map((f) => path.relative(ROOT, f))
      .filter(
        (f) => !f.startsWith(`keeper${path.sep}strategy`) && !f.startsWith(`keeper${path.sep}backtest`),
      );
    expect(evaluating).to.deep.equal([path.join("keeper", "cycle", "cycle.ts")]);
    const planners = everywhere
      .filter((f) => /new ChainPlanner\(/.test(readFileSync(f, "utf8")))
      .map((f) => path.relative(ROOT, f));
    expect(planners).to.deep.equal([path.join("keeper", "service", "compose.ts")]);
    const cycles = everywhere
      .filter((f) => /export (async )?function \w*[Cc]ycle\w*\(/.test(readFileSync(f, "utf8")))
      .map((f) => path.relative(ROOT, f))
      .filter((f) => !f.startsWith(`keeper${path.sep}backtest`) && !f.startsWith("bench"));
    expect(cycles).to.deep.equal([path.join("keeper", "cycle", "cycle.ts")]);
  });
});
