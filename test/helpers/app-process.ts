import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { testEnv } from './env';

const ROOT = path.resolve(__dirname, '../..');

/** `npm start` (src/main.ts) with exactly `env`; its stderr shown or not. */
export const spawnApp = (env: NodeJS.ProcessEnv, stderr: 'inherit' | 'ignore' = 'inherit'): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, stdio: ['ignore', 'ignore', stderr], env });

/**
 * `npm start` (src/main.ts) as processes of their own, on a database and task queues of this test's, with the
 * test servers: what a test of process-wide set-up (metrics, tracing) runs. `stopAll` ends what it started.
 */
export function appProcesses(name: string, token: string) {
  const id = randomBytes(6).toString('hex');
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    API_TOKENS: token,
    TEMPORAL_ADDRESS: testEnv('temporalAddress'),
    MONGODB_URI: `${testEnv('mongoUri')}/${name}-${id}`,
    TASK_QUEUE: `${name}-${id}`,
    FLOW_TASK_QUEUE: `${name}-flows-${id}`,
    ALLOW_PRIVATE_TARGETS: 'true',
    LOG_LEVEL: 'warn',
  };
  const started: ChildProcess[] = [];
  return {
    /** One process, with `env` over the test's. */
    start(env: NodeJS.ProcessEnv): ChildProcess {
      const child = spawnApp({ ...base, ...env });
      started.push(child);
      return child;
    },
    /** Resolves once `url`/healthz answers 200 (the workflows are bundled at start: seconds). */
    async healthy(url: string, ms = 90_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (
          await fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`${url} did not become healthy in ${ms} ms`);
    },
    /** SIGTERM to each, and waits for it to exit. */
    async stopAll(): Promise<void> {
      await Promise.all(
        started.map((child) => {
          if (child.exitCode !== null || child.signalCode !== null) return undefined;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
    },
  };
}
