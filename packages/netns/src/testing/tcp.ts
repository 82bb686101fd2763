/**
 * Test helpers that send real TCP traffic between network namespaces: a one-line echo
 * server started with `ip netns exec`, and a client that reports what it received.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { run } from '../run.js';

/** A TCP server answering `pong <name>` in a netns; stop() kills it. */
export interface NetnsServer {
  process: ChildProcess;
  stop(): void;
}

/** Starts a TCP server inside `netns` (undefined = current) on host:port that writes `pong <name>` and closes. */
export async function startPongServer(
  netns: string | undefined,
  host: string,
  port: number,
  name: string,
): Promise<NetnsServer> {
  const code = `require('net').createServer(s=>s.end('pong ${name}')).listen(${port},'${host}',()=>console.log('ready'))`;
  const argv = netns ? ['ip', 'netns', 'exec', netns, process.execPath, '-e', code] : [process.execPath, '-e', code];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pong server in ${netns} not ready: ${stderr}`)), 10_000);
    child.stdout?.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`pong server in ${netns} exited ${c}: ${stderr}`));
    });
  });
  return { process: child, stop: () => child.kill('SIGKILL') };
}

/** Connects from inside `netns` (undefined = current) to host:port and returns what the server sent. */
export async function tcpRequest(netns: string | undefined, host: string, port: number): Promise<string> {
  const code =
    `const s=require('net').connect(${port},'${host}');let b='';s.setTimeout(3000,()=>{console.error('timeout');process.exit(2)});` +
    `s.on('data',d=>b+=d);s.on('end',()=>{process.stdout.write(b);process.exit(0)});s.on('error',e=>{console.error(e.code);process.exit(1)})`;
  const args = netns ? ['ip', 'netns', 'exec', netns, process.execPath, '-e', code] : [process.execPath, '-e', code];
  const { stdout } = await run(args[0] as string, args.slice(1), { timeoutMs: 10_000 });
  return stdout;
}
