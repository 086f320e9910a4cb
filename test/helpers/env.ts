/** What global-setup hands to every test file, through the environment of the jest workers. */
export const TEST_ENV = {
  temporalAddress: 'HOOKLINE_TEST_TEMPORAL_ADDRESS',
  mongoUri: 'HOOKLINE_TEST_MONGODB_URI',
  testServer: 'HOOKLINE_TEST_SERVER',
  workflowBundle: 'HOOKLINE_TEST_WORKFLOW_BUNDLE',
  chromium: 'HOOKLINE_TEST_CHROMIUM',
  /** Why there is no Chromium (its provisioning failed), for the browser tests to say. */
  chromiumProblem: 'HOOKLINE_TEST_CHROMIUM_PROBLEM',
  prometheus: 'HOOKLINE_TEST_PROMETHEUS',
  promtool: 'HOOKLINE_TEST_PROMTOOL',
  /** Why there is no Prometheus (its provisioning failed), for the metrics tests to say. */
  prometheusProblem: 'HOOKLINE_TEST_PROMETHEUS_PROBLEM',
} as const;

export function testEnv(key: Exclude<keyof typeof TEST_ENV, 'chromiumProblem' | 'prometheusProblem'>): string {
  const value = process.env[TEST_ENV[key]];
  if (value) return value;
  const problem =
    key === 'chromium'
      ? process.env[TEST_ENV.chromiumProblem]
      : key === 'prometheus' || key === 'promtool'
        ? process.env[TEST_ENV.prometheusProblem]
        : undefined;
  throw new Error(problem ?? `${TEST_ENV[key]} is unset: run the tests with npm test (jest global setup)`);
}
