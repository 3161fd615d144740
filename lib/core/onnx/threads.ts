import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ENV, optionalString, type Env } from '../config/env';

/** Lambda gives about one vCPU per 1,769 MB of memory (AWS documentation). */
const LAMBDA_MB_PER_VCPU = 1769;

/**
 * Intra-op threads matching the CPUs this process really gets: the visible CPUs, capped by a
 * cgroup CPU quota (containers) and, on Lambda, by the memory-derived vCPU share. More threads
 * than that only contend (onnxruntime's default is one per visible core).
 */
export function defaultIntraOpThreads(env: Env = process.env): number {
  let cpus = availableParallelism();
  const quota = cgroupCpuQuota();
  if (quota !== undefined) cpus = Math.min(cpus, quota);
  const lambdaMemory = Number(optionalString(ENV.functionMemorySize, env));
  if (Number.isFinite(lambdaMemory) && lambdaMemory > 0) {
    cpus = Math.min(cpus, Math.ceil(lambdaMemory / LAMBDA_MB_PER_VCPU));
  }
  return Math.max(1, cpus);
}

function cgroupCpuQuota(): number | undefined {
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota === undefined || quota === 'max' || period === undefined) return undefined;
    return Math.max(1, Math.ceil(Number(quota) / Number(period)));
  } catch {
    return undefined;
  }
}
