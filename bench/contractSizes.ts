import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../deploy/lib/artifacts.js";

/** EIP-170: the largest runtime bytecode a contract may deploy. */
export const RUNTIME_SIZE_LIMIT = 24_576;
/** Room every product contract keeps under the limit, so the next feature does not force a split. */
export const RUNTIME_SIZE_HEADROOM = 2_048;
/** The budget each product contract's runtime code must fit. */
export const RUNTIME_SIZE_BUDGET = RUNTIME_SIZE_LIMIT - RUNTIME_SIZE_HEADROOM;

/**
 * Folders of contracts/ that hold deployable code: the product, and the venue stand-ins (contracts/venues/), which
 * follow real contracts that deploy under EIP-170 and so must fit the same budget. Interfaces, mocks and
 * test-only code are left out.
 */
const PRODUCT_FOLDERS = [
  "adapters",
  "connectors",
  "gate",
  "lens",
  "oracle",
  "registry",
  "swap",
  "vault",
  "venues",
] as const;

interface BuiltArtifact {
  readonly contractName: string;
  readonly deployedBytecode?: string;
}

function artifactsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return artifactsUnder(full);
    return entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json") ? [full] : [];
  });
}

/**
 * Runtime (deployed) bytecode size in bytes of every product contract, by name, from the Hardhat build.
 * Libraries with only internal functions and abstract contracts (no runtime code of their own) are left out.
 */
export function productContractSizes(): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const folder of PRODUCT_FOLDERS) {
    for (const file of artifactsUnder(path.join(REPO_ROOT, "artifacts/contracts", folder))) {
      const artifact = JSON.parse(readFileSync(file, "utf8")) as BuiltArtifact;
      const code = artifact.deployedBytecode ?? "0x";
      const bytes = (code.length - 2) / 2;
      // an internal-only library compiles to a 85-byte stub that is never deployed
      if (bytes > 100) sizes[artifact.contractName] = bytes;
    }
  }
  if (Object.keys(sizes).length === 0) throw new Error("no product artifacts: run `npm run build` first");
  return Object.fromEntries(Object.entries(sizes).sort(([a], [b]) => a.localeCompare(b)));
}
