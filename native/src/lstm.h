#pragma once

namespace axon {

// gates [N, 4H] (i, f, g, o pre-activation), c [N, H] → out [N, 2H] = [h, c'], act [N, 4H]. `*s` are row strides.
void lstm_cell(long N, long H, const float* gates, long gs, const float* c, long cs, float* out, long os, float* act,
               long as);
// dout [N, 2H] → dgates [N, 4H], dc_prev [N, H].
void lstm_cell_backward(long N, long H, const float* dout, long ds, const float* act, long as, const float* c, long cs,
                        const float* out, long os, float* dgates, long gs, float* dc_prev, long es);

}  // namespace axon
