import { relative } from 'node:path';
import type { Command } from 'commander';
import { installDependencies } from '../../init/installDependencies';
import { scaffoldProject, type Scaffold } from '../../init/scaffoldProject';

interface InitOptions {
  /** false with --no-install. */
  install: boolean;
  onnxless?: string;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new project: serverless.yml, an example model, a handler of its own and its test; then npm install')
    .argument('<dir>', 'the folder to create (new or empty); its name names the project')
    .option('--no-install', 'write the files only, without running npm install')
    .option('--onnxless <spec>', 'what the project depends on for onnxless: a version, a folder or a .tgz (default: ^ this version)')
    .action(async (dir: string, options: InitOptions) => {
      const project = await scaffoldProject({ dir, onnxless: options.onnxless });
      console.log(`created ${project.name} in ${project.dir} (onnxless ${project.onnxless})`);
      for (const file of project.files) console.log(`  ${file}`);
      if (options.install) {
        console.log('\ninstalling dependencies (npm install)...');
        await installDependencies(project.dir);
      }
      console.log(nextSteps(project, options.install));
    });
}

function nextSteps(project: Scaffold, installed: boolean): string {
  const cd = relative(process.cwd(), project.dir) || '.';
  return [
    '',
    'next:',
    `  cd ${shellWord(cd)}`,
    ...(installed ? [] : ['  npm install']),
    '  npm start     # the local stack on http://localhost:3000, serving models/example',
    '  npm test      # the example pipeline against the example model, in-process',
    '',
    'then, in another terminal:',
    `  curl -s -X POST http://localhost:3000/models/example-predict/predict -H 'content-type: application/json' -d '{"x": [[1, 2, 3, 4]]}'`,
    '  http://localhost:3000/playground: a page per model, in a browser',
    '',
    'README.md says how to serve a model of your own and how to deploy.',
  ].join('\n');
}

/** A path as one shell word: as is when plain, else single-quoted (spaces, `!`, `$` stay literal). */
function shellWord(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
