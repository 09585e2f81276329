// Applies a program's terminal resizes one at a time, in request order, so a slow earlier one never lands last.

export class ResizeSequencer {
  private tail: Promise<void> = Promise.resolve();
  private latest = 0;

  /**
   * Runs `apply` once every earlier resize has settled and resolves with its outcome. `isStale()` tells `apply`
   * whether a newer resize was requested meanwhile (a best-effort initial resize then skips itself, so it can never
   * overwrite the size of a window-change that came after it).
   */
  run(apply: (isStale: () => boolean) => Promise<void>): Promise<void> {
    const ticket = ++this.latest;
    const result = this.tail.then(() => apply(() => ticket !== this.latest));
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
