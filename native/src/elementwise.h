// Elementwise, reduction and softmax kernels on float32 strided views.
#pragma once
#include <vector>

namespace axon {

// A strided operand: base pointer, offset and strides (in elements) over a shared shape.
struct Operand {
  float* p;
  long offset;
  std::vector<long> strides;
};

// Op codes shared with src/backend/native/index.ts.
enum UnaryOp { U_NEG, U_ABS, U_EXP, U_LOG, U_LOG1P, U_SQRT, U_RSQRT, U_SIN, U_COS, U_TANH, U_SIGMOID, U_RELU, U_RECIPROCAL, U_SQUARE, U_LEAKY_RELU, U_ELU, U_SILU, U_GELU, U_GELU_TANH, U_SOFTPLUS, U_CLAMP, U_POW_SCALAR, U_ERF, U_SIGN, U_STEP };
enum BinaryOp { B_ADD, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM, B_POW };
enum ReduceOp { R_SUM, R_PROD, R_MAX, R_MIN };
enum CompareOp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

bool unary(int op, const std::vector<long>& shape, Operand x, Operand out, float p0, float p1);
bool binary(int op, const std::vector<long>& shape, Operand a, Operand b, Operand out);
// Comparisons of float32 operands into bool (one byte per element) output.
bool compare(int op, const std::vector<long>& shape, Operand a, Operand b, unsigned char* out, long out_offset, const std::vector<long>& out_strides);
void copy(const std::vector<long>& shape, Operand x, Operand out);
// out has x's rank with size 1 on reduced dims; `acc_strides` are out's strides with 0 on them.
void reduce(int op, const std::vector<long>& shape, Operand x, const std::vector<long>& out_shape, Operand out);
void softmax(const std::vector<long>& shape, Operand x, Operand out, int axis, bool log);
void softmax_backward(const std::vector<long>& shape, Operand g, Operand y, Operand out, int axis, bool log);

}  // namespace axon
