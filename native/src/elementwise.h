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

// Op codes. The names below are the single source of the numbering: the addon exports them
// (`ops()`), and src/backend/native/index.ts builds its op-code maps from that list.
enum UnaryOp {
  U_NEG,
  U_ABS,
  U_EXP,
  U_LOG,
  U_LOG1P,
  U_SQRT,
  U_RSQRT,
  U_SIN,
  U_COS,
  U_TANH,
  U_SIGMOID,
  U_RELU,
  U_RECIPROCAL,
  U_SQUARE,
  U_LEAKY_RELU,
  U_ELU,
  U_SILU,
  U_GELU,
  U_GELU_TANH,
  U_SOFTPLUS,
  U_CLAMP,
  U_POW_SCALAR,
  U_ERF,
  U_SIGN,
  U_STEP,
  U_GELU_GRAD,       // d/dx of gelu: the backward pass multiplies it by the output gradient
  U_GELU_TANH_GRAD,  // d/dx of geluTanh
  U_COUNT
};
enum BinaryOp { B_ADD, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM, B_POW, B_COUNT };
enum ReduceOp { R_SUM, R_PROD, R_MAX, R_MIN, R_COUNT };
enum CompareOp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_COUNT };

// Each list is in its enum's order, named as the Backend interface names the op.
constexpr const char* kUnaryNames[] = {"neg",       "abs", "exp",  "log",     "log1p",    "sqrt",        "rsqrt",
                                       "sin",       "cos", "tanh", "sigmoid", "relu",     "reciprocal",  "square",
                                       "leakyRelu", "elu", "silu", "gelu",    "geluTanh", "softplus",    "clamp",
                                       "powScalar", "erf", "sign", "step",    "geluGrad", "geluTanhGrad"};
constexpr const char* kBinaryNames[] = {"add", "sub", "mul", "div", "maximum", "minimum", "pow"};
constexpr const char* kReduceNames[] = {"sum", "prod", "max", "min"};
constexpr const char* kCompareNames[] = {"eq", "ne", "lt", "le", "gt", "ge"};
static_assert(sizeof kUnaryNames / sizeof *kUnaryNames == U_COUNT, "one name per unary op");
static_assert(sizeof kBinaryNames / sizeof *kBinaryNames == B_COUNT, "one name per binary op");
static_assert(sizeof kReduceNames / sizeof *kReduceNames == R_COUNT, "one name per reduction");
static_assert(sizeof kCompareNames / sizeof *kCompareNames == C_COUNT, "one name per comparison");

bool unary(int op, const std::vector<long>& shape, Operand x, Operand out, float p0, float p1);
bool binary(int op, const std::vector<long>& shape, Operand a, Operand b, Operand out);
// Comparisons of float32 operands into bool (one byte per element) output.
bool compare(int op, const std::vector<long>& shape, Operand a, Operand b, unsigned char* out, long out_offset,
             const std::vector<long>& out_strides);
void copy(const std::vector<long>& shape, Operand x, Operand out);
// out has x's rank with size 1 on reduced dims; `acc_strides` are out's strides with 0 on them.
void reduce(int op, const std::vector<long>& shape, Operand x, const std::vector<long>& out_shape, Operand out);
void softmax(const std::vector<long>& shape, Operand x, Operand out, int axis, bool log);
void softmax_backward(const std::vector<long>& shape, Operand g, Operand y, Operand out, int axis, bool log);

}  // namespace axon
