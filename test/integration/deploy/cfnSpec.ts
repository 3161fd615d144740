import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The CloudFormation resource specification as AWS CDK ships it (@aws-cdk/aws-service-spec, the
 * maintained successor of @aws-cdk/cfnspec: every resource type, its properties with their types
 * and whether they are required, its attributes), and a check of a template against it: known
 * resource types, required properties present, no unknown property names at any depth, and
 * `Fn::GetAtt` naming an attribute the type has. What it cannot see: value ranges, enumerations,
 * account state; CloudFormation itself checks those at deploy.
 */

type SpecType =
  | { type: 'string' | 'boolean' | 'integer' | 'number' | 'json' | 'date-time' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };
interface SpecProperty {
  type: SpecType;
  required?: boolean;
}
interface SpecResource {
  cloudFormationType: string;
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}
interface SpecTypeDefinition {
  $id: string;
  name: string;
  properties: Record<string, SpecProperty>;
}

interface Spec {
  resources: Map<string, SpecResource>;
  types: Map<string, SpecTypeDefinition>;
}

let loaded: Spec | undefined;

export function cfnSpec(): Spec {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@aws-cdk/aws-service-spec/package.json'));
  const db = JSON.parse(gunzipSync(readFileSync(path.join(dir, 'db.json.gz'))).toString('utf8')) as {
    schema: { resource: { entities: unknown }; typeDefinition: { entities: unknown } };
  };
  const values = <T>(e: unknown): T[] => (Array.isArray(e) ? (e as T[]) : Object.values(e as Record<string, T>));
  loaded = {
    resources: new Map(values<SpecResource>(db.schema.resource.entities).map((r) => [r.cloudFormationType, r])),
    types: new Map(values<SpecTypeDefinition>(db.schema.typeDefinition.entities).map((t) => [t.$id, t])),
  };
  return loaded;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Everything in `template` the specification refuses, one line each (empty: it conforms). */
export function cfnSpecProblems(template: Template): string[] {
  const spec = cfnSpec();
  const problems: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::')) continue;
    const type = spec.resources.get(resource.Type);
    if (!type) {
      problems.push(`${id}: unknown resource type ${resource.Type}`);
      continue;
    }
    problems.push(...objectProblems(`${id}.Properties`, resource.Properties ?? {}, type.properties, spec));
  }
  problems.push(...getAttProblems(template, spec));
  return problems;
}

function isIntrinsic(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

function objectProblems(where: string, value: Record<string, unknown>, properties: Record<string, SpecProperty>, spec: Spec): string[] {
  const problems: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    if (prop.required && !(name in value)) problems.push(`${where}: required property ${name} missing`);
  }
  for (const [name, v] of Object.entries(value)) {
    const prop = properties[name];
    if (!prop) problems.push(`${where}: unknown property ${name} (known: ${Object.keys(properties).join(', ')})`);
    else problems.push(...valueProblems(`${where}.${name}`, v, prop.type, spec));
  }
  return problems;
}

function valueProblems(where: string, value: unknown, type: SpecType, spec: Spec): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'ref': {
      const def = spec.types.get(type.reference.$ref);
      if (!def) return [];
      if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${where}: expected an object (${def.name})`];
      return objectProblems(where, value as Record<string, unknown>, def.properties, spec);
    }
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected a list`];
      return value.flatMap((v, i) => valueProblems(`${where}[${i}]`, v, type.element, spec));
    case 'map':
      if (!value || typeof value !== 'object') return [`${where}: expected a map`];
      return Object.entries(value).flatMap(([k, v]) => valueProblems(`${where}.${k}`, v, type.element, spec));
    case 'union': {
      const each = type.types.map((t) => valueProblems(where, value, t, spec));
      return each.some((p) => p.length === 0) ? [] : each[0]!;
    }
    case 'string':
    case 'date-time':
      return typeof value === 'string' ? [] : [`${where}: expected a string, got ${JSON.stringify(value)}`];
    case 'integer':
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
        ? []
        : [`${where}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : [`${where}: expected a boolean`];
    default:
      return [];
  }
}

function getAttProblems(template: Template, spec: Spec): string[] {
  const problems: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
      const target = template.Resources[getAtt[0]];
      const attributes = target && spec.resources.get(target.Type)?.attributes;
      if (!target) problems.push(`Fn::GetAtt names no resource: ${getAtt[0]}`);
      else if (attributes && !(getAtt[1] in attributes))
        problems.push(`Fn::GetAtt ${getAtt[0]}.${getAtt[1]}: ${target.Type} has no such attribute`);
    }
    Object.values(node).forEach(visit);
  };
  visit(template.Resources);
  return problems;
}
