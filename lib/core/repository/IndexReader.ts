import { SingleFlight } from '../onnx/SingleFlight';
import type { IndexRead } from './IndexObject';
import { EMPTY_INDEX, parseRepositoryIndex, type IndexedModel, type RepositoryIndex } from './RepositoryIndex';

/** Where the index is read from: IndexObject over S3, or anything answering the same conditional GET. */
export interface IndexSource {
  readonly uri: string;
  read(etag?: string): Promise<IndexRead>;
}

export interface IndexReaderOptions {
  /** How long an index read is trusted before it is revalidated (0: every lookup asks S3). */
  ttlMs: number;
  /** Milliseconds now; tests pass a clock of their own. */
  now?: () => number;
}

/** What reading the index has cost, for tests and the bench: full reads, 304s, failures. */
export interface IndexReadCounts {
  reads: number;
  notModified: number;
  failures: number;
}

/**
 * The repository's index as this process knows it. Read lazily (the first lookup), then trusted
 * for `ttlMs`; past that the next lookup revalidates it with a conditional GET carrying the ETag
 * read last, which S3 answers 304 with no body while nothing was pushed. One read at a time
 * (SingleFlight): a burst of lookups after the TTL makes one request.
 *
 * A failed revalidation keeps the index read last (a model served a second ago still is while S3
 * is unreachable) and is tried again on the next lookup; with no index read yet, the failure
 * is the caller's. No index object at all is an empty repository: every model answers 404.
 */
export class IndexReader {
  private index?: RepositoryIndex;
  private etag?: string;
  private readAt = Number.NEGATIVE_INFINITY;
  private readonly flight = new SingleFlight<RepositoryIndex>('index read');
  private readonly now: () => number;
  readonly counts: IndexReadCounts = { reads: 0, notModified: 0, failures: 0 };

  constructor(
    private readonly source: IndexSource,
    private readonly options: IndexReaderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The index, revalidated first when the copy in hand is older than the TTL. */
  async current(): Promise<RepositoryIndex> {
    return this.fresh() ?? this.flight.run(() => this.revalidate());
  }

  /** The index in hand while the TTL trusts it, with no wait: a warm request's path; undefined when it must be read. */
  fresh(): RepositoryIndex | undefined {
    return this.index && this.now() - this.readAt < this.options.ttlMs ? this.index : undefined;
  }

  /** One model's entry; undefined when the index does not list it (a 404). */
  async model(name: string): Promise<IndexedModel | undefined> {
    const index = await this.current();
    return Object.hasOwn(index.models, name) ? index.models[name] : undefined;
  }

  private async revalidate(): Promise<RepositoryIndex> {
    let answer: IndexRead;
    let index: RepositoryIndex | undefined;
    try {
      answer = await this.source.read(this.index ? this.etag : undefined);
      if (answer.state === 'found') index = parseRepositoryIndex(answer.text, this.source.uri);
    } catch (err) {
      this.counts.failures += 1;
      if (this.index) return this.index;
      throw err;
    }
    this.readAt = this.now();
    if (answer.state === 'not-modified' && this.index) {
      this.counts.notModified += 1;
      return this.index;
    }
    this.counts.reads += 1;
    this.index = index ?? EMPTY_INDEX;
    this.etag = answer.state === 'found' ? answer.etag : undefined;
    return this.index;
  }
}
