import { expect } from "chai";
import { ExecutionRevertedError, HttpRequestError, InvalidParamsRpcError, TimeoutError } from "viem";
import {
  backoffDelay,
  isRevert,
  isTransient,
  RetriesExhaustedError,
  RpcTimeoutError,
  withRetry,
} from "../../../keeper/chain/retry.js";

const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, rpcTimeoutMs: 50 };

describe("keeper/chain: retry policy", function () {
  it("classifies transport failures as transient and reverts as final", function () {
    const http = new HttpRequestError({ url: "http://127.0.0.1", status: 503 });
    expect(isTransient(http)).to.equal(true);
    expect(isTransient(new TimeoutError({ body: {}, url: "http://127.0.0.1" }))).to.equal(true);
    expect(isTransient(new RpcTimeoutError("x", 1))).to.equal(true);
    const revert = new ExecutionRevertedError({ message: "execution reverted: nope" });
    expect(isRevert(revert)).to.equal(true);
    expect(isTransient(revert)).to.equal(false);
    const wrapped = new Error("outer", {
      cause: new HttpRequestError({ url: "http://127.0.0.1", status: 429 }),
    });
    expect(isTransient(wrapped)).to.equal(true);
    expect(isTransient(new InvalidParamsRpcError(new Error("bad")))).to.equal(false);
  });

  it("backs off exponentially with full jitter, capped", function () {
    expect(backoffDelay(0, policy, () => 0.999)).to.equal(99);
    expect(backoffDelay(3, policy, () => 0.5)).to.equal(400);
    expect(backoffDelay(10, policy, () => 0.999)).to.equal(999);
    expect(backoffDelay(2, policy, () => 0)).to.equal(0);
  });

  it("retries transient errors, stops at the limit, never retries a revert", async function () {
    const sleeps: number[] = [];
    const hooks = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };
    let calls = 0;
    const value = await withRetry(
      "flaky",
      async () => {
        if (++calls < 3) throw new HttpRequestError({ url: "http://127.0.0.1", status: 502 });
        return 42;
      },
      policy,
      hooks,
    );
    expect([value, calls, sleeps]).to.deep.equal([42, 3, [50, 100]]);

    calls = 0;
    try {
      await withRetry(
        "dead",
        async () => {
          calls++;
          throw new HttpRequestError({ url: "http://127.0.0.1", status: 503 });
        },
        policy,
        hooks,
      );
      expect.fail("should throw");
    } catch (error) {
      expect(error).to.be.instanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).attempts).to.equal(4);
    }
    expect(calls).to.equal(4);

    calls = 0;
    try {
      await withRetry(
        "revert",
        async () => {
          calls++;
          throw new ExecutionRevertedError({ message: "execution reverted" });
        },
        policy,
        hooks,
      );
      expect.fail("should throw");
    } catch (error) {
      expect(error).to.be.instanceOf(ExecutionRevertedError);
    }
    expect(calls).to.equal(1);
  });

  it("turns a hung call into a timeout that is retried", async function () {
    let calls = 0;
    const value = await withRetry(
      "hang-once",
      () => (++calls === 1 ? new Promise<number>(() => undefined) : Promise.resolve(7)),
      policy,
      { sleep: async () => undefined },
    );
    expect([value, calls]).to.deep.equal([7, 2]);
  });
});
