import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createOutboundActivities, type OutboundActivityDeps } from '../../src/outbound/activities';
import { loadConfig } from '../../src/config';
import type { AppDatabase } from '../../src/database';
import { createLogger } from '../../src/shared/logger';
import { outboundActivityDeps, installTemporalRuntime } from '../../src/worker';
import type { DeliveryInput, DeliveryResult } from '../../src/outbound/workflow/types';
import type { deliveryWorkflow } from '../../src/workflows';
import { testEnv } from './env';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/shared/search-attributes';

/**
 * The Java time-skipping test server (provisioned from Maven Central; never downloaded at run time):
 * timers and retry backoffs pass at once while a workflow's result is awaited.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installTemporalRuntime(createLogger(process.env.LOG_LEVEL ?? 'error'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testEnv('testServer') } },
  });
  // Workflows that start delivery workflows tag them, as on the dev server (temporal/servers.ts).
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTE_NAMES.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  return env;
}

/** A worker with the real activities (real HTTP, the real database) on the time-skipping server. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  db: AppDatabase,
  overrides: Record<string, string> = {},
  extra: Partial<OutboundActivityDeps> = {},
) {
  const taskQueue = `ts-${randomBytes(6).toString('hex')}`;
  const config = loadConfig({ API_TOKENS: 'unused-token', ALLOW_PRIVATE_TARGETS: 'true', ...overrides });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: testEnv('workflowBundle') },
    activities: createOutboundActivities({ ...outboundActivityDeps(config, db, createLogger('silent')), ...extra }),
  });
  return { worker, taskQueue };
}

/** Runs one delivery workflow to its end on `worker`: its result, or the error it ended with. */
export async function runDeliveryToEnd(
  env: TestWorkflowEnvironment,
  test: { worker: Worker; taskQueue: string },
  input: DeliveryInput,
): Promise<{ result: DeliveryResult | undefined; error: unknown }> {
  return test.worker
    .runUntil(
      env.client.workflow.execute<typeof deliveryWorkflow>('deliveryWorkflow', {
        taskQueue: test.taskQueue,
        workflowId: `delivery-${input.deliveryId}`,
        args: [input],
      }),
    )
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
}
