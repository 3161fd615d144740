import { describe, expect, it } from 'vitest';
import { FairScheduler } from '../../../lib/serve/FairScheduler';

/**
 * Jobs that finish when the test says so, on a clock the test moves: the order the scheduler
 * starts them in is the whole behaviour, and it is checked as an order, never as a time.
 */
function harness(slots: number) {
  let clock = 0;
  const started: string[] = [];
  const running = new Map<string, () => void>();
  const scheduler = new FairScheduler({ slots, now: () => clock });
  let n = 0;
  const submit = (flow: string) => {
    const id = `${flow}${n++}`;
    const done = scheduler.submit(flow, () => {
      started.push(id);
      return new Promise<string>((resolve) => running.set(id, () => resolve(id)));
    });
    return { id, done };
  };
  /** Moves the clock by `ms`, then ends the job `id` (which must be running). */
  const finish = async (id: string, ms: number) => {
    clock += ms;
    const end = running.get(id);
    if (!end) throw new Error(`${id} is not running; running: ${[...running.keys()].join(', ')}`);
    running.delete(id);
    end();
    await new Promise((r) => setImmediate(r));
  };
  return { scheduler, submit, finish, started, running };
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
    const scheduler = new FairScheduler({ slots: 1 });
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

  it('never runs more jobs at once than it has slots', async () => {
    const h = harness(3);
    for (let i = 0; i < 10; i++) h.submit(`f${i % 4}`);
    expect(h.running.size).toBe(3);
    expect(h.scheduler.queued).toBe(7);
    await h.finish([...h.running.keys()][0]!, 5);
    expect(h.running.size).toBe(3);
  });

  it('refuses a slot count that is not a whole number >= 1', () => {
    expect(() => new FairScheduler({ slots: 0 })).toThrow(/slots must be a whole number >= 1, got 0/);
  });
});
