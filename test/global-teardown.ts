import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__hooklineTest;
  if (!state) return;
  await Promise.all(state.servers.map((s) => s.stop()));
  rmSync(state.tmp, { recursive: true, force: true });
}
