import path from 'node:path';
import type { Architecture } from '../../core/registry/index';
import type { Cfn, DeploymentPlan, PlanContext } from './DeploymentPlan';
import { layerPaths, type LayerName } from './layers';

const LAYER_DESCRIPTIONS: Record<LayerName, string> = {
  onnxruntime: 'onnxruntime-node and onnxruntime-common, one platform, at /opt/nodejs/node_modules',
  sharp: 'sharp and libvips, one platform, at /opt/nodejs/node_modules',
};

/** A layer is shared by every function of its architecture: it lists each runtime among them. */
export function useLayers(layers: LayerName[], architecture: Architecture, runtime: string, ctx: PlanContext, plan: DeploymentPlan): Cfn[] {
  return [...new Set(layers)].map((layer) => {
    const key = layerKey(layer, architecture);
    const existing = plan.layers[key];
    if (existing && !existing.compatibleRuntimes.includes(runtime)) existing.compatibleRuntimes.push(runtime);
    if (!existing) {
      const artifact = path
        .relative(ctx.root, layerPaths(ctx.root, layer, architecture).zip)
        .split(path.sep)
        .join('/');
      plan.layers[key] = {
        name: `${ctx.service}-${ctx.stage}-${layer}-${architecture}`,
        description: LAYER_DESCRIPTIONS[layer],
        package: { artifact },
        compatibleRuntimes: [runtime],
        compatibleArchitectures: [architecture],
        licenseInfo: layer === 'onnxruntime' ? 'MIT' : 'Apache-2.0 AND LGPL-3.0-or-later',
      };
      plan.layerBuilds.push({ layer, architecture });
    }
    return { Ref: ctx.naming.getLambdaLayerLogicalId(key) };
  });
}

/** `onnxruntimeX8664`, `sharpArm64`: keys that survive the framework's logical-id normalisation. */
export function layerKey(layer: LayerName, architecture: Architecture): string {
  return `${layer}${architecture === 'x86_64' ? 'X8664' : 'Arm64'}`;
}
