import type { Command } from 'commander';
import { ENV } from '../../../core/config/env';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description("the local stack: an S3-protocol server, this project's models seeded, every function behind the API Gateway emulator")
    .option('--log <format>', 'compact (default in a terminal) or json')
    .addHelpText(
      'after',
      `\nReads ./serverless.yml (or ${ENV.config}); each models/<model>/ folder of the project is pushed to the local bucket once.`,
    )
    .action(async (flags: { log?: string }) => {
      const { startStack } = await import('../../local/startStack');
      await startStack({ log: flags.log });
    });
}
