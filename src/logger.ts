import pino from 'pino';

/** How every secret is shown: in API answers, in the execution log and in log lines. */
export const REDACTED = '[redacted]';

/**
 * Secrets never reach a log line: request headers (authorization, custom header values), auth blocks,
 * signing secrets and API tokens are censored wherever they appear in a logged object.
 */
export const redactPaths = [
  'authorization',
  'headers',
  '*.headers',
  '*.*.headers',
  'auth',
  '*.auth',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'password',
  '*.password',
  'API_TOKENS',
  'TEMPORAL_API_KEY',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({ level, base: { service: 'hookline' }, redact: { paths: redactPaths, censor: REDACTED } });
}

export type Logger = pino.Logger;
