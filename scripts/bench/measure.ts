/** Runs a command and samples its process tree's peak RSS (Linux /proc); medians. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measure {
  seconds: number;
  peakRssMb: number;
  code: number;
  /** Stopped after the time limit. */
  timedOut: boolean;
  /** What the command printed, when asked for (measure's `captureStdout`). */
  stdout: string;
}

function treeRss(pid: number): number {
  let kb = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const c of children) kb += treeRss(Number(c));
  } catch {
    // the process ended between samples
  }
  return kb;
}

/** Runs a command, sampling its process tree's RSS every 50 ms; stops it (SIGKILL) after timeoutMs. */
export function measure(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 0, captureStdout = false): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'], detached: true });
    let stderr = '';
    const out: Buffer[] = [];
    child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    let peak = 0;
    let timedOut = false;
    const timer = setInterval(() => {
      peak = Math.max(peak, treeRss(child.pid!));
    }, 50);
    const limit =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            process.kill(-child.pid!, 'SIGKILL');
          }, timeoutMs)
        : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      clearTimeout(limit);
      if (code !== 0 && !timedOut) process.stderr.write(`\n${cmd} exited ${code}: ${stderr}\n`);
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ seconds: (performance.now() - started) / 1000, peakRssMb: peak / 1024, code: code ?? 1, timedOut, stdout });
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
