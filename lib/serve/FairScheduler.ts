/** A unit of work, started when the scheduler picks it, on the lane (thread) it is given. */
export type Job<T> = (lane: number) => Promise<T>;

export interface FairSchedulerOptions {
  /** Lanes (threads) jobs run on. Lane 0 is the priority lane: see `FairScheduler`. */
  lanes: number;
  /** Jobs one lane runs at once (default 1). */
  perLane?: number;
  /** A job starts: its flow and how long it waited for a lane, in ms. */
  onStart?: (flow: string, waitedMs: number) => void;
  /** How long after its last job a flow still has the priority lane kept for it, in ms (default 1,000). */
  recentMs?: number;
  /** A job is heavy beside another flow when its kind takes more than this many times as long on average (default 2), and no active flow has a kind that much longer again. */
  heavyRatio?: number;
  now?: () => number;
}

/** Long enough to cover a closed-loop client's time between two runs (decode, HTTP, encode). */
const DEFAULT_RECENT_MS = 1000;
/**
 * 2, not more: a light model's run is slowed by the heavy ones sharing the cores (a 4 s VAD clip,
 * ~30 ms idle, measured 35-51 ms beside two OCR clients on 2 cores), so at 4 a recogniser batch
 * (140-160 ms) fell on either side of the line from one run to the next, and the light model
 * waited for it on lane 0 in some runs (VAD p50 4.3x its idle) and not in others (1.5x).
 */
const DEFAULT_HEAVY_RATIO = 2;

interface Queued {
  start: Job<unknown>;
  /** What kind of job it is within its flow (a pipeline member's run, a loop): its cost is learnt per kind. */
  kind: string;
  costOf?: (result: unknown) => number | undefined;
  /** Asked when the job's turn comes: an error withdraws it, unrun, with no lane taken and nothing charged. */
  withdrawn?: () => Error | undefined;
  enqueuedAt: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Flow {
  readonly name: string;
  readonly queue: Queued[];
  running: number;
  /** Lane time this flow has been charged, in ms: its place in line (a virtual finish time). */
  charged: number;
  /** Moving average of a job's measured time; charged in advance when a job starts. */
  averageMs: number;
  /** When it was last served (a counter): ties go to the flow served longest ago. */
  servedAt: number;
  /** When its last job ended (`now()`), for the priority lane's "recently active". */
  lastEndedAt: number;
  /** Jobs ended: a flow with none has no average yet, and is neither heavy nor light. */
  measured: number;
  /** Each kind's own moving average: a pipeline's page detection and its 10 ms orientation runs are one flow, far apart in cost. */
  readonly kinds: Map<string, Cost>;
}

interface Cost {
  averageMs: number;
  measured: number;
}

/**
 * Shares a few lanes (threads) between flows (the models) by their measured time: start-time
 * fair queueing, the weighted form of deficit round robin. Each flow keeps its own FIFO queue;
 * when a lane frees, the flow charged the least time so far starts its oldest job, and is charged
 * that job's expected time (its moving average, corrected by the measured time when it ends). A
 * flow that had nothing to do joins at the current virtual time, so idling banks no credit.
 *
 * Fair turns alone still let a light model wait for one heavy run whenever heavy runs hold every
 * lane (onnxruntime cannot be preempted). So lane 0 is kept for light work: a job whose kind
 * takes `heavyRatio` times longer than the jobs of another flow active in the last `recentMs`
 * (and is not itself that much lighter than a third's) does not start there, and heavy jobs take
 * the highest free lane, light ones the lowest. Costs are learnt per kind of job, not per flow: a
 * pipeline's flow mixes page-sized runs with 10 ms ones, and their mean is neither. A heavy
 * model alone (nothing lighter recently active) uses every lane. This is the rule Triton reaches
 * with separate instance groups per model and its rate limiter's priorities, kept inside one
 * shared pool: the pool keeps one session per model per thread anyway, so any thread can serve
 * the light model. The owner can give lane 0 a higher CPU priority, so the light run also wins
 * the CPU on a box the heavy runs saturate.
 */
export class FairScheduler {
  readonly lanes: number;
  readonly perLane: number;
  private readonly flows = new Map<string, Flow>();
  /** Jobs running on each lane. */
  private readonly busy: number[];
  private running = 0;
  private waiting = 0;
  /** The charge of the last flow served: where a flow that becomes busy joins. */
  private virtualTime = 0;
  private served = 0;
  private readonly now: () => number;
  private readonly recentMs: number;
  private readonly heavyRatio: number;

  constructor(private readonly options: FairSchedulerOptions) {
    const { lanes, perLane = 1 } = options;
    for (const [name, value] of Object.entries({ lanes, perLane })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
    }
    this.lanes = lanes;
    this.perLane = perLane;
    this.busy = new Array<number>(lanes).fill(0);
    this.now = options.now ?? (() => performance.now());
    this.recentMs = options.recentMs ?? DEFAULT_RECENT_MS;
    this.heavyRatio = options.heavyRatio ?? DEFAULT_HEAVY_RATIO;
  }

  /** Jobs waiting for a lane, over every flow. */
  get queued(): number {
    return this.waiting;
  }

  /** Jobs running now. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Runs `start` on a lane when the flow's turn comes; resolves or rejects as it does. `costOf`
   * reads a job's cost in ms from its result (the CPU part of a request whose wall time is mostly
   * waiting for other threads); without it, or when it gives nothing, the job's wall time counts.
   * `withdrawn` is asked when the job's turn comes: an error it gives rejects the job, unrun (a
   * request whose own timeout passed while it waited here, as in its model's queue before).
   */
  submit<T>(
    flow: string,
    start: Job<T>,
    costOf?: (result: T) => number | undefined,
    kind: string = flow,
    withdrawn?: () => Error | undefined,
  ): Promise<T> {
    const f = this.flow(flow);
    if (f.queue.length === 0 && f.running === 0) f.charged = Math.max(f.charged, this.virtualTime);
    return new Promise<T>((resolve, reject) => {
      f.queue.push({
        start,
        kind,
        costOf: costOf as Queued['costOf'],
        withdrawn,
        enqueuedAt: this.now(),
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.waiting++;
      this.dispatch();
    });
  }

  private flow(name: string): Flow {
    let f = this.flows.get(name);
    if (!f) {
      f = {
        name,
        queue: [],
        running: 0,
        charged: this.virtualTime,
        averageMs: 0,
        servedAt: 0,
        lastEndedAt: -Infinity,
        measured: 0,
        kinds: new Map(),
      };
      this.flows.set(name, f);
    }
    return f;
  }

  private dispatch(): void {
    for (;;) {
      const pick = this.next();
      if (!pick) return;
      const job = pick.flow.queue.shift() as Queued;
      const refusal = job.withdrawn?.();
      if (refusal) {
        this.waiting--;
        job.reject(refusal);
        continue;
      }
      this.startJob(pick.flow, pick.lane, job);
    }
  }

  /** The busy flow charged least (on a tie, the one served longest ago) that has a lane it may take. */
  private next(): { flow: Flow; lane: number } | undefined {
    const candidates = [...this.flows.values()]
      .filter((f) => f.queue.length > 0)
      .sort((a, b) => a.charged - b.charged || a.servedAt - b.servedAt);
    for (const flow of candidates) {
      const lane = this.laneFor(flow);
      if (lane !== undefined) return { flow, lane };
    }
    return undefined;
  }

  /** A light job takes the lowest free lane; a heavy one the highest, never the priority lane. */
  private laneFor(f: Flow): number | undefined {
    const free = (lane: number) => this.busy[lane]! < this.perLane;
    if (!this.isHeavy(f, f.queue[0]!.kind)) {
      for (let lane = 0; lane < this.lanes; lane++) if (free(lane)) return lane;
      return undefined;
    }
    for (let lane = this.lanes - 1; lane >= 1; lane--) if (free(lane)) return lane;
    return undefined;
  }

  /**
   * Heavy: a job of this kind takes `heavyRatio` times longer on average than the jobs of another
   * flow active now or in the last `recentMs`, and no active flow has a kind that much longer
   * again. The second half keeps a middle model (a VAD clip beside 4 ms JSON runs and 1 s OCR
   * pages) on the light side: lane 0 is kept from the heaviest work only, and every lighter job
   * may use it, a heavy pipeline's short member runs included.
   */
  private isHeavy(f: Flow, kind: string): boolean {
    const own = f.kinds.get(kind);
    if (this.lanes === 1 || !own || own.measured === 0) return false;
    const now = this.now();
    let lighter = false;
    for (const g of this.flows.values()) {
      if (g === f || g.measured === 0) continue;
      if (!(g.queue.length > 0 || g.running > 0 || now - g.lastEndedAt <= this.recentMs)) continue;
      if (heaviestKind(g) > this.heavyRatio * own.averageMs) return false;
      if (own.averageMs > this.heavyRatio * g.averageMs) lighter = true;
    }
    return lighter;
  }

  private startJob(f: Flow, lane: number, job: Queued): void {
    this.waiting--;
    this.running++;
    this.busy[lane]!++;
    f.running++;
    f.servedAt = ++this.served;
    this.virtualTime = f.charged;
    const kind = f.kinds.get(job.kind) ?? { averageMs: 0, measured: 0 };
    f.kinds.set(job.kind, kind);
    const expected = kind.measured > 0 ? kind.averageMs : f.averageMs;
    f.charged += expected;
    const started = this.now();
    this.options.onStart?.(f.name, started - job.enqueuedAt);
    let result: Promise<unknown>;
    try {
      result = job.start(lane);
    } catch (err) {
      result = Promise.reject(err);
    }
    // The lane is freed and the flow charged before its caller hears: what the caller does next sees them.
    const settle = (cost: number | undefined, answer: () => void) => {
      const ended = this.now();
      const took = Math.max(0, cost ?? ended - started);
      f.charged += took - expected;
      f.averageMs = movingAverage(f.averageMs, f.measured, took);
      f.measured++;
      kind.averageMs = movingAverage(kind.averageMs, kind.measured, took);
      kind.measured++;
      f.lastEndedAt = ended;
      f.running--;
      this.running--;
      this.busy[lane]!--;
      answer();
      this.dispatch();
    };
    result.then(
      (value) => settle(costOf(job, value), () => job.resolve(value)),
      (err: unknown) => settle(undefined, () => job.reject(err)),
    );
  }
}

function movingAverage(average: number, measured: number, took: number): number {
  return measured === 0 ? took : 0.8 * average + 0.2 * took;
}

function heaviestKind(f: Flow): number {
  let heaviest = 0;
  for (const cost of f.kinds.values()) if (cost.measured > 0) heaviest = Math.max(heaviest, cost.averageMs);
  return heaviest;
}

function costOf(job: Queued, value: unknown): number | undefined {
  try {
    return job.costOf?.(value);
  } catch {
    return undefined;
  }
}
