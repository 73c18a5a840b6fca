import { createClient } from "@lifi/sdk";
import {
  type LiFiQuoteService,
  type LiFiQuoteServiceConfig,
  startLiFiQuoteService,
} from "../../../deploy/local/lifiQuoteService.js";

export type LiFiClient = ReturnType<typeof createClient>;

/**
 * Starts the local LI.FI quote service, points an `@lifi/sdk` client at it (no chain preload, no version
 * check, so the SDK makes no request of its own), runs `body`, and always closes the service.
 */
export async function withLocalLiFi<T>(
  config: LiFiQuoteServiceConfig,
  body: (lifi: LiFiClient, service: LiFiQuoteService) => Promise<T>,
): Promise<T> {
  const service = await startLiFiQuoteService(config);
  try {
    const lifi = createClient({
      integrator: "agent-vault",
      apiUrl: service.apiUrl,
      preloadChains: false,
      disableVersionCheck: true,
    });
    return await body(lifi, service);
  } finally {
    await service.close();
  }
}
