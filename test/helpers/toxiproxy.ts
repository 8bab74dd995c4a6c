import { spawn, type ChildProcess } from 'node:child_process';
import { toolPath } from '../../scripts/tools.js';
import { freePort } from '../../scripts/local-s3.js';

export interface Toxiproxy {
  /** Address clients use; traffic goes through the toxics to the upstream. */
  endpoint: string;
  addToxic(toxic: { name: string; type: string; stream?: 'upstream' | 'downstream'; toxicity?: number; attributes: Record<string, number> }): Promise<void>;
  removeToxic(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** The real toxiproxy (built by scripts/install-tools.sh toxiproxy) in front of `upstream` (host:port). */
export async function startToxiproxy(upstream: string): Promise<Toxiproxy> {
  const server = toolPath('toxiproxy-server');
  const apiPort = await freePort();
  const child: ChildProcess = spawn(server, ['-host', '127.0.0.1', '-port', String(apiPort)], { stdio: 'ignore' });
  const api = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${api}/version`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('toxiproxy did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const listenPort = await freePort();
  const created = await fetch(`${api}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name: 's3', listen: `127.0.0.1:${listenPort}`, upstream, enabled: true }),
  });
  if (!created.ok) throw new Error(`toxiproxy: creating the proxy failed: ${created.status} ${await created.text()}`);
  return {
    endpoint: `http://127.0.0.1:${listenPort}`,
    async addToxic(t) {
      const r = await fetch(`${api}/proxies/s3/toxics`, { method: 'POST', body: JSON.stringify({ stream: 'downstream', toxicity: 1, ...t }) });
      if (!r.ok) throw new Error(`toxiproxy: adding toxic ${t.name} failed: ${r.status} ${await r.text()}`);
    },
    async removeToxic(name) {
      await fetch(`${api}/proxies/s3/toxics/${name}`, { method: 'DELETE' });
    },
    async stop() {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await done;
    },
  };
}
