import type { Command } from 'commander';

/** Each command module exports a function that adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every command, loaded only when asked for: `onnxless serve` evaluates the server's module graph
 * and nothing of the trainer, the registry writer or the S3 uploader (a container starts faster
 * and needs only what it runs). One line per command.
 */
export const commands = {
  init: async () => (await import('./init')).registerInit,
  train: async () => (await import('./train')).registerTrain,
  push: async () => (await import('./push')).registerPush,
  remove: async () => (await import('./remove')).registerRemove,
  models: async () => (await import('./models')).registerModels,
  serve: async () => (await import('./serve')).registerServe,
  start: async () => (await import('./start')).registerStart,
  rollout: async () => (await import('./rollout')).registerRollout,
  rollback: async () => (await import('./rollout')).registerRollback,
  batch: async () => (await import('./batch')).registerBatch,
} as const satisfies Record<string, () => Promise<RegisterCommand>>;

export type CommandName = keyof typeof commands;

/** The commands to load for these arguments: the one named, or all of them (top-level help, typos). */
export function commandsFor(args: readonly string[]): CommandName[] {
  const first = args.find((a) => !a.startsWith('-'));
  const all = Object.keys(commands) as CommandName[];
  // Own keys only: `onnxless constructor` or `onnxless __proto__` is a typo like any other.
  return first !== undefined && Object.hasOwn(commands, first) ? [first as CommandName] : all;
}
