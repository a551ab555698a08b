/**
 * onnxruntime-node, loaded with its telemetry switched off. Its Linux and macOS builds start a
 * telemetry uploader with the first session: a persistent device id and an event queue naming
 * the model's producer and graph under `~/.cache/Microsoft/DeveloperTools/.onnxruntime/`, and a
 * `/tmp/mat-debug-<pid>.log`. The native library reads ORT_DISABLE_TELEMETRY when it starts
 * up, so the variable is set before the module is required; every einsight process that
 * creates a session (the runner, tests, benchmarks) loads onnxruntime from here.
 */
import type * as OnnxRuntime from 'onnxruntime-node';
import { TELEMETRY_OFF } from './protocol';

Object.assign(process.env, TELEMETRY_OFF);

// A require after the assignment: an import would be hoisted above it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ort = require('onnxruntime-node') as typeof OnnxRuntime;
