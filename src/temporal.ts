import { readFileSync } from 'node:fs';
import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

/**
 * How Hookline reaches Temporal: a local dev server, a self-hosted cluster, or Temporal Cloud
 * (API key, or mTLS with a client certificate and key).
 */
export function connectionOptions(config: Config) {
  const tls =
    config.TEMPORAL_TLS_CERT && config.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: {
            crt: readFileSync(config.TEMPORAL_TLS_CERT),
            key: readFileSync(config.TEMPORAL_TLS_KEY),
          },
        }
      : config.TEMPORAL_API_KEY
        ? true
        : undefined;
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}

/** A client; `interceptors` trace its workflow starts and signals (src/tracing.ts), when tracing is on. */
export async function connectClient(config: Config, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors });
}

export async function connectWorkerConnection(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
