import { describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';

describe('the browser tests without a browser', () => {
  it('fail naming the binary, the variable and the package, never skip', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /^the browser tests need chromium at \/nonexistent\/chromium \(set ONNXLESS_CHROMIUM to another binary; on Debian: apt-get install chromium\), and it could not start: /,
    );
  });
});
