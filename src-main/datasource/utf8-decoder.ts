// Turns a byte stream into text and refuses invalid UTF-8 with the line it sits on, so a file
// saved as Latin-1 or Windows-1252 gets a precise error instead of silently mangled levels.
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
/** Bytes of an unfinished line kept for locating an error; longer lines lose their start. */
const MAX_KEPT_LINE_BYTES = 1 << 20;

/**
 * Where the first invalid byte sits: its line, and the bytes of that line before it; and, when the
 * invalid byte is on a later line, the bytes of line 1 (the header), if kept.
 */
export class InvalidUtf8Error extends Error {
  constructor(
    readonly line: number,
    readonly linePrefix: Buffer | undefined,
    readonly byte: number | undefined,
    readonly firstLine: Buffer | undefined = undefined,
  ) {
    super(`invalid UTF-8 on line ${line}`);
  }
}

export class Utf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Newlines seen before the current line. */
  private completedLines = 0;
  /** Bytes of the current, unfinished line, unless it grew past MAX_KEPT_LINE_BYTES. */
  private currentLine: Buffer | undefined = Buffer.alloc(0);
  /** Bytes of line 1 once it is complete, unless it grew past MAX_KEPT_LINE_BYTES. */
  private firstLine: Buffer | undefined;

  constructor() {
    super({ decodeStrings: true, encoding: 'utf8' });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      done(this.locate(chunk));
      return;
    }
    this.advance(chunk);
    done(null, text);
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(this.locate(Buffer.alloc(0)));
    }
  }

  private advance(chunk: Buffer): void {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.currentLine = this.keep(this.currentLine, chunk);
      return;
    }
    if (this.completedLines === 0) {
      this.firstLine = this.keep(this.currentLine, chunk.subarray(0, chunk.indexOf(NEWLINE)));
    }
    for (let at = chunk.indexOf(NEWLINE); at !== -1 && at <= last; at = chunk.indexOf(NEWLINE, at + 1)) {
      this.completedLines += 1;
    }
    this.currentLine = Buffer.from(chunk.subarray(last + 1));
  }

  private keep(line: Buffer | undefined, more: Buffer): Buffer | undefined {
    if (line === undefined || line.length + more.length > MAX_KEPT_LINE_BYTES) return undefined;
    return Buffer.concat([line, more]);
  }

  /** The first line, from the current one on, that is not valid UTF-8. */
  private locate(chunk: Buffer): InvalidUtf8Error {
    const known = this.currentLine !== undefined;
    const bytes = Buffer.concat([this.currentLine ?? Buffer.alloc(0), chunk]);
    let line = this.completedLines + 1;
    let start = 0;
    let firstLine = this.firstLine;
    for (;;) {
      const end = bytes.indexOf(NEWLINE, start);
      const segment = bytes.subarray(start, end === -1 ? bytes.length : end);
      // The decoder threw, so some line here is invalid; the last one may merely stop inside a
      // character, but if no earlier line is invalid the culprit is in it.
      if (end === -1 || !isUtf8(segment)) {
        const offset = firstInvalidByte(segment);
        const exact = known || line > this.completedLines + 1;
        const header = line > 1 ? firstLine : undefined;
        return new InvalidUtf8Error(line, exact ? segment.subarray(0, offset) : undefined, segment[offset], header);
      }
      if (line === 1 && known) firstLine = Buffer.from(segment);
      line += 1;
      start = end + 1;
    }
  }
}

/** Offset of the first byte at which `bytes` stops being valid UTF-8 (its length if it never does). */
function firstInvalidByte(bytes: Buffer): number {
  let at = 0;
  while (at < bytes.length) {
    const lead = bytes[at]!;
    const width = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (width === 0 || at + width > bytes.length || !isUtf8(bytes.subarray(at, at + width))) return at;
    at += width;
  }
  return bytes.length;
}
