/**
 * The generic handler's cold start, phase by phase: what onnxless/lambda/tensor (lib/lambda/tensorHandler.ts) builds (the same
 * createLambdaHandler from the environment), with the loader's events marking when the
 * download ended (the session's creation began) and when the session was ready.
 */
import { benchArgs, readEvent, report, runMain, sinceStart } from './common';

runMain(async () => {
  const args = benchArgs<{ event: string }>();
  const event = readEvent(args.event);
  const started = sinceStart();
  const { createLambdaHandler } = await import('../../lib/lambda/createLambdaHandler');
  const { modelConfigFromEnv } = await import('../../lib/lambda/modelConfigFromEnv');
  let createAt = 0;
  let loadedAt = 0;
  const config = modelConfigFromEnv();
  const handler = createLambdaHandler(config, {
    events: {
      onSessionCreate: () => (createAt = sinceStart()),
      onLoad: () => (loadedAt = sinceStart()),
    },
  });
  const imported = sinceStart();
  // As Lambda's runtime: the invocation is fetched once the handler's module has loaded and its
  // microtasks have run (work the handler's creation queued runs there, not later).
  await new Promise((resolve) => setImmediate(resolve));
  const result = (await handler(event)) as { statusCode: number; body: string };
  if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
  const end = sinceStart();
  report({
    elapsedMs: end,
    bootMs: started,
    importMs: imported - started,
    downloadMs: createAt - imported,
    createMs: loadedAt - createAt,
    runMs: end - loadedAt,
  });
});
