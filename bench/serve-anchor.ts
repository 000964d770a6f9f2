// The anchor of bench/serve.ts: a minimal Fastify + onnxruntime-node server without batching, the
// way one would serve an ONNX model in Node without Axon. Same endpoint and JSON as Axon's v2 infer.
//   tsx bench/serve-anchor.ts MODEL.onnx PORT
import Fastify from 'fastify';
import * as ort from 'onnxruntime-node';

const [path, port] = [process.argv[2]!, Number(process.argv[3])];
const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
app.post('/v2/models/:name/infer', async (req) => {
  const body = req.body as { inputs: { name: string; shape: number[]; data: number[] }[] };
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of body.inputs) feeds[t.name] = new ort.Tensor('float32', Float32Array.from(t.data), t.shape);
  const out = await session.run(feeds);
  return {
    outputs: session.outputNames.map((n) => ({
      name: n,
      shape: out[n]!.dims,
      datatype: 'FP32',
      data: Array.from(out[n]!.data as Float32Array),
    })),
  };
});
await app.listen({ port, host: '127.0.0.1' });
console.log('anchor ready');
