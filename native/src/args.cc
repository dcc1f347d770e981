// The error path of the argument reader (args.h).
#include "args.h"

#include <cstdarg>
#include <cstdio>

namespace args {

const char* typeName(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "typed array";
  }
}

void Call::throwError(ErrorKind kind, const char* fmt, ...) {
  // N-API refuses a second throw while an exception is pending; the first one stands.
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  char buf[512];
  const int prefix = snprintf(buf, sizeof buf, "%s: ", fn);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + prefix, sizeof buf - prefix, fmt, ap);
  va_end(ap);
  if (kind == kRangeError) {
    napi_throw_range_error(env, nullptr, buf);
  } else {
    napi_throw_type_error(env, nullptr, buf);
  }
}

}  // namespace args
