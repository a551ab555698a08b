/**
 * Reading LSP messages from a byte stream (stdio), strictly. vscode-jsonrpc's reader, given a
 * header without `Content-Length`, a length that is not a number, or headers ended by bare LFs,
 * either reports an error nobody acts on or waits forever: the server stays alive but deaf,
 * silently. Once framing is lost nothing later can be trusted, so here any such fault is a
 * `FramingError`: the server logs it and exits, and the client restarts it. A body that is
 * framed correctly but is not a JSON object only costs that message.
 */
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

/** Larger than any document an editor sends (the analysis refuses far smaller files anyway). */
export const MAX_CONTENT_LENGTH = 512 * 1024 * 1024;
/** A header block longer than this is not a header block. */
const MAX_HEADER_BYTES = 64 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

export interface FramingHandlers {
  /** The stream can no longer be read: say why, then stop the server. */
  framingLost(error: FramingError): void;
  /** One message was dropped; the stream is still in step. */
  messageDropped(reason: string): void;
}

export class StrictMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** The body length of the message being read; -1 while reading headers. */
  private bodyLength = -1;
  private failed = false;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly handlers: FramingHandlers,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const onData = (chunk: Buffer | string) => this.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, callback);
    const onEnd = () => {
      if (this.buffered > 0 && !this.failed) this.handlers.messageDropped(`the stream ended inside a message (${this.buffered} bytes unread)`);
      this.buffered = 0;
      this.chunks = [];
      this.fireClose();
    };
    const onError = (error: Error) => this.fireError(error);
    this.stream.on('data', onData);
    this.stream.on('end', onEnd);
    this.stream.on('close', onEnd);
    this.stream.on('error', onError);
    return Disposable.create(() => {
      this.stream.off('data', onData);
      this.stream.off('end', onEnd);
      this.stream.off('close', onEnd);
      this.stream.off('error', onError);
    });
  }

  private receive(chunk: Buffer, callback: DataCallback): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      for (;;) {
        if (this.bodyLength < 0 && !this.readHeaders()) return;
        if (this.buffered < this.bodyLength) return;
        const body = this.take(this.bodyLength);
        this.bodyLength = -1;
        const message = decode(body);
        if (typeof message === 'string') this.handlers.messageDropped(message);
        else this.deliver(message, callback);
      }
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      this.failed = true;
      this.chunks = [];
      this.fireError(error);
      this.handlers.framingLost(error);
    }
  }

  /** A message the connection chokes on (`$/cancelRequest` with null params) costs only itself. */
  private deliver(message: Message, callback: DataCallback): void {
    try {
      callback(message);
    } catch (error) {
      this.handlers.messageDropped(`a message could not be handled (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  /** Reads one header block if it has arrived; false while waiting for more. */
  private readHeaders(): boolean {
    const head = this.peek(Math.min(this.buffered, MAX_HEADER_BYTES + HEADER_END.length));
    const end = head.indexOf(HEADER_END);
    const scanned = end < 0 ? head : head.subarray(0, end + 2);
    // A line feed without its carriage return: an LF-only client, or bytes out of step.
    for (let i = scanned.indexOf(0x0a); i >= 0; i = scanned.indexOf(0x0a, i + 1)) {
      if (i === 0 || scanned[i - 1] !== 0x0d) throw new FramingError(`a header line ends with a bare line feed (LSP headers end with \\r\\n): ${quote(scanned.subarray(0, i))}`);
    }
    if (end < 0) {
      if (head.length > MAX_HEADER_BYTES) throw new FramingError(`no end of headers within ${MAX_HEADER_BYTES.toLocaleString('en-US')} bytes: ${quote(head.subarray(0, 80))}`);
      return false;
    }
    this.take(end + HEADER_END.length);
    this.bodyLength = contentLength(head.subarray(0, end).toString('latin1').split('\r\n'));
    return true;
  }

  /** The first `n` buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks.length > 1 && this.chunks[0].length < n) {
      this.chunks = [Buffer.concat(this.chunks)];
    }
    return this.chunks.length > 0 ? this.chunks[0].subarray(0, n) : Buffer.alloc(0);
  }

  /** Consumes and returns the first `n` buffered bytes. */
  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return taken;
  }
}

function contentLength(lines: string[]): number {
  let length: number | null = null;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!TOKEN.test(name)) throw new FramingError(`a header line is not 'Name: value': ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    switch (name.toLowerCase()) {
      case 'content-length':
        if (!/^\d+$/.test(value)) throw new FramingError(`Content-Length is not a number of bytes: ${JSON.stringify(value.slice(0, 40))}`);
        if (length !== null && Number(value) !== length) throw new FramingError('two different Content-Length headers');
        length = Number(value);
        if (length > MAX_CONTENT_LENGTH) throw new FramingError(`Content-Length ${length.toLocaleString('en-US')} is over the ${MAX_CONTENT_LENGTH / 1024 / 1024} MiB einsight reads`);
        break;
      case 'content-type': {
        const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(value)?.[1]?.toLowerCase();
        if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new FramingError(`unsupported charset '${charset}' (only UTF-8)`);
        break;
      }
    }
  }
  if (length === null) throw new FramingError(`a message has no Content-Length header (headers: ${JSON.stringify(lines.join(' | ').slice(0, 120))})`);
  return length;
}

/** The message a body holds, or why it holds none. */
function decode(body: Buffer): Message | string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return 'a message body is not UTF-8';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `a message body is not JSON (${(error as Error).message})`;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Message) : 'a message body is not a JSON object';
}

function quote(bytes: Buffer): string {
  return JSON.stringify(bytes.subarray(0, 80).toString('latin1'));
}
