// ONNX's string ops, on StringTensors.
import { StringTensor, describeValue } from '../value.js';
import { defineOps, fail } from './registry.js';

defineOps('', {
  /** Drops stop words and changes case; [C] or [1, C] in, the kept strings out (one empty string if none). */
  StringNormalizer: (ctx) => {
    const x = ctx.inputs[0];
    if (!(x instanceof StringTensor)) return fail(ctx, `expects a string tensor, got ${describeValue(x)}`);
    if (!(x.shape.length === 1 || (x.shape.length === 2 && x.shape[0] === 1)))
      fail(ctx, `expects shape [C] or [1, C], got [${x.shape}]`);
    const action = ctx.attrs.string('case_change_action', 'NONE');
    if (!['NONE', 'LOWER', 'UPPER'].includes(action)) fail(ctx, `unknown case_change_action '${action}'`);
    const caseSensitive = ctx.attrs.int('is_case_sensitive', 0) === 1;
    const locale = ctx.attrs.string('locale', 'en-US') || undefined;
    const lower = (s: string) => s.toLocaleLowerCase(locale);
    const stop = new Set(ctx.attrs.strings('stopwords', []).map((s) => (caseSensitive ? s : lower(s))));
    let kept = x.data.filter((s) => !stop.has(caseSensitive ? s : lower(s)));
    if (action === 'LOWER') kept = kept.map(lower);
    else if (action === 'UPPER') kept = kept.map((s) => s.toLocaleUpperCase(locale));
    if (kept.length === 0) kept = [''];
    return new StringTensor(kept, x.shape.length === 1 ? [kept.length] : [1, kept.length]);
  },
});
