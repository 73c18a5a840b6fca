import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "../../dashboard/server/server.js";
import { startDemo, type DemoSession } from "../../scripts/demo/run.js";
import { testWalletScript } from "./wallet.js";

/**
 * The browser tests' and the dashboard benchmark's world: the `npm start` stack (startDemo: the
 * embedded chain over JSON-RPC, the product, the keeper) with its epochs run on demand, the
 * dashboard server over the keeper's store and HTTP API as `npm start` serves it, and Debian's
 * Chromium driven by playwright-core.
 */

/** Epochs of the strategist's NAV replay in the tests and the benchmark. */
export const NAV_BACKTEST_EPOCHS = 4;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Stack {
  readonly session: DemoSession;
  readonly dashboard: DashboardServer;
  readonly browser: Browser;
  readonly chainId: number;
  /** the addresses file the stack wrote */
  readonly addressesFile: string;
  /** a page with the test wallet on `account` (no wallet when undefined) */
  page(account?: string, chainId?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function startStack(options: {
  readonly epochs: number;
  readonly log?: (line: string) => void;
}): Promise<Stack> {
  const dir = mkdtempSync(path.join(tmpdir(), "dashboard-stack-"));
  const session = await startDemo({
    port: 0,
    statusPort: 0,
    addressesFile: path.join(dir, "local-addresses.json"),
    keeperConfigFile: path.join(dir, "keeper.json"),
    log: options.log ?? (() => {}),
  });
  try {
    for (let i = 0; i < options.epochs; i++) await session.runEpoch();
    const dashboard = await startDashboardServer({
      rpcUrl: session.rpcUrl,
      addressesFile: path.join(dir, "local-addresses.json"),
      store: session.keeper.store,
      ...(session.statusUrl ? { keeperUrl: session.statusUrl.replace(/\/status$/, "") } : {}),
      signals: async () => session.signalsNow(),
      // a shorter NAV replay than npm start's 7 epochs keeps the browser tests within their budget
      navBacktestEpochs: NAV_BACKTEST_EPOCHS,
      ...(session.keeper.product ? { keeperPolicy: session.keeper.product.policy } : {}),
      ...(session.keeperApiToken ? { keeperToken: session.keeperApiToken } : {}),
      ...(session.keeper.product
        ? {
            planning: {
              parts: session.keeper.product,
              proposalTtlSeconds: session.keeper.config.gate.proposalTtlSeconds,
            },
          }
        : {}),
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const { chainId } = JSON.parse(readFileSync(path.join(dir, "local-addresses.json"), "utf8")) as {
      chainId: number;
    };
    return {
      session,
      dashboard,
      browser,
      chainId,
      addressesFile: path.join(dir, "local-addresses.json"),
      async page(account, walletChainId) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        if (account)
          await context.addInitScript(
            testWalletScript({ rpcUrl: session.rpcUrl, account, chainId: walletChainId ?? chainId }),
          );
        return context.newPage();
      },
      async close() {
        await browser.close();
        await dashboard.close();
        await session.close();
      },
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}
