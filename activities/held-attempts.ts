/**
 * Attempts holding on this worker before their due instant, so that an event's cancel stops its held attempt.
 * Temporal delivers an activity cancel request only in a heartbeat response, and a held attempt does not heartbeat
 * (a heartbeat is a server write). So the workflow calls the `heldAttempts.cancel` sink (`HeldAttemptSinks` in
 * workflows/messages.ts), which runs on the worker that processes the cancel; when the attempt holds on that same
 * worker (always, with a single worker) it stops here, at once.
 */

export class HeldAttempts {
  private readonly held = new Map<string, { controller: AbortController; dueMs: number }>();

  /**
   * Registers an attempt that starts holding; its signal aborts when the event is cancelled meanwhile. Call the
   * returned function when the hold ends (before calling the webhook): from then on a cancel no longer stops it.
   */
  hold(invocationId: string, dueMs: number): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.held.set(invocationId, { controller, dueMs });
    return { signal: controller.signal, release: () => this.held.delete(invocationId) };
  }

  cancel(invocationId: string): void {
    this.held.get(invocationId)?.controller.abort(new Error('the event was cancelled'));
    this.held.delete(invocationId);
  }

  /** Attempts holding now whose due instant is within `windowMs` of `dueMs` (a burst held on this worker). */
  dueNear(dueMs: number, windowMs: number): number {
    let count = 0;
    for (const attempt of this.held.values()) if (Math.abs(attempt.dueMs - dueMs) <= windowMs) count += 1;
    return count;
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
