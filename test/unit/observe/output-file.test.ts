import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputPathProblem, writeFileAtomically } from '../../../src/observe/output-file.js';

const dir = mkdtempSync(join(tmpdir(), 's3ds-output-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outputPathProblem', () => {
  it('accepts a new or existing file in an existing folder, and leaves nothing behind', () => {
    const sub = join(dir, 'ok');
    mkdirSync(sub);
    writeFileSync(join(sub, 'old.json'), '{}');
    expect(outputPathProblem(join(sub, 'new.json'))).toBeUndefined();
    expect(outputPathProblem(join(sub, 'old.json'))).toBeUndefined();
    expect(readdirSync(sub)).toEqual(['old.json']);
  });

  it('names why a path cannot take the file', () => {
    writeFileSync(join(dir, 'a-file'), '');
    expect(outputPathProblem(join(dir, 'no-such-folder', 'r.json'))).toBe('its folder does not exist');
    expect(outputPathProblem(join(dir, 'a-file', 'r.json'))).toBe('its folder does not exist');
    expect(outputPathProblem(dir)).toBe('it is a directory');
  });
});

describe('writeFileAtomically', () => {
  it('never follows a link planted where a temporary file used to be named, and leaves no temporary file', () => {
    const sub = join(dir, 'planted');
    mkdirSync(sub);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const target = join(sub, 'report.json');
    // The old temporary name was `${path}.${pid}.tmp`: predictable, and written through a link.
    symlinkSync(victim, `${target}.${process.pid}.tmp`);
    writeFileAtomically(target, '{"ok":true}\n');
    expect(readFileSync(target, 'utf8')).toBe('{"ok":true}\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readdirSync(sub).sort()).toEqual(['report.json', `report.json.${process.pid}.tmp`]);
  });

  it('replaces an existing file whole', () => {
    const target = join(dir, 'again.json');
    writeFileSync(target, 'old and longer');
    writeFileAtomically(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('throws for a missing folder', () => {
    expect(() => writeFileAtomically(join(dir, 'missing', 'r.json'), 'x')).toThrow(/ENOENT/);
  });
});
