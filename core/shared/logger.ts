import pino, { type Logger as PinoLogger } from 'pino';

/**
 * The one logger of the platform: JSON lines (pino) on stdout, filtered by LOG_LEVEL (debug, info,
 * warn, error; info by default). A request, socket event or job logs through a child bound to its
 * ids (`logger.child({ requestId })`), so every line it writes can be found by them.
 */
export type Logger = PinoLogger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const levelOf = (v: string | undefined): LogLevel => (v && LEVELS.includes(v) ? (v as LogLevel) : 'info');

/** Where log lines go: stdout, unless a test is reading them back (captureLogs). */
let sink: { write(line: string): void } | undefined;
const stdout = pino.destination(1);
const forward: pino.DestinationStream = { write: (line: string) => void (sink ?? stdout).write(line) };

/**
 * Sends every log line of this process to a list instead of stdout until `restore()`: tests use it
 * to check that something was logged (and what), whichever child logger wrote it.
 */
export function captureLogs() {
  const lines: string[] = [];
  const previous = sink;
  sink = { write: (line) => void lines.push(line) };
  return {
    lines,
    restore() {
      sink = previous;
    },
  };
}

/** A logger writing to `destination` (stdout by default, through captureLogs' switch); tests may pass their own stream. */
export function createLogger(opts: { level?: LogLevel; destination?: pino.DestinationStream; bindings?: Record<string, unknown> } = {}): Logger {
  const base = pino(
    {
      level: opts.level ?? levelOf(process.env.LOG_LEVEL),
      base: { service: 'bangfu' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? forward,
  );
  return opts.bindings ? base.child(opts.bindings) : base;
}

/** The process's logger. Its level follows LOG_LEVEL at start; `setLogLevel` applies the validated config. */
export const logger: Logger = createLogger();

export function setLogLevel(level: LogLevel) {
  logger.level = level;
}

/**
 * For modules that take a `(line: string) => void` callback (Redis watchers, the deadline timer, the
 * job queue): each line becomes one log entry at `level` on `log`.
 */
export const lineLog =
  (log: Logger = logger, level: Exclude<LogLevel, 'debug'> = 'warn') =>
  (line: string) =>
    log[level](line);
