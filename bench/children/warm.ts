/**
 * Warm overhead, in one process: the handler answering API Gateway events (JSON, and binary
 * tensors in base64 bodies) against bare session.run on the same input, in alternating
 * blocks so drift in the machine's speed hits all three alike.
 */
import { pathToFileURL } from 'node:url';
import { benchArgs, readEvent, report, runMain, toSessionOptions } from './common';

runMain(async () => {
  interface Args {
    modelPath: string;
    jsonEvent: string;
    binaryEvent: string;
    blocks: number;
    perBlock: number;
  }
  const args = benchArgs<Args>();
  process.env.ONNXLESS_MODEL_NAME = 'bench';
  process.env.ONNXLESS_MODEL_URI = pathToFileURL(args.modelPath).href;
  const jsonEvent = readEvent(args.jsonEvent);
  const binaryEvent = readEvent(args.binaryEvent);
  const { handler } = await import('../../lib/lambda/tensorHandler');
  const ort = await import('onnxruntime-node');

  const request = JSON.parse(jsonEvent.body as string) as { inputs: Array<{ name: string; shape: number[]; data: number[] }> };
  const input = request.inputs[0] as { name: string; shape: number[]; data: number[] };
  const session = await ort.InferenceSession.create(args.modelPath, toSessionOptions());
  const feeds = { [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };

  async function call(event: typeof jsonEvent): Promise<void> {
    const result = (await handler(event)) as { statusCode: number; body: string };
    if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
  }
  const variants = {
    bare: async () => void (await session.run(feeds)),
    json: () => call(jsonEvent),
    binary: () => call(binaryEvent),
  };
  type Variant = keyof typeof variants;
  const names = Object.keys(variants) as Variant[];

  for (let i = 0; i < 5; i++) for (const name of names) await variants[name]();

  const samples: Record<Variant, number[]> = { bare: [], json: [], binary: [] };
  const blockMedians: Record<Variant, number[]> = { bare: [], json: [], binary: [] };
  for (let block = 0; block < args.blocks; block++) {
    const order = names.map((_, i) => names[(i + block) % names.length] as Variant);
    for (const name of order) {
      const times: number[] = [];
      for (let i = 0; i < args.perBlock; i++) {
        const t = performance.now();
        await variants[name]();
        times.push(performance.now() - t);
      }
      samples[name].push(...times);
      blockMedians[name].push(median(times));
    }
  }

  function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  }

  report({
    medianMs: { bare: median(samples.bare), json: median(samples.json), binary: median(samples.binary) },
    blockMedians,
    calls: samples.bare.length,
  });
});
