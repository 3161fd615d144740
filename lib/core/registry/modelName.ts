// Apart from the registry's schema: the repository function checks index names with it, and
// that module builds zod's full schemas, which a function's bundle must not load.

/**
 * Lowercase DNS label, at most 40 characters: the name appears in URLs, in the Lambda function
 * name `<service>-<stage>-<model>` (64 characters at most) and in CloudFormation logical ids.
 */
export const MODEL_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** What MODEL_NAME_PATTERN asks, as a registry error says it. */
export const MODEL_NAME_RULE = 'name: expected 1-40 lowercase letters, digits or hyphens, not starting or ending with a hyphen';
