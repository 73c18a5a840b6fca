import { redact, redactString } from "./redact.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** A structured JSON-lines logger whose output never contains key material. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. a component name). */
  child(fields: LogFields): Logger;
  /** Registers an exact secret value (a loaded private key, a password) to redact wherever it appears. */
  addSecret(secret: string): void;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Receives one JSON line (without the newline). Defaults to stderr. */
  readonly write?: (line: string) => void;
  readonly fields?: LogFields;
  readonly now?: () => Date;
}

/** Creates a JSON-lines logger: `{"time","level","msg",...fields}` per line, redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets: string[] = [];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const threshold = LEVEL_ORDER[options.level ?? "info"];

  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
      if (LEVEL_ORDER[level] < threshold) return;
      const body = redact({ ...base, ...fields }, secrets) as LogFields;
      const line = {
        time: now().toISOString(),
        level,
        msg: redactString(message, undefined, secrets),
        ...body,
      };
      write(JSON.stringify(line));
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (fields) => make({ ...base, ...fields }),
      addSecret: (secret) => {
        if (secret.length > 0 && !secrets.includes(secret)) secrets.push(secret);
      },
    };
  };
  return make(options.fields ?? {});
}

/** A logger that drops everything (for library callers that pass none). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  addSecret: () => undefined,
};
