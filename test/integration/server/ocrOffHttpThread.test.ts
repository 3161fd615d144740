import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcrResult } from '../../../lib/core/builtins/ocr';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { renderPage } from '../pipelines/ocrPage';
import { call, spawnServer, tempDir, waitFor, type SpawnedServer } from './helpers';

/** CPU ticks (user + system) a thread of `pid` has used, from /proc/<pid>/task/<tid>/stat (fields 14 and 15). */
function threadTicks(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function allTicks(pid: number): Map<number, number> {
  return new Map(readdirSync(`/proc/${pid}/task`).map((tid) => [Number(tid), threadTicks(pid, Number(tid))]));
}

/**
 * The OCR pipeline's own work (decoding the page, finding the boxes, cropping and ordering the
 * lines, decoding the text) runs on a processing thread, never on the HTTP thread: read from the
 * kernel's CPU accounting of a real `onnxless serve` process, thread by thread. On the HTTP thread
 * a page's glue would hold every other request, /ping included, behind it.
 */
describe("the OCR pipeline's work on onnxless serve, off the HTTP thread", () => {
  let server: SpawnedServer;

  beforeAll(async () => {
    const dir = tempDir();
    const config = {
      workers: 1,
      processingThreads: 1,
      models: {
        'ocr-detection': { weights: EXAMPLE_WEIGHTS['ocr-detection']! },
        'ocr-orientation': { weights: EXAMPLE_WEIGHTS['ocr-orientation']! },
        'ocr-recognition': { weights: EXAMPLE_WEIGHTS['ocr-recognition']! },
      },
      pipelines: {
        ocr: { pipeline: 'ocr', models: { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } },
      },
    };
    writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
    server = await spawnServer(
      ['node', 'bin/onnxless.mjs', 'serve', '--config', join(dir, 'serve.json'), '--port', '0', '--host', '127.0.0.1'],
      { ONNXLESS_CACHE_DIR: tempDir(), ONNXLESS_MODEL_DIR: tempDir() },
    );
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 60_000, '/ping 200');
  }, 90_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it.skipIf(process.platform !== 'linux')(
    "spends a small part of the process's CPU on the HTTP thread while it reads pages",
    async () => {
      // prepare: a page of six lines, read once so every session and thread exists
      const page = await renderPage(
        ['Serverless pipelines 42', 'river stone K7Q2', 'yellow garden HN45', 'quiet harbour 1987', 'maple road 55', 'north gate X9'].map(
          (text) => ({ text, fontSize: 30 }),
        ),
      );
      const send = () => call(server.url, 'POST', '/models/ocr/predict', page.png, { 'content-type': 'image/png' });
      expect((await send()).status).toBe(200);
      const pid = server.child.pid!;
      const before = allTicks(pid);

      // act: six pages, one after another
      const replies = [];
      for (let i = 0; i < 6; i++) replies.push(await send());
      const after = allTicks(pid);

      // assess: every page read; the HTTP thread (tid = pid) used a small part of the CPU the process used
      expect(replies.map((r) => r.json<OcrResult>().lines.length)).toEqual([6, 6, 6, 6, 6, 6]);
      const used = [...after].map(([tid, ticks]) => ({ tid, ticks: ticks - (before.get(tid) ?? 0) }));
      const total = used.reduce((sum, t) => sum + t.ticks, 0);
      const http = used.find((t) => t.tid === pid)!.ticks;
      expect(total).toBeGreaterThan(0);
      // 4-7 % measured (the bytes in, the answer out, the members' batchers; ~9 % while the page's
      // tensors were cloned here); with the page's own work on this thread it would be over 25 %.
      expect(http / total).toBeLessThan(0.15);
    },
    60_000,
  );
});
