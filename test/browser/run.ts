import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEventLogs,
  parseUnits,
  type Address,
  type Hex,
  encodeFunctionData,
} from "viem";
import { accountingManagerAbi } from "../../keeper/abi/contracts.js";
import { computeProvenance } from "../../keeper/multisig/provenance.js";
import { executeTypedData } from "../../keeper/multisig/typedData.js";
import type { Page } from "playwright-core";
import { startDashboardServer } from "../../dashboard/server/server.js";
import { SqliteStore } from "../../keeper/store/sqlite.js";
import { NAV_BACKTEST_EPOCHS, startStack, type Stack } from "./harness.js";

/**
 * Browser tests of the dashboard: Debian's Chromium (playwright-core) against the `npm start`
 * stack, with a test wallet injected into the page. Prints mocha-style "N passing" / "N failing"
 * lines (.ci/run counts them) and saves a screenshot of each view under reports/dashboard/.
 */

const SHOTS = path.resolve("reports/dashboard");
const TIMEOUT = 30_000;
/** development account #13: funded with USDC by `npm start` for the depositor scripts, nothing approved */
const DEPOSITOR_INDEX = 13;

interface Case {
  readonly name: string;
  readonly run: (stack: Stack) => Promise<void>;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().innerText()).trim();
}

/** Waits until the element's text satisfies `ok` (the page refreshes every few seconds). */
async function waitText(
  page: Page,
  testId: string,
  ok: (t: string) => boolean,
  what: string,
): Promise<string> {
  const until = Date.now() + TIMEOUT;
  let last = "";
  while (Date.now() < until) {
    last = await text(page, testId).catch(() => "");
    if (ok(last)) return last;
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: "${testId}" still reads "${last}"`);
}

/** The draft's EIP-712 `Execute` as the server sends it (uint256 fields as decimal strings). */
interface DraftTypedData {
  domain: { name: string; version: string; chainId: number; verifyingContract: Address };
  types: { Execute: { name: string; type: string }[]; Call: { name: string; type: string }[] };
  primaryType: "Execute";
  message: {
    vault: Address;
    calls: { target: Address; data: Hex }[];
    nonce: string;
    deadline: string;
    provenance: Hex;
  };
}

/** The demo policy with more idle (and less Aave): the batch it would propose pulls USDC back from Aave. */
function moreIdlePolicy(): unknown {
  const demo = JSON.parse(readFileSync("scripts/demo/demo.policy.json", "utf8")) as {
    baseWeightsBps: Record<string, number>;
  };
  return { ...demo, baseWeightsBps: { ...demo.baseWeightsBps, "aave-usdc": 4000, idle: 2500 } };
}

const amountOf = (t: string) => Number(t.replace(/[^0-9.]/g, ""));

/** Moves 1/`divisor` of the vault's idle USDC to the Aave connector: a gate batch two operators sign, the keeper submits. */
async function moveIdleToAave(stack: Stack, divisor: bigint, note: string): Promise<void> {
  const { stack: product } = stack.session.local;
  const keeper = stack.session.keeper;
  const book = await createPublicClient({ transport: http(stack.session.rpcUrl) }).readContract({
    address: product.vault,
    abi: accountingManagerAbi,
    functionName: "assetBook",
  });
  const calls = [
    {
      target: product.vault,
      data: encodeFunctionData({
        abi: accountingManagerAbi,
        functionName: "transferToConnector",
        args: [product.connectors.aave, book.idle / divisor],
      }),
    },
  ];
  const plan = { kind: "manual", proposer: "browser-test", note, calls };
  const snapshot = { kind: "manual", file: "browser-test", vault: product.vault };
  const proposal = await keeper.workflow.propose({
    plan,
    snapshot,
    calls,
    provenance: computeProvenance(snapshot, plan),
  });
  // signed by two operators' own keys as in their wallets: the keeper's risk check signs only rebalance plans
  for (const operator of (product.addresses.operators as readonly Address[]).slice(0, 2)) {
    const wallet = createWalletClient({ account: operator, transport: http(stack.session.rpcUrl) });
    const signature = await wallet.signTypedData(executeTypedData(proposal.chainId, proposal.gate, proposal));
    await keeper.workflow.addSignature(proposal.id, operator, signature);
  }
  const done = await keeper.workflow.submit(proposal.id, keeper.sender!);
  assert(done.status === "executed", `the manual batch is ${done.status}`);
}

async function postApi<T>(stack: Stack, route: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.dashboard.url}${route.replace(/^\//, "")}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const cases: Case[] = [
  {
    name: "transparency: the NAV chart's points are the chain's settlements",
    async run(stack) {
      const page = await stack.page();
      await page.goto(stack.dashboard.url);
      await page.getByTestId("nav-chart").waitFor({ timeout: TIMEOUT });
      const points = JSON.parse((await page.getByTestId("nav-chart").getAttribute("data-points"))!) as {
        series: { values: number[] }[];
      };
      const client = createPublicClient({ transport: http(stack.session.rpcUrl) });
      const addresses = stack.session.local.stack;
      const logs = await client.getLogs({ address: addresses.vault, fromBlock: 0n });
      const settled = parseEventLogs({ abi: accountingManagerAbi, logs, eventName: "Settled" });
      const chain = settled.map((e) => Number(e.args.navAfter) / 1e6);
      assert(chain.length > 0, "no Settled event on the chain");
      assert(
        JSON.stringify(points.series[0]!.values) === JSON.stringify(chain),
        `chart ${JSON.stringify(points.series[0]!.values)} != chain ${JSON.stringify(chain)}`,
      );
      const nav = await client.readContract({
        address: addresses.vault,
        abi: accountingManagerAbi,
        functionName: "totalAssets",
      });
      const shown = amountOf(await text(page, "nav"));
      assert(Math.abs(shown - Number(nav) / 1e6) < 0.01, `NAV card ${shown} != chain ${Number(nav) / 1e6}`);
      await shot(page, "transparency");
      // the README's picture: the top of the view, small
      await page.screenshot({
        path: path.join(SHOTS, "readme-transparency.png"),
        clip: { x: 0, y: 0, width: 1280, height: 720 },
      });
    },
  },
  {
    name: "depositor: deposit pending → settled by the keeper → claimed; a second one cancelled and claimed back",
    async run(stack) {
      const me = await depositorAddress(stack);
      const page = await stack.page(me);
      await page.goto(`${stack.dashboard.url}#/depositor`);
      await page.getByTestId("connect").click();
      await waitText(page, "account", (t) => t.toLowerCase() === me.toLowerCase(), "connected account");
      const usdcBefore = amountOf(
        await waitText(page, "usdc-balance", (t) => amountOf(t) > 0, "USDC balance"),
      );
      await page.getByTestId("deposit-amount").fill("1000");
      await page.getByTestId("request-deposit").click();
      await waitText(page, "depositor-message", (t) => t.startsWith("requested a deposit"), "request");
      await waitText(page, "pending-deposit", (t) => amountOf(t) === 1000, "pending deposit");
      await shot(page, "depositor-pending");
      await stack.session.runEpoch();
      await waitText(
        page,
        "claimable-deposit",
        (t) => amountOf(t) === 1000,
        "claimable after the keeper settled",
      );
      await page.getByTestId("claim-deposit").click();
      await waitText(page, "depositor-message", (t) => t.startsWith("claimed the settled deposit"), "claim");
      await waitText(page, "shares", (t) => amountOf(t) > 0, "shares after the claim");
      await page.getByTestId("deposit-amount").fill("500");
      await page.getByTestId("request-deposit").click();
      await waitText(page, "pending-deposit", (t) => amountOf(t) === 500, "second pending deposit");
      await page.getByTestId("cancel-deposit").click();
      await waitText(page, "cancelled-deposit", (t) => amountOf(t) === 500, "cancelled deposit");
      await page.getByTestId("claim-cancelled-deposit").click();
      await waitText(page, "cancelled-deposit", (t) => amountOf(t) === 0, "cancelled deposit claimed");
      const usdcAfter = amountOf(
        await waitText(page, "usdc-balance", (t) => amountOf(t) === usdcBefore - 1000, "USDC back"),
      );
      assert(usdcAfter === usdcBefore - 1000, `USDC ${usdcAfter}, expected ${usdcBefore - 1000}`);
      await shot(page, "depositor");
    },
  },
  {
    name: "depositor: too many decimals and a wallet on another network send nothing",
    async run(stack) {
      const me = await depositorAddress(stack);
      const page = await stack.page(me);
      await page.goto(`${stack.dashboard.url}#/depositor`);
      await page.getByTestId("connect").click();
      await page.getByTestId("deposit-amount").fill("10.1234567");
      await page.getByTestId("request-deposit").click();
      await waitText(page, "depositor-message", (t) => t.includes("has 7 decimals"), "decimals refusal");
      const calls = (await page.evaluate("window.__walletCalls")) as string[];
      assert(!calls.includes("eth_sendTransaction"), `the page sent a transaction: ${calls.join(",")}`);
      await page.evaluate("window.__testWallet.setChainId(1)");
      await waitText(page, "wrong-network", (t) => t.includes("chain 1"), "wrong network message");
      assert(
        (await page.getByTestId("request-deposit").count()) === 0,
        "actions still offered on the wrong network",
      );
      await shot(page, "depositor-wrong-network");
    },
  },
  {
    name: "operator: a proposal's calls decoded, signed by two operators in the wallet, executed",
    async run(stack) {
      const { stack: product } = stack.session.local;
      const [op1, op2] = product.addresses.operators as readonly Address[];
      const book = await createPublicClient({ transport: http(stack.session.rpcUrl) }).readContract({
        address: product.vault,
        abi: accountingManagerAbi,
        functionName: "assetBook",
      });
      const amount = book.idle / 4n > parseUnits("1000", 6) ? parseUnits("1000", 6) : book.idle / 4n;
      assert(amount > 0n, "the vault has no idle USDC to move");
      const calls = [
        {
          target: product.vault,
          data: encodeFunctionData({
            abi: accountingManagerAbi,
            functionName: "transferToConnector",
            args: [product.connectors.aave, amount],
          }),
        },
      ];
      const plan = { kind: "manual", proposer: "browser-test", note: "move idle USDC to Aave", calls };
      const snapshot = { kind: "manual", file: "browser-test", vault: product.vault };
      const proposal = await stack.session.keeper.workflow.propose({
        plan,
        snapshot,
        calls,
        provenance: computeProvenance(snapshot, plan),
      });
      const page = await stack.page(op1);
      await page.goto(`${stack.dashboard.url}#/operator`);
      await page.getByTestId("connect").click();
      await page.getByTestId(`proposal-${proposal.id}`).click();
      const decoded = await waitText(
        page,
        "decoded-calls",
        (t) => t.includes("transferToConnector"),
        "decoded calls",
      );
      assert(
        decoded.includes("vault.transferToConnector") && decoded.includes("USDC"),
        `decoded: ${decoded}`,
      );
      await page.getByTestId("changes").waitFor({ timeout: TIMEOUT });
      await page.getByTestId("sign").click();
      await waitText(page, "operator-message", (t) => t.includes("1 of 2"), "first signature");
      await page.evaluate(`window.__testWallet.setAccount(${JSON.stringify(op2)})`);
      await waitText(page, "account", (t) => t.toLowerCase() === op2!.toLowerCase(), "second operator");
      await page.getByTestId("sign").click();
      await waitText(page, "operator-message", (t) => t.includes("2 of 2"), "second signature");
      await shot(page, "operator-signed");
      await page.getByTestId("execute").click();
      await waitText(page, "operator-message", (t) => t.startsWith("executed"), "execution");
      await waitText(page, "detail-status", (t) => t === "executed", "status executed");
      const stored = await stack.session.keeper.store.getProposal(proposal.id as Hex);
      assert(stored?.status === "executed" && stored.txHash, `store says ${stored?.status}`);
      await waitText(page, "keeper-health", (t) => t.startsWith("keeper healthy"), "keeper health");
      await waitText(page, "signatures", (t) => t.split("\n").length === 2, "two signatures listed");
      await shot(page, "operator");
    },
  },
  {
    name: "signals: one click turns the recommendation into a proposal the wallet signs first; the keeper co-signs it from the operator view; a stale draft is refused and nothing stored",
    async run(stack) {
      const { stack: product } = stack.session.local;
      const [op1] = product.addresses.operators as readonly Address[];
      const store = stack.session.keeper.store;
      // the vault off its recommended allocation: half its idle USDC loose in the Aave connector
      await moveIdleToAave(stack, 2n, "drift for the copilot");
      const stale = await postApi<{
        id: Hex;
        review: { calls: unknown[] };
        typedData: DraftTypedData;
      }>(stack, "/api/copilot/draft", {});
      assert(stale.status === 200, `draft: ${JSON.stringify(stale.body)}`);
      assert(stale.body.review.calls.length > 0, "the draft has no calls");
      const wallet = createWalletClient({ account: op1!, transport: http(stack.session.rpcUrl) });
      const t = stale.body.typedData;
      const staleSignature = await wallet.signTypedData({
        ...t,
        message: { ...t.message, nonce: BigInt(t.message.nonce), deadline: BigInt(t.message.deadline) },
      });
      // another batch executes meanwhile: the gate's nonce and the vault's state move on
      await moveIdleToAave(stack, 10n, "executed while the draft waited");
      const before = (await store.listProposals({})).length;
      const refused = await postApi<{ error: string }>(
        stack,
        `/api/copilot/drafts/${stale.body.id}/propose`,
        {
          signer: op1,
          signature: staleSignature,
        },
      );
      assert(refused.status === 409, `stale draft answered ${refused.status}`);
      assert(
        /no longer valid: .*nonce moved/.test(refused.body.error) &&
          refused.body.error.includes("nothing was stored"),
        `refusal: ${refused.body.error}`,
      );
      assert((await store.getProposal(stale.body.id)) === undefined, "the stale draft was stored");
      assert((await store.listProposals({})).length === before, "a proposal was stored");

      const page = await stack.page(op1);
      await page.goto(`${stack.dashboard.url}#/signals`);
      await page.getByTestId("connect").click();
      await page.getByTestId("propose").click();
      const proposed = await waitText(
        page,
        "copilot-message",
        (t) => t.startsWith("proposed") || t.startsWith("propose:"),
        "copilot proposal",
      );
      assert(proposed.startsWith("proposed") && proposed.includes("1 of 2"), proposed);
      await waitText(page, "copilot-calls", (t) => t.length > 0, "the proposed calls decoded");
      await shot(page, "signals-proposed");
      const mine = (await store.listProposals({ statuses: ["signed"] })).filter(
        (p) => p.proposer === `dashboard:${op1}`,
      );
      assert(mine.length === 1, `${mine.length} dashboard proposals signed`);
      const id = mine[0]!.id;
      const signatures = await store.listSignatures(id);
      assert(
        signatures.length === 1 && signatures[0]!.signer.toLowerCase() === op1!.toLowerCase(),
        `signatures ${JSON.stringify(signatures.map((s) => s.signer))}`,
      );
      await page.goto(`${stack.dashboard.url}#/operator`);
      await page.getByTestId(`proposal-${id}`).click();
      await waitText(page, "decoded-calls", (t) => t.length > 0, "decoded calls in the operator view");
      await page.getByTestId("keeper-sign").click();
      const keeperSigned = await waitText(
        page,
        "operator-message",
        (t) => t.includes("2 of 2") || t.startsWith("keeper sign:"),
        "keeper signature",
      );
      assert(keeperSigned.startsWith("signed by the keeper's signer"), keeperSigned);
      await page.getByTestId("execute").click();
      await waitText(
        page,
        "operator-message",
        (t) => t.startsWith("executed") || t.startsWith("execute:"),
        "execution",
      );
      await waitText(page, "detail-status", (t) => t === "executed", "status executed");
      await shot(page, "operator-keeper-signed");
    },
  },
  {
    name: "operator: the keeper's signer is asked only with the dashboard's token; a wrong or missing one is refused and nothing signed",
    async run(stack) {
      const { stack: product } = stack.session.local;
      const keeper = stack.session.keeper;
      const calls = [
        {
          target: product.vault,
          data: encodeFunctionData({
            abi: accountingManagerAbi,
            functionName: "transferToConnector",
            args: [product.connectors.aave, 1n],
          }),
        },
      ];
      const plan = { kind: "manual", proposer: "browser-test", note: "token check", calls };
      const snapshot = { kind: "manual", file: "browser-test", vault: product.vault };
      const proposal = await keeper.workflow.propose({
        plan,
        snapshot,
        calls,
        provenance: computeProvenance(snapshot, plan),
      });
      const keeperUrl = stack.session.statusUrl!.replace(/\/status$/, "");
      for (const [token, status, expect] of [
        ["wrong-token-".repeat(4), 502, "refused the dashboard's API token"],
        [undefined, 503, "no keeper API token"],
      ] as const) {
        const server = await startDashboardServer({
          rpcUrl: stack.session.rpcUrl,
          addressesFile: stack.addressesFile,
          store: keeper.store,
          keeperUrl,
          ...(token ? { keeperToken: token } : {}),
        });
        try {
          const res = await fetch(`${server.url}api/proposals/${proposal.id}/keeper-sign`, {
            method: "POST",
          });
          const body = (await res.json()) as { error: string };
          assert(res.status === status && body.error.includes(expect), `${res.status} ${body.error}`);
        } finally {
          await server.close();
        }
      }
      assert(
        (await keeper.store.listSignatures(proposal.id)).length === 0,
        "the keeper signed without the token",
      );
      const direct = await fetch(`${keeperUrl}/proposals/${proposal.id}/sign`, { method: "POST" });
      assert(direct.status === 401, `keeper without a token answered ${direct.status}`);
      await keeper.workflow.close(proposal.id, {
        action: "cancelled",
        by: proposal.proposer,
        reason: "test over",
      });
    },
  },
  {
    name: "strategist: a malformed policy shows its errors inline; a valid one its targets, the batch it would propose now (decoded) and its NAV backtest through the keeper",
    async run(stack) {
      const page = await stack.page();
      await page.goto(`${stack.dashboard.url}#/strategist`);
      const bad = {
        version: 1,
        connectors: ["idle", "nowhere"],
        baseWeightsBps: { idle: 12000 },
        rules: "x",
      };
      await page.getByTestId("policy-text").fill(JSON.stringify(bad, null, 2));
      await page.getByTestId("policy-check").click();
      const errors = await waitText(page, "policy-errors", (t) => t.includes("not valid"), "inline errors");
      assert(/rules/.test(errors), `errors do not name the rules path: ${errors}`);
      await shot(page, "strategist-errors");
      // the demo policy with more idle: the batch it would propose now pulls USDC back from Aave
      const moreIdle = moreIdlePolicy();
      await page.getByTestId("policy-text").fill(JSON.stringify(moreIdle, null, 2));
      await page.getByTestId("policy-check").click();
      await page.getByTestId("policy-valid").waitFor({ timeout: TIMEOUT });
      await page.getByTestId("policy-now").waitFor({ timeout: TIMEOUT });
      await page.getByTestId("backtest-chart").waitFor({ timeout: TIMEOUT });
      const batch = await waitText(page, "policy-batch", (t) => t.length > 0, "the batch it would propose");
      assert(/aave connector\.withdraw/.test(batch) && batch.includes("sendToVault"), `batch: ${batch}`);
      // the replay runs in its own process while the next cases run; the last case reads its result
      await page.getByTestId("nav-backtest-running").waitFor({ timeout: TIMEOUT });
      await shot(page, "strategist-running");
    },
  },
  {
    name: "npm run dashboard --keeper-config, as a process: it plans with the keeper config's planner (the strategist's batch) and its copilot is on",
    async run(stack) {
      const dir = mkdtempSync(path.join(tmpdir(), "dashboard-keeper-config-"));
      const storeFile = path.join(dir, "keeper.sqlite");
      await SqliteStore.open({ path: storeFile }).close();
      const signalsFile = path.join(dir, "signals.json");
      await writeFile(signalsFile, JSON.stringify(stack.session.signalsNow().snapshots));
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "dashboard/server/main.ts",
          ...["--rpc", stack.session.rpcUrl, "--addresses", stack.addressesFile, "--port", "0"],
          ...["--keeper-config", path.join(path.dirname(stack.addressesFile), "keeper.json")],
          ...["--store", storeFile, "--signals", signalsFile],
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
      child.stderr.on("data", (c: Buffer) => (out += c.toString("utf8")));
      try {
        const until = Date.now() + TIMEOUT;
        while (!/Dashboard at (\S+)/.test(out)) {
          assert(Date.now() < until && child.exitCode === null, `the dashboard did not start: ${out}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const url = /Dashboard at (\S+)/.exec(out)![1]!;
        assert(!out.includes("copilot off"), out);
        const config = (await (await fetch(`${url}api/config`)).json()) as { copilot: boolean };
        assert(config.copilot, "the copilot is off with a keeper config");
        const moreIdle = moreIdlePolicy();
        const checked = (await (
          await fetch(`${url}api/policy`, { method: "POST", body: JSON.stringify(moreIdle) })
        ).json()) as {
          batch: { proposes?: boolean; review?: { calls: { text: string }[] }; reason?: string };
        };
        assert(checked.batch.proposes === true, `batch: ${JSON.stringify(checked.batch)}`);
        const texts = checked.batch.review!.calls.map((c) => c.text).join("; ");
        assert(/withdraw/.test(texts) && /sendToVault/.test(texts), `calls: ${texts}`);
        // the vault is at the keeper policy's allocation (the copilot's proposal executed): nothing to draft
        const draft = await fetch(`${url}api/copilot/draft`, { method: "POST" });
        const body = (await draft.json()) as { error: string };
        assert(
          draft.status === 409 && body.error.startsWith("nothing to propose"),
          `${draft.status} ${body.error}`,
        );
        const store = SqliteStore.open({ path: storeFile });
        try {
          assert((await store.listProposals({})).length === 0, "the dashboard stored a proposal");
        } finally {
          await store.close();
        }
      } finally {
        child.kill("SIGTERM");
      }
    },
  },
  {
    name: "signals: the copilot shows the markets read, estimates and abstentions",
    async run(stack) {
      const page = await stack.page();
      await page.goto(`${stack.dashboard.url}#/signals`);
      await page.getByTestId("abstentions").waitFor({ timeout: TIMEOUT });
      await shot(page, "signals");
    },
  },
  {
    name: "bad deployment input: unknown addresses file, wrong chain, RPC down, no store — each a clear message on the page",
    async run(stack) {
      const dir = mkdtempSync(path.join(tmpdir(), "dashboard-bad-"));
      const wrongChain = path.join(dir, "wrong-chain.json");
      const real = JSON.parse(await readFile(stack.addressesFile, "utf8")) as Record<string, unknown>;
      await writeFile(wrongChain, JSON.stringify({ ...real, chainId: 1 }));
      const setups = [
        {
          rpcUrl: stack.session.rpcUrl,
          addressesFile: path.join(dir, "missing.json"),
          expect: "does not exist",
        },
        { rpcUrl: stack.session.rpcUrl, addressesFile: wrongChain, expect: "wrong chain" },
        { rpcUrl: "http://127.0.0.1:9", addressesFile: stack.addressesFile, expect: "does not answer" },
      ];
      for (const [i, setup] of setups.entries()) {
        const server = await startDashboardServer({ ...setup, store: "no --store given" });
        try {
          const page = await stack.page();
          await page.goto(server.url);
          await waitText(page, "problem", (t) => t.includes(setup.expect), setup.expect);
          if (i === 1) await shot(page, "problem-wrong-chain");
        } finally {
          await server.close();
        }
      }
      const noStore = await startDashboardServer({
        rpcUrl: stack.session.rpcUrl,
        addressesFile: stack.addressesFile,
        store: "the keeper store /x.sqlite does not exist",
      });
      try {
        const page = await stack.page();
        await page.goto(`${noStore.url}#/operator`);
        await waitText(page, "store-problem", (t) => t.includes("/x.sqlite does not exist"), "store missing");
      } finally {
        await noStore.close();
      }
    },
  },
  {
    name: "depositor: a paused vault is shown before acting and a request sends nothing",
    async run(stack) {
      const client = createPublicClient({ transport: http(stack.session.rpcUrl) });
      const { stack: product } = stack.session.local;
      const guardian = product.addresses.guardian as Address;
      const pause = async (functionName: "pauseDeposits" | "unpauseDeposits", from: Address) => {
        const hash = (await client.request({
          method: "eth_sendTransaction" as never,
          params: [
            {
              from,
              to: product.vault,
              data: encodeFunctionData({ abi: accountingManagerAbi, functionName }),
            },
          ] as never,
        })) as Hex;
        const receipt = await client.waitForTransactionReceipt({ hash });
        assert(receipt.status === "success", `${functionName} reverted`);
      };
      await pause("pauseDeposits", guardian);
      try {
        const me = await depositorAddress(stack);
        const page = await stack.page(me);
        await page.goto(`${stack.dashboard.url}#/depositor`);
        await page.getByTestId("connect").click();
        await waitText(page, "deposits-state", (t) => t.includes("PAUSED"), "paused state");
        await page.getByTestId("deposit-amount").fill("100");
        await page.getByTestId("request-deposit").click();
        await waitText(page, "depositor-message", (t) => t.includes("paused"), "paused refusal");
        const calls = (await page.evaluate("window.__walletCalls")) as string[];
        assert(!calls.includes("eth_sendTransaction"), "the page sent a transaction to a paused vault");
        await shot(page, "depositor-paused");
      } finally {
        // unpausing is governance's (the timelock): impersonated on the local chain to restore the state
        const gov = product.governance;
        const timelock = gov.kind === "safe-timelock" ? gov.timelock : gov.owner;
        await client.request({ method: "hardhat_impersonateAccount" as never, params: [timelock] as never });
        await client.request({
          method: "hardhat_setBalance" as never,
          params: [timelock, "0x8ac7230489e80000"] as never,
        });
        await pause("unpauseDeposits", timelock);
      }
    },
  },
  {
    name: "strategist: the NAV backtest through the keeper (started by the strategist case) charts every epoch 8 h apart",
    async run(stack) {
      const page = await stack.page();
      await page.goto(`${stack.dashboard.url}#/strategist`);
      await page.getByTestId("policy-text").fill(JSON.stringify(moreIdlePolicy(), null, 2));
      await page.getByTestId("policy-check").click();
      await page.getByTestId("policy-valid").waitFor({ timeout: TIMEOUT });
      await page.getByTestId("nav-backtest-chart").waitFor({ timeout: 120_000 });
      const nav = JSON.parse((await page.getByTestId("nav-backtest-chart").getAttribute("data-points"))!) as {
        x: number[];
        series: { values: number[] }[];
      };
      assert(
        nav.x.length === NAV_BACKTEST_EPOCHS,
        `NAV backtest has ${nav.x.length} epochs, not ${NAV_BACKTEST_EPOCHS}`,
      );
      assert(
        nav.x.every((t, i) => i === 0 || t - nav.x[i - 1]! === 8 * 3600),
        `epochs not 8 h apart: ${nav.x.join(",")}`,
      );
      assert(
        nav.series[0]!.values.every((v) => v > 0),
        `NAV values ${nav.series[0]!.values.join(",")}`,
      );
      await waitText(page, "nav-backtest-summary", (t) => t.includes("turnover"), "NAV backtest summary");
      await shot(page, "strategist");
    },
  },
];

async function depositorAddress(stack: Stack): Promise<Address> {
  const client = createPublicClient({ transport: http(stack.session.rpcUrl) });
  const accounts = (await client.request({ method: "eth_accounts" as never })) as Address[];
  return accounts[DEPOSITOR_INDEX]!;
}

async function main(): Promise<number> {
  mkdirSync(SHOTS, { recursive: true });
  const started = performance.now();
  const stack = await startStack({ epochs: 3 });
  console.log(
    `stack up in ${((performance.now() - started) / 1000).toFixed(1)} s; dashboard ${stack.dashboard.url}`,
  );
  let passed = 0;
  const failures: string[] = [];
  try {
    // BROWSER_ONLY=<text> runs the cases whose name contains it (while working on one view)
    const only = process.env.BROWSER_ONLY;
    for (const c of cases.filter((c) => !only || c.name.includes(only))) {
      const t = performance.now();
      try {
        await c.run(stack);
        passed++;
        console.log(`  ✔ ${c.name} (${Math.round(performance.now() - t)} ms)`);
      } catch (error) {
        failures.push(`${c.name}: ${(error as Error).message}`);
        console.log(`  ✗ ${c.name}\n      ${(error as Error).message.split("\n")[0]}`);
      }
    }
  } finally {
    await stack.close();
  }
  console.log(`\n  ${passed} passing (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (failures.length > 0) console.log(`  ${failures.length} failing`);
  console.log(`  screenshots in ${SHOTS}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
