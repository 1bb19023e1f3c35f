/**
 * The log function handed to services, jobs and bots: a message plus optional structured fields
 * (tenant, albumId, jobId, updateId, ...). Entry points back it with pino (src/ops/logger.ts), so the
 * fields become JSON keys; callers that pass only a line keep working.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  /** Default info. */
  readonly level?: LogLevel;
  readonly [field: string]: unknown;
}

export type Log = (line: string, fields?: LogFields) => void;
