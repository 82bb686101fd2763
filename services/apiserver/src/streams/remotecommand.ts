/**
 * The remotecommand WebSocket protocol kubectl exec/attach speak (channel.k8s.io v4/v5):
 * binary messages whose first byte is the channel (0 stdin, 1 stdout, 2 stderr,
 * 3 error/status, 4 resize, and in v5 255 = close a stream), and the final Status on
 * channel 3 that carries the exit code. Pure.
 */

/** Subprotocols served, most preferred first (kubectl 1.32 offers only v5; client-node v5..v1). */
export const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** Channels. */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The subprotocol to answer with, or undefined when the client offers none we serve. */
export function pickProtocol(offered: ReadonlySet<string>): string | undefined {
  return REMOTECOMMAND_PROTOCOLS.find((p) => offered.has(p));
}

/** Splits a `Sec-WebSocket-Protocol` header into its protocols. */
export function offeredProtocols(header: string | string[] | undefined): Set<string> {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  return new Set(
    text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  );
}

/** A message for the client: channel byte, then data. */
export function channelMessage(channel: number, data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** What a client message asks for. */
export type ClientMessage =
  | { kind: 'stdin'; data: Buffer }
  | { kind: 'resize'; payload: Buffer }
  | { kind: 'close'; stream: number }
  | { kind: 'ignored' };

/** Decodes a client message (an empty one, or one on an unknown channel, is ignored). */
export function parseClientMessage(msg: Buffer, protocol: string): ClientMessage {
  if (msg.length === 0) return { kind: 'ignored' };
  const channel = msg[0];
  const rest = msg.subarray(1);
  if (channel === Channel.stdin) return { kind: 'stdin', data: rest };
  if (channel === Channel.resize) return { kind: 'resize', payload: rest };
  if (channel === Channel.close && protocol === 'v5.channel.k8s.io' && rest.length > 0) {
    return { kind: 'close', stream: rest[0] as number };
  }
  return { kind: 'ignored' };
}

/** The metav1.Status sent on channel 3 when the command ends. */
export function exitStatus(command: readonly string[], exitCode: number): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The channel-3 Status of a failure that is not an exit code. */
export function failureStatus(code: number, reason: string, message: string): object {
  return { metadata: {}, status: 'Failure', message, reason, code };
}
