// Start-or-fail-as-one-unit: resources opened in order push their close; a failure closes them all in reverse.

/** One opened resource's release function; it should not throw, but a throw is contained. */
type Closer = () => Promise<void> | void;

/**
 * Collects the closers of resources opened one after another (listeners, clients, timers). `closeAll()` runs them
 * in reverse order, each once, and never throws, so a failed start-up releases every port it had already bound.
 */
export class ResourceStack {
  private readonly closers: { name: string; close: Closer }[] = [];

  /** Registers `close` for the resource just opened; returns the resource for chaining. */
  push<T>(name: string, resource: T, close: Closer): T {
    this.closers.push({ name, close });
    return resource;
  }

  /** Closes everything in reverse order. `onError` hears about a closer that threw (it is skipped, not retried). */
  async closeAll(onError?: (name: string, error: unknown) => void): Promise<void> {
    for (let entry = this.closers.pop(); entry !== undefined; entry = this.closers.pop()) {
      try {
        await entry.close();
      } catch (error) {
        onError?.(entry.name, error);
      }
    }
  }
}
