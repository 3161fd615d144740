/**
 * Candidate, cold: the deployed generic handler (onnxless/lambda/tensor, lib/lambda/tensorHandler.ts) in a fresh process,
 * configured by environment as on Lambda, answering its first API Gateway event.
 */
import { benchArgs, readEvent, report, runMain, sinceStart } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string }>();
  const event = readEvent(args.event);
  const started = sinceStart();
  const { handler } = await import('../../lib/lambda/tensorHandler');
  const imported = sinceStart();
  const result = (await handler(event)) as { statusCode: number; body: string };
  if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
  report({ elapsedMs: sinceStart(), bootMs: started, importMs: imported - started });
});
