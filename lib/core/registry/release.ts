import { z } from 'zod';
import { wholeNumber } from './fieldSchemas';

/**
 * How a model's new version reaches its traffic (`rollout`) and how much of it stays warm
 * (`provisionedConcurrency`): the registry fields the deploy plugin turns into CodeDeploy,
 * CloudWatch alarms and Application Auto Scaling (lib/tools/deploy/liveAlias.ts).
 */

/**
 * Registry names -> CodeDeploy's predefined Lambda deployment configurations. Canary: that share
 * of traffic first, the rest after the interval; linear: that share more every interval.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
 */
export const ROLLOUT_STRATEGIES = {
  canary10percent5minutes: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
  canary10percent10minutes: 'CodeDeployDefault.LambdaCanary10Percent10Minutes',
  canary10percent15minutes: 'CodeDeployDefault.LambdaCanary10Percent15Minutes',
  canary10percent30minutes: 'CodeDeployDefault.LambdaCanary10Percent30Minutes',
  linear10percentevery1minute: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
  linear10percentevery2minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
  linear10percentevery3minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes',
  linear10percentevery10minutes: 'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
  allatonce: 'CodeDeployDefault.LambdaAllAtOnce',
} as const;
export type RolloutStrategy = keyof typeof ROLLOUT_STRATEGIES;

/** The alarms that stop a rollout and roll it back, each on a metric the handlers emit (EMF). */
export const ROLLOUT_ALARMS = ['errors5xx', 'latencyP99'] as const;
export type RolloutAlarm = (typeof ROLLOUT_ALARMS)[number];

export const ROLLOUT_DEFAULTS = {
  alarms: ['errors5xx', 'latencyP99'],
  /** Share of a minute's requests to the new version answering 5xx that stops the rollout. */
  errorRate: 0.05,
  /** p99 of a minute's request latency on the new version, two minutes running; set it from your model's measured p99. */
  latencyP99Ms: 2000,
} as const;

export const RolloutSchema = z.strictObject({
  strategy: z.enum(Object.keys(ROLLOUT_STRATEGIES) as [RolloutStrategy, ...RolloutStrategy[]]),
  alarms: z
    .array(z.enum(ROLLOUT_ALARMS))
    .default([...ROLLOUT_DEFAULTS.alarms])
    .transform((alarms) => [...new Set(alarms)]),
  errorRate: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1 (every request)').default(ROLLOUT_DEFAULTS.errorRate),
  latencyP99Ms: wholeNumber(1, 900_000, 'ms').default(ROLLOUT_DEFAULTS.latencyP99Ms),
});
export type Rollout = z.output<typeof RolloutSchema>;

// Application Auto Scaling's schedule forms: cron(...), rate(...) or at(...).
const SCHEDULE_EXPRESSION = /^(cron|rate|at)\(.+\)$/;
const schedule = z.string().regex(SCHEDULE_EXPRESSION, "expected an Application Auto Scaling schedule such as 'cron(0 8 ? * MON-FRI *)'");

const instances = z
  .int({ error: 'expected a whole number (instances)' })
  .min(1, 'must be at least 1 instance')
  .max(10_000, 'must be at most 10000 instances');

/**
 * Execution environments kept initialised on the `live` alias: a number (always), or a number
 * with a window (`start`/`stop` schedules; none outside it) run by Application Auto Scaling.
 */
export const ProvisionedConcurrencySchema = z
  .union([
    instances,
    z.strictObject({
      instances,
      schedule: z
        .strictObject({
          start: schedule,
          stop: schedule,
          /** IANA time zone of the cron expressions, e.g. Europe/Berlin; default UTC. */
          timezone: z
            .string()
            .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'expected an IANA time zone such as Europe/Berlin')
            .optional(),
        })
        .optional(),
    }),
  ])
  .transform((v) => (typeof v === 'number' ? { instances: v } : v));
export type ProvisionedConcurrency = z.output<typeof ProvisionedConcurrencySchema>;
