import type { Socket } from 'node:dgram';

/**
 * A subsegment as the X-Ray daemon takes it, sent on its own (not embedded in its segment): the
 * fields of https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
 * that onnxless fills. Times are epoch seconds with fractions.
 */
export interface SubsegmentDocument {
  type: 'subsegment';
  name: string;
  id: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time: number;
  /** Indexed key-values, searchable in trace filters. */
  annotations?: Record<string, string | number | boolean>;
  /** A failure of this code (X-Ray's "fault", as the X-Ray SDK marks a captured error). */
  fault?: boolean;
  cause?: { exceptions: Array<{ id: string; type: string; message: string }> };
}

/**
 * The daemon's UDP protocol: a header line, then one JSON document per datagram
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon).
 */
const HEADER = '{"format":"json","version":1}\n';
const DEFAULT_ADDRESS: [string, number] = ['127.0.0.1', 2000];

/**
 * Sends documents to the X-Ray daemon that Lambda runs for functions with active tracing, at
 * AWS_XRAY_DAEMON_ADDRESS (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * Fire and forget, as the X-Ray SDK does: a lost datagram loses a span, never fails a request.
 */
export class XRayDaemon {
  private readonly host: string;
  private readonly port: number;
  private readonly socket: Socket;

  /** Made where tracing is on, at init: node:dgram and the socket are not loaded in a request. */
  constructor(address: string | undefined) {
    [this.host, this.port] = parseDaemonAddress(address);
    // unref: an idle socket never keeps the process alive. A socket error (none expected on
    // UDP, and sends report theirs to their callback) must not become an uncaught 'error' event.
    this.socket = process.getBuiltinModule('node:dgram').createSocket('udp4').unref();
    this.socket.on('error', () => {});
  }

  send(doc: SubsegmentDocument): void {
    const message = Buffer.from(HEADER + JSON.stringify(doc), 'utf8');
    this.socket.send(message, this.port, this.host, () => {
      // Errors (no daemon listening) are the daemon's absence: nothing to report, nowhere to.
    });
  }
}

/**
 * `host:port`, or the X-Ray SDK's `udp:host:port tcp:host:port` form (the UDP one is used).
 * Anything unreadable falls back to the daemon's default address.
 */
export function parseDaemonAddress(address: string | undefined): [string, number] {
  const parts = (address?.trim() ?? '').split(/\s+/);
  const udp = parts.find((part) => part.startsWith('udp:'));
  const hostPort = udp ? udp.slice('udp:'.length) : parts.length === 1 ? parts[0] : '';
  const match = /^([^:\s]+):(\d{1,5})$/.exec(hostPort ?? '');
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) return [...DEFAULT_ADDRESS];
  return [match[1] as string, port];
}
