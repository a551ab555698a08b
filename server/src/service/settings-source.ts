/**
 * Where settings come from: pulled per document or notebook (`workspace/configuration`, so a
 * folder's settings apply to its files) when the client can answer, else pushed with
 * `didChangeConfiguration` or `initializationOptions`. Pulled settings are cached until the
 * client says they changed; each distinct complaint about a bad value is shown once.
 */
import { parseSettings, type EinsightSettings } from '../workspace/settings';

export interface SettingsClient {
  /** `workspace/configuration` for the `einsight` section, scoped to `scopeUri`. */
  pull(scopeUri: string): Promise<unknown>;
  warn(message: string): void;
}

export class SettingsSource {
  private readonly cache = new Map<string, Promise<EinsightSettings>>();
  private pushed: unknown = undefined;
  private readonly reported = new Set<string>();

  constructor(
    private readonly client: SettingsClient,
    /** Whether the client answers `workspace/configuration`. */
    private readonly canPull: boolean,
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
      try {
        raw = await this.client.pull(scopeUri);
      } catch (error) {
        this.report(`einsight: could not read settings (${error instanceof Error ? error.message : String(error)}); using the defaults`);
        raw = undefined;
      }
    }
    const { settings, problems } = parseSettings(raw);
    for (const problem of problems) this.report(problem);
    return settings;
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.client.warn(message);
  }
}
