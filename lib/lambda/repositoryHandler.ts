/**
 * `onnxless/lambda/repository`: the handler of a `kind: repository` entry with no `handler:`,
 * configured by the environment the deploy writes (ONNXLESS_REPOSITORY_NAME, ..._PREFIX, the
 * budgets, the index TTL): raw OIP v2 tensors for every model the repository's index lists.
 */
import { createRepositoryHandler } from './createRepositoryHandler';
import { repositoryConfigFromEnv } from './repositoryConfigFromEnv';

export const handler = createRepositoryHandler(repositoryConfigFromEnv());
