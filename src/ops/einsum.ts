// einsum: Einstein summation over named axes ('ij,jk->ik', 'bij,bjk->bik', 'ii->i' is not supported:
// each operand names every axis once). Each operand is permuted and unsqueezed onto the full list
// of letters, the operands are multiplied with broadcasting, and the letters not in the output are
// summed — differentiable through those ops. Memory grows with the product of all letters' sizes;
// for large contractions write matmul directly.
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

function parse(equation: string, n: number): { inputs: string[]; output: string } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.includes('->') ? eq.split('->') : [eq, undefined];
  const inputs = lhs!.split(',');
  if (inputs.length !== n) throw new ValueError(`einsum: '${equation}' names ${inputs.length} operands, got ${n}`);
  for (const s of [...inputs, rhs ?? ''])
    if (!/^[a-zA-Z]*$/.test(s)) throw new ValueError(`einsum: '${equation}' may use letters only (no '...')`);
  for (const s of inputs)
    if (new Set(s).size !== s.length)
      throw new ValueError(`einsum: '${s}' repeats a letter (diagonals are not supported)`);
  // Without '->', the output is the letters seen once, in alphabetical order (NumPy's rule).
  const all = inputs.join('');
  const output =
    rhs ??
    [...new Set(all)]
      .filter((c) => all.indexOf(c) === all.lastIndexOf(c))
      .sort()
      .join('');
  for (const c of output) if (!all.includes(c)) throw new ValueError(`einsum: output letter '${c}' is in no operand`);
  return { inputs, output };
}

export function einsum(equation: string, ...operands: Tensor[]): Tensor {
  if (typeof equation !== 'string') throw new ValueError('einsum: the first argument is the equation string');
  const { inputs, output } = parse(equation, operands.length);
  const size = new Map<string, number>();
  inputs.forEach((s, k) => {
    const t = operands[k]!;
    if (t.ndim !== s.length) throw new ShapeError(`einsum: operand ${k} has ${t.ndim} dims, '${s}' names ${s.length}`);
    [...s].forEach((c, i) => {
      const d = t.shape[i]!;
      const seen = size.get(c);
      if (seen !== undefined && seen !== d && seen !== 1 && d !== 1)
        throw new ShapeError(`einsum: letter '${c}' is ${seen} in one operand and ${d} in another`);
      size.set(c, Math.max(seen ?? 1, d));
    });
  });
  const summed = [...size.keys()].filter((c) => !output.includes(c));
  const letters = [...output, ...summed];
  // Each operand on the full letter list: its axes in that order, size-1 axes for the letters it lacks.
  const aligned = inputs.map((s, k) => {
    const present = letters.filter((c) => s.includes(c));
    let t = operands[k]!.permute(present.map((c) => s.indexOf(c)));
    letters.forEach((c, i) => {
      if (!s.includes(c)) t = t.unsqueeze(i);
    });
    return t;
  });
  let product = aligned[0]!;
  for (const t of aligned.slice(1)) product = product.mul(t);
  if (summed.length > 0) product = product.sum(summed.map((_, i) => output.length + i));
  return product.expand(output.split('').map((c) => size.get(c)!)).contiguous();
}
