import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApiJson } from '../../core/openapi/index';
import { pipelines } from '../../core/builtins/index';
import { MULTI_MODEL_PIPELINES } from '../../core/builtins/multiModel';
import { parseRegistry, type Registry } from '../../core/registry/index';
import { OPENAPI_FILE } from './defaults';
import { ensureLayer, formatBytes } from './layers';
import { writePackageHandlers } from './packageHandlers';
import { artifactProblem } from './artifactCheck';
import { defineConfigSchema, type ConfigSchemaHost } from './configSchema';
import { GPU_IMAGE_NAME, GPU_IMAGE_PLACEHOLDER, type EcrImage } from './containers';
import { applyApiLimits } from './apiLimits';
import type { DeploymentPlan } from './DeploymentPlan';
import { roleLogicalId } from './functionRole';
import { planDeployment } from './plan';
import { liveAliasResources, useLiveAliases } from './liveAlias';
import { emulatedFunctionSettings } from '../local/emulatedFunctions';

/**
 * The serverless plugin: reads the model registry (custom.onnxless) and expands it into the
 * service before any command runs, so `package`, `deploy`, `offline` and `invoke local` all see one
 * function per model. Listed in serverless.yml as `plugins: [onnxless]`: the package's main export
 * (dist/serverless.cjs, built by scripts/build.ts).
 */

// The parts of the framework this plugin touches (osls 4 = Serverless Framework v3 line).
interface ServerlessFunctionObject {
  name?: string;
  handler?: string;
  package?: { artifact?: string };
  [key: string]: unknown;
}
interface Serverless {
  serviceDir: string;
  /** The service file as given (`--config`), relative to serviceDir. */
  configurationFilename?: string;
  configSchemaHandler?: ConfigSchemaHost['configSchemaHandler'];
  service: {
    service: string;
    custom?: Record<string, unknown>;
    provider: {
      name: string;
      runtime?: string;
      stage?: string;
      httpApi?: { authorizers?: Record<string, unknown>; [key: string]: unknown };
      logs?: { httpApi?: boolean | { format?: string }; [key: string]: unknown };
      compiledCloudFormationTemplate?: { Resources?: Record<string, unknown> };
      ecr?: { images: Record<string, unknown>; scanOnPush?: boolean; maxImageCount?: number };
      naming: { getNormalizedFunctionName(name: string): string; getLambdaLayerLogicalId(name: string): string };
    };
    functions: Record<string, ServerlessFunctionObject>;
    layers?: Record<string, unknown>;
    resources?: { Resources?: Record<string, unknown>; Outputs?: Record<string, unknown> };
    package?: { individually?: boolean; artifact?: string };
  };
  processedInput: { commands: string[] };
  pluginManager: { plugins: object[] };
  getProvider(name: string): {
    getStage(): string;
    naming: Serverless['service']['provider']['naming'] & {
      getLambdaLogicalId(name: string): string;
      getEcrRepositoryName?(): string;
      getHttpApiStageLogicalId(): string;
      getHttpApiRouteLogicalId(routeKey: string): string;
      getHttpApiLogGroupLogicalId(): string;
    };
    /** The framework's own docker build + push to its ECR repository (what it does for image functions). */
    resolveImageUriAndShaFromPath?(args: Record<string, unknown>): Promise<{ functionImageUri: string }>;
  };
  classes: { Error: new (message: string, code?: string) => Error };
}
interface Logger {
  notice(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}
interface Options {
  stage?: string;
  package?: string;
}

/** serverless-esbuild writes `<handler file><outputFileExtension>` (default .js). */
function bundleExtension(custom: Record<string, unknown> | undefined): string {
  const esbuild = custom?.esbuild as { outputFileExtension?: unknown } | undefined;
  return typeof esbuild?.outputFileExtension === 'string' ? esbuild.outputFileExtension : '.js';
}

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const DEFAULT_RUNTIME = 'nodejs22.x';

export default class OnnxlessPlugin {
  readonly hooks: Record<string, () => Promise<void> | void>;
  private plan: DeploymentPlan | undefined;
  private registry: Registry | undefined;
  /** Model functions served through their `live` alias (lib/tools/deploy/liveAlias.ts). */
  private liveFunctions: string[] = [];

  constructor(
    private readonly serverless: Serverless,
    private readonly options: Options,
    private readonly logging: { log: Logger },
  ) {
    defineConfigSchema(serverless);
    this.hooks = {
      // `initialize` runs first in every command, after variables are resolved and the config is
      // validated: the functions exist before serverless-esbuild, serverless-offline or
      // `invoke local` look for them.
      initialize: () => {
        this.expand();
        if (this.serverless.processedInput.commands[0] === 'offline') this.emulateLocally();
        // Before anything bundles or serves: the document the server function ships.
        this.writeOpenApi();
      },
      'before:package:createDeploymentArtifacts': () => this.buildLayers(),
      // Each function's version is compiled (and named after its hash) by now: point `live` at it.
      'after:package:compileFunctions': () => this.addLiveAliases(),
      // Custom resources are merged into the template during package:finalize: the GPU image's
      // URI must be in them by then.
      'before:package:finalize': async () => {
        this.applyApiLimits();
        await this.buildGpuImage();
      },
      'after:package:finalize': () => this.reportArtifacts(),
    };
  }

  private fail(message: string): never {
    throw new this.serverless.classes.Error(message, 'ONNXLESS_REGISTRY');
  }

  expand(): void {
    const { service } = this.serverless;
    let registry: Registry;
    try {
      writePackageHandlers(this.serverless.serviceDir);
      registry = parseRegistry(service.custom?.onnxless, {
        source: `custom.onnxless in ${this.serverless.configurationFilename ?? 'serverless.yml'}`,
      });
      const provider = this.serverless.getProvider('aws');
      this.plan = planDeployment(registry, {
        service: service.service,
        stage: provider.getStage(),
        runtime: service.provider.runtime ?? DEFAULT_RUNTIME,
        naming: provider.naming,
        root: this.serverless.serviceDir,
        bundleExtension: bundleExtension(service.custom),
        ecrRepository: provider.naming.getEcrRepositoryName?.(),
        handlerExists: (file) => HANDLER_EXTENSIONS.some((ext) => existsSync(path.join(this.serverless.serviceDir, file + ext))),
      });
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
    }
    this.registry = registry;
    const provider = this.serverless.getProvider('aws');
    // A pipeline's function (several models in one) is served through its alias too.
    const served = { ...registry.models, ...registry.pipelines };
    this.liveFunctions = useLiveAliases(this.plan, served, provider.naming, (key) => roleLogicalId(key, provider));
    this.merge(this.plan);
    this.enableAccessLogs(this.plan);
    this.quietBundlerWarnings();
    this.letLayersPackageOffline();
    this.logging.log.info(
      `onnxless: ${Object.keys(registry.models).length} model(s) -> ${Object.keys(this.plan.functions).join(', ')}; auth ${registry.auth.type}`,
    );
  }

  private merge(plan: DeploymentPlan): void {
    const { service } = this.serverless;
    const taken = (where: string, existing: Record<string, unknown> | undefined, keys: string[]) => {
      const clash = keys.filter((k) => existing !== undefined && Object.hasOwn(existing, k));
      if (clash.length > 0) {
        this.fail(`custom.onnxless: ${clash.join(', ')} already defined in ${where}; rename the model or that entry`);
      }
    };
    taken('functions', service.functions, Object.keys(plan.functions));
    taken('layers', service.layers, Object.keys(plan.layers));
    service.resources ??= {};
    service.resources.Resources ??= {};
    service.resources.Outputs ??= {};
    taken('resources.Resources', service.resources.Resources, Object.keys(plan.resources));
    taken('resources.Outputs', service.resources.Outputs, Object.keys(plan.outputs));

    Object.assign(service.functions, plan.functions);
    service.layers = { ...service.layers, ...plan.layers };
    Object.assign(service.resources.Resources, plan.resources);
    Object.assign(service.resources.Outputs, plan.outputs);
    if (Object.keys(plan.authorizers).length > 0) {
      service.provider.httpApi ??= {};
      service.provider.httpApi.authorizers = { ...service.provider.httpApi.authorizers, ...plan.authorizers };
    }
    if (Object.keys(plan.ecrImages).length > 0) {
      service.provider.ecr ??= { images: {} };
      taken('provider.ecr.images', service.provider.ecr.images, Object.keys(plan.ecrImages));
      service.provider.ecr.images = { ...service.provider.ecr.images, ...plan.ecrImages };
    }
  }

  /**
   * lib/core/onnx/onnxruntime.ts reads `import.meta.url` only where `__filename` is missing (ESM
   * under tsx or vitest); in the CommonJS bundles esbuild empties it and warns, on every function
   * of every `package` and `npm start`. The warning says nothing true of this code: silenced here,
   * for every service using the plugin, unless the service sets its own level for it.
   */
  private quietBundlerWarnings(): void {
    const { service } = this.serverless;
    service.custom ??= {};
    const esbuild = (service.custom.esbuild ?? {}) as { logOverride?: Record<string, string> };
    service.custom.esbuild = { ...esbuild, logOverride: { 'empty-import-meta': 'silent', ...esbuild.logOverride } };
  }

  /**
   * The registry's access logs use the framework's own (`provider.logs.httpApi`: a log group and
   * the stage's AccessLogSettings, one JSON line per request); a format the service sets itself wins.
   */
  private enableAccessLogs(plan: DeploymentPlan): void {
    if (plan.api.accessLogRetentionDays === undefined) return;
    const provider = this.serverless.service.provider;
    provider.logs ??= {};
    provider.logs.httpApi ??= true;
  }

  /** The `live` alias of each model function, and the rollout and warm capacity around it. */
  addLiveAliases(): void {
    if (!this.registry || this.liveFunctions.length === 0) return;
    const { service } = this.serverless;
    const provider = this.serverless.getProvider('aws');
    const template = service.provider.compiledCloudFormationTemplate;
    if (!template?.Resources) return;
    const published = this.liveFunctions.map((key) => {
      const fn = service.functions[key] as ServerlessFunctionObject & { versionLogicalId?: string };
      if (!fn.versionLogicalId) this.fail(`onnxless: the framework published no version of ${key}; its live alias needs one`);
      const { models, pipelines = {} } = this.registry!;
      const entry = (Object.hasOwn(models, key) ? models[key] : Object.hasOwn(pipelines, key) ? pipelines[key] : undefined) ?? {};
      return { key, entry, functionName: fn.name ?? key, versionLogicalId: fn.versionLogicalId };
    });
    const resources = liveAliasResources(published, { service: service.service, stage: provider.getStage(), naming: provider.naming });
    const clash = Object.keys(resources).filter((id) => Object.hasOwn(template.Resources!, id));
    if (clash.length > 0) this.fail(`onnxless: ${clash.join(', ')} already defined in the template; rename that resource`);
    Object.assign(template.Resources, resources);
  }

  /** Throttling on the stage and the access logs' retention, once the framework compiled them. */
  applyApiLimits(): void {
    if (!this.plan) return;
    const provider = this.serverless.getProvider('aws');
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    if (!template?.Resources) return;
    applyApiLimits(template.Resources as Parameters<typeof applyApiLimits>[0], this.plan.api, provider.naming);
  }

  /**
   * `offline` (npm start): each function gets the local stack's cache directory (and log format),
   * and the bundles go to the stack's own build folder, out of `serverless package`'s way.
   */
  private emulateLocally(): void {
    const { service, serviceDir } = this.serverless;
    const local = emulatedFunctionSettings(serviceDir);
    for (const key of Object.keys(this.plan?.functions ?? {})) {
      const fn = service.functions[key];
      if (fn) fn.environment = { ...(fn.environment as Record<string, string> | undefined), ...local.environment };
    }
    service.custom ??= {};
    service.custom.esbuild = {
      ...(service.custom.esbuild as Record<string, unknown> | undefined),
      outputWorkFolder: local.esbuildWorkFolder,
    };
  }

  /**
   * At `package` the framework asks CloudFormation for the deployed stack's layer hashes, to
   * reuse layers already uploaded; with no network or no credentials that call fails the whole
   * package. For `package` alone the comparison is an optimisation: when AWS cannot be asked,
   * the layers are simply uploaded again at deploy. `deploy` keeps the framework's behaviour.
   */
  private letLayersPackageOffline(): void {
    if (this.serverless.processedInput.commands[0] !== 'package') return;
    const compileLayers = this.serverless.pluginManager.plugins.find((p) => p.constructor.name === 'AwsCompileLayers') as
      { compareWithLastLayer?: (layerName: string) => Promise<void> } | undefined;
    const compare = compileLayers?.compareWithLastLayer?.bind(compileLayers);
    if (!compileLayers || !compare) return;
    let warned = false;
    compileLayers.compareWithLastLayer = async (layerName: string) => {
      try {
        await compare(layerName);
      } catch (err) {
        if (!warned) {
          warned = true;
          this.logging.log.warning(
            `onnxless: could not compare layers with the deployed stack (${err instanceof Error ? err.message : String(err)}); packaging them as new`,
          );
        }
      }
    };
  }

  /**
   * The OpenAPI document of this registry, written where the server function's package picks
   * it up. The pipelines' declarations (media types, result schemas) come from the pipelines
   * themselves, so the document cannot drift from what the handlers accept.
   */
  writeOpenApi(): void {
    if (!this.registry) return;
    const file = path.join(this.serverless.serviceDir, OPENAPI_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, openApiJson(this.registry, { pipelines: { ...pipelines, ...MULTI_MODEL_PIPELINES }, undeclared: 'open' }));
    this.logging.log.info(`onnxless: OpenAPI document written to ${OPENAPI_FILE}`);
  }

  /** Layer zips are build outputs: made (or reused when current) right before packaging. */
  async buildLayers(): Promise<void> {
    if (!this.plan) return;
    for (const { layer, architecture } of this.plan.layerBuilds) {
      try {
        const { manifest, built } = await ensureLayer(this.serverless.serviceDir, layer, architecture);
        this.logging.log.notice(
          `onnxless: layer ${layer}-${architecture} ${formatBytes(manifest.zipBytes)} zipped, ${formatBytes(manifest.unzippedBytes)} unzipped${built ? ' (built)' : ''}`,
        );
      } catch (err) {
        this.fail(`onnxless: cannot build layer ${layer}-${architecture}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /**
   * `runtime: gpu` models that name no image: build images/Dockerfile.gpu and push it to the
   * service's ECR repository with the framework's own machinery (Docker and AWS needed, as for
   * image functions), then point the SageMaker models at it.
   */
  async buildGpuImage(): Promise<void> {
    if (!this.plan?.buildsGpuImage) return;
    const provider = this.serverless.getProvider('aws');
    const image = this.plan.ecrImages[GPU_IMAGE_NAME] as EcrImage;
    const ecr = this.serverless.service.provider.ecr;
    if (!provider.resolveImageUriAndShaFromPath) this.fail('onnxless: this framework version cannot build container images');
    const { functionImageUri } = await provider.resolveImageUriAndShaFromPath({
      imageName: GPU_IMAGE_NAME,
      imagePath: image.path,
      imageFilename: image.file,
      buildArgs: image.buildArgs ?? {},
      buildOptions: [],
      cacheFrom: [],
      platform: image.platform,
      provenance: '',
      scanOnPush: ecr?.scanOnPush ?? false,
      maxImageCount: ecr?.maxImageCount ?? 0,
    });
    for (const resource of Object.values(this.serverless.service.resources?.Resources ?? {})) {
      const container = (resource as { Type?: string; Properties?: { PrimaryContainer?: { Image?: string } } }).Properties
        ?.PrimaryContainer;
      if ((resource as { Type?: string }).Type === 'AWS::SageMaker::Model' && container?.Image === GPU_IMAGE_PLACEHOLDER)
        container.Image = functionImageUri;
    }
    this.logging.log.notice(`onnxless: GPU image ${functionImageUri}`);
  }

  /**
   * Prints every packaged function's zip size (the generic handler's should stay well under 1 MB),
   * and fails the package step, naming the function, when a zip is empty or lacks its handler.
   */
  async reportArtifacts(): Promise<void> {
    if (!this.plan) return;
    const dir = path.resolve(this.serverless.serviceDir, this.options.package ?? '.serverless');
    const extension = bundleExtension(this.serverless.service.custom);
    const sizes: string[] = [];
    const problems: string[] = [];
    for (const [key, fn] of Object.entries(this.plan.functions)) {
      const artifact = path.join(dir, `${key}.zip`);
      if (!existsSync(artifact)) {
        sizes.push(`${key} (no zip)`);
        // An image function has no zip; a zip function without one did not package.
        if (fn.handler !== undefined) problems.push(`function ${key}: no zip at ${artifact}`);
        continue;
      }
      sizes.push(`${key} ${formatBytes(statSync(artifact).size)}`);
      if (fn.handler === undefined) continue;
      const bundle = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}${extension}`;
      const problem = await artifactProblem(key, artifact, bundle);
      if (problem) problems.push(problem);
    }
    this.logging.log.notice(`onnxless: function zips: ${sizes.join(', ')}`);
    if (problems.length > 0) this.fail(`onnxless: the package cannot run on Lambda:\n  ${problems.join('\n  ')}`);
  }
}
