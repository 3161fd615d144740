/**
 * `onnxless/lambda`: what a handler file in a user's project is written with. A model with no
 * `handler:` in the registry needs none of this: the plugin points it at `onnxless/lambda/tensor`.
 * The server function is the package's own (`onnxless/lambda/server`): its factory stays out of
 * this entry, whose every handler bundle would otherwise carry the /docs pages' files.
 */
export { createLambdaHandler, type HandlerOptions, type InvocationContext, type LambdaHandler } from './createLambdaHandler';
export { createPipelineHandler } from './createPipelineHandler';
export { modelConfigFromEnv, type FunctionConfig } from './modelConfigFromEnv';
export { pipelineConfigFromEnv, type MemberConfig, type PipelineConfig } from './pipelineConfigFromEnv';
export { createRepositoryHandler, type RepositoryHandlerOptions } from './createRepositoryHandler';
export { repositoryConfigFromEnv, type RepositoryConfig } from './repositoryConfigFromEnv';
