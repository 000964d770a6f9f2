import { fromBinary, toBinary } from '@bufbuild/protobuf';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { TensorProtoSchema } from '../src/onnx/proto/onnx_pb.js';
import { tensorFromProto, tensorToProto } from '../src/onnx/tensor-proto.js';
import { findCases, runCase } from '../scripts/onnx-conformance.js';

// ONNX's own operator test cases (test/fixtures/onnx-conformance, from the ONNX repository): every
// case must pass with the suite's tolerances (rtol 1e-3, atol 1e-7), on the backend under test.
const root = fileURLToPath(new URL('./fixtures/onnx-conformance', import.meta.url));
const cases = findCases(root);

describe('ONNX conformance cases', () => {
  test('the cases are all there', () => assert.equal(cases.length, 113));
  for (const dir of cases) {
    test(dir.slice(root.length + 1), () => {
      const outcome = runCase(dir);
      assert.equal(outcome.status, 'pass', outcome.status === 'pass' ? '' : outcome.reason);
    });
  }

  test('the runner fails a case whose expected output is wrong (it compares)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'axon-conf-')), 'case');
    cpSync(join(root, 'pytorch-converted/test_Tanh'), dir, { recursive: true });
    const out = join(dir, 'test_data_set_0/output_0.pb');
    const right = tensorFromProto(fromBinary(TensorProtoSchema, readFileSync(out)), out) as ax.Tensor;
    assert.equal(runCase(dir).status, 'pass');
    // One element off by 1e-2: same shape, same type, one wrong number.
    const values = Float32Array.from(right.contiguous().toTypedArray());
    values[0]! += 1e-2;
    const wrong = ax.fromTypedArray(values, right.shape);
    writeFileSync(out, toBinary(TensorProtoSchema, tensorToProto(wrong, 'y')));
    const outcome = runCase(dir);
    assert.equal(outcome.status, 'fail');
    assert.match(outcome.status === 'fail' ? outcome.reason : '', /element 0/);
  });
});
