import type { ChildProcess } from 'node:child_process';
import { spawnApp } from './app-process';
import { testEnv } from './env';
import type { Stack } from './stack';

/**
 * A worker as its own process (`npm start` with ROLE=worker) on a stack's database and task queues: what a test
 * kills with SIGKILL to show that nothing is lost. The caller kills what it started (`stopAll`).
 */
export function workerProcesses(stack: () => Stack) {
  const started: ChildProcess[] = [];
  return {
    start(): ChildProcess {
      const s = stack();
      const env = {
        PATH: process.env.PATH,
        ROLE: 'worker',
        API_TOKENS: 'unused-token',
        TEMPORAL_ADDRESS: testEnv('temporalAddress'),
        MONGODB_URI: s.mongoUri,
        TASK_QUEUE: s.config.TASK_QUEUE,
        FLOW_TASK_QUEUE: s.config.FLOW_TASK_QUEUE,
        ALLOW_PRIVATE_TARGETS: 'true',
        LOG_LEVEL: 'warn',
      };
      const child = spawnApp(env, 'ignore');
      started.push(child);
      return child;
    },
    stopAll(): void {
      for (const w of started) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    },
  };
}
