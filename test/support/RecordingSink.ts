import type { LoadRecord, ObservabilitySink, RequestRecord } from '../../lib/core/observability/records';

/** Keeps every record in memory, for a test to read back. */
export class RecordingSink implements ObservabilitySink {
  readonly requests: RequestRecord[] = [];
  readonly loads: LoadRecord[] = [];
  onRequest(record: RequestRecord): void {
    this.requests.push(record);
  }
  onLoad(record: LoadRecord): void {
    this.loads.push(record);
  }
}
