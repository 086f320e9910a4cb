/**
 * Polls `read` until `done` holds for what it answers, and returns that; past `timeoutMs` it throws, naming `what`
 * and the last value read. With `whileStarting`, a read that throws counts as "not yet" (a server still starting).
 */
export async function waitUntil<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  opts: { timeoutMs?: number; everyMs?: number; whileStarting?: boolean } = {},
): Promise<T> {
  const { timeoutMs = 60_000, everyMs = 100, whileStarting = false } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = { value };
    } catch (err) {
      if (!whileStarting) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (${timeoutMs} ms; last: ${JSON.stringify(last?.value)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Polls `find` until it finds something, and returns it (see waitUntil). */
export async function waitForFound<T>(
  what: string,
  find: () => T | undefined | Promise<T | undefined>,
  opts: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const found = await waitUntil(what, find, (v) => v !== undefined, opts);
  if (found === undefined) throw new Error(`${what}: not found`);
  return found;
}
