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
  // back; an SDK CopyObject returns the SHA-256 in its response. The SDK engine copies the zips
  // with a .CHECKSUM; routeObject sends the rest to s5cmd when it is available.
  if (i.verify)
    return {
      ok: true,
      engine: 'sdk',
      reason:
        `server-side copy possible (${i.serverSide.reason}); verifying .CHECKSUM files: an SDK CopyObject returns the SHA-256 ` +
        `that s5cmd copies would have to be read back for` +
        (i.s5cmd.available ? `; objects that need no SHA-256 go to s5cmd (${i.s5cmd.reason})` : `; s5cmd unavailable (${i.s5cmd.reason})`),
    };
  if (i.s5cmd.available) return { ok: true, engine: 's5cmd', reason: `server-side copy possible (${i.serverSide.reason}) and ${i.s5cmd.reason}` };
  return { ok: true, engine: 'sdk', reason: `server-side copy possible (${i.serverSide.reason}); s5cmd unavailable (${i.s5cmd.reason}): AWS SDK CopyObject` };
}

export interface RouteInput {
  key: string;
  size: number;
  plainSourceEtag: boolean;
  /** Whether the source lists `<key>.CHECKSUM` (a zip's companion); undefined when the plan could not tell. */
  checksumFile?: boolean;
}

export interface RoutePolicy {
  run: EngineName;
  /**
   * A verified run on the SDK engine (chosen, not forced) with s5cmd at hand: objects that need no
   * SHA-256 from their copy go to s5cmd, within its limits.
   */
  s5cmdForRest: boolean;
  multipartThreshold: number;
  s5cmdMax: number;
}

/** Why an object went to its engine (the report counts objects per engine and reason). */
export type RouteReason =
  | 'run engine'
  | 'zip with a .CHECKSUM: CopyObject returns its SHA-256'
  | 'needs no SHA-256'
  | 'too large for s5cmd'
  | 'multipart source ETag'
  | 'control character in key';

export interface Route {
  engine: EngineName;
  reason: RouteReason;
}

/** U+0000–U+001F and U+007F: s5cmd's run file is read line by line and split like a shell command. */
export function hasControlCharacter(key: string): boolean {
  // eslint-disable-next-line no-control-regex -- matching control characters in keys is the point of this check
  return /[\u0000-\u001f\u007f]/.test(key);
}

/** A zip whose copy is verified against a .CHECKSUM, unless the plan saw that it has none. */
export function needsSha256(o: Pick<RouteInput, 'key' | 'checksumFile'>): boolean {
  return o.key.endsWith('.zip') && o.checksumFile !== false;
}

/**
 * Which engine copies one object. s5cmd cannot copy above 5 GiB, does no multipart copy, cannot
 * record the source ETag a multipart source needs, and cannot take a key with a control character
 * in its run file, so those objects go to the SDK engine. In a verified run only zips with a
 * .CHECKSUM need CopyObject's SHA-256; the rest (the .CHECKSUM files themselves, half the archive)
 * go to s5cmd when `s5cmdForRest`.
 */
export function routeObject(o: RouteInput, p: RoutePolicy): Route {
  if (p.run === 'stream' || (p.run === 'sdk' && !p.s5cmdForRest)) return { engine: p.run, reason: 'run engine' };
  if (p.run === 'sdk' && needsSha256(o)) return { engine: 'sdk', reason: 'zip with a .CHECKSUM: CopyObject returns its SHA-256' };
  if (o.size > p.s5cmdMax || o.size > p.multipartThreshold) return { engine: 'sdk', reason: 'too large for s5cmd' };
  if (!o.plainSourceEtag) return { engine: 'sdk', reason: 'multipart source ETag' };
  if (hasControlCharacter(o.key)) return { engine: 'sdk', reason: 'control character in key' };
  return { engine: 's5cmd', reason: p.run === 's5cmd' ? 'run engine' : 'needs no SHA-256' };
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
