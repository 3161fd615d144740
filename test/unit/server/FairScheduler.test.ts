import { describe, expect, it } from 'vitest';
import { FairScheduler } from '../../../lib/serve/FairScheduler';

/**
 * Jobs that finish when the test says so, on a clock the test moves: the order the scheduler
 * starts them in is the whole behaviour, and it is checked as an order, never as a time.
 */
function harness(lanes: number, options: { perLane?: number; recentMs?: number } = {}) {
  let clock = 0;
  const started: string[] = [];
  /** The lane each job started on, by id. */
  const laneOf = new Map<string, number>();
  const running = new Map<string, () => void>();
  const scheduler = new FairScheduler({ lanes, ...options, now: () => clock });
  let n = 0;
  /** A job of `flow`, of its own kind unless `kind` names one (a pipeline member's runs). */
  const submit = (flow: string, kind?: string) => {
    const id = `${kind ?? flow}${n++}`;
    const done = scheduler.submit(
      flow,
      (lane) => {
        started.push(id);
        laneOf.set(id, lane);
        return new Promise<string>((resolve) => running.set(id, () => resolve(id)));
      },
      undefined,
      kind,
    );
    return { id, done };
  };
  const tick = (ms: number) => (clock += ms);
  /** Moves the clock by `ms`, then ends the job `id` (which must be running). */
  const finish = async (id: string, ms: number) => {
    clock += ms;
    const end = running.get(id);
    if (!end) throw new Error(`${id} is not running; running: ${[...running.keys()].join(', ')}`);
    running.delete(id);
    end();
    await new Promise((r) => setImmediate(r));
  };
  return { scheduler, submit, finish, started, running, laneOf, tick };
}

/** Runs one job of `flow` (of `kind`) alone to the end, taking `ms`: the flow and the kind get a measured average. */
async function measure(h: ReturnType<typeof harness>, flow: string, ms: number, kind?: string): Promise<void> {
  const job = h.submit(flow, kind);
  await h.finish(job.id, ms);
}

describe('FairScheduler', () => {
  it("starts a light flow's job at the next free slot, however many heavy jobs are queued before it", async () => {
    // prepare: two slots busy with heavy jobs, ten more heavy jobs queued
    const h = harness(2);
    const heavy = Array.from({ length: 12 }, () => h.submit('heavy'));
    const light = h.submit('light');
    expect(h.started).toEqual([heavy[0]!.id, heavy[1]!.id]);

    // act: the first heavy job ends
    await h.finish(heavy[0]!.id, 500);

    // assess: the light job takes that slot, ahead of the ten queued heavy jobs
    expect(h.started.at(-1)).toBe(light.id);
    expect(h.started.filter((id) => id.startsWith('heavy'))).toHaveLength(2);
  });

  it('shares the slots by measured time: a flow whose jobs take 10x longer gets about a tenth of the starts', async () => {
    const h = harness(1);
    const cost = { heavy: 100, light: 10 } as const;
    for (let i = 0; i < 40; i++) {
      h.submit('heavy');
      h.submit('light');
    }
    // Run 44 jobs one after another, each taking its flow's cost.
    for (let i = 0; i < 44; i++) {
      const id = [...h.running.keys()][0]!;
      await h.finish(id, id.startsWith('heavy') ? cost.heavy : cost.light);
    }
    const heavyStarts = h.started.filter((id) => id.startsWith('heavy')).length;
    const lightStarts = h.started.filter((id) => id.startsWith('light')).length;
    // Equal time: light gets ~10 starts per heavy one (the first of each is charged before any is measured).
    expect(lightStarts).toBeGreaterThanOrEqual(8 * (heavyStarts - 1));
    expect(heavyStarts).toBeGreaterThanOrEqual(3);
  });

  it('alternates between flows whose jobs cost the same (round robin)', async () => {
    const h = harness(1);
    for (let i = 0; i < 4; i++) h.submit('a');
    for (let i = 0; i < 4; i++) h.submit('b');
    for (let i = 0; i < 8; i++) await h.finish([...h.running.keys()][0]!, 10);
    expect(h.started.map((id) => id[0]).join('')).toBe('abababab');
  });

  it('gives a flow that was idle no credit for its idle time', async () => {
    // prepare: flow a works alone for a long time, then b arrives with a backlog while a has one too
    const h = harness(1);
    for (let i = 0; i < 20; i++) {
      h.submit('a');
      await h.finish([...h.running.keys()][0]!, 10);
    }
    for (let i = 0; i < 6; i++) h.submit('b');
    for (let i = 0; i < 6; i++) h.submit('a');

    // act
    for (let i = 0; i < 12; i++) await h.finish([...h.running.keys()][0]!, 10);

    // assess: they alternate from the moment b arrives; b did not get 20 jobs in a row
    const after = h.started.slice(20).map((id) => id[0]);
    expect(after.slice(0, 6).filter((f) => f === 'b')).toHaveLength(3);
  });

  it('frees the slot when a job fails or throws, and passes the failure to its caller', async () => {
    const scheduler = new FairScheduler({ lanes: 1 });
    const failed = scheduler.submit('a', () => Promise.reject(new Error('run failed')));
    const thrown = scheduler.submit('a', () => {
      throw new Error('bad task');
    });
    const next = scheduler.submit('b', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('run failed');
    await expect(thrown).rejects.toThrow('bad task');
    await expect(next).resolves.toBe('ok');
    expect(scheduler.inFlight).toBe(0);
    expect(scheduler.queued).toBe(0);
  });

  it('withdraws a job, unrun and uncharged, when it says so as its turn comes, and starts the next one in its place', async () => {
    // prepare: one lane held by a job of flow a; a job of b that withdraws once a has run, then a second job of b
    const scheduler = new FairScheduler({ lanes: 1 });
    let releaseA!: () => void;
    let aEnded = false;
    const a = scheduler.submit('a', () => new Promise<string>((r) => (releaseA = () => r('a'))));
    const starts: string[] = [];
    const late = scheduler.submit(
      'b',
      () => {
        starts.push('late');
        return Promise.resolve('late');
      },
      undefined,
      'b',
      () => (aEnded ? new Error('past its timeout') : undefined),
    );
    const next = scheduler.submit('b', () => {
      starts.push('next');
      return Promise.resolve('next');
    });
    expect(scheduler.queued).toBe(2);

    // act: a ends; b's first job is asked when the lane frees
    aEnded = true;
    releaseA();

    // assess: the withdrawn job never started and got its error; the next job took the lane
    await expect(a).resolves.toBe('a');
    await expect(late).rejects.toThrow('past its timeout');
    await expect(next).resolves.toBe('next');
    expect(starts).toEqual(['next']);
    expect(scheduler.queued).toBe(0);
    expect(scheduler.inFlight).toBe(0);
  });

  it('never runs more jobs at once than it has slots', async () => {
    const h = harness(3);
    for (let i = 0; i < 10; i++) h.submit(`f${i % 4}`);
    expect(h.running.size).toBe(3);
    expect(h.scheduler.queued).toBe(7);
    await h.finish([...h.running.keys()][0]!, 5);
    expect(h.running.size).toBe(3);
  });

  it('refuses a lane count or jobs per lane that are not whole numbers >= 1', () => {
    expect(() => new FairScheduler({ lanes: 0 })).toThrow(/lanes must be a whole number >= 1, got 0/);
    expect(() => new FairScheduler({ lanes: 2, perLane: 1.5 })).toThrow(/perLane must be a whole number >= 1, got 1.5/);
  });

  describe('the priority lane', () => {
    it("dispatches a light model's job at once while heavy jobs hold every other lane", async () => {
      // prepare: both flows measured (heavy 500 ms a job, light 20 ms), then a backlog of heavy jobs
      const h = harness(2);
      await measure(h, 'heavy', 500);
      await measure(h, 'light', 20);
      const before = h.started.length;
      const heavy = Array.from({ length: 6 }, () => h.submit('heavy'));

      // assess: the heavy jobs take lane 1 only; lane 0 stays free while the light flow is recent
      expect(h.running.size).toBe(1);
      expect(h.laneOf.get(heavy[0]!.id)).toBe(1);

      // act: the light model's next job arrives while the heavy backlog waits
      const light = h.submit('light');

      // assess: it starts now, on lane 0, with no heavy job ended in between
      expect(h.running.has(light.id)).toBe(true);
      expect(h.laneOf.get(light.id)).toBe(0);
      expect(h.started.slice(before).filter((id) => id.startsWith('heavy'))).toHaveLength(1);
    });

    it('lets a heavy model alone use every lane, and again once the light one has been idle past recentMs', async () => {
      const h = harness(3, { recentMs: 1000 });
      await measure(h, 'heavy', 500);
      // alone: every lane
      const first = Array.from({ length: 3 }, () => h.submit('heavy'));
      expect(h.running.size).toBe(3);
      for (const job of first) await h.finish(job.id, 500);

      // a light model arrives: the heavy backlog leaves lane 0 to it
      await measure(h, 'light', 10);
      const backlog = Array.from({ length: 6 }, () => h.submit('heavy'));
      expect(h.running.size).toBe(2);
      expect(backlog.slice(0, 2).map((j) => h.laneOf.get(j.id))).toEqual([2, 1]);

      // the light model stops; past recentMs the next heavy job may take lane 0 again
      h.tick(1001);
      await h.finish(backlog[0]!.id, 0);
      expect(h.running.size).toBe(3);
      expect([...h.running.keys()].map((id) => h.laneOf.get(id)).sort()).toEqual([0, 1, 2]);
    });

    it('keeps lane 0 from the heaviest model only: a middle one (a VAD clip beside 4 ms JSON runs and 1 s pages) may use it', async () => {
      // prepare: three models measured, each active
      const h = harness(2);
      await measure(h, 'ocr', 1000);
      await measure(h, 'vad', 80);
      await measure(h, 'json', 4);
      const pages = Array.from({ length: 3 }, () => h.submit('ocr'));
      expect(pages.filter((p) => h.running.has(p.id)).map((p) => h.laneOf.get(p.id))).toEqual([1]);

      // act: the middle model's request arrives while the pages hold lane 1
      const clip = h.submit('vad');

      // assess: it starts on lane 0 at once (only the pages are kept off it)
      expect(h.laneOf.get(clip.id)).toBe(0);
    });

    it("keeps lane 0 from a job 3x a light model's (a recogniser batch beside a VAD clip slowed by the shared cores)", async () => {
      // prepare: the clip measured at 50 ms (30 idle, slowed by the heavy runs beside it), the batches at 150
      const h = harness(2);
      await measure(h, 'ocr', 150);
      await measure(h, 'vad', 50);
      const batches = Array.from({ length: 3 }, () => h.submit('ocr'));

      // assess: one batch runs, on lane 1; lane 0 is left for the clip
      expect(batches.filter((b) => h.running.has(b.id)).map((b) => h.laneOf.get(b.id))).toEqual([1]);
      const clip = h.submit('vad');
      expect(h.laneOf.get(clip.id)).toBe(0);
    });

    it("learns cost per kind of job: a pipeline's page-sized runs are kept off lane 0, its short runs are not", async () => {
      // prepare: one pipeline flow with two members far apart in cost, and a light model, all measured
      const h = harness(2);
      await measure(h, 'ocr', 240, 'detection');
      await measure(h, 'ocr', 10, 'orientation');
      await measure(h, 'ocr', 240, 'detection');
      await measure(h, 'vad', 40);

      // act: two detection runs queue (their flow's mean, ~90 ms, would not count as heavy beside 40 ms)
      const pages = [h.submit('ocr', 'detection'), h.submit('ocr', 'detection')];

      // assess: one runs on lane 1, the other waits; lane 0 stays free
      expect(pages.filter((p) => h.running.has(p.id)).map((p) => h.laneOf.get(p.id))).toEqual([1]);

      // act: an orientation run of the same flow arrives: short, so it may take lane 0
      const orientation = h.submit('ocr', 'orientation');
      await h.finish(pages[0]!.id, 240);

      // assess: the short run took lane 0 at once; the waiting detection run took lane 1, never lane 0
      expect(h.laneOf.get(orientation.id)).toBe(0);
      expect(h.laneOf.get(pages[1]!.id)).toBe(1);
    });

    it('keeps no lane from flows whose jobs cost about the same', async () => {
      const h = harness(2);
      await measure(h, 'a', 100);
      await measure(h, 'b', 60);
      for (let i = 0; i < 4; i++) h.submit('a');
      expect(h.running.size).toBe(2);
    });

    it('puts several jobs on one lane up to perLane, heavy ones never on lane 0 while the light flow is active', async () => {
      const h = harness(2, { perLane: 3 });
      await measure(h, 'heavy', 300);
      await measure(h, 'light', 5);
      for (let i = 0; i < 5; i++) h.submit('heavy');
      const lanes = [...h.running.keys()].map((id) => h.laneOf.get(id));
      expect(lanes).toEqual([1, 1, 1]);
      expect(h.scheduler.queued).toBe(2);
    });

    it('charges a job the cost its result reports instead of its wall time', async () => {
      // prepare: one job per flow; heavy reports a cost of 400 ms, light takes 500 ms of wall time but reports 5
      const scheduler = new FairScheduler({ lanes: 2, now: () => clock });
      let clock = 0;
      const lanes: Array<[string, number]> = [];
      const run = (flow: string, wall: number, cost: number) =>
        scheduler.submit(
          flow,
          async (lane) => {
            lanes.push([flow, lane]);
            clock += wall;
            return cost;
          },
          (reported) => reported,
        );
      await run('heavy', 10, 400);
      await run('light', 500, 5);

      // act: two heavy jobs at once
      await Promise.all([run('heavy', 10, 400), run('heavy', 10, 400)]);

      // assess: by reported cost heavy is the heavy one: both its jobs ran on lane 1, one after the other
      expect(lanes.slice(2)).toEqual([
        ['heavy', 1],
        ['heavy', 1],
      ]);
    });
  });
});
