import type { ApiConfig, Throttle } from '../../core/registry/index';

/**
 * The HTTP API's limits, applied to the compiled template after the framework built the stage:
 * a default throttle on every route, a model's own throttle on its routes, and access logs kept
 * for the registry's retention. Per-route throttling is the stage's RouteSettings, keyed by route
 * key ("POST /v2/models/tiny/infer"); CloudFormation must create those routes first.
 */
export interface ApiLimits {
  defaultThrottle: Throttle;
  /** Route key -> throttle, for models whose registry entry sets one. */
  routeThrottles: Record<string, Throttle>;
  /** Days of access logs; undefined: no access logs. */
  accessLogRetentionDays?: number;
}

export function apiLimits(api: ApiConfig, routeThrottles: Record<string, Throttle>): ApiLimits {
  return {
    defaultThrottle: api.throttle,
    routeThrottles,
    ...(api.accessLogs === false ? {} : { accessLogRetentionDays: api.accessLogs.retentionDays }),
  };
}

interface Naming {
  getHttpApiStageLogicalId(): string;
  getHttpApiRouteLogicalId(routeKey: string): string;
  getHttpApiLogGroupLogicalId(): string;
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string | string[] };

const settings = (t: Throttle) => ({ ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit });

export function applyApiLimits(resources: Record<string, Resource>, limits: ApiLimits, naming: Naming): void {
  const stage = resources[naming.getHttpApiStageLogicalId()];
  // An API the stack does not create (provider.httpApi.id) has its stage elsewhere: nothing to set.
  if (!stage) return;
  const props = stage.Properties;
  props.DefaultRouteSettings = { ...(props.DefaultRouteSettings as object | undefined), ...settings(limits.defaultThrottle) };
  const keys = Object.keys(limits.routeThrottles);
  if (keys.length > 0) {
    props.RouteSettings = Object.fromEntries(keys.map((key) => [key, settings(limits.routeThrottles[key] as Throttle)]));
    const before = stage.DependsOn === undefined ? [] : [stage.DependsOn].flat();
    stage.DependsOn = [...new Set([...before, ...keys.map((key) => naming.getHttpApiRouteLogicalId(key))])];
  }
  const logGroup = resources[naming.getHttpApiLogGroupLogicalId()];
  if (logGroup && limits.accessLogRetentionDays !== undefined) logGroup.Properties.RetentionInDays = limits.accessLogRetentionDays;
}
