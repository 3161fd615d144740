import { Command } from 'commander';
import { commands } from './commands/index';

/** `npx onnxless <command>`: each command lives in its own file under ./commands. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('onnxless').description('Serve ONNX models as HTTP APIs on AWS Lambda');
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    console.error(`onnxless: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
