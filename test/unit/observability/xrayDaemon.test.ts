import { describe, expect, it } from 'vitest';
import { parseDaemonAddress } from '../../../lib/core/observability/xrayDaemon';

describe('the X-Ray daemon address', () => {
  it('reads host:port and the SDK form udp:host:port tcp:host:port, and falls back to the default', () => {
    expect(parseDaemonAddress('169.254.79.129:2000')).toEqual(['169.254.79.129', 2000]);
    expect(parseDaemonAddress('tcp:10.0.0.1:3000 udp:10.0.0.2:2001')).toEqual(['10.0.0.2', 2001]);
    expect(parseDaemonAddress('xray-daemon:2000')).toEqual(['xray-daemon', 2000]);
    for (const bad of [undefined, '', 'nonsense', '10.0.0.1:', '10.0.0.1:70000', 'tcp:10.0.0.1:3000']) {
      expect(parseDaemonAddress(bad)).toEqual(['127.0.0.1', 2000]);
    }
  });
});
