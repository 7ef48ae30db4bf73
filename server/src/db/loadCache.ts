/** Entries beyond this are dropped all at once; a cache this large is refilled from the database. */
const MAX_ENTRIES = 10_000;

interface Entry<V> {
  loaded: Promise<V>;
  loadedAt: number;
}

/**
 * Database loads by key, kept for `ttlMs` milliseconds. Concurrent misses for one key share one
 * load, and a load that fails is forgotten, so the next request loads again.
 */
export class LoadCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly load: (key: K) => Promise<V>,
  ) {}

  get(key: K): Promise<V> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached !== undefined && now - cached.loadedAt < this.ttlMs) {
      return cached.loaded;
    }
    if (this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
    }
    const loaded = this.load(key);
    const entry = { loaded, loadedAt: now };
    this.entries.set(key, entry);
    loaded.catch(() => {
      if (this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    });
    return loaded;
  }

  /** Forgets one key, or every key when none is given. */
  forget(key?: K): void {
    if (key === undefined) {
      this.entries.clear();
    } else {
      this.entries.delete(key);
    }
  }
}
