/**
 * How long a delivery waits when its endpoint refused an attempt without making it (workflow-safe: pure).
 *
 * An open circuit says when it closes: wait until then, spread over a second so that the waiting deliveries
 * do not all come back at once. A full endpoint says nothing: wait 1 s, then twice as long each time it is
 * still full, up to `PAUSE_MAX_MS`, each wait drawn from its upper half (jitter). So a delivery that waits
 * long costs a handful of workflow tasks an hour, not one a second.
 */
export const PAUSE_BASE_MS = 1_000;
export const PAUSE_MAX_MS = 5 * 60_000;

/**
 * A delivery in its endpoint's line is woken by a signal when a place is kept for it; its timer is only
 * the safety net should the signal never come (its worker died): 5 minutes, doubling, up to an hour.
 */
export const QUEUED_SAFETY_BASE_MS = 5 * 60_000;
export const QUEUED_SAFETY_MAX_MS = 60 * 60_000;

export function pauseDelayMs(
  pause: { resumeInMs?: number; queued?: boolean },
  pausesInARow: number,
  random: number,
): number {
  if (pause.resumeInMs !== undefined) return Math.max(0, pause.resumeInMs) + Math.floor(random * 1_000);
  if (pause.queued) {
    const ceiling = Math.min(QUEUED_SAFETY_MAX_MS, QUEUED_SAFETY_BASE_MS * 2 ** Math.min(pausesInARow, 30));
    return Math.floor(ceiling / 2 + (random * ceiling) / 2);
  }
  const ceiling = Math.min(PAUSE_MAX_MS, PAUSE_BASE_MS * 2 ** Math.min(pausesInARow, 30));
  return Math.floor(ceiling / 2 + (random * ceiling) / 2);
}
