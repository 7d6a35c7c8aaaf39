/**
 * Attempts holding on this worker before their due instant, so that an event's cancel stops its held attempt.
 * Temporal delivers an activity cancel request only in a heartbeat response, and a held attempt does not heartbeat
 * (a heartbeat is a server write). So the workflow calls the `heldAttempts.cancel` sink (`HeldAttemptSinks` in
 * workflows/messages.ts), which runs on the worker that processes the cancel; when the attempt holds on that same
 * worker (always, with a single worker) it stops here, at once.
 */

/** Width of the slots attempts are counted in by due instant, in ms: `dueNear` reads a few slots, not every attempt. */
const SLOT_MS = 100;

export class HeldAttempts {
  private readonly held = new Map<string, { controller: AbortController; dueMs: number }>();
  /** Attempts holding, by `Math.floor(dueMs / SLOT_MS)`. */
  private readonly bySlot = new Map<number, number>();

  /** `onHold` is told the due instant of every attempt that starts holding (the worker's `BurstWarmUp`). */
  constructor(private readonly onHold?: (dueMs: number) => void) {}

  /**
   * Registers an attempt that starts holding; its signal aborts when the event is cancelled meanwhile. Call the
   * returned function when the hold ends (before calling the webhook): from then on a cancel no longer stops it.
   */
  hold(invocationId: string, dueMs: number): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.forget(invocationId);
    this.held.set(invocationId, { controller, dueMs });
    this.count(dueMs, 1);
    this.onHold?.(dueMs);
    return { signal: controller.signal, release: () => this.forget(invocationId) };
  }

  cancel(invocationId: string): void {
    this.held.get(invocationId)?.controller.abort(new Error('the event was cancelled'));
    this.forget(invocationId);
  }

  /**
   * Attempts holding now whose due instant is within about `windowMs` of `dueMs` (a burst held on this worker),
   * counted by 100 ms slots: a worker holding 10,000 attempts answers it for each of them without 10,000^2 steps.
   */
  dueNear(dueMs: number, windowMs: number): number {
    let count = 0;
    for (
      let slot = Math.floor((dueMs - windowMs) / SLOT_MS);
      slot <= Math.floor((dueMs + windowMs) / SLOT_MS);
      slot++
    ) {
      count += this.bySlot.get(slot) ?? 0;
    }
    return count;
  }

  private forget(invocationId: string): void {
    const attempt = this.held.get(invocationId);
    if (attempt === undefined) return;
    this.held.delete(invocationId);
    this.count(attempt.dueMs, -1);
  }

  private count(dueMs: number, delta: number): void {
    const slot = Math.floor(dueMs / SLOT_MS);
    const next = (this.bySlot.get(slot) ?? 0) + delta;
    if (next === 0) this.bySlot.delete(slot);
    else this.bySlot.set(slot, next);
  }

  /** Attempts holding now. */
  get size(): number {
    return this.held.size;
  }

  /** The sinks to pass to `Worker.create`; not called while a workflow replays (a replayed cancel already acted). */
  sinks() {
    return {
      heldAttempts: {
        cancel: { fn: (_info: unknown, invocationId: string) => this.cancel(invocationId), callDuringReplay: false },
      },
    };
  }
}
