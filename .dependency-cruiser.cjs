// The shape of the import graph, checked by `npm run lint`: no import circles anywhere, and lib/'s
// folders in layers, each importing only its own layer and those below it. Type-only imports
// count: a contract that names an internal type depends on it as much as one that calls it.
//
// Print the folder graph this order was read from:
//   npx depcruise lib --config .dependency-cruiser.cjs --include-only '^lib/' --output-type archi
// A new folder of lib/ joins a layer here (the check fails until it does).

/**
 * Lowest first. `why` is what the layer's rule says when something in it reaches higher.
 * @type {Array<{ name: string; folders: string[]; why: string }>}
 */
const LAYERS = [
  {
    name: 'foundation',
    folders: ['core/errors.ts', 'core/runtimeRequire.ts', 'core/config', 'core/observability'],
    why: 'every other folder builds on it',
  },
  {
    name: 'contract',
    folders: ['core/pipeline'],
    why: 'the pipeline contract (onnxless/pipeline) is public: it names no runtime internal, the runtime implements it',
  },
  {
    name: 'core',
    folders: ['core/sources', 'core/cache', 'core/onnx', 'core/batching', 'core/protocol', 'core/processing'],
    why: 'the core (weights, sessions, tensors, pre/post steps) knows no inference service, route or runtime',
  },
  {
    name: 'domain',
    folders: ['core/inference', 'core/builtins', 'core/registry', 'core/repository'],
    why: 'the inference services, the built-in pipelines and the registry know no HTTP and no runtime',
  },
  {
    name: 'http',
    folders: ['core/http', 'core/openapi', 'core/pages', 'core/jobs'],
    why: 'routes, the OpenAPI document and the pages are shared by every runtime: they never import one',
  },
  {
    name: 'batch',
    folders: ['core/batch'],
    why: 'a batch job runs its items through the routes; the runtimes and tools that drive it sit above it',
  },
  {
    name: 'runtimes',
    folders: ['lambda', 'serve'],
    why: 'the two products that serve requests (a Lambda function, `onnxless serve`) never pull in the tools that build and deploy them',
  },
  {
    name: 'tools',
    folders: ['tools/train', 'tools/store', 'tools/init', 'tools/local', 'tools/deploy', 'tools/rollout', 'tools/batch'],
    why: 'the project tools never import the command line that drives them',
  },
  {
    name: 'cli',
    folders: ['tools/cli'],
    why: 'the top: the command line',
  },
];

/** @param {string} s */
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `^lib/(sessions/|errors\.ts$)`: the folders' files, and the root files themselves. @param {string[]} folders */
const pathsOf = (folders) => `^lib/(${folders.map((f) => (f.endsWith('.ts') ? `${escapeRegExp(f)}$` : `${escapeRegExp(f)}/`)).join('|')})`;

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const higher = LAYERS.slice(i + 1);
  return {
    name: `layer-${layer.name}`,
    severity: 'error',
    comment: `${layer.name} (lib/${layer.folders.join(', lib/')}) never imports ${higher.map((l) => l.name).join(', ')}: ${layer.why}.`,
    from: { path: pathsOf(layer.folders) },
    to: { path: pathsOf(higher.flatMap((l) => l.folders)) },
  };
});

const LAYERED = pathsOf(LAYERS.flatMap((l) => l.folders));

/** @type {import('dependency-cruiser').IConfiguration} */
const config = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: two modules that need each other. Move what both need into a file of its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-stays-in-lib',
      severity: 'error',
      comment: 'lib/ never imports handlers/, bench/, test/ or scripts/: handlers are thin wiring over lib, the rest use lib.',
      from: { path: '^lib/' },
      to: { path: '^(handlers|bench|test|scripts)/' },
    },
    {
      name: 'lib-folder-has-a-layer',
      severity: 'error',
      comment: 'A folder of lib/ that no layer lists: add it to LAYERS in .dependency-cruiser.cjs.',
      from: { path: '^lib/', pathNot: LAYERED },
      to: {},
    },
    {
      name: 'lib-folder-has-a-layer',
      severity: 'error',
      comment: 'A folder of lib/ that no layer lists: add it to LAYERS in .dependency-cruiser.cjs.',
      from: {},
      to: { path: '^lib/', pathNot: LAYERED },
    },
    {
      name: 'model-function-zod-mini-only',
      severity: 'error',
      comment:
        "A model, pipeline or repository function's bundle (onnxless/lambda/tensor and /repository, the handler factories, the built-in pipelines and their steps, the repository) reaches zod's full build: ~470 KB of code parsed on every cold start, against ~26-30 KB for zod/mini with named imports. Import from 'zod/mini' on that path.",
      from: {
        path: '^lib/(lambda/(tensorHandler|repositoryHandler|createLambdaHandler|createPipelineHandler|createRepositoryHandler|pipelineConfigFromEnv|modelConfigFromEnv|repositoryConfigFromEnv)\\.ts$|core/(builtins|processing|repository)/)',
      },
      to: { path: '^node_modules/zod/(index|v4/index|v4/classic/)', reachable: true },
    },
    {
      name: 'onnxruntime-loaded-lazily',
      severity: 'error',
      comment:
        "A value import of onnxruntime-node on the generic model function's path loads its native binding with the handler's module, before the cold start's download it should overlap: take it from lib/core/onnx/onnxruntime.ts (type imports are fine).",
      from: {
        path: '^lib/(lambda|core/(batch|batching|cache|config|http|inference|jobs|observability|onnx|protocol|repository|sources))/',
        pathNot: '^lib/core/onnx/onnxruntime\\.ts$',
      },
      to: { path: '^node_modules/onnxruntime-node/', dependencyTypesNot: ['type-only'] },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `onnxless/lambda` in handlers/ resolves to lib/ sources, as tsconfig's customConditions do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['onnxless:source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      // `--output-type archi`: one node per folder of lib/ (ddot: one per folder at any depth).
      archi: { collapsePattern: '^(lib/[^/]+|node_modules/(@[^/]+/)?[^/]+|handlers|bench|test|scripts)' },
    },
  },
};

module.exports = config;
