import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Logger } from './shared/logger';

/** What a process with tracing on adds to its Temporal client, its workers and its workflow bundle. */
export interface Tracing {
  clientInterceptors: { workflow: WorkflowClientInterceptor[] };
  worker: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Bundled with the workflows: they trace each workflow run and what it starts, in the caller's trace. */
  workflowInterceptorModules: string[];
  /** Sends what is left; called at stop. */
  shutdown(): Promise<void>;
}

/** How long a stop waits for the last spans to be sent. */
const SHUTDOWN_MS = 2_000;

/** Tracing is on when an OTLP endpoint is configured the standard way, and not switched off. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * OpenTelemetry tracing, off unless configured through the standard `OTEL_*` variables (OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_SERVICE_NAME, OTEL_BSP_*): spans go to an OTLP/HTTP collector. A
 * trace runs from the `events.publish` call (api/trpc.ts), through the workflow start, the workflow and each
 * attempt's activity (@temporalio/interceptors-opentelemetry), to the outbound POST (shared/http/client.ts);
 * a flow webhook call's into its run the same way.
 */
export function startTracing(logger: Logger, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!tracingConfigured(env)) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || 'hookline' });
  // The exporter reads the OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers, timeout).
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // W3C trace context only: a caller's `baggage` must not travel on to third-party receivers.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  logger.info({ endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing on');
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    worker: {
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(processor, resource) },
    },
    workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
    // Bounded: an unreachable collector must not hold the process's stop past its deadline (main.ts).
    shutdown: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_MS, 'late')));
      const ended = await Promise.race([provider.shutdown().then(() => 'sent' as const), late]);
      clearTimeout(timer);
      if (ended === 'late') logger.warn('tracing: the spans not sent by the stop were dropped');
    },
  };
}
