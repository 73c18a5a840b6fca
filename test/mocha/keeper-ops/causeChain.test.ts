import { createServer } from "node:net";
import { expect } from "chai";
import { network } from "hardhat";
import {
  BaseError,
  ContractFunctionRevertedError,
  createPublicClient,
  HttpRequestError,
  http,
  maxUint256,
  toFunctionSelector,
} from "viem";
import { revertData } from "../../../keeper/chain/decode.js";
import { causeChain, isRevert, isTransient, RetriesExhaustedError } from "../../../keeper/chain/retry.js";

/** Every error viem's own walk visits, outermost first. */
function walked(error: BaseError): unknown[] {
  const all: unknown[] = [];
  error.walk((e) => {
    all.push(e);
    return false;
  });
  return all;
}

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function thrown(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("keeper/chain: cause chains of real viem errors (BaseError.walk)", function () {
  it("a revert from the EDR chain: the chain is viem's walk, classified final, its custom error data found; wrapped, the wrapper comes first", async function () {
    const { viem } = await network.create();
    const [owner] = await viem.getWalletClients();
    const token = await viem.deployContract("MockERC20", ["Token", "TKN", 6]);
    const client = await viem.getPublicClient();
    const error = await thrown(
      client.simulateContract({
        address: token.address,
        abi: token.abi,
        functionName: "transfer",
        args: [owner!.account.address, maxUint256],
        account: owner!.account,
      }),
    );
    expect(error).to.be.instanceOf(BaseError);
    const chain = causeChain(error);
    expect(chain).to.deep.equal(walked(error as BaseError));
    expect(chain.length).to.be.greaterThan(1);
    expect(chain.some((e) => e instanceof ContractFunctionRevertedError)).to.equal(true);
    expect(isRevert(error)).to.equal(true);
    expect(isTransient(error)).to.equal(false);
    // OpenZeppelin 5's ERC20InsufficientBalance(address,uint256,uint256)
    const selector = toFunctionSelector("ERC20InsufficientBalance(address,uint256,uint256)");
    expect(revertData(error)?.slice(0, 10)).to.equal(selector);

    const wrapped = new RetriesExhaustedError("eth_call", 1, error);
    expect(causeChain(wrapped)).to.deep.equal([wrapped, ...chain]);
    expect(isRevert(wrapped)).to.equal(true);
    expect(revertData(wrapped)?.slice(0, 10)).to.equal(selector);
  });

  it("an HTTP transport error to a closed port: viem's chain down to the socket's ECONNREFUSED, classified transient", async function () {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
    const error = await thrown(client.getBlockNumber());
    expect(error).to.be.instanceOf(BaseError);
    const chain = causeChain(error);
    expect(chain).to.deep.equal(walked(error as BaseError));
    expect(chain.some((e) => e instanceof HttpRequestError)).to.equal(true);
    // below viem's errors: fetch's TypeError and the socket error that caused it
    const innermost = chain.at(-1) as NodeJS.ErrnoException;
    expect(innermost).to.not.be.instanceOf(BaseError);
    expect(innermost.code).to.equal("ECONNREFUSED");
    expect(isTransient(error)).to.equal(true);
    expect(isRevert(error)).to.equal(false);
  });

  it("errors that are not viem's: followed through `cause`, at most 20 links, never around a cycle", function () {
    const inner = new Error("inner");
    const outer = new Error("outer", { cause: inner });
    expect(causeChain(outer)).to.deep.equal([outer, inner]);
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(causeChain(a)).to.deep.equal([a, b]);
    let deep = new Error("0");
    for (let i = 1; i < 30; i++) deep = new Error(String(i), { cause: deep });
    expect(causeChain(deep)).to.have.length(20);
    expect(causeChain("a string")).to.deep.equal(["a string"]);
    expect(causeChain(undefined)).to.deep.equal([]);
  });
});
