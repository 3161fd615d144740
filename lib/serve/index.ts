/**
 * `onnxless/server`: the long-running HTTP server (`onnxless serve`) as a library, for a process
 * of the user's own: every model of a config over OIP v2, domain routes, SageMaker and Prometheus.
 */
export { startServer, type RunningServer, type StartOptions } from './startServer';
export { parseServeConfig, resolveServeConfig, type ServeConfig, type ServeFlags } from './config';
