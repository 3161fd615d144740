import type { Command } from 'commander';
import { registerModels } from './models';
import { registerPush } from './push';
import { registerServe } from './serve';
import { registerTrain } from './train';

/** Each command module exports a function that adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

// Commands register here, one line each (train, push, models, serve).
export const commands: RegisterCommand[] = [registerTrain, registerPush, registerModels, registerServe];
