import { ApplicationFailure } from '@temporalio/activity';
import { DomainError } from '../../shared/errors';
import { parseRendered, type LiquidSandbox } from '../../shared/templates/liquid';
import { STEP_FAILED, type FlowContext, type FlowResponse, type StepOutcome } from '../workflow/types';

/** The steps and the response that are templates alone, rendered in the sandbox. */
export function createRenderActivities(liquid: LiquidSandbox) {
  // The same data renders the same way: a template that failed is not tried again.
  const render = async (template: string, context: FlowContext) => {
    try {
      return await liquid.render(template, context);
    } catch (err) {
      if (err instanceof DomainError)
        throw ApplicationFailure.create({ message: err.message, type: STEP_FAILED, nonRetryable: true });
      throw err;
    }
  };

  return {
    /** A `set` step: its rendered text, parsed as JSON when it is JSON, is its `{ value }`. */
    async renderSet(template: string, context: FlowContext): Promise<StepOutcome> {
      const text = await render(template, context);
      return { input: JSON.stringify({ template }), result: { value: parseRendered(text) } };
    },

    async renderResponse(response: FlowResponse, context: FlowContext): Promise<FlowResponse> {
      return { ...response, body: await render(response.body, context) };
    },
  };
}
