/**
 * Cold start of a pipeline against its members alone: in a fresh process with an empty cache,
 * `GET /v2/models/{name}/ready` on the OCR pipeline's handler (every member fetched from S3 and
 * its session created, all at once) or on the generic handler serving one member.
 */
import { httpApiEvent } from '../../test/support/httpApiEvent';
import { benchArgs, report, runMain, sinceStart } from './common';

runMain(async () => {
  const args = benchArgs<{ kind: 'pipeline' | 'member'; name: string }>();
  const started = sinceStart();
  const { handler } = args.kind === 'pipeline' ? await import('../../handlers/ocr') : await import('../../lib/lambda/tensorHandler');
  const imported = sinceStart();
  const result = (await handler(httpApiEvent('GET', `/v2/models/${args.name}/ready`))) as { statusCode: number; body: string };
  if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body.slice(0, 300)}`);
  report({ elapsedMs: sinceStart(), loadMs: sinceStart() - imported, bootMs: started, importMs: imported - started });
});
