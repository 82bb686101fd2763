/**
 * NATS nkey credentials: a component proves who it is by signing the server's nonce with
 * its seed; the server's configuration holds only the public key. A seed file holds the
 * seed (`SU…`) on one line, readable by its owner only.
 */
import { nkeys } from '@nats-io/nats-core';
import { readFile } from 'node:fs/promises';
import { CredentialError } from './errors.js';

/** A new user key pair: the seed (secret) and the public key (`U…`) the server names it by. */
export interface NkeyUser {
  seed: string;
  publicKey: string;
}

/** Makes a new user key pair. */
export function newNkeyUser(): NkeyUser {
  const kp = nkeys.createUser();
  return { seed: new TextDecoder().decode(kp.getSeed()), publicKey: kp.getPublicKey() };
}

/** The public key of a seed (`SU…`); throws on anything that is not a user seed. */
export function publicKeyOfSeed(seed: string): string {
  return nkeys.fromSeed(new TextEncoder().encode(seed.trim())).getPublicKey();
}

/** Reads a seed file: the first line that is a seed. */
export async function readSeedFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CredentialError(`cannot read the NATS credential ${path}: ${(err as Error).message}`, { cause: err });
  }
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith('SU'));
  if (!line) throw new CredentialError(`${path} holds no NATS user seed (a line starting SU)`);
  return new TextEncoder().encode(line);
}
