/**
 * Capping a measuring process's memory where the OS allows: on Linux the child is started
 * through `sh -c 'ulimit -S -d …; exec …'`, so the kernel refuses its data (heap and private
 * mappings, RLIMIT_DATA) beyond what it needs itself plus the measurement's share; an
 * allocation above that fails inside the runtime, which reports it, instead of the machine
 * running out. Elsewhere the command runs as it is (the memory guard still applies).
 */
import { existsSync } from 'node:fs';

export interface CappedCommand {
  command: string;
  args: string[];
}

export function canCap(): boolean {
  return process.platform === 'linux' && existsSync('/bin/sh');
}

/** `command args…`, limited to `limitMB` of data when the OS allows it. */
export function capped(command: string, args: readonly string[], limitMB: number | null): CappedCommand {
  if (limitMB === null || !canCap()) return { command, args: [...args] };
  const kilobytes = String(Math.ceil(limitMB * 1024));
  return { command: '/bin/sh', args: ['-c', 'ulimit -S -d "$1" 2>/dev/null; shift; exec "$@"', 'sh', kilobytes, command, ...args] };
}
