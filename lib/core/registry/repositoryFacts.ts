// Facts the repository function needs at run time, apart from the registry's schema: that module
// builds zod schemas (and its package barrel reads YAML), which a function's bundle must not load.

/** The index of a repository, at its prefix (lib/core/repository/RepositoryIndex.ts). */
export const REPOSITORY_INDEX_NAME = 'index.json';

/** How long a repository function trusts the index it read before asking S3 whether it changed. */
export const DEFAULT_INDEX_TTL_SECONDS = 10;

/** Most models a repository entry may give a CloudWatch model dimension of their own (`metricModels`). */
export const MAX_METRIC_MODELS = 100;
