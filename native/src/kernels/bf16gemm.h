// bfloat16 products with float32 accumulation (the spec's opt-in "precision": "bfloat16"): the
// first layer's forward product (training and evaluation), nt: c (m,n) = alpha bf16(a) bf16(b)^T +
// beta c, and its weight gradient, tn below; float32 operands rounded to bf16 (nearest even) as
// they are read. On a CPU with AVX512-BF16 they run on vdpbf16ps; elsewhere (or with
// setFast(false)) on the rounded operands through the float32 product, which is also what the
// TypeScript oracle computes. (vdpbf16ps treats denormals as zero; training never meets them.)
#pragma once

#include <cstdint>

namespace kernels {
namespace bf16 {

// The CPU (and OS) can run AVX512-BF16.
bool available();
// Whether nt and tn use vdpbf16ps (default: when available); tests turn it off to compare the two.
void setFast(bool on);
bool fast();

// x rounded to the nearest bf16 value (ties to even), as a float.
float round(float x);

// c (m,n) = alpha bf16(a) bf16(b)^T + beta c, a (m,k), b (n,k): the forward product (k = features).
void nt(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc);

// c (m,n) = alpha bf16(a)^T bf16(b) + beta c, a (k,m), b (k,n): the weight gradient (k = batch).
void tn(int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b, int64_t ldb,
        float beta, float* c, int64_t ldc);


// Both reuse their copy of b while it is held (held_operand.h).

// The portable path of both (transA: tn, else nt): the operands rounded into float32 copies,
// then the float32 product.
void rounded(bool transA, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda, const float* b,
             int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace bf16
}  // namespace kernels
