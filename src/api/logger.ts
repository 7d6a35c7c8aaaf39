/** What the API logs through; `console` fits, and so do pino-style loggers wrapped to this shape. */
export interface ApiLogger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}
