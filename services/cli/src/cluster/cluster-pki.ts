/**
 * A cluster's credentials, made by `kemu up` with Debian's `openssl` (node:crypto cannot
 * issue X.509 certificates): a CA, the apiserver's serving certificate signed by it with
 * the SANs kubeadm gives kube-apiserver (loopback, the host's underlay address, the
 * `kubernetes` ClusterIP and its in-cluster names), and a static token file for the
 * kemu-admin user, and the key pair that signs ServiceAccount tokens. They live in `<state dir>/pki`, a 0700 folder; keys and the token
 * file are 0600.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, PrerequisiteError } from '../errors.js';

/** Files of a cluster's PKI. */
export interface PkiPaths {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  /** kube-apiserver static token file: `token,user,uid,"groups"`. */
  tokenFile: string;
  /** The key Secrets are encrypted with in the event log (apiserver and node-agents only). */
  encryptionKey: string;
  /** The key pair (EC P-256, PEM private key) that signs ServiceAccount tokens (--service-account-signing-key-file). */
  serviceAccountKey: string;
  /** The cluster's nats-server serving certificate and key (same SANs as the apiserver's). */
  natsCert: string;
  natsKey: string;
}

/** The PKI files inside a state directory. */
export function pkiPaths(stateDir: string): PkiPaths {
  const dir = join(stateDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiserverCert: join(dir, 'apiserver.crt'),
    apiserverKey: join(dir, 'apiserver.key'),
    tokenFile: join(dir, 'tokens.csv'),
    encryptionKey: join(dir, 'encryption-key'),
    serviceAccountKey: join(dir, 'sa.key'),
    natsCert: join(dir, 'nats.crt'),
    natsKey: join(dir, 'nats.key'),
  };
}

/** Subject alternative names of the apiserver certificate. */
export function apiserverSans(o: { hostIp: string; serviceIp: string }): { ips: string[]; dns: string[] } {
  return {
    ips: ['127.0.0.1', o.hostIp, o.serviceIp],
    dns: [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'localhost',
    ],
  };
}

/** The openssl configuration with the CA and server extensions. */
export function opensslConfig(cluster: string, sans: { ips: string[]; dns: string[] }): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    `CN = kemu-${cluster}-ca`,
    '[v3_ca]',
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
    'subjectKeyIdentifier = hash',
    '[v3_server]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    'subjectAltName = @alt',
    // The NATS certificate also serves as the client certificate of route connections
    // between clustered servers (compose), which verify each other against the CA.
    '[v3_peer]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage = serverAuth,clientAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    'subjectAltName = @alt',
    '[alt]',
    ...sans.ips.map((ip, i) => `IP.${i + 1} = ${ip}`),
    ...sans.dns.map((d, i) => `DNS.${i + 1} = ${d}`),
    '',
  ].join('\n');
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new PrerequisiteError('openssl is not installed: apt-get install openssl'));
      }
      reject(new CliError('PkiFailed', `openssl ${args[0]} failed: ${String(stderr).trim() || err.message}`));
    });
  });
}

/**
 * Creates the CA, the apiserver and NATS certificates and the token file; returns their
 * paths. `extraSans` are added to both certificates (compose: the NATS servers' names).
 */
export async function createClusterPki(o: {
  stateDir: string;
  cluster: string;
  hostIp: string;
  serviceIp: string;
  token: string;
  extraSans?: { ips: string[]; dns: string[] };
}): Promise<PkiPaths> {
  const p = pkiPaths(o.stateDir);
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await chmod(p.dir, 0o700);
  const cnf = join(p.dir, 'openssl.cnf');
  const csr = join(p.dir, 'apiserver.csr');
  const sans = apiserverSans(o);
  const extra = o.extraSans ?? { ips: [], dns: [] };
  await writeFile(
    cnf,
    opensslConfig(o.cluster, { ips: [...sans.ips, ...extra.ips], dns: [...sans.dns, ...extra.dns] }),
    { mode: 0o600 },
  );
  const ecKey = ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out'];
  await openssl([...ecKey, p.caKey]);
  await openssl(
    ['req', '-x509', '-new', '-config', cnf, '-extensions', 'v3_ca', '-key', p.caKey].concat([
      '-sha256',
      '-days',
      '3650',
      '-out',
      p.caCert,
    ]),
  );
  for (const [key, cert, cn, extensions] of [
    [p.apiserverKey, p.apiserverCert, 'kube-apiserver', 'v3_server'],
    [p.natsKey, p.natsCert, 'kemu-nats', 'v3_peer'],
  ] as const) {
    await openssl([...ecKey, key]);
    await openssl(['req', '-new', '-config', cnf, '-key', key, '-subj', `/CN=${cn}`, '-out', csr]);
    const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
    await openssl(
      ['x509', '-req', '-in', csr, '-CA', p.caCert, '-CAkey', p.caKey, '-set_serial', serial].concat([
        '-sha256',
        '-days',
        '365',
        '-extfile',
        cnf,
        '-extensions',
        extensions,
        '-out',
        cert,
      ]),
    );
    await rm(csr, { force: true });
  }
  await openssl([...ecKey, p.serviceAccountKey]);
  await writeFile(p.tokenFile, `${o.token},kemu-admin,kemu-admin,"system:masters"\n`, { mode: 0o600 });
  await writeFile(p.encryptionKey, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  for (const f of [p.caKey, p.apiserverKey, p.natsKey, p.tokenFile, p.encryptionKey, p.serviceAccountKey])
    await chmod(f, 0o600);
  for (const f of [p.caCert, p.apiserverCert, p.natsCert]) await chmod(f, 0o644);
  return p;
}

/** Reads the CA certificate (PEM) clients verify the apiserver with. */
export function readCaCert(stateDir: string): Promise<string> {
  return readFile(pkiPaths(stateDir).caCert, 'utf8');
}
