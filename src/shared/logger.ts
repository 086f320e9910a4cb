import pino from 'pino';
import { REDACTED, redactPaths } from './redaction';

/** Log lines as JSON; secrets are censored wherever they appear in a logged object (see redaction.ts). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): pino.Logger {
  return pino({ level, base: { service: 'hookline' }, redact: { paths: redactPaths, censor: REDACTED } });
}

export type Logger = pino.Logger;
