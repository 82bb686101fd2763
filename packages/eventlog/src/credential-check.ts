/**
 * Whether a NATS server takes a credential: connect, one round trip, close. Nothing
 * JetStream: a check must not create the event stream, as connectEventLog does when it is
 * missing (`kemu compose up` waiting for the servers to take a node's new credential once
 * made the stream with one replica before the control plane asked for three, and it could
 * not be scaled: "no suitable peers for placement").
 */
import { nkeyAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { serverList } from './event-log.js';
import { readSeedFile } from './nats-credentials.js';

/** Where and with what to check. */
export interface CredentialCheckOptions {
  /** NATS URL(s); a string may be a comma-separated list. */
  servers: string | string[];
  /** The seed file of the credential. */
  nkeyFile: string;
  /** The CA the servers' TLS certificates are verified with; none: plain TCP. */
  tlsCaFile?: string;
  name: string;
}

/** Resolves when a server accepted the credential; rejects with the server's or the connection's error. */
export async function checkNatsCredential(options: CredentialCheckOptions): Promise<void> {
  const nc = await connect({
    servers: serverList(options.servers),
    name: options.name,
    timeout: 5_000,
    authenticator: nkeyAuthenticator(await readSeedFile(options.nkeyFile)),
    tls: options.tlsCaFile ? { caFile: options.tlsCaFile } : null,
  });
  try {
    await nc.flush();
  } finally {
    await nc.close();
  }
}
