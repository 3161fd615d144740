import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { writeWav } from '../support/fuzz/mediaArbitraries';
import { httpApiEvent } from '../support/httpApiEvent';

/**
 * Every counterexample the fuzzers found, kept forever. Each names what it broke, where it
 * was fixed, and the answer it must get now. Add new ones at the end, shrunk as fast-check
 * reported them.
 */
export interface Counterexample {
  name: string;
  /** Which handler the request goes to: the generic types model, the fixed-shape model, or a domain route. */
  target: 'types' | 'fixed' | 'textOrientation' | 'voiceActivity';
  found: string;
  fixed: string;
  event: APIGatewayProxyEventV2;
  status: number;
}

const emptyTypes = ['uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64'];
const DT: Record<string, string> = {
  uint8: 'UINT8',
  int8: 'INT8',
  uint16: 'UINT16',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  string: 'BYTES',
  bool: 'BOOL',
  float16: 'FP16',
  float64: 'FP64',
  uint32: 'UINT32',
  uint64: 'UINT64',
};

export const COUNTEREXAMPLES: readonly Counterexample[] = [
  {
    name: 'a dimension of 2^53 next to a 0 dimension (count 0 slips past the element limit)',
    target: 'types',
    found: 'test/fuzz/genericHandler near-valid datatypes, seed -1357734021: 500 (onnxruntime Tensor refused the dim)',
    fixed: 'lib/core/protocol/elementCount.ts: dims must be safe integers',
    event: httpApiEvent('POST', '/v2/models/types/infer', {
      body: JSON.stringify({
        id: 'fuzz',
        inputs: [
          { name: 'in_float32', shape: [9007199254740992, 0], datatype: 'FP32', data: [] },
          ...emptyTypes.map((t) => ({ name: `in_${t}`, shape: [0, 0], datatype: DT[t], data: [] })),
        ],
      }),
    }),
    status: 400,
  },
  {
    name: 'a model name that is not valid percent-encoding: GET /v2/models/%',
    target: 'fixed',
    found: 'test/fuzz/genericHandler routes, seed 824271524: 500 (decodeURIComponent threw URIError)',
    fixed: 'lib/core/http/routes.ts: undecodable segments are taken as written (an unknown model, 404)',
    event: httpApiEvent('GET', '/v2/models/%'),
    status: 404,
  },
  {
    name: 'a duplicated key in a body whose INT64 data needs the exact (lossless) parse',
    target: 'types',
    found: 'test/fuzz/genericHandler fuzzed datatypes (text mutation): 500 (lossless-json threw on the duplicate key)',
    fixed: 'lib/core/protocol/parseJson.ts: an exact-parse failure is a 400',
    event: httpApiEvent('POST', '/v2/models/types/infer', {
      body: '{"inputs":[],"inputs":[{"name":"in_float32","shape":[],"datatype":"INT64","data":[[9007199254740992]]}]}',
    }),
    status: 400,
  },
  {
    name: 'a VAD threshold below 0.01 (?threshold=5e-324) with the default negThreshold',
    target: 'voiceActivity',
    found: 'test/fuzz/domainHandler WAVs: 500 (thresholdSegments: negThreshold 0.01 is above threshold)',
    fixed: 'lib/core/processing/postprocess/speechSegments.ts: the default negThreshold never exceeds the threshold',
    event: httpApiEvent('POST', '/models/voiceActivity/predict', {
      body: writeWav({
        container: 'RIFF',
        format: 1,
        channels: 1,
        rate: 8000,
        bits: 8,
        data: new Uint8Array(4000).fill(128),
        dataFirst: false,
      }),
      headers: { 'content-type': 'audio/wav' },
      query: { threshold: '5e-324' },
    }),
    status: 200,
  },
  {
    name: "a 116-byte WAV whose empty 'cue ' chunk makes wavefile read 544 million cue points",
    target: 'voiceActivity',
    found: 'test/fuzz/domainHandler WAVs: the worker ran out of heap (OOM) inside wavefile.fromBuffer',
    fixed: "lib/core/processing/audio/decodeWav.ts: 'cue ' and 'smpl' chunks are renamed before wavefile parses",
    event: httpApiEvent('POST', '/models/voiceActivity/predict', {
      body: writeWav({
        container: 'RIFF',
        format: 1,
        channels: 1,
        rate: 16000,
        bits: 16,
        data: new Uint8Array(64),
        dataFirst: false,
        extraChunk: { id: 'cue ', body: new Uint8Array(0) },
      }),
      headers: { 'content-type': 'audio/wav' },
    }),
    status: 200,
  },
  {
    name: "a WAV whose 'smpl' chunk claims 2^32-1 sample loops",
    target: 'voiceActivity',
    found: "by reading wavefile's parser after the 'cue ' finding: the same loop on dwNumSampleLoops",
    fixed: "lib/core/processing/audio/decodeWav.ts: 'cue ' and 'smpl' chunks are renamed before wavefile parses",
    event: httpApiEvent('POST', '/models/voiceActivity/predict', {
      body: writeWav({
        container: 'RIFF',
        format: 1,
        channels: 1,
        rate: 16000,
        bits: 16,
        data: new Uint8Array(64),
        dataFirst: false,
        extraChunk: { id: 'smpl', body: Uint8Array.from([...new Array(28).fill(0), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]) },
      }),
      headers: { 'content-type': 'audio/wav' },
    }),
    status: 200,
  },
  {
    name: 'a dimension of 2^32 next to a 0 dimension (a safe integer onnxruntime-node cannot carry)',
    target: 'types',
    found: "test/fuzz/genericHandler near-valid datatypes: 500 'Tensor.dims[0] is invalid: 4.29497e+09' once run failures were told apart",
    fixed:
      "lib/core/protocol/elementCount.ts: dimensions at most 2^32 - 1; lib/core/inference/runFailure.ts reads that message as the input's fault",
    event: httpApiEvent('POST', '/v2/models/types/infer', {
      body: JSON.stringify({
        inputs: [
          { name: 'in_float32', shape: [4294967296, 0], datatype: 'FP32', data: [] },
          ...emptyTypes.map((t) => ({ name: `in_${t}`, shape: [0, 0], datatype: DT[t], data: [] })),
        ],
      }),
    }),
    status: 400,
  },
];
