/** How a notice ended for good: delivered, or given up with a reason. */
export type Settlement = { delivered: true } | { delivered: false; reason: string };

/**
 * The latest notices that ended, newest kept: a notice handed over again before the leader
 * removed it from the outbox is answered from here instead of being sent twice.
 */
export class SettledNotices {
  private readonly byId = new Map<string, Settlement>();

  constructor(private readonly capacity: number) {}

  get(id: string): Settlement | undefined {
    return this.byId.get(id);
  }

  remember(id: string, settlement: Settlement): void {
    this.byId.delete(id);
    this.byId.set(id, settlement);
    if (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value!);
  }
}
