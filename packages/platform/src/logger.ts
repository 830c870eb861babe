import pino, { type Logger, type LoggerOptions } from 'pino';
import { traceLogFields } from './tracing';

/**
 * JSON logs on stdout with Cloud Logging's keys (`severity`, `message`, `logging.googleapis.com/trace`).
 * Redaction is central: every path below is censored wherever it appears, so a handler that logs an
 * event's data by mistake still leaks no PII or reviewer note.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'data.context.customerId',
  '*.context.customerId',
  'context.customerId',
  'notes',
  '*.notes',
  'data.notes',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'token',
  '*.token',
  'data.what',
];

const severityOf: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export type { Logger };

export interface LoggerConfig {
  service: string;
  level: string;
  /** Destination for tests; stdout by default. */
  destination?: pino.DestinationStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level,
    messageKey: 'message',
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ severity: severityOf[label] ?? 'DEFAULT' }),
    },
    redact: { paths: [...REDACTED_LOG_PATHS], censor: '[REDACTED]' },
    // `logging.googleapis.com/trace` and `…/spanId` of the active span, when tracing is on (tracing.ts).
    mixin: traceLogFields,
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}
