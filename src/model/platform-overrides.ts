/**
 * Changes to a platform profile: `--state-timeout` and the other flags (applyOverrides), and
 * profile files (`--platform-file`: a built-in `base` plus changed values, JSON). Every changed
 * value records where it came from, so the output can say "flag" or "file".
 */
import { readFileSync } from 'node:fs';
import { FLOW_STATE_NAMES } from '../util/protocols.js';
import { FwtpError, inputError, usageError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import { cloneProfile, getPlatform, platformNames, type Pickup, type PlatformProfile } from './platforms.js';
import type { Source } from './types.js';

export interface PlatformOverrides {
  stateTimeouts?: Record<string, number>;
  bytesPerEntry?: number;
  tableMax?: number | null;
  fixedBytes?: number;
  pickup?: Pickup;
}
/** The FlowState name for `text` (case-insensitive, `-` taken as `_`), or null. */
export function normaliseStateName(text: string): string | null {
  const s = String(text).trim().toLowerCase().replace(/-/g, '_');
  return FLOW_STATE_NAMES.includes(s) ? s : null;
}

function unknownState(name: string): never {
  throw usageError('CLI_UNKNOWN_STATE', `unknown state "${name}": states are ${FLOW_STATE_NAMES.join(', ')}`);
}

function checkNonNegative(code: string, what: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw usageError(code, `invalid ${what} ${String(value)}: must be a finite number >= 0`);
  }
}

/**
 * A copy of `p` with the given values replaced; `origin` (default 'flag') is recorded in
 * `origins` for each replaced value and noted in `citations`.
 * Unknown state name -> CLI_UNKNOWN_STATE; negative or non-finite value -> CLI_INVALID_OVERRIDE.
 */
export function applyOverrides(p: PlatformProfile, overrides: PlatformOverrides, origin: Source = 'flag'): PlatformProfile {
  const out = cloneProfile(p);
  const origins: Record<string, Source> = { ...(p.origins ?? {}) };
  const note = origin === 'file' ? 'set in a profile file' : origin === 'flag' ? 'set by a command-line flag' : `set (${origin})`;
  for (const [rawName, seconds] of Object.entries(overrides.stateTimeouts ?? {})) {
    const state = normaliseStateName(rawName);
    if (state === null) unknownState(rawName);
    checkNonNegative('CLI_INVALID_OVERRIDE', `timeout for ${state}`, seconds);
    out.stateTimeouts[state] = seconds;
    out.citations[state] = note;
    origins[state] = origin;
  }
  if (overrides.bytesPerEntry !== undefined) {
    checkNonNegative('CLI_INVALID_OVERRIDE', 'bytes per entry', overrides.bytesPerEntry);
    out.bytesPerEntry = overrides.bytesPerEntry;
    out.citations.bytesPerEntry = note;
    origins.bytesPerEntry = origin;
  }
  if (overrides.fixedBytes !== undefined) {
    checkNonNegative('CLI_INVALID_OVERRIDE', 'fixed bytes', overrides.fixedBytes);
    out.fixedBytes = overrides.fixedBytes;
    out.citations.fixedBytes = note;
    origins.fixedBytes = origin;
  }
  if (overrides.tableMax !== undefined) {
    if (overrides.tableMax !== null) checkNonNegative('CLI_INVALID_OVERRIDE', 'table maximum', overrides.tableMax);
    out.tableMax = overrides.tableMax;
    out.citations.tableMax = note;
    origins.tableMax = origin;
  }
  if (overrides.pickup !== undefined) {
    if (overrides.pickup !== 'strict' && overrides.pickup !== 'loose') {
      throw usageError('CLI_INVALID_OVERRIDE', `invalid pickup "${String(overrides.pickup)}": use strict or loose`);
    }
    out.pickup = overrides.pickup;
    out.citations.pickup = note;
    origins.pickup = origin;
  }
  out.origins = origins;
  return out;
}

/**
 * Parses a `--state-timeout` value `STATE=DURATION` (`time_wait=120`, `established=2h30m`).
 * Unknown state -> CLI_UNKNOWN_STATE; missing `=` -> CLI_INVALID_STATE_TIMEOUT; bad duration ->
 * CLI_INVALID_DURATION.
 */
export function parseStateTimeoutFlag(text: string): { state: string; seconds: number } {
  const t = String(text).trim();
  const eq = t.indexOf('=');
  if (eq <= 0 || eq === t.length - 1) {
    throw usageError('CLI_INVALID_STATE_TIMEOUT', `invalid state timeout "${text}": use STATE=DURATION, e.g. time_wait=120 or established=2h30m`);
  }
  const state = normaliseStateName(t.slice(0, eq));
  if (state === null) unknownState(t.slice(0, eq).trim());
  return { state, seconds: parseDuration(t.slice(eq + 1)) };
}

function fieldError(path: string, message: string): FwtpError {
  return inputError('PROFILE_INVALID_FIELD', message, { file: path });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number >= 0, or a duration string when `duration` is set; else PROFILE_INVALID_FIELD. */
function readNumber(path: string, field: string, v: unknown, duration: boolean): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (duration && typeof v === 'string') {
    try {
      return parseDuration(v);
    } catch {
      throw fieldError(path, `${field}: "${v}" is not a duration`);
    }
  }
  throw fieldError(path, `${field}: expected ${duration ? 'seconds or a duration string' : 'a number >= 0'}, got ${JSON.stringify(v)}`);
}

const FILE_KEYS = new Set(['base', 'name', 'title', 'stateTimeouts', 'bytesPerEntry', 'fixedBytes', 'tableMax', 'pickup']);

/**
 * Reads a JSON profile file:
 * `{ "base": "linux", "name": "edge-fw", "title": "...", "stateTimeouts": { "established": 9000 },
 *    "bytesPerEntry": 320, "fixedBytes": 0, "tableMax": 500000, "pickup": "strict" }`.
 * Only `base` is required; the other values replace the base profile's (state timeouts may be
 * seconds or duration strings). Values from the file are marked with origin 'file'.
 * Errors name the file: PROFILE_UNREADABLE, PROFILE_INVALID_JSON, PROFILE_INVALID_FIELD (kind input).
 */
export function loadPlatformFile(path: string): PlatformProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputError('PROFILE_UNREADABLE', `cannot read profile file: ${(err as Error).message}`, { file: path });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw inputError('PROFILE_INVALID_JSON', `not valid JSON: ${(err as Error).message}`, { file: path });
  }
  if (!isPlainObject(doc)) throw fieldError(path, 'the profile must be a JSON object');
  for (const key of Object.keys(doc)) {
    if (!FILE_KEYS.has(key)) throw fieldError(path, `unknown field "${key}" (fields: ${[...FILE_KEYS].join(', ')})`);
  }
  if (typeof doc.base !== 'string') throw fieldError(path, `base: expected a platform name (${platformNames().join(', ')})`);
  let base: PlatformProfile;
  try {
    base = getPlatform(doc.base);
  } catch {
    throw fieldError(path, `base: unknown platform "${doc.base}" (${platformNames().join(', ')})`);
  }

  const overrides: PlatformOverrides = {};
  if (doc.stateTimeouts !== undefined) {
    if (!isPlainObject(doc.stateTimeouts)) throw fieldError(path, 'stateTimeouts: expected an object of state -> seconds');
    overrides.stateTimeouts = {};
    for (const [rawName, v] of Object.entries(doc.stateTimeouts)) {
      const state = normaliseStateName(rawName);
      if (state === null) throw fieldError(path, `stateTimeouts: unknown state "${rawName}" (states: ${FLOW_STATE_NAMES.join(', ')})`);
      overrides.stateTimeouts[state] = readNumber(path, `stateTimeouts.${rawName}`, v, true);
    }
  }
  if (doc.bytesPerEntry !== undefined) overrides.bytesPerEntry = readNumber(path, 'bytesPerEntry', doc.bytesPerEntry, false);
  if (doc.fixedBytes !== undefined) overrides.fixedBytes = readNumber(path, 'fixedBytes', doc.fixedBytes, false);
  if (doc.tableMax !== undefined) {
    overrides.tableMax = doc.tableMax === null ? null : readNumber(path, 'tableMax', doc.tableMax, false);
  }
  if (doc.pickup !== undefined) {
    if (doc.pickup !== 'strict' && doc.pickup !== 'loose') throw fieldError(path, `pickup: expected "strict" or "loose", got ${JSON.stringify(doc.pickup)}`);
    overrides.pickup = doc.pickup;
  }
  if (doc.name !== undefined && (typeof doc.name !== 'string' || doc.name.trim() === '')) throw fieldError(path, 'name: expected a non-empty string');
  if (doc.title !== undefined && typeof doc.title !== 'string') throw fieldError(path, 'title: expected a string');

  const out = applyOverrides(base, overrides, 'file');
  for (const key of Object.keys(out.citations)) {
    if (out.origins?.[key] === 'file') out.citations[key] = `profile file ${path}`;
  }
  out.name = typeof doc.name === 'string' ? doc.name.trim() : base.name;
  out.title = typeof doc.title === 'string' ? doc.title : `${base.title}, adjusted by ${path}`;
  return out;
}
