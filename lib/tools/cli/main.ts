import { Command } from 'commander';
import { commands, commandsFor } from './commands/index';

/** `npx onnxless <command>`: each command lives in its own file under ./commands, loaded when named. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('onnxless').description('Serve ONNX models as HTTP APIs on AWS Lambda');
  try {
    for (const name of commandsFor(argv.slice(2))) (await commands[name]())(program);
    await program.parseAsync(argv);
  } catch (err) {
    console.error(`onnxless: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
