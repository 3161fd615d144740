import type { Env } from '../config/env';
import { RegistryError } from './errors';

/**
 * The small subset of serverless variables the registry may use, resolved without the
 * framework (the CLI and the local stack read serverless.yml directly, in milliseconds, with
 * no AWS call): `${self:a.b}`, `${env:NAME}`, `${sls:stage}`, `${opt:stage}`, each with an
 * optional fallback: `${env:BUCKET, 'models-dev'}`.
 * Anything else (`${ssm:...}`, `${aws:accountId}`, ...) fails naming the place.
 */
export interface VariableContext {
  readonly stage: string;
  readonly env: Env;
}

// Innermost variable first: its body contains no `${`.
const VARIABLE = /\$\{([^${}]*)\}/;
const MAX_DEPTH = 20;

export function resolveVariables(config: Record<string, unknown>, root: unknown, ctx: VariableContext, where = ''): unknown {
  return resolveValue(root, { config, ctx, depth: 0 }, where);
}

interface State {
  config: Record<string, unknown>;
  ctx: VariableContext;
  depth: number;
}

function resolveValue(value: unknown, state: State, where: string): unknown {
  if (typeof value === 'string') return resolveString(value, state, where);
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, state, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, state, where ? `${where}.${k}` : k)]));
  }
  return value;
}

function resolveString(text: string, state: State, where: string): unknown {
  if (state.depth > MAX_DEPTH) throw new RegistryError([`${where}: variables nest too deeply (a cycle?)`]);
  let current: unknown = text;
  for (;;) {
    if (typeof current !== 'string') return current;
    const match = VARIABLE.exec(current);
    if (!match) return current;
    const resolved = resolveOne(match[1] as string, state, where);
    if (match[0] === current) {
      current = resolved;
    } else {
      if (resolved !== null && typeof resolved === 'object') {
        throw new RegistryError([`${where}: ${match[0]} resolves to an object inside a string`]);
      }
      current = current.slice(0, match.index) + String(resolved) + current.slice(match.index + match[0].length);
    }
  }
}

function resolveOne(body: string, state: State, where: string): unknown {
  const [reference = '', fallback] = splitFallback(body);
  const value = lookup(reference.trim(), state, where);
  if (value !== undefined) return value;
  if (fallback !== undefined) return parseLiteral(fallback.trim());
  throw new RegistryError([`${where}: \${${body}} has no value and no fallback`]);
}

function lookup(reference: string, state: State, where: string): unknown {
  const colon = reference.indexOf(':');
  const source = colon < 0 ? '' : reference.slice(0, colon);
  const address = reference.slice(colon + 1).trim();
  switch (source) {
    case 'env': {
      // Own variables only: `${env:constructor}` is unset, not Object's constructor.
      const value = Object.hasOwn(state.ctx.env, address) ? state.ctx.env[address] : undefined;
      return value === '' ? undefined : value;
    }
    case 'sls':
    case 'opt':
      if (address === 'stage') return state.ctx.stage;
      if (source === 'opt') return undefined;
      break;
    case 'self': {
      let node: unknown = state.config;
      for (const part of address.split('.').filter(Boolean)) {
        node = node !== null && typeof node === 'object' && Object.hasOwn(node, part) ? (node as Record<string, unknown>)[part] : undefined;
      }
      return node === undefined ? undefined : resolveValue(node, { ...state, depth: state.depth + 1 }, where);
    }
  }
  throw new RegistryError([
    `${where}: cannot resolve \${${reference}} without the framework; use self:, env:, sls:stage or opt:stage here`,
  ]);
}

/** `ref, 'fallback'` -> [ref, `'fallback'`]: the first comma outside quotes. */
function splitFallback(body: string): [string, string?] {
  let quote = '';
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i] as string;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ',') {
      return [body.slice(0, i), body.slice(i + 1)];
    }
  }
  return [body];
}

function parseLiteral(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return quoted[2];
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
