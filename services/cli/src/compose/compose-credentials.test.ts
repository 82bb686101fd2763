import { describe, expect, it } from 'vitest';
import { composeNatsSettings } from './compose-credentials.js';

describe('composeNatsSettings', () => {
  const conf = composeNatsSettings();

  it('requires TLS of clients, with no plain-text fallback', () => {
    expect(conf).toMatch(/^tls \{ cert_file: "\/etc\/kemu\/nats\/nats.crt", key_file: "\/etc\/kemu\/nats\/nats.key"/m);
    expect(conf).not.toContain('allow_non_tls');
  });

  it('makes route peers present a certificate the CA signed', () => {
    expect(conf).toMatch(
      /^cluster \{ name: kemu, listen: "0.0.0.0:6222", routes: \[.*\], tls \{ .*ca_file: "\/etc\/kemu\/nats\/ca.crt", verify: true/m,
    );
    expect(conf).toContain('"nats://nats-1:6222", "nats://nats-2:6222", "nats://nats-3:6222"');
  });

  it('takes the server name from the container and keeps JetStream in /data', () => {
    expect(conf).toContain('server_name: $KEMU_NATS_NAME');
    expect(conf).toContain('jetstream { store_dir: "/data" }');
  });
});
