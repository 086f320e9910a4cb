/** What global-setup hands to every test file, through the environment of the jest workers. */
export const TEST_ENV = {
  temporalAddress: 'HOOKLINE_TEST_TEMPORAL_ADDRESS',
  mongoUri: 'HOOKLINE_TEST_MONGODB_URI',
  testServer: 'HOOKLINE_TEST_SERVER',
  workflowBundle: 'HOOKLINE_TEST_WORKFLOW_BUNDLE',
  chromium: 'HOOKLINE_TEST_CHROMIUM',
} as const;

export function testEnv(key: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[key]];
  if (!value) throw new Error(`${TEST_ENV[key]} is unset: run the tests with npm test (jest global setup)`);
  return value;
}
