/** The bench's Markdown: the machine it ran on, and tables. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { toolPath } from '../tools.js';

function version(tool: 's5cmd' | 'rclone' | 'aws', args: string[]): string {
  try {
    const out = execFileSync(toolPath(tool), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 });
    return out.trim().split('\n')[0]!.trim();
  } catch {
    return 'not found';
  }
}

/** One line: cores, memory, Node and the tools' versions. */
export function machineLine(tools: readonly ('s5cmd' | 'rclone' | 'aws')[]): string {
  const versions: Record<string, string[]> = { s5cmd: ['version'], rclone: ['version'], aws: ['--version'] };
  const v = tools.map((t) => `${t} ${version(t, versions[t]!)}`);
  return (
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, ` + `Node ${process.version}; ${v.join('; ')}`
  );
}

export function mdTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export const fmtSeconds = (s: number) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2)) + ' s';
