import { silentLogger, type Logger } from "../log/logger.js";
import { redact } from "../log/redact.js";
import type { Severity } from "./monitors.js";

export interface Alert {
  /** What raised it, e.g. `depeg`, `nav`, `task-failed`. */
  readonly kind: string;
  readonly severity: Exclude<Severity, "ok">;
  /** What it is about (a vault, a token, a task); with `kind`, the de-duplication key. */
  readonly subject: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Delivers alerts. Implementations never throw: an alert path that can crash the loop is worse than none. */
export interface AlertSink {
  send(alert: Alert): Promise<void>;
  /** What was sent, failed and suppressed (for `/status`), when the sink counts. */
  readonly counters?: AlertCounters;
}

export interface AlertCounters {
  sent: number;
  failed: number;
  suppressed: number;
}

export interface WebhookOptions {
  /** Absent: alerts are only logged. */
  readonly url?: string;
  readonly timeoutMs: number;
  /** The same (kind, subject, severity) is not posted again within this window. */
  readonly cooldownMs: number;
  readonly operatorId: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Posts each alert as a JSON body to a webhook (Slack/Discord/PagerDuty bridges, OZ Monitor style)
 * and logs it. Details are redacted like log lines. Network errors, timeouts and non-2xx answers
 * are logged and counted, never thrown.
 */
export class WebhookAlertSink implements AlertSink {
  readonly counters: AlertCounters = { sent: 0, failed: 0, suppressed: 0 };
  private readonly lastSent = new Map<string, number>();
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: WebhookOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  async send(alert: Alert): Promise<void> {
    const key = `${alert.kind}|${alert.subject}|${alert.severity}`;
    const now = this.now();
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < this.options.cooldownMs) {
      this.counters.suppressed++;
      return;
    }
    this.lastSent.set(key, now);
    const log = alert.severity === "critical" ? this.logger.error : this.logger.warn;
    log(`alert: ${alert.message}`, { alertKind: alert.kind, subject: alert.subject, details: alert.details });
    if (!this.options.url) {
      this.counters.sent++;
      return;
    }
    const body = JSON.stringify({
      operator: this.options.operatorId,
      time: new Date(now).toISOString(),
      ...(redact(alert) as object),
    });
    try {
      const response = await fetch(this.options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
      this.counters.sent++;
    } catch (error) {
      this.counters.failed++;
      // Let the next occurrence retry delivery instead of being suppressed by the cooldown.
      this.lastSent.delete(key);
      this.logger.error("alert delivery failed", { alertKind: alert.kind, error: (error as Error).message });
    }
  }
}
