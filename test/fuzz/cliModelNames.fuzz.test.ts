import { Command } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODEL_NAME_PATTERN, readRegistryFile } from '../../lib/core/registry';
import { commands, commandsFor } from '../../lib/tools/cli/commands/index';
import { registerPush } from '../../lib/tools/cli/commands/push';
import { registerRollback, registerRollout } from '../../lib/tools/cli/commands/rollout';
import { RecordedAws } from '../integration/deploy/recordedAws';
import { FIXTURE_REGISTRY } from '../support/localStackProcess';
import { fuzzParameters } from '../support/fuzz/fuzzHarness';

/**
 * Issue 27, item 9: the CLI's arguments name models and commands, and each is looked up in a
 * plain object. `registry.models['__proto__']` is Object.prototype, `commands.constructor` is
 * Object: a name must be an own key, or it names nothing. Every command that takes a model name
 * gets fuzzed names, Object.prototype's own keys among them.
 */
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype);
const registered = Object.keys((await readRegistryFile(FIXTURE_REGISTRY, { env: {} })).models);

/** Names a user might type: prototype keys, lookalikes of real names, anything at all. */
const anyName = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.stringMatching(/^[a-z0-9-]{1,40}$/),
  fc.string({ maxLength: 48 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
/** Commander reads a leading `-` as an option: a name never starts with one. */
const argumentName = anyName.filter((n) => !n.startsWith('-'));

function program(...register: Array<(program: Command) => void>): Command {
  const p = new Command('onnxless').exitOverride();
  for (const r of register) r(p);
  return p;
}

describe('the CLI looks every name up as an own key', () => {
  it('loads only real commands, whatever the first argument names', () => {
    fc.assert(
      fc.property(anyName, fc.array(anyName, { maxLength: 3 }), (first, rest) => {
        const loaded = commandsFor([first, ...rest]);
        for (const name of loaded) expect([name, Object.hasOwn(commands, name), typeof commands[name]]).toEqual([name, true, 'function']);
        const isCommand = Object.hasOwn(commands, first) && !first.startsWith('-');
        if (isCommand) expect(loaded).toEqual([first]);
        else if (!first.startsWith('-')) expect(loaded).toEqual(Object.keys(commands));
      }),
      fuzzParameters(2000),
    );
  });

  it.each([
    ['rollout status', ['rollout', 'status']],
    ['rollback', ['rollback']],
  ])('%s refuses every name the registry does not list, before any AWS call', async (_command, words) => {
    await fc.assert(
      fc.asyncProperty(
        argumentName.filter((n) => !registered.includes(n)),
        async (model) => {
          const aws = new RecordedAws([]);
          const deps = { clients: () => aws.clients(), print: () => undefined };
          const cli = program(
            (p) => registerRollout(p, deps),
            (p) => registerRollback(p, deps),
          );
          const failure = await cli.parseAsync(['node', 'onnxless', ...words, model, '--config', FIXTURE_REGISTRY]).then(
            () => new Error('accepted'),
            (err: unknown) => err as Error,
          );
          expect([model, failure.name, failure.message]).toEqual([
            model,
            'RolloutError',
            expect.stringContaining(`no model '${model}' in ${FIXTURE_REGISTRY}; models: `),
          ]);
          expect(aws.calls).toEqual([]);
        },
      ),
      fuzzParameters(300),
    );
  });

  it('push refuses every --model the name rule refuses before it reads anything', async () => {
    await fc.assert(
      fc.asyncProperty(
        argumentName.filter((n) => !MODEL_NAME_PATTERN.test(n)),
        async (model) => {
          const cli = program(registerPush);
          const failure = await cli
            .parseAsync([
              'node',
              'onnxless',
              'push',
              '/nonexistent/model.onnx',
              '--model',
              model,
              '--config',
              '/nonexistent/serverless.yml',
            ])
            .then(
              () => new Error('accepted'),
              (err: unknown) => err as Error,
            );
          expect([model, failure.message]).toEqual([model, `--model '${model}': expected 1-40 lowercase letters, digits or hyphens`]);
        },
      ),
      fuzzParameters(300),
    );
  });
});
