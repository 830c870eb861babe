/**
 * The next case, held ahead: while the reviewer works on one case, the console claims the next one of
 * the same queue (`POST /queues/{queue}/next` with `ahead`: a short lease on the server, so nobody
 * else takes it), reads its view and fetches and decodes its photos. Deciding then shows it at once.
 *
 * The claim is renewed while the reviewer stays on a case (half-way through its lease), released when
 * the reviewer leaves the case views or the page is hidden/closed (`pagehide`, a keepalive request),
 * and otherwise lapses on the server by itself.
 */
import type { Api } from './api';
import { ApiError, enc } from './api';
import type { CaseView, EvidenceLink, Item } from './types';

export interface AheadCase {
  queue: string;
  itemId: string;
  caseId: string;
  view: CaseView;
  /** Decoded photos by evidence index (a photo that failed to load is left out: the view loads it again). */
  images: Map<number, HTMLImageElement>;
}

export class NextCase {
  private ahead?: AheadCase;
  private shown?: AheadCase;
  private lastTaken?: string;
  private loading?: Promise<AheadCase | undefined>;
  private renewTimer?: number;
  private generation = 0;
  /** Decisions still being sent: the next claim ahead waits for them (their items are still held). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly api: Api,
    private readonly token: () => string | undefined,
  ) {
    window.addEventListener('pagehide', () => this.release());
  }

  /** A decision on its way: claims ahead wait until it settled. */
  track(request: Promise<unknown>): void {
    this.inFlight.add(request);
    const done = () => this.inFlight.delete(request);
    request.then(done, done);
  }

  /** Claims ahead in `queue` beyond `holding` (the case on screen) and loads it; keeps one already held. */
  prepare(queue: string, holding: string[]): void {
    if (this.ahead && this.ahead.queue !== queue) this.release();
    const generation = ++this.generation;
    window.clearTimeout(this.renewTimer);
    this.loading = (async () => {
      await Promise.allSettled([...this.inFlight]);
      if (generation !== this.generation) return undefined;
      let item: Item | null;
      try {
        ({ item } = await this.api.post<{ item: Item | null }>(`/queues/${enc(queue)}/next`, { ahead: holding }));
      } catch {
        return undefined; // nothing preloaded: the next case is claimed the ordinary way
      }
      if (generation !== this.generation) {
        // Superseded: let go of what it claimed, unless that is the case held or being shown.
        if (item && item.itemId !== this.ahead?.itemId && item.itemId !== this.lastTaken) this.releaseItem(item.itemId);
        return undefined;
      }
      if (!item) {
        delete this.ahead;
        return undefined;
      }
      this.scheduleRenewal(queue, holding, item);
      if (this.ahead?.itemId === item.itemId) return this.ahead;
      // Another case than the one held (after an undo the reviewer holds two): let the old one go.
      if (this.ahead) {
        this.releaseItem(this.ahead.itemId);
        delete this.ahead;
      }
      const loaded = await this.load(queue, item);
      // Superseded while loading: the claim stays held; the next prepare finds it (a held claim is returned first).
      if (generation !== this.generation) return undefined;
      if (loaded) this.ahead = loaded;
      return loaded;
    })();
  }

  /**
   * The case held ahead in `queue`, taken to be shown next (waits for one being loaded); undefined when
   * none. The case view picks it up with `shownAs`.
   */
  async take(queue: string): Promise<AheadCase | undefined> {
    const ahead = this.ahead ?? (await this.loading);
    if (!ahead || ahead.queue !== queue) return undefined;
    this.forget();
    this.shown = ahead;
    this.lastTaken = ahead.itemId;
    return ahead;
  }

  /** The case just taken, when the case view opening `caseId` is showing it. */
  shownAs(caseId: string): AheadCase | undefined {
    const shown = this.shown?.caseId === caseId ? this.shown : undefined;
    delete this.shown;
    return shown;
  }

  /** The held case's item id, if any (what the browser test checks on the server). */
  get heldItemId(): string | undefined {
    return this.ahead?.itemId;
  }

  /** Lets go of the case held ahead: released on the server at once (a request that outlives the page). */
  release(): void {
    const held = this.ahead;
    this.forget();
    if (held) this.releaseItem(held.itemId);
  }

  private forget(): void {
    this.generation += 1;
    window.clearTimeout(this.renewTimer);
    delete this.ahead;
    delete this.loading;
  }

  private releaseItem(itemId: string): void {
    // Locally the persona's token; behind Identity-Aware Proxy none (the proxy vouches for the request).
    const token = this.token();
    void fetch(`/api/items/${enc(itemId)}/release`, { method: 'POST', keepalive: true, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined);
  }

  /** Half-way through the ahead lease, asks again: the server renews the held claim (or, if it lapsed and was taken, claims another). */
  private scheduleRenewal(queue: string, holding: string[], item: Item): void {
    const left = item.claim ? Date.parse(item.claim.leaseUntil) - Date.now() : 0;
    if (!(left > 2_000)) return;
    this.renewTimer = window.setTimeout(() => this.prepare(queue, holding), left / 2);
  }

  private async load(queue: string, item: Item): Promise<AheadCase | undefined> {
    let view: CaseView;
    try {
      view = await this.api.get<CaseView>(`/cases/${enc(item.caseId)}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return undefined;
    }
    const images = new Map<number, HTMLImageElement>();
    await Promise.all(
      view.evidence.map(async (e) => {
        try {
          const link = await this.api.get<EvidenceLink>(e.href.replace(/^\/api/, ''));
          const img = new Image();
          img.decoding = 'async';
          img.src = link.url;
          await img.decode();
          images.set(e.index, img);
        } catch {
          // left out: the case view loads it when shown
        }
      }),
    );
    return { queue, itemId: item.itemId, caseId: item.caseId, view, images };
  }
}
