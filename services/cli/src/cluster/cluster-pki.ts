/**
 * A cluster's credentials, made by `kemu up` with Debian's `openssl` (node:crypto cannot
 * issue X.509 certificates): a CA, the apiserver's serving certificate signed by it with
 * the SANs kubeadm gives kube-apiserver (loopback, the host's underlay address, the
 * `kubernetes` ClusterIP and its in-cluster names), and a static token file for the
 * kemu-admin user. They live in `<state dir>/pki`, a 0700 folder; keys and the token
 * file are 0600.
 */
import { execFile } from 'node:child_process';
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

/** Creates the CA, the apiserver certificate and the token file; returns their paths. */
export async function createClusterPki(o: {
  stateDir: string;
  cluster: string;
  hostIp: string;
  serviceIp: string;
  token: string;
}): Promise<PkiPaths> {
  const p = pkiPaths(o.stateDir);
  await rm(p.dir, { recursive: true, force: true });
  await mkdir(p.dir, { recursive: true, mode: 0o700 });
  await chmod(p.dir, 0o700);
  const cnf = join(p.dir, 'openssl.cnf');
  const csr = join(p.dir, 'apiserver.csr');
  await writeFile(cnf, opensslConfig(o.cluster, apiserverSans(o)), { mode: 0o600 });
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
  await openssl([...ecKey, p.apiserverKey]);
  await openssl(['req', '-new', '-config', cnf, '-key', p.apiserverKey, '-subj', '/CN=kube-apiserver', '-out', csr]);
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', p.caCert, '-CAkey', p.caKey, '-set_serial', serial].concat([
      '-sha256',
      '-days',
      '365',
      '-extfile',
      cnf,
      '-extensions',
      'v3_server',
      '-out',
      p.apiserverCert,
    ]),
  );
  await rm(csr, { force: true });
  await writeFile(p.tokenFile, `${o.token},kemu-admin,kemu-admin,"system:masters"\n`, { mode: 0o600 });
  for (const f of [p.caKey, p.apiserverKey, p.tokenFile]) await chmod(f, 0o600);
  for (const f of [p.caCert, p.apiserverCert]) await chmod(f, 0o644);
  return p;
}

/** Reads the CA certificate (PEM) clients verify the apiserver with. */
export function readCaCert(stateDir: string): Promise<string> {
  return readFile(pkiPaths(stateDir).caCert, 'utf8');
}
