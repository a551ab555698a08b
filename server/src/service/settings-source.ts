/**
 * Where settings come from: pulled per document or notebook (`workspace/configuration`, so a
 * folder's settings apply to its files) when the client can answer, else pushed with
 * `didChangeConfiguration` or `initializationOptions`. Every way takes one shape, the one a user
 * writes: `{ "einsight": { ... } }` (pulled, the client answers for the `einsight` section).
 * A client that can be asked but has no section keeps what it sent at start. Pulled settings
 * are cached until the client says they changed; each distinct complaint about a bad value is
 * shown once, and each distinct set of settings is written to the log.
 */
import { DEFAULT_SETTINGS, parseSettings, type EinsightSettings } from '../workspace/settings';

export interface SettingsClient {
  /** `workspace/configuration` for the `einsight` section, scoped to `scopeUri`. */
  pull(scopeUri: string): Promise<unknown>;
  warn(message: string): void;
  log(message: string): void;
  /** A late answer replaced settings that had been used meanwhile: analyse again. */
  refreshed?(): void;
}

/**
 * How long an analysis waits for `workspace/configuration`. A client that never answers must
 * not hold diagnostics back: past this, what the client sent at start (or the defaults) is used.
 */
export const PULL_TIMEOUT_MS = 3000;

export class SettingsSource {
  private readonly cache = new Map<string, Promise<EinsightSettings>>();
  private pushed: unknown = undefined;
  private readonly reported = new Set<string>();
  /** The settings last written to the log: the same ones are not written again for every file. */
  private logged = '';

  constructor(
    private readonly client: SettingsClient,
    /** Whether the client answers `workspace/configuration`. */
    private readonly canPull: boolean,
    /** The `einsight` member of `initializationOptions`. */
    initializationSettings: unknown,
  ) {
    this.pushed = initializationSettings;
  }

  for(scopeUri: string): Promise<EinsightSettings> {
    let settings = this.cache.get(scopeUri);
    if (!settings) {
      settings = this.read(scopeUri);
      this.cache.set(scopeUri, settings);
    }
    return settings;
  }

  /** `didChangeConfiguration`: its payload is used only by clients that cannot be asked. */
  changed(payload: unknown): void {
    if (!this.canPull && payload !== undefined) this.pushed = payload;
    this.cache.clear();
  }

  forget(scopeUri: string): void {
    this.cache.delete(scopeUri);
  }

  private async read(scopeUri: string): Promise<EinsightSettings> {
    let raw: unknown = this.pushed;
    if (this.canPull) {
      const pulled = this.client.pull(scopeUri);
      try {
        const answer = await withTimeout(pulled, PULL_TIMEOUT_MS);
        // A client with no `einsight` section of its own answers null: what it sent at start stands.
        if (answer !== TIMED_OUT) raw = sectionOf(answer) ?? this.pushed;
        else {
          this.report(`einsight: the editor did not answer workspace/configuration within ${PULL_TIMEOUT_MS / 1000} s; using ${this.pushed === undefined ? 'the defaults' : 'the settings it sent at start'} until it does`);
          this.adoptLateAnswer(scopeUri, pulled);
        }
      } catch (error) {
        this.report(`einsight: could not read settings (${error instanceof Error ? error.message : String(error)}); using the defaults`);
        raw = undefined;
      }
    }
    return this.parse(scopeUri, raw);
  }

  /** An answer after the timeout replaces what was used meanwhile, unless settings changed since. */
  private adoptLateAnswer(scopeUri: string, pulled: Promise<unknown>): void {
    const stale = this.cache.get(scopeUri);
    pulled.then(
      (answer) => {
        if (this.cache.get(scopeUri) !== stale) return;
        this.cache.set(scopeUri, Promise.resolve(this.parse(scopeUri, sectionOf(answer) ?? this.pushed)));
        this.client.refreshed?.();
      },
      () => undefined,
    );
  }

  private parse(scopeUri: string, raw: unknown): EinsightSettings {
    const { settings, problems } = parseSettings(raw);
    for (const problem of problems) this.report(problem);
    this.logSettings(scopeUri, settings);
    return settings;
  }

  /** The settings that differ from the defaults, once per change: what a bug report needs. */
  private logSettings(scopeUri: string, settings: EinsightSettings): void {
    const changed = Object.fromEntries(
      Object.entries(settings).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(DEFAULT_SETTINGS[key as keyof EinsightSettings])),
    );
    const text = Object.keys(changed).length === 0 ? 'the defaults' : JSON.stringify(changed);
    if (text === this.logged) return;
    this.logged = text;
    this.client.log(`einsight: settings (${this.canPull ? 'asked of the client' : 'sent by the client'}) for ${scopeUri}: ${text}`);
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.client.warn(message);
  }
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The `einsight` section as pulled. Asked for the section, a client answers with its content;
 * a client that answers with the whole settings object (`{ "einsight": { ... } }`, the shape a
 * user writes everywhere) is read the same way.
 */
function sectionOf(pulled: unknown): unknown {
  if (typeof pulled !== 'object' || pulled === null || Array.isArray(pulled)) return pulled ?? undefined;
  const keys = Object.keys(pulled);
  return keys.length === 1 && keys[0] === 'einsight' ? (pulled as { einsight: unknown }).einsight : pulled;
}
