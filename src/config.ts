import { z } from 'zod';

/**
 * Every environment variable of the public contract, validated once at start-up.
 * A bad value stops the process with a message naming the variable (see `loadConfig`).
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    ROLE: z.enum(['api', 'worker', 'all']).default('all'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: port.default(3000),
    API_TOKENS: z
      .string({ message: 'is required: a comma-separated list of bearer tokens the API accepts' })
      .transform((v) =>
        v
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(z.string().min(8, 'each token must be at least 8 characters')).min(1, 'must list at least one token'),
      ),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),

    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_API_KEY: optionalString,
    TEMPORAL_TLS_CERT: optionalString,
    TEMPORAL_TLS_KEY: optionalString,
    TASK_QUEUE: z.string().min(1).default('hookline-deliveries'),
    // Where the activity page (/ui) links a delivery's workflow: the Temporal Web UI, or Temporal Cloud's.
    TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
    // Flow runs have a task queue of their own, so that an outbound retry backlog never delays a sync flow.
    FLOW_TASK_QUEUE: z.string().min(1).default('hookline-flows'),

    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI')
      .default('mongodb://127.0.0.1:27017/hookline'),

    ALLOW_PRIVATE_TARGETS: bool.default(false),
    MAX_PAYLOAD_BYTES: positiveInt.default(1024 * 1024),
    /** The request body of one `events.publishBatch` (up to 10,000 events, each within MAX_PAYLOAD_BYTES). */
    MAX_BATCH_BYTES: positiveInt.default(64 * 1024 * 1024),
    MAX_WEBHOOKS_PER_PROJECT: positiveInt.default(100),
    LOG_CAP_PER_WEBHOOK: positiveInt.default(300),
    RUN_LOG_CAP_PER_FLOW: positiveInt.default(300),
    FLOW_SYNC_TIMEOUT_MS: positiveInt.default(30_000),
    // How long published events are kept (the retention sweep, a Temporal Schedule, removes older ones).
    EVENT_RETENTION_DAYS: positiveInt.default(7),

    // Endpoint protection (see README): requests in flight per endpoint from one worker, and the
    // circuit breaker that pauses an endpoint's deliveries after consecutive failures.
    ENDPOINT_MAX_IN_FLIGHT: positiveInt.default(10),
    // Requests in flight to all of one project's webhooks from one worker: one project's hanging webhooks
    // hold at most this many of a worker's activity slots, whatever their number.
    PROJECT_MAX_IN_FLIGHT: positiveInt.default(40),
    CIRCUIT_FAILURE_THRESHOLD: positiveInt.default(5),
    CIRCUIT_COOLDOWN_MS: positiveInt.default(60_000),
    // Activity slots of one worker; with ENDPOINT_MAX_IN_FLIGHT below it, no endpoint can take them all.
    WORKER_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(100),

    // Observability (README "Running it in production"): Prometheus metrics at GET /metrics on the API port, and
    // on METRICS_PORT when set (a worker-only process has no API port); a projectId label only when asked for,
    // and then for at most METRICS_PROJECT_LIMIT projects (the rest are counted under "other").
    METRICS_ENABLED: bool.default(true),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_PORT: port.optional(),
    METRICS_PROJECT_LABEL: bool.default(false),
    METRICS_PROJECT_LIMIT: positiveInt.default(50),
    // The Temporal SDK's own worker metrics: served by its Runtime on this port and forwarded in /metrics.
    TEMPORAL_METRICS_PORT: port.optional(),

    // An egress proxy, so that deliveries leave from fixed addresses; the proxy then applies address policy.
    HTTPS_PROXY: z.url({ protocol: /^https?$/ }).optional(),
    HTTP_PROXY: z.url({ protocol: /^https?$/ }).optional(),
    NO_PROXY: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.TEMPORAL_TLS_CERT) !== Boolean(c.TEMPORAL_TLS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'],
        message: 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together',
      });
    }
    if (c.TEMPORAL_API_KEY && c.TEMPORAL_TLS_CERT) {
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_API_KEY'], message: 'use either an API key or mTLS, not both' });
    }
  })
  .transform((c) => ({ ...c, PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.API_HOST}:${c.API_PORT}` }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
