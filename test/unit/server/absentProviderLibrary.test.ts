import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { absentProviderLibrary, onnxruntimeBindingDir } from '../../../lib/serve/executionProviders';
import { ROOT } from '../../support/localStackProcess';
import { REAL_MODELS } from '../../support/realModels';

describe('execution provider libraries, checked before onnxruntime is asked', () => {
  const probe = (present: string[]) => ({ bindingDir: '/ort', exists: (p: string) => present.includes(p) });

  it.runIf(process.platform === 'linux')('names the first missing library of a requested accelerator, none for cpu', () => {
    expect(absentProviderLibrary(['cpu'], probe([]))).toBeUndefined();
    expect(absentProviderLibrary(['cuda', 'cpu'], probe([]))).toBe('/ort/libonnxruntime_providers_shared.so');
    expect(absentProviderLibrary(['cuda'], probe(['/ort/libonnxruntime_providers_shared.so']))).toBe(
      '/ort/libonnxruntime_providers_cuda.so',
    );
    expect(
      absentProviderLibrary(['cuda'], probe(['/ort/libonnxruntime_providers_shared.so', '/ort/libonnxruntime_providers_cuda.so'])),
    ).toBeUndefined();
  });

  it.runIf(process.platform === 'linux' && absentProviderLibrary(['cuda']) !== undefined)(
    'falls back to CPU without onnxruntime printing "Failed to load library" (a CPU-only install)',
    () => {
      const script = `
        import { createSession } from ${JSON.stringify(join(ROOT, 'lib/serve/executionProviders.ts'))};
        const { providers, fallback } = await createSession({ model: 'm', path: ${JSON.stringify(REAL_MODELS.textOrientation)}, session: { executionProviders: ['cuda', 'cpu'] }, cpuFallback: true });
        console.log(JSON.stringify({ providers, fallback: typeof fallback }));`;
      // onnxruntime writes to the native stderr, out of reach in this process: a child's is read.
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
      expect(child.status, child.stderr).toBe(0);
      expect(JSON.parse(child.stdout)).toEqual({ providers: ['cpu'], fallback: 'string' });
      expect(child.stderr).not.toMatch(/Failed to load library/);
      expect(onnxruntimeBindingDir()).toBeDefined();
    },
  );
});
