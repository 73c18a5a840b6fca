import { expect } from "chai";
import { DEFAULT_MAX_BODY_BYTES, getJson } from "../../../keeper/signals/http.js";
import type { AdapterStats } from "../../../keeper/signals/types.js";
import { MB, paddedServer } from "../helpers/paddedServer.js";

// A venue answering with an enormous body must not take the keeper's memory with it: bodies are
// streamed and cut off at the cap (4 MiB by default).

/** Serves `{"a":1}` padded to `total` bytes, with or without announcing the length. */
const padServer = (total: number, announce: boolean) =>
  paddedServer(
    total,
    () => ({ head: '{"a":1}', headers: announce ? { "content-length": String(total) } : undefined }),
    "/markets",
  );

function stats(): AdapterStats {
  return { requests: 0, retries: 0, httpErrors: 0, itemsSeen: 0, accepted: 0, rejected: 0 };
}

describe("keeper/signals: response bodies are capped and streamed", function () {
  it("a 200 MB answer (chunked, no length) is cut off at the cap; memory grows by less than 64 MB", async function () {
    this.timeout(60_000);
    const server = await padServer(200 * MB, false);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const result = await getJson(server.url, { baseUrl: server.url, retries: 0 }, stats());
      expect(result.ok).to.equal(false);
      expect(result.ok === false && result.reason).to.equal(
        `response body larger than ${DEFAULT_MAX_BODY_BYTES} bytes`,
      );
    } finally {
      clearInterval(sampler);
      await server.close();
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - before).to.be.below(64 * MB, `rss grew ${((peak - before) / MB).toFixed(1)} MB`);
    expect(server.sent()).to.be.below(200 * MB, "the rest of the body was never pulled");
  });

  it("an announced 200 MB length is refused before reading; a body under the cap still parses", async function () {
    const big = await padServer(200 * MB, true);
    const refused = await getJson(big.url, { baseUrl: big.url, retries: 0 }, stats());
    await big.close();
    expect(refused.ok).to.equal(false);
    const small = await padServer(MB, false);
    const parsed = await getJson(small.url, { baseUrl: small.url, retries: 0 }, stats());
    await small.close();
    expect(parsed).to.deep.include({ ok: true, body: { a: 1 } });
    const tight = await padServer(MB, true);
    const capped = await getJson(
      tight.url,
      { baseUrl: tight.url, retries: 0, maxBodyBytes: MB / 2 },
      stats(),
    );
    await tight.close();
    expect(capped.ok === false && capped.reason).to.equal(`response body larger than ${MB / 2} bytes`);
  });
});
