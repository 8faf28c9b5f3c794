/** What the store held when a batch was read, plus the batch's own changes so far. */
export class View {
  private readonly overlay = new Map<string, string | null>();

  /** `base`: point reads and listed prefixes, absent keys as null. */
  constructor(private readonly base: Map<string, string | null>) {}

  get(key: string): string | null {
    return this.overlay.has(key) ? this.overlay.get(key)! : (this.base.get(key) ?? null);
  }

  /** Whether the stored value (before this batch) was absent. */
  absentInStore(key: string): boolean {
    return (this.base.get(key) ?? null) === null;
  }

  set(key: string, value: string | null): void {
    this.overlay.set(key, value);
  }

  /** Present keys under a prefix; complete only for prefixes that were listed into `base`. */
  keysUnder(prefix: string): string[] {
    const all = new Set([...this.base.keys(), ...this.overlay.keys()]);
    return [...all].filter((k) => k.startsWith(prefix) && this.get(k) !== null).sort();
  }
}
