import { readFileSync } from 'node:fs';

/**
 * Just enough of a Dockerfile reader to run an image's own commands outside Docker: the
 * instructions of one stage, with ARG defaults and `${VAR}` / `${VAR:-default}` expanded.
 */
export interface Stage {
  from: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  runs: string[];
  copies: string[];
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
        stages.push({ from: expand(body.split(/\s+/)[0] ?? '', { ...globalArgs }), env: {}, entrypoint: [], cmd: [], runs: [], copies: [] });
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
        stage?.runs.push(expand(body, { ...vars, ...stage.env }));
        break;
      case 'COPY':
        stage?.copies.push(expand(body, { ...vars, ...stage.env }));
        break;
      default:
        break;
    }
  }
  return stages;
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = vars[name];
    return value === undefined || value === '' ? (fallback ?? '') : value;
  });
}
