import type { EngineName } from './types.js';

export interface EngineChoiceInput {
  mode: 'auto' | 'direct_sync' | 'traditional';
  forced?: EngineName;
  s5cmd: { available: boolean; reason: string };
  /** Both sides on one S3 endpoint, so the destination can CopyObject from the source. */
  serverSide: { possible: boolean; reason: string };
  /** Copied zips are verified against their .CHECKSUM. */
  verify?: boolean;
}

export type EngineChoice = { ok: true; engine: EngineName; reason: string } | { ok: false; message: string };

/** Picks the engine for a run and says why (pure: the job probes, this decides). */
export function chooseEngine(i: EngineChoiceInput): EngineChoice {
  if (i.forced) {
    if (i.forced !== 'stream' && !i.serverSide.possible) {
      return { ok: false, message: `--engine ${i.forced} needs a server-side copy, which is impossible here: ${i.serverSide.reason}; use --engine stream` };
    }
    if (i.forced === 'stream' && i.mode === 'direct_sync') {
      return { ok: false, message: `--engine stream downloads and uploads, which operation_mode direct_sync forbids; use --mode auto or traditional` };
    }
    if (i.forced === 's5cmd' && !i.s5cmd.available) return { ok: false, message: `--engine s5cmd: ${i.s5cmd.reason}` };
    if (i.forced !== 'stream' && i.mode === 'traditional') {
      return { ok: false, message: `--engine ${i.forced} copies server-side, which operation_mode traditional forbids; use --engine stream or --mode auto` };
    }
    return { ok: true, engine: i.forced, reason: `forced with --engine ${i.forced}` };
  }
  if (i.mode === 'traditional') return { ok: true, engine: 'stream', reason: 'operation_mode traditional: download and upload' };
  if (!i.serverSide.possible) {
    if (i.mode === 'direct_sync')
      return { ok: false, message: `operation_mode direct_sync needs a server-side copy, which is impossible here: ${i.serverSide.reason}` };
    return { ok: true, engine: 'stream', reason: `server-side copy impossible (${i.serverSide.reason}): download and upload` };
  }
  // s5cmd cannot ask the server for a SHA-256, so verifying its copies means reading every zip
  // back; an SDK CopyObject returns the SHA-256 in its response. Measured (README, benchmark):
  // with verification the SDK engine is faster end to end, without it s5cmd is.
  if (i.verify)
    return {
      ok: true,
      engine: 'sdk',
      reason:
        `server-side copy possible (${i.serverSide.reason}); verifying .CHECKSUM files, ` +
        `and an SDK CopyObject returns the SHA-256 that s5cmd copies would have to be read back for`,
    };
  if (i.s5cmd.available) return { ok: true, engine: 's5cmd', reason: `server-side copy possible (${i.serverSide.reason}) and ${i.s5cmd.reason}` };
  return { ok: true, engine: 'sdk', reason: `server-side copy possible (${i.serverSide.reason}); s5cmd unavailable (${i.s5cmd.reason}): AWS SDK CopyObject` };
}

export interface RouteInput {
  key: string;
  size: number;
  plainSourceEtag: boolean;
}

/** U+0000–U+001F and U+007F: s5cmd's run file is read line by line and split like a shell command. */
export function hasControlCharacter(key: string): boolean {
  // eslint-disable-next-line no-control-regex -- matching control characters in keys is the point of this check
  return /[\u0000-\u001f\u007f]/.test(key);
}

/**
 * Which engine copies one object when the run's engine is s5cmd: s5cmd cannot copy above 5 GiB,
 * does no multipart copy, cannot record the source ETag a multipart source needs, and cannot take
 * a key with a control character in its run file, so those objects go to the SDK engine.
 */
export function routeObject(runEngine: EngineName, o: RouteInput, multipartThreshold: number, s5cmdMax: number): EngineName {
  if (runEngine !== 's5cmd') return runEngine;
  if (o.size > s5cmdMax || o.size > multipartThreshold || !o.plainSourceEtag || hasControlCharacter(o.key)) return 'sdk';
  return 's5cmd';
}

/** Whether a failed server-side copy of one object should be retried by download-and-upload. */
export function shouldFallBackToStream(
  mode: 'auto' | 'direct_sync' | 'traditional',
  forced: EngineName | undefined,
  error: { class: string; code?: string; status?: number },
  sidesShareCredentials: boolean,
): boolean {
  if (mode !== 'auto' || forced) return false;
  if (error.code === 'NotImplemented' || error.status === 501) return true;
  if (error.code === 'InvalidRequest' || error.code === 'XAmzContentSHA256Mismatch') return true;
  // Refused for the destination's credentials, but the source's own credentials may read it.
  return error.class === 'permission' && !sidesShareCredentials;
}

/** The operation mode a run uses: enable_s3_direct_sync=false (the seed's switch) sends every object through this machine. */
export function effectiveMode(config: { enable_s3_direct_sync: boolean; operation_mode: EngineChoiceInput['mode'] }): EngineChoiceInput['mode'] {
  return config.enable_s3_direct_sync ? config.operation_mode : 'traditional';
}
