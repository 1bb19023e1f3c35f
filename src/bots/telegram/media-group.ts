/**
 * Telegram sends an album as separate updates that share `media_group_id`. The collector gathers the
 * items of one key until no new item has arrived for `debounceMs`, then hands them over in one call.
 * Single photos sent in quick succession by one person are keyed together the same way, so five photos
 * forwarded one by one become one album too.
 *
 * In memory on purpose: one bot process receives all updates of a bot token (Telegram refuses a second
 * getUpdates consumer), and an album that is still being collected when the process stops is flushed by
 * `drain()`, not lost.
 */
export interface CollectorOptions {
  readonly debounceMs: number;
  /** A group is flushed at once when it reaches this many items (a Telegram album holds at most 10). */
  readonly maxItems: number;
}

export class MediaGroupCollector<T> {
  private readonly groups = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly options: CollectorOptions,
    private readonly onGroup: (key: string, items: T[]) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(key: string, item: T): void {
    const group = this.groups.get(key);
    if (group) clearTimeout(group.timer);
    const items = group ? [...group.items, item] : [item];
    if (items.length >= this.options.maxItems) {
      this.groups.delete(key);
      this.run(key, items);
      return;
    }
    const timer = setTimeout(() => {
      this.groups.delete(key);
      this.run(key, items);
    }, this.options.debounceMs);
    this.groups.set(key, { items, timer });
  }

  /** Groups still collecting. */
  get pending(): number {
    return this.groups.size;
  }

  /** Flushes every group now and waits for all handlers, including those already running. */
  async drain(): Promise<void> {
    for (const [key, group] of this.groups) {
      clearTimeout(group.timer);
      this.run(key, group.items);
    }
    this.groups.clear();
    await Promise.allSettled([...this.running]);
  }

  private run(key: string, items: T[]): void {
    const done = this.onGroup(key, items)
      .catch(this.onError)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }
}
