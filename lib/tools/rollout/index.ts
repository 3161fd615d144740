export { createRolloutClients, type RolloutClients, type RolloutClientOptions } from './clients';
export { RolloutError } from './errors';
export { rolloutTarget, type RolloutTarget } from './RolloutTarget';
export { readRolloutStatus, formatRolloutStatus, type RolloutStatus } from './status';
export { rollBack, formatRollback, type RollbackOutcome } from './rollback';
