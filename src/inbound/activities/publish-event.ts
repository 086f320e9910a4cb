import { ApplicationFailure } from '@temporalio/activity';
import type { OutboundDeps } from '../../outbound/deps';
import { publishEvent } from '../../outbound/events/publish';
import { publishEventInput } from '../../outbound/events/schema';
import { DomainError } from '../../shared/errors';
import type { LiquidSandbox } from '../../shared/templates/liquid';
import type { PublishStep } from '../store/records';
import { STEP_FAILED, type FlowContext, type StepFailureDetails, type StepOutcome } from '../workflow/types';

/**
 * A `publish` step: an `events.publish` of the flow's project, so that an inbound call fans out to the
 * project's outbound webhooks. Its event id derives from the run and the step, so a retried attempt publishes
 * the same event (and so starts no second delivery).
 */
export function createPublishEvent({ outbound, liquid }: { outbound: OutboundDeps; liquid: LiquidSandbox }) {
  const stop = (message: string, input?: string) => {
    const details: StepFailureDetails = { input };
    return ApplicationFailure.create({ message, type: STEP_FAILED, nonRetryable: true, details: [details] });
  };

  return async function publishEventStep(call: {
    projectId: string;
    runId: string;
    step: PublishStep;
    context: FlowContext;
  }): Promise<StepOutcome> {
    const { step } = call;
    let rendered: string;
    try {
      rendered = await liquid.render(step.entity, call.context);
    } catch (err) {
      if (err instanceof DomainError) throw stop(`entity: ${err.message}`);
      throw err;
    }
    let entity: unknown;
    try {
      entity = JSON.parse(rendered);
    } catch {
      throw stop('entity: does not render a JSON object', JSON.stringify({ entity: rendered }));
    }
    const event = {
      projectId: call.projectId,
      eventId: `${call.runId}.${step.ref}`,
      entityType: step.entityType,
      action: step.action,
      ...(step.contentType !== undefined ? { contentType: step.contentType } : {}),
      entity,
    };
    const input = JSON.stringify(event);
    const parsed = publishEventInput.safeParse(event);
    if (!parsed.success) {
      throw stop(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), input);
    }
    try {
      return { input, result: await publishEvent(outbound, parsed.data) };
    } catch (err) {
      // A rule of the event (its body over MAX_PAYLOAD_BYTES, say) refuses it whatever the attempt.
      if (err instanceof DomainError) throw stop(err.message, input);
      throw err;
    }
  };
}
