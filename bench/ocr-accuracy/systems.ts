/**
 * The systems the OCR bench reads the pages with: onnxless over HTTP, as a user calls it
 * (POST /models/ocr/predict on the local stack), and each peer in a process of its own
 * (peerChild.ts). Each returns, per page, the lines read and the time the call took, warm.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PAGE_PREFIX, type PeerName } from './peers';
import type { ScoredLine } from './score';

export interface PageRead {
  file: string;
  ms: number;
  lines: ScoredLine[];
}

export interface SystemReads {
  system: string;
  /** Load and first (warming) read, before the timed reads. */
  loadMs: number;
  pages: PageRead[];
}

/** The OCR pipeline's answer (docs/pipelines.md): lines with their text and four corners. */
interface OcrAnswer {
  lines?: { text: string; box: [number, number][] }[];
  error?: string;
}

/** Reads every page with POST {baseUrl}/models/ocr/predict, after one warming call. */
export async function readWithOnnxless(baseUrl: string, files: readonly string[]): Promise<SystemReads> {
  const call = async (file: string): Promise<ScoredLine[]> => {
    const res = await fetch(`${baseUrl}/models/ocr/predict`, {
      method: 'POST',
      body: await readFile(file),
      headers: { 'content-type': 'image/jpeg' },
    });
    const body = (await res.json()) as OcrAnswer;
    if (res.status !== 200 || !body.lines)
      throw new Error(`POST /models/ocr/predict answered ${res.status} for ${file}: ${body.error ?? 'no lines'}`);
    return body.lines.map((l) => ({ text: l.text, box: l.box }));
  };
  const started = performance.now();
  if (files[0]) await call(files[0]);
  const loadMs = performance.now() - started;
  const pages: PageRead[] = [];
  for (const file of files) {
    const t = performance.now();
    const lines = await call(file);
    pages.push({ file, ms: performance.now() - t, lines });
  }
  return { system: 'onnxless', loadMs, pages };
}

const PEER_CHILD = fileURLToPath(new URL('./peerChild.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Reads every page with `peer` in a fresh Node process (node --import tsx peerChild.ts). */
export function readWithPeer(peer: PeerName, files: readonly string[], timeoutMs = 600_000): Promise<SystemReads> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PEER_CHILD], {
      cwd: ROOT,
      env: { ...process.env, BENCH_ARGS: JSON.stringify({ peer, files }), NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: SystemReads = { system: peer, loadMs: Number.NaN, pages: [] };
    let pending = '';
    let stderr = '';
    const take = (line: string) => {
      if (!line.startsWith(PAGE_PREFIX)) return;
      const message = JSON.parse(line.slice(PAGE_PREFIX.length)) as PageRead | { ready: true; loadMs: number };
      if ('ready' in message) result.loadMs = message.loadMs;
      else result.pages.push(message);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(take);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      take(pending);
      if (code === 0 && result.pages.length === files.length) resolve(result);
      else
        reject(
          new Error(
            `${peer} (bench/ocr-accuracy/peerChild.ts) exited with ${code} after ${result.pages.length} of ${files.length} pages:\n${stderr}`,
          ),
        );
    });
  });
}
