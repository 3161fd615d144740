import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { BatchSummary } from '../../core/batch/BatchSummary';
import { BatchInputError } from '../../core/batch/errors';
import { formatS3Prefix, type S3Prefix } from '../../core/batch/S3Prefix';
import { readMapRunSummary } from './mapRunResults';
import type { BatchCounts } from './runLocalBatch';

/** The state machine the deploy made for the model (lib/tools/deploy/batchJobs.ts names it). */
export async function findStateMachine(sfn: SFNClient, name: string): Promise<string> {
  let token: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken: token }));
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    token = page.nextToken;
  } while (token);
  throw new BatchInputError(`no state machine '${name}' in this account and region: deploy the model with batch: in its registry entry`);
}

/** The execution's input: the prefixes of this run, as the state machine's ItemReader and ItemBatcher read them. */
export function executionInput(input: S3Prefix, output: S3Prefix): string {
  return JSON.stringify({
    input: formatS3Prefix(input),
    output: formatS3Prefix(output),
    inputBucket: input.bucket,
    inputPrefix: input.prefix,
  });
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * Starts an execution and follows it to its end: the Map Run's item counters
 * (DescribeMapRun's itemCounts) as progress every `pollMs`, then the children's summaries from the
 * ResultWriter's manifest, whose place the Map state's output names (`ResultWriterDetails`).
 */
export async function runOnAws(options: {
  sfn: SFNClient;
  s3: S3Client;
  stateMachineArn: string;
  input: S3Prefix;
  output: S3Prefix;
  onProgress?: (counts: BatchCounts) => void;
  pollMs?: number;
}): Promise<{ summary: BatchSummary; status: string; executionArn: string }> {
  const { sfn } = options;
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, input: executionInput(options.input, options.output) }),
  );
  const executionArn = started.executionArn!;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const runs = await sfn.send(new ListMapRunsCommand({ executionArn }));
    const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
    if (mapRunArn) {
      const counts = (await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).itemCounts;
      if (counts)
        options.onProgress?.({
          total: counts.total ?? 0,
          succeeded: counts.succeeded ?? 0,
          failed: (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0),
          skipped: 0,
        });
    }
    const status = execution.status ?? 'RUNNING';
    if (TERMINAL.has(status)) {
      const details = (JSON.parse(execution.output ?? '{}') as { ResultWriterDetails?: { Bucket: string; Key: string } })
        .ResultWriterDetails;
      if (!details) throw new Error(`execution ${executionArn} ended ${status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim());
      return { summary: await readMapRunSummary(options.s3, details.Bucket, details.Key), status, executionArn };
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 5000));
  }
}
