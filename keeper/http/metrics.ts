/**
 * A small Prometheus registry writing the text exposition format (version 0.0.4) by hand:
 * counters and gauges with labels, plus collectors that refresh gauges at scrape time.
 */

type Labels = Readonly<Record<string, string>>;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

abstract class Metric {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const label of labelNames) if (!LABEL.test(label)) throw new Error(`invalid label name ${label}`);
  }

  abstract readonly type: "counter" | "gauge";

  protected key(labels: Labels): string {
    const names = Object.keys(labels).sort();
    const expected = [...this.labelNames].sort();
    if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
      throw new Error(`${this.name} takes labels [${this.labelNames.join(", ")}], got [${names.join(", ")}]`);
    }
    return this.labelNames.map((n) => `${n}=${labels[n]}`).join(",");
  }

  get(labels: Labels = {}): number | undefined {
    return this.values.get(this.key(labels))?.value;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.values.values()) {
      const rendered = this.labelNames.map((n) => `${n}="${escapeLabel(labels[n]!)}"`).join(",");
      lines.push(`${this.name}${rendered ? `{${rendered}}` : ""} ${formatValue(value)}`);
    }
    return lines.join("\n");
  }
}

export class Counter extends Metric {
  readonly type = "counter";
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} can only increase`);
    const key = this.key(labels);
    const current = this.values.get(key);
    this.values.set(key, { labels, value: (current?.value ?? 0) + by });
  }
}

export class Gauge extends Metric {
  readonly type = "gauge";
  set(value: number, labels: Labels = {}): void {
    this.values.set(this.key(labels), { labels, value });
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: (() => Promise<void> | void)[] = [];

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, labelNames));
  }

  /** Runs before each scrape (e.g. to read proposal counts from the store into gauges). */
  onCollect(collector: () => Promise<void> | void): void {
    this.collectors.push(collector);
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    return `${this.metrics.map((m) => m.render()).join("\n")}\n`;
  }

  private add<T extends Metric>(metric: T): T {
    if (this.metrics.some((m) => m.name === metric.name))
      throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.push(metric);
    return metric;
  }
}
