// Scoped loggers: each module logs under its own name; the sink is chosen by the process (stderr for
// the CLI, so stdout stays one JSON event per line). Never pass passwords to a logger.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export type LogSink = (level: LogLevel, scope: string, msg: string, data?: Record<string, unknown>) => void;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let sink: LogSink = () => {};
let threshold: LogLevel = 'info';

/** Installs the process-wide sink (e.g. stderr writer) and minimum level. */
export function setLogSink(next: LogSink, level: LogLevel = 'info'): void {
  sink = next;
  threshold = level;
}

export function createLogger(scope: string): Logger {
  const at = (level: LogLevel) => (msg: string, data?: Record<string, unknown>) => {
    if (order[level] >= order[threshold]) sink(level, scope, msg, data);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (sub: string) => createLogger(`${scope}:${sub}`),
  };
}
