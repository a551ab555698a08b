/**
 * Reading files einsight finds in the user's tree (sources, `requirements*.txt`,
 * `pyproject.toml`, `.gitignore`, ...) without trusting what they are. A plain full read of a
 * FIFO blocks forever, and of a symbolic link to `/dev/zero` (which git happily commits) grows
 * memory without bound. Here a file is opened without blocking, must be a regular file once
 * open (no race between a check and the read), and is read only up to a size limit. Every
 * problem comes back as a short reason naming what the file is, never as an exception.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** `missing`: there is no such file (often no problem: most folders have no `.gitignore`). */
export type Read<T> = { ok: T } | { error: string; missing?: boolean };

/** Dependency and configuration files beyond this are not project files anyone wrote by hand. */
export const PROJECT_FILE_LIMIT_BYTES = 1024 * 1024;

/** A file that could not be read, and why: reported to the user, then carried on without it. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The bytes of a regular file of at most `maxBytes` bytes. */
export function readRegularFile(path: string | Buffer, maxBytes: number): Read<Buffer> {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException)?.code === 'ENOENT' ? { error: describeFsError(error), missing: true } : { error: describeFsError(error) };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { error: `not a regular file (${fileType(stat)})` };
    if (stat.size > maxBytes) return { error: `too large (${formatBytes(stat.size)}; the limit is ${formatBytes(maxBytes)})` };
    return readUpTo(fd, maxBytes);
  } catch (error) {
    return { error: describeFsError(error) };
  } finally {
    closeSync(fd);
  }
}

/** A project file's text (UTF-8, invalid bytes replaced: it is searched, never rewritten). */
export function readProjectFile(path: string, maxBytes = PROJECT_FILE_LIMIT_BYTES): Read<string> {
  const bytes = readRegularFile(path, maxBytes);
  return 'error' in bytes ? bytes : { ok: bytes.ok.toString('utf8') };
}

/** Reads to the end, but never past `maxBytes`: a file still growing after the check is cut off and refused. */
function readUpTo(fd: number, maxBytes: number): Read<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, maxBytes + 1 - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return { ok: Buffer.concat(chunks, total) };
    chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
    total += read;
    if (total > maxBytes) return { error: `too large (it grew past the limit of ${formatBytes(maxBytes)} while being read)` };
  }
}

function fileType(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENAMETOOLONG':
      return 'path too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'input/output error';
    case 'ENXIO':
      return 'no such device';
    case 'EAGAIN':
      return 'not ready to be read (a device or FIFO)';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
