/**
 * One error class for everything a user can cause (STYLE.md "Errors and exit codes").
 * `kind` decides the exit code: usage -> 2, input -> 1. Tests assert `code` and the
 * position fields, never the prose.
 */
export type ErrorKind = 'usage' | 'input';

export interface ErrorPosition {
  file?: string;
  byteOffset?: number;
  line?: number;
}

export class FwtpError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly file?: string;
  readonly byteOffset?: number;
  readonly line?: number;

  constructor(code: string, kind: ErrorKind, message: string, where: ErrorPosition = {}) {
    super(message);
    this.name = 'FwtpError';
    this.code = code;
    this.kind = kind;
    this.file = where.file;
    this.byteOffset = where.byteOffset;
    this.line = where.line;
  }

  /** One line for stderr: `fwtp: FILE: byte N: message [CODE]`. */
  toLine(): string {
    const parts: string[] = [];
    if (this.file !== undefined) parts.push(this.file);
    if (this.byteOffset !== undefined) parts.push(`byte ${this.byteOffset}`);
    if (this.line !== undefined) parts.push(`line ${this.line}`);
    const where = parts.length > 0 ? `${parts.join(': ')}: ` : '';
    return `${where}${this.message} [${this.code}]`;
  }
}

export function usageError(code: string, message: string): FwtpError {
  return new FwtpError(code, 'usage', message);
}

export function inputError(code: string, message: string, where: ErrorPosition): FwtpError {
  return new FwtpError(code, 'input', message, where);
}

export function exitCodeFor(err: FwtpError): number {
  return err.kind === 'usage' ? 2 : 1;
}
