import { readFileSync } from 'node:fs';

/**
 * Just enough of a Dockerfile reader to run an image's own commands outside Docker: the
 * instructions of one stage, with ARG defaults and `${VAR}` / `${VAR:-default}` expanded.
 */
export interface Stage {
  from: string;
  /** The `AS <name>` of the stage, if any. */
  name?: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  runs: string[];
  copies: string[];
  /** WORKDIR, COPY and RUN in order, expanded: what building the stage does. */
  steps: Step[];
}

export interface Step {
  instruction: 'WORKDIR' | 'COPY' | 'RUN';
  args: string;
}

export function readStages(path: string, buildArgs: Record<string, string> = {}): Stage[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let vars: Record<string, string> = {};
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const body = rest.join(' ');
    const stage = stages.at(-1);
    switch (instruction.toUpperCase()) {
      case 'FROM':
        vars = {};
        stages.push({
          from: expand(body.split(/\s+/)[0] ?? '', { ...globalArgs }),
          name: /\sAS\s+(\S+)/i.exec(body)?.[1],
          env: {},
          entrypoint: [],
          cmd: [],
          runs: [],
          copies: [],
          steps: [],
        });
        break;
      case 'WORKDIR':
        stage?.steps.push({ instruction: 'WORKDIR', args: expand(body, { ...vars, ...stage.env }) });
        break;
      case 'ARG': {
        const [name = '', value] = body.split(/=(.*)/s);
        const resolved = buildArgs[name] ?? (value === undefined ? (stage ? globalArgs[name] : undefined) : value) ?? '';
        if (stage) vars[name] = resolved;
        else globalArgs[name] = resolved;
        break;
      }
      case 'ENV':
        for (const [, name = '', value = ''] of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
          const v = expand(value.replace(/^"|"$/g, ''), { ...vars, ...stage?.env });
          if (stage) stage.env[name] = v;
        }
        break;
      case 'ENTRYPOINT':
        if (stage) stage.entrypoint = JSON.parse(body) as string[];
        break;
      case 'CMD':
        if (stage) stage.cmd = JSON.parse(body) as string[];
        break;
      case 'RUN':
      case 'COPY': {
        if (!stage) break;
        const args = expand(body, { ...vars, ...stage.env });
        (instruction.toUpperCase() === 'RUN' ? stage.runs : stage.copies).push(args);
        stage.steps.push({ instruction: instruction.toUpperCase() as 'RUN' | 'COPY', args });
        break;
      }
      default:
        break;
    }
  }
  return stages;
}

// A variable the Dockerfile never declares (one the base image sets, such as LAMBDA_TASK_ROOT)
// stays as written, for whoever knows the base image to fill in.
function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, name: string, fallback: string | undefined) => {
    const value = vars[name];
    if (value === undefined && fallback === undefined) return whole;
    return value === undefined || value === '' ? (fallback ?? '') : value;
  });
}
