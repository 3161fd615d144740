/**
 * One peer in a process of its own (node --import tsx): its onnxruntime threads, memory and module
 * versions apart from the bench's and from the other peers'. Reads BENCH_ARGS {peer, files}, loads
 * the peer, reads the first file once to warm it, then every file in turn, printing one line
 * `@@PAGE {file, ms, lines}` each.
 */
import { PAGE_PREFIX, PEERS, type PeerName } from './peers';

const { peer, files } = JSON.parse(process.env.BENCH_ARGS ?? '{}') as { peer: PeerName; files: string[] };
const create = PEERS[peer];
if (!create) throw new Error(`unknown peer '${peer}'; valid: ${Object.keys(PEERS).join(', ')}`);
const started = performance.now();
const reader = await create();
if (files[0]) await reader.read(files[0]);
process.stdout.write(`\n${PAGE_PREFIX}${JSON.stringify({ ready: true, loadMs: performance.now() - started })}\n`);
for (const file of files) {
  const t = performance.now();
  const lines = await reader.read(file);
  const ms = performance.now() - t;
  process.stdout.write(`\n${PAGE_PREFIX}${JSON.stringify({ file, ms, lines })}\n`);
}
