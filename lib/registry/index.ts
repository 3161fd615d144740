export { RegistryError } from './errors';
export { parseRegistry, describeIssue } from './parse';
export {
  ARCHITECTURES,
  AUTH_TYPES,
  DEFAULT_MODEL_HANDLER,
  EXTRA_LAYERS,
  GRAPH_OPTIMIZATIONS,
  MODEL_FIELDS,
  MODEL_NAME_PATTERN,
  PACKAGE_TYPES,
  RUNTIMES,
  RESERVED_MODEL_NAMES,
  RegistrySchema,
  ModelEntrySchema,
  type Architecture,
  type AuthConfig,
  type AuthType,
  type BucketConfig,
  type ExtraLayer,
  type GraphOptimization,
  type ModelEntry,
  type ModelEntryInput,
  type ModelField,
  type PackageType,
  type Runtime,
  type Registry,
  type RegistryInput,
} from './schema';
export { formatS3Uri, parseS3Uri, s3UriProblem, type S3Location } from './s3Uri';
export {
  readRegistryFile,
  readRegistryText,
  removeModelEntryText,
  setModelEntry,
  setModelEntryText,
  REGISTRY_PATH,
  type ModelEntryPatch,
  type ReadOptions,
} from './file';
export { resolveVariables, type VariableContext } from './variables';
