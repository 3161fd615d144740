import fc from 'fast-check';
import { httpApiEvent } from '../httpApiEvent';
import { dim, DATATYPES, type EventCase } from './oipArbitraries';

/** A model input as the fuzzer sees it: `null` dims are free. */
export interface InputSpec {
  name: string;
  datatype: (typeof DATATYPES)[number];
  shape: ReadonlyArray<number | null>;
}

const BYTES_PER: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** An element valid for the datatype (so a request gets past validation unless a mutation breaks it). */
function validElement(datatype: string): fc.Arbitrary<unknown> {
  switch (datatype) {
    case 'BOOL':
      return fc.boolean();
    case 'UINT8':
      return fc.integer({ min: 0, max: 255 });
    case 'INT8':
      return fc.integer({ min: -128, max: 127 });
    case 'UINT16':
      return fc.integer({ min: 0, max: 65535 });
    case 'INT16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'UINT32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'INT32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'UINT64':
      return fc.maxSafeNat();
    case 'INT64':
      return fc.maxSafeInteger();
    case 'FP16':
      return fc.oneof(fc.double({ min: -70000, max: 70000, noNaN: true }), fc.constantFrom(65504, 6e-8, -0));
    case 'FP32':
    case 'FP64':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    default:
      return fc.string({ unit: 'binary', maxLength: 6 });
  }
}

/** Little-endian bytes of JSON-valid elements, as Triton's binary extension carries them. */
function toBinary(datatype: string, values: readonly unknown[]): Buffer {
  if (datatype === 'BYTES') {
    return Buffer.concat(
      values.map((v) => {
        const s = Buffer.from(String(v), 'utf8');
        const n = Buffer.alloc(4);
        n.writeUInt32LE(s.length);
        return Buffer.concat([n, s]);
      }),
    );
  }
  const size = BYTES_PER[datatype] ?? 1;
  const out = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    const o = i * size;
    // Mutations put anything in data: bring it into the datatype's range, as a client library would.
    const raw = Number(v);
    const n = Number.isFinite(raw) ? raw : 0;
    const big = BigInt(Math.trunc(Math.max(-1e300, Math.min(1e300, n))));
    switch (datatype) {
      case 'BOOL':
      case 'UINT8':
        out.writeUInt8(n & 0xff, o);
        break;
      case 'INT8':
        out.writeInt8(Math.max(-128, Math.min(127, n)), o);
        break;
      case 'UINT16':
      case 'FP16':
        out.writeUInt16LE(n & 0xffff, o);
        break;
      case 'INT16':
        out.writeInt16LE(Math.max(-32768, Math.min(32767, n)), o);
        break;
      case 'UINT32':
        out.writeUInt32LE(n >>> 0, o);
        break;
      case 'INT32':
        out.writeInt32LE(n | 0, o);
        break;
      case 'UINT64':
        out.writeBigUInt64LE(BigInt.asUintN(64, big), o);
        break;
      case 'INT64':
        out.writeBigInt64LE(BigInt.asIntN(64, big), o);
        break;
      case 'FP32':
        out.writeFloatLE(n, o);
        break;
      case 'FP64':
        out.writeDoubleLE(n, o);
        break;
    }
  });
  return out;
}

interface Draft {
  name: unknown;
  shape: unknown[];
  datatype: unknown;
  data: unknown[];
  nested: boolean;
  binary: boolean;
  binarySkew: number;
  drop: boolean;
}

/** One mutation of a valid request: the kinds of mistakes callers make, and the ones attackers try. */
type Mutation = (drafts: Draft[]) => void;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(), dim).map(([i, d, v]): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x && x.shape.length) x.shape[d % x.shape.length] = v;
  }),
  fc.tuple(fc.nat(), dim).map(([i, v]): Mutation => (ds) => {
    ds[i % ds.length]?.shape.push(v);
  }),
  fc.nat().map((i): Mutation => (ds) => {
    ds[i % ds.length]?.shape.pop();
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...DATATYPES)).map(([i, t]): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x) x.datatype = t;
  }),
  fc.nat().map((i): Mutation => (ds) => {
    ds[i % ds.length]?.data.pop();
  }),
  fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 1 })).map(([i, v]): Mutation => (ds) => {
    ds[i % ds.length]?.data.push(v);
  }),
  fc
    .tuple(
      fc.nat(),
      fc.nat(),
      fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom(1e39, -1e39, 2 ** 64, 0.5, -1, 300, 70000, 4294967296)),
    )
    .map(([i, j, v]): Mutation => (ds) => {
      const x = ds[i % ds.length];
      if (x && x.data.length) x.data[j % x.data.length] = v;
    }),
  fc.nat().map((i): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x) x.drop = true;
  }),
  fc.nat().map((i): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x) ds.push({ ...x, shape: [...x.shape], data: [...x.data] });
  }),
  fc.tuple(fc.nat(), fc.string({ maxLength: 6 })).map(([i, n]): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x) x.name = n;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -9, max: 9 })).map(([i, s]): Mutation => (ds) => {
    const x = ds[i % ds.length];
    if (x) {
      x.binary = true;
      x.binarySkew = s;
    }
  }),
);

/**
 * Requests built valid for the model, then given zero to two mutations: most reach decoding,
 * onnxruntime and encoding (where bugs hide), not just the schema check at the door.
 */
export function nearValidInferArbitrary(model: string, inputs: readonly InputSpec[], outputs: readonly string[]): fc.Arbitrary<EventCase> {
  const drafts = fc.tuple(
    fc.integer({ min: 0, max: 3 }),
    ...inputs.map((spec) =>
      fc.record({
        dims: fc.tuple(...spec.shape.map((d) => (d === null ? fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }) : fc.constant(d)))),
        seed: fc.array(validElement(spec.datatype), { minLength: 64, maxLength: 64 }),
        nested: fc.boolean(),
        binary: fc.boolean(),
      }),
    ),
  );
  return fc
    .tuple(
      drafts,
      fc.array(mutation, { maxLength: 2 }),
      fc.array(
        fc.record({ name: fc.constantFrom(...outputs), parameters: fc.record({ binary_data: fc.boolean() }, { requiredKeys: [] }) }),
        { maxLength: 3 },
      ),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([[shared, ...parts], mutations, requested, allBinaryOut, base64]): EventCase => {
      const ds: Draft[] = inputs.map((spec, k) => {
        const part = parts[k] as { dims: Array<number | null>; seed: unknown[]; nested: boolean; binary: boolean };
        // Free dims share one value unless drawn: inputs that must broadcast together often do.
        const shape = part.dims.map((d) => (d === null ? shared : d));
        const count = shape.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: count }, (_, i) => part.seed[i % part.seed.length]);
        return {
          name: spec.name,
          shape,
          datatype: spec.datatype,
          data,
          nested: part.nested,
          binary: part.binary,
          binarySkew: 0,
          drop: false,
        };
      });
      for (const m of mutations) m(ds);
      return buildEvent(
        model,
        ds.filter((d) => !d.drop),
        requested,
        allBinaryOut,
        base64,
        mutations.length,
      );
    });
}

function buildEvent(
  model: string,
  drafts: Draft[],
  outputs: unknown[],
  allBinaryOut: boolean,
  base64: boolean,
  mutations: number,
): EventCase {
  const sections: Buffer[] = [];
  const inputs = drafts.map((d) => {
    if (d.binary) {
      let bytes = toBinary(String(d.datatype), d.data);
      if (d.binarySkew > 0) bytes = Buffer.concat([bytes, Buffer.alloc(d.binarySkew, 0x41)]);
      if (d.binarySkew < 0) bytes = bytes.subarray(0, Math.max(0, bytes.length + d.binarySkew));
      sections.push(bytes);
      return { name: d.name, shape: d.shape, datatype: d.datatype, parameters: { binary_data_size: bytes.length } };
    }
    return { name: d.name, shape: d.shape, datatype: d.datatype, data: d.nested ? nest(d.data, d.shape) : d.data };
  });
  const request = {
    id: 'fuzz',
    inputs,
    outputs: outputs.length ? outputs : undefined,
    parameters: allBinaryOut ? { binary_data_output: true } : undefined,
  };
  const header = Buffer.from(JSON.stringify(request), 'utf8');
  const path = `/v2/models/${model}/infer`;
  const kind = `near-valid (${mutations} mutations${sections.length ? ', binary' : ''})`;
  if (sections.length === 0) {
    return { kind, event: httpApiEvent('POST', path, { body: base64 ? header : header.toString('utf8') }) };
  }
  return {
    kind,
    event: httpApiEvent('POST', path, {
      body: Buffer.concat([header, ...sections]),
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    }),
  };
}

/** Row-major data nested as the shape says, when the shape is a plain one; flat otherwise. */
function nest(flat: unknown[], shape: unknown[]): unknown {
  if (!shape.every((d) => Number.isInteger(d) && (d as number) > 0) || shape.length < 2) return flat;
  const dims = shape as number[];
  if (dims.reduce((a, b) => a * b, 1) !== flat.length) return flat;
  const build = (offset: number, depth: number): unknown => {
    if (depth === dims.length - 1) return flat.slice(offset, offset + (dims[depth] as number));
    const stride = dims.slice(depth + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[depth] as number }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}
