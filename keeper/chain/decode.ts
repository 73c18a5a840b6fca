import {
  decodeErrorResult,
  decodeFunctionData,
  formatUnits,
  getAddress,
  isHex,
  toFunctionSelector,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
} from "viem";
import { causeChain, errorMessage } from "./retry.js";

/**
 * One decoder for what the chain says back: revert data to error names and arguments, and gate
 * calls to contract, function and arguments in units. The keeper CLI, the simulators and the user
 * scripts all describe failures and calls through it, against the product's ABIs.
 */

/** A contract the decoder names by address (the vault, a connector, the gate, ...). */
export interface KnownContract {
  readonly name: string;
  readonly address: Address;
  readonly abi: Abi;
}

/** A token whose amounts are printed in its own units. */
export interface KnownToken {
  readonly address: Address;
  readonly symbol: string;
  readonly decimals: number;
}

export interface DecoderOptions {
  /** ABIs whose custom errors revert data is matched against. */
  readonly abis: readonly Abi[];
  readonly contracts?: readonly KnownContract[];
  readonly tokens?: readonly KnownToken[];
  /** The unit of amounts whose token is not named in the call (the vault's base asset). */
  readonly baseToken?: KnownToken;
  /** The unit of share amounts (the vault's share token). */
  readonly shareToken?: KnownToken;
}

export interface DecodedError {
  readonly name: string;
  readonly args: readonly unknown[];
  /** `Name(arg, ...)`, nested revert data decoded too. */
  readonly text: string;
}

export interface DecodedArgument {
  readonly name: string;
  readonly type: string;
  /** The value as text: amounts in units, known addresses by name. */
  readonly value: string;
}

export interface DecodedCall {
  readonly target: Address;
  /** The contract's name, or the bare address when the decoder does not know it. */
  readonly contract: string;
  /** The function name, or the selector when no ABI of the target has it. */
  readonly functionName: string;
  readonly args: readonly DecodedArgument[];
  /** `contract.function(name=value, ...)` */
  readonly text: string;
}

const STANDARD_ERRORS = [
  { type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] },
  { type: "error", name: "Panic", inputs: [{ name: "code", type: "uint256" }] },
] as const satisfies Abi;

/** Arguments whose name says they are amounts of shares or of a token. */
const SHARE_ARGUMENT = /shares?$/i;
const AMOUNT_ARGUMENT = /(amount|assets|amountIn|amountOut|minOut|notional)/i;

export class ChainDecoder {
  private readonly errorAbi: Abi;
  private readonly byAddress = new Map<string, KnownContract>();
  private readonly tokens = new Map<string, KnownToken>();

  constructor(private readonly options: DecoderOptions) {
    const seen = new Set<string>();
    const errors: Abi[number][] = [];
    for (const item of [...STANDARD_ERRORS, ...options.abis.flat()]) {
      if (item.type !== "error") continue;
      const signature = `${item.name}(${item.inputs.map((i) => i.type).join(",")})`;
      if (seen.has(signature)) continue;
      seen.add(signature);
      errors.push(item);
    }
    this.errorAbi = errors;
    for (const c of options.contracts ?? []) this.byAddress.set(c.address.toLowerCase(), c);
    // The share token is left out: the vault is also a call target, and only arguments named like
    // shares are in share units.
    for (const t of [...(options.tokens ?? []), options.baseToken])
      if (t) this.tokens.set(t.address.toLowerCase(), t);
  }

  /** Decodes revert data; undefined when no known error has its selector. */
  decodeRevert(data: Hex): DecodedError | undefined {
    if (!isHex(data) || data.length < 10) return undefined;
    let decoded;
    try {
      decoded = decodeErrorResult({ abi: this.errorAbi, data });
    } catch {
      return undefined;
    }
    const args = decoded.args ?? [];
    const inputs = (decoded.abiItem as { inputs: readonly AbiParameter[] }).inputs;
    const text = `${decoded.errorName}(${args.map((a, i) => this.formatErrorArgument(inputs[i], a)).join(", ")})`;
    return { name: decoded.errorName, args, text };
  }

  /** Revert data as text: the decoded error, or the raw selector when it is not known. */
  describeRevert(data: Hex): string {
    if (data === "0x") return "reverted without data";
    return this.decodeRevert(data)?.text ?? `unknown error ${data.slice(0, 10)} (${data})`;
  }

  /**
   * One line for any failure: a revert names its custom error and arguments (nested `CallFailed`
   * reasons decoded too), anything else its first message line.
   */
  describeError(error: unknown): string {
    const data = revertData(error);
    const head = firstLine(errorMessage(error));
    if (data === undefined) return head;
    // The node's own wording ("VM Exception while processing transaction: reverted with custom
    // error '…'") repeats the raw error; the decoded one replaces it.
    const context = /^The contract function "[^"]+" reverted/.exec(head)?.[0] ?? "execution reverted";
    return `${context}: ${this.describeRevert(data)}`;
  }

  /** The top-level error name in a failure, if it is a decodable revert. */
  errorName(error: unknown): string | undefined {
    const data = revertData(error);
    return data === undefined ? undefined : this.decodeRevert(data)?.name;
  }

  /** A gate call as `contract.function(arg=value, ...)`, amounts in units, known addresses by name. */
  decodeCall(call: { readonly target: Address; readonly data: Hex }): DecodedCall {
    const target = getAddress(call.target);
    const known = this.byAddress.get(target.toLowerCase());
    const contract = known?.name ?? target;
    const selector = call.data.slice(0, 10) as Hex;
    const candidates = known ? [known.abi] : this.options.abis;
    for (const abi of candidates) {
      const fn = abi.find(
        (item): item is AbiFunction =>
          item.type === "function" && toFunctionSelector(item) === selector.toLowerCase(),
      );
      if (!fn) continue;
      let decoded;
      try {
        decoded = decodeFunctionData({ abi: [fn], data: call.data });
      } catch {
        continue;
      }
      const values = decoded.args ?? [];
      const args = fn.inputs.map((input, i) => ({
        name: input.name ?? `arg${i}`,
        type: input.type,
        value: this.formatArgument(fn.inputs, values, i, target),
      }));
      const text = `${contract}.${fn.name}(${args.map((a) => `${a.name}=${a.value}`).join(", ")})`;
      return { target, contract, functionName: fn.name, args, text };
    }
    return {
      target,
      contract,
      functionName: selector,
      args: [],
      text: `${contract}: unknown function ${selector} (${(call.data.length - 10) / 2} bytes of arguments)`,
    };
  }

  /** An address by name when known, else the address. */
  nameOf(address: Address): string {
    const key = address.toLowerCase();
    const known = this.byAddress.get(key)?.name ?? this.tokens.get(key)?.symbol;
    return known ? `${known} (${getAddress(address)})` : getAddress(address);
  }

  /** `amount` in `token`'s units, e.g. `1,500 USDC`; the base token when `token` is unknown. */
  formatAmount(amount: bigint, token?: Address): string {
    const unit = (token && this.tokens.get(token.toLowerCase())) ?? this.options.baseToken;
    return unit ? formatTokenAmount(amount, unit) : amount.toString();
  }

  private formatErrorArgument(input: AbiParameter | undefined, value: unknown): string {
    if (input?.type === "bytes" && typeof value === "string" && isHex(value) && value.length >= 10) {
      return this.describeRevert(value);
    }
    if (input?.type === "address" && typeof value === "string") return this.nameOf(value as Address);
    return stringify(value);
  }

  private formatArgument(
    inputs: readonly AbiParameter[],
    values: readonly unknown[],
    index: number,
    target: Address,
  ): string {
    const input = inputs[index]!;
    const value = values[index];
    if (input.type === "address" && typeof value === "string") return this.nameOf(value as Address);
    if (typeof value === "bigint" && input.type.startsWith("uint")) {
      const name = input.name ?? "";
      if (SHARE_ARGUMENT.test(name) && this.options.shareToken)
        return formatTokenAmount(value, this.options.shareToken);
      if (AMOUNT_ARGUMENT.test(name)) {
        // The token an amount is in: an earlier address argument named like a token, else the
        // target itself when it is a token, else the base asset.
        const tokenIndex = inputs
          .slice(0, index)
          .findIndex((p) => p.type === "address" && /token/i.test(p.name ?? ""));
        if (tokenIndex < 0) return this.formatAmount(value, target);
        const token = values[tokenIndex] as Address;
        return this.tokens.has(token.toLowerCase())
          ? this.formatAmount(value, token)
          : `${value} units of ${this.nameOf(token)}`;
      }
    }
    if (input.type === "bytes" && typeof value === "string") return `${(value.length - 2) / 2} bytes`;
    return stringify(value);
  }
}

/** `units` of `token` as `1,234.5 USDC`. */
export function formatTokenAmount(units: bigint, token: Pick<KnownToken, "symbol" | "decimals">): string {
  const [whole, fraction] = formatUnits(units, token.decimals).split(".");
  const grouped = BigInt(whole!).toLocaleString("en-US");
  const sign = whole!.startsWith("-") && !grouped.startsWith("-") ? "-" : "";
  return `${sign}${grouped}${fraction ? `.${fraction}` : ""} ${token.symbol}`;
}

/** The revert data carried anywhere in a viem error's cause chain. */
export function revertData(error: unknown): Hex | undefined {
  const chain = causeChain(error);
  for (const e of chain) {
    const raw = (e as { raw?: unknown }).raw;
    if (typeof raw === "string" && isHex(raw) && raw.length >= 10) return raw;
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && isHex(data) && data.length >= 10) return data;
    if (data && typeof data === "object") {
      const nested = (data as { data?: unknown }).data;
      if (typeof nested === "string" && isHex(nested) && nested.length >= 10) return nested;
    }
  }
  for (const e of chain) {
    const message = e instanceof Error ? e.message : "";
    const match = /reverted with (?:custom error|the following signature|data)?\s*'?(0x[0-9a-fA-F]{8,})/.exec(
      message,
    );
    if (match) return match[1] as Hex;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

function stringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stringify).join(", ")}]`;
  if (value && typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${stringify(v)}`)
      .join(", ")}}`;
  return String(value);
}
