import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

/**
 * Hookline's own spans, through the OpenTelemetry API: without a tracer provider (tracing off, the default; see
 * src/tracing.ts) every call here is a no-op. Temporal's spans (start workflow, run workflow, run activity) come
 * from @temporalio/interceptors-opentelemetry, in the same trace.
 */
const tracer = () => trace.getTracer('hookline');

/** Runs `fn` in a new span, a child of the active one; the span ends with `fn`, marked as an error if it throws. */
export async function inSpan<T>(
  name: string,
  attributes: Record<string, string | number>,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` in the trace the caller's `traceparent` names, if it sent one (a CMS that traces its publishes). */
export function withIncomingTrace<T>(headers: Record<string, string | string[] | undefined>, fn: () => T): T {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}

/** The active trace as W3C `traceparent` (and `tracestate`) headers, for a receiver that asked for them. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export { SpanKind, SpanStatusCode };
