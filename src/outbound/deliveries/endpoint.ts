/** A Temporal priority's fairness part: whose share a task counts against, and how large that share is. */
export interface Fairness {
  fairnessKey: string;
  fairnessWeight: number;
}

/**
 * An endpoint is one webhook: its own in-flight limit, line and circuit (activities/endpoint-guard.ts) and its
 * own fairness key. Not the URL's origin: one SaaS host (a build hook service, a chat service) serves many
 * tenants' webhooks, and one tenant's hanging hook must not hold up another's on the same host.
 */
export const endpointOf = (webhookId: string): string => webhookId;

/**
 * The Temporal task-queue priority of a webhook's deliveries (its activities inherit it): fairness per webhook,
 * weighted so that each project's webhooks share one project's weight. A project with 20 webhooks gets the
 * dispatch share of a project with one, whichever of its webhooks are busy, so projects are fair against each
 * other and, within a project, webhooks are. Temporal clamps weights to [0.001, 1000].
 */
export function fairnessOf(webhookId: string, webhooksInProject: number): Fairness {
  const weight = 1 / Math.max(1, webhooksInProject);
  return { fairnessKey: endpointOf(webhookId), fairnessWeight: Math.max(0.001, weight) };
}
