import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Abi, type Address, type Hex, getAddress } from "viem";
import type { Clients } from "./clients.js";

const require = createRequire(import.meta.url);

/** Root of the repository (this file lives in deploy/lib/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Artifact {
  readonly contractName: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
  /** Runtime code (project artifacts only), for `eth_call` code overrides. */
  readonly deployedBytecode?: Hex;
}

interface RawArtifactJson {
  contractName?: string;
  abi: Abi;
  bytecode: string | { object: string };
  deployedBytecode?: string;
  linkReferences?: Record<string, Record<string, { start: number; length: number }[]>>;
}

function toHex(code: string): Hex {
  return (code.startsWith("0x") ? code : `0x${code}`) as Hex;
}

/**
 * Loads a prebuilt artifact shipped inside an npm package (Hardhat or Truffle format), linking
 * library placeholders from `libraries` when the artifact has link references.
 */
export function npmArtifact(spec: string, libraries: Record<string, Address> = {}): Artifact {
  const json = require(spec) as RawArtifactJson;
  let code = typeof json.bytecode === "string" ? json.bytecode : json.bytecode.object;
  code = code.startsWith("0x") ? code.slice(2) : code;
  for (const byName of Object.values(json.linkReferences ?? {})) {
    for (const [name, refs] of Object.entries(byName)) {
      const address = libraries[name];
      if (!address) throw new Error(`artifact ${spec} needs library ${name}, which was not given`);
      for (const { start, length } of refs) {
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2);
      }
    }
  }
  return {
    contractName: json.contractName ?? path.basename(spec, ".json"),
    abi: json.abi,
    bytecode: toHex(code),
  };
}

/** Loads only the ABI of an npm artifact (no linking needed). */
export function npmAbi(spec: string): Abi {
  return (require(spec) as RawArtifactJson).abi;
}

let projectIndex: Map<string, string> | undefined;

function indexArtifacts(dir: string, into: Map<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "build-info") indexArtifacts(full, into);
    } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json")) {
      const name = entry.name.slice(0, -".json".length);
      // Project sources win over npm sources of the same name.
      if (!into.has(name) || full.includes(`${path.sep}contracts${path.sep}`)) into.set(name, full);
    }
  }
}

/** Loads a contract compiled by this project's Hardhat build (run `npm run build` first). */
export function projectArtifact(contractName: string): Artifact {
  if (!projectIndex) {
    const dir = path.join(REPO_ROOT, "artifacts");
    if (!existsSync(dir)) throw new Error(`no artifacts at ${dir}: run \`npm run build\` first`);
    projectIndex = new Map();
    indexArtifacts(dir, projectIndex);
  }
  const file = projectIndex.get(contractName);
  if (!file)
    throw new Error(`no compiled artifact named ${contractName}: is it in contracts/ or npmFilesToBuild?`);
  const json = JSON.parse(readFileSync(file, "utf8")) as RawArtifactJson;
  return {
    contractName,
    abi: json.abi,
    bytecode: toHex(typeof json.bytecode === "string" ? json.bytecode : json.bytecode.object),
    ...(json.deployedBytecode ? { deployedBytecode: toHex(json.deployedBytecode) } : {}),
  };
}

/** Deploys `artifact` with constructor `args` and waits for the receipt; returns the address. */
export async function deploy(
  clients: Clients,
  artifact: Artifact,
  args: readonly unknown[] = [],
): Promise<Address> {
  const hash = await clients.wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`deployment of ${artifact.contractName} failed in tx ${hash}`);
  }
  return getAddress(receipt.contractAddress);
}

/** One contract write, described without compile-time ABI types (npm artifacts carry none). */
export interface Write {
  readonly address: Address;
  readonly abi: Abi;
  readonly functionName: string;
  readonly args?: readonly unknown[];
  readonly value?: bigint;
}

/** Sends a contract write and waits for it to be mined; throws if it reverted. */
export async function send(clients: Clients, write: Write): Promise<Hex> {
  const hash = await clients.wallet.writeContract({
    address: write.address,
    abi: write.abi,
    functionName: write.functionName,
    args: write.args ?? [],
    value: write.value,
    account: clients.wallet.account,
    chain: clients.wallet.chain,
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} (${write.functionName}) reverted`);
  return hash;
}

/** Reads a view function of a contract described without compile-time ABI types. */
export async function read<T>(clients: Pick<Clients, "public">, call: Omit<Write, "value">): Promise<T> {
  return (await clients.public.readContract({
    address: call.address,
    abi: call.abi,
    functionName: call.functionName,
    args: call.args ?? [],
  })) as T;
}
