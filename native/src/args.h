// Argument reading for the N-API bindings. A Call reads one call's arguments by position and
// checks them before any memory is touched: numbers must be numbers, dimensions non-negative
// integers, arrays typed arrays of one precision and long enough for the dimensions given. A
// failed check throws a TypeError or RangeError naming the function and the argument.
//
// The getters are inline: they run on every call, and the fixed cost of a call is what small
// kernels pay. Only the error path (throwError, typeName) is out of line, in args.cc.
#pragma once

#include <node_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace args {

enum ErrorKind { kTypeError, kRangeError };

constexpr size_t kMaxArgs = 14;
constexpr double kMaxDim = 2147483647.0;  // blasint is 32-bit in the OpenBLAS builds we link

// "Float32Array", "Int32Array", ... for messages.
const char* typeName(napi_typedarray_type t);

// A typed-array argument. An absent nullable argument (null or undefined) keeps data == nullptr.
struct Arr {
  void* data = nullptr;
  size_t length = 0;
  napi_typedarray_type type = napi_float64_array;
  bool present = false;
  int index = -1;  // argument position, for messages

  bool isF32() const { return type == napi_float32_array; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data);
  }
};

// Calls f(float{}) for a Float32Array and f(double{}) for a Float64Array (f is a generic lambda
// that takes the element type from its argument), so a binding names each kernel call once.
template <typename F>
auto byPrecision(const Arr& a, F&& f) {
  return a.isF32() ? f(float{}) : f(double{});
}

// The reader for one call. Every getter returns false after throwing a JS exception.
struct Call {
  napi_env env;
  const char* fn;
  const char* const* names;
  napi_value argv[kMaxArgs];
  size_t argc = kMaxArgs;

  Call(napi_env e, napi_callback_info info, const char* f, const char* const* n) : env(e), fn(f), names(n) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }

  // Throws "<fn>: <message>" as a TypeError or RangeError, unless an exception is already pending.
  void throwError(ErrorKind kind, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

  bool arity(size_t n) {
    if (argc >= n) return true;
    throwError(kTypeError, "expected %zu arguments, got %zu", n, argc);
    return false;
  }

  // Argument i through an N-API value getter (napi_get_value_double, napi_get_value_bool).
  template <typename V>
  bool get(size_t i, napi_status (*getter)(napi_env, napi_value, V*), V* out, const char* what) {
    if (getter(env, argv[i], out) == napi_ok) return true;
    throwError(kTypeError, "%s must be %s", names[i], what);
    return false;
  }

  bool num(size_t i, double* out) { return get(i, napi_get_value_double, out, "a number"); }

  bool boolean(size_t i, bool* out) { return get(i, napi_get_value_bool, out, "a boolean"); }

  bool dim(size_t i, int64_t* out) {
    double d;
    if (!num(i, &d)) return false;
    if (!(d >= 0 && d <= kMaxDim && d == std::floor(d))) {
      throwError(kRangeError, "%s must be an integer in [0, 2^31), got %g", names[i], d);
      return false;
    }
    *out = static_cast<int64_t>(d);
    return true;
  }

  bool isNullish(size_t i) {
    napi_valuetype t;
    if (napi_typeof(env, argv[i], &t) != napi_ok) return false;
    return t == napi_null || t == napi_undefined;
  }

  bool typed(size_t i, Arr* a, bool nullable = false) {
    a->index = static_cast<int>(i);
    if (nullable && isNullish(i)) {
      a->present = false;
      return true;
    }
    if (napi_get_typedarray_info(env, argv[i], &a->type, &a->length, &a->data, nullptr, nullptr) != napi_ok) {
      throwError(kTypeError, "%s must be a typed array%s", names[i], nullable ? " or null" : "");
      return false;
    }
    a->present = true;
    return true;
  }

  // A Float32Array or Float64Array of the same precision as `ref` (or the precision setter).
  bool vec(size_t i, Arr* a, const Arr* ref, bool nullable = false) {
    if (!typed(i, a, nullable)) return false;
    if (!a->present) return true;
    if (a->type != napi_float32_array && a->type != napi_float64_array) {
      throwError(kTypeError, "%s must be a Float32Array or Float64Array, got %s", names[i], typeName(a->type));
      return false;
    }
    if (ref && ref->type != a->type) {
      throwError(kTypeError, "all float arrays must have the same precision: %s is a %s but %s is a %s",
                 names[ref->index], typeName(ref->type), names[i], typeName(a->type));
      return false;
    }
    return true;
  }

  bool need(const Arr& a, int64_t count) {
    if (!a.present || static_cast<int64_t>(a.length) >= count) return true;
    throwError(kTypeError, "%s is too short: the dimensions given need %lld elements, it has %zu", names[a.index],
               static_cast<long long>(count), a.length);
    return false;
  }
};

}  // namespace args
