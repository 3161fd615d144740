export * from './records';
export { RequestTiming } from './RequestTiming';
export { RequestObservation, describeCause, type RequestStart } from './RequestObservation';
export { serverTimingHeader } from './serverTiming';
export { NO_SINK, RecordingSink, fanOut } from './sinks';
export { METRICS, PowertoolsSink, type LineWriter, type PowertoolsSinkOptions } from './PowertoolsSink';
export { TerminalSink, requestLine, loadLine } from './TerminalSink';
export { sinkFromEnv, LOG_FORMATS, type LogFormat } from './sinkFromEnv';
