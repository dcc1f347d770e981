// Every error the API returns, in one catalogue. Bodies are { error: { code, message, problems? } };
// openapi.yaml lists the same codes (a test checks both agree). 5xx bodies never carry details.

export const ERROR_CODES = {
  invalid_json: { status: 400, message: 'the request body is not valid JSON' },
  invalid_request: { status: 400, message: 'the request has invalid fields' },
  invalid_spec: { status: 400, message: 'the experiment spec is invalid' },
  unauthorized: { status: 401, message: 'missing or invalid API key: send Authorization: Bearer <key>' },
  not_found: { status: 404, message: 'not found' },
  conflict: { status: 409, message: 'the request conflicts with the current state' },
  payload_too_large: { status: 413, message: 'the request body is too large' },
  unsupported_media_type: { status: 415, message: 'send the body as application/json' },
  rate_limited: { status: 429, message: 'too many requests for this API key; retry later' },
  internal: { status: 500, message: 'internal error' },
  unavailable: { status: 503, message: 'Postgres is unreachable right now; nothing was changed: retry shortly' },
  not_ready: { status: 503, message: 'a dependency is unreachable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface Problem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly problems?: Problem[];
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message?: string, problems?: Problem[], headers?: Record<string, string>) {
    super(message ?? ERROR_CODES[code].message);
    this.code = code;
    this.statusCode = ERROR_CODES[code].status;
    this.problems = problems;
    this.headers = headers;
  }

  body() {
    return { error: { code: this.code, message: this.message, ...(this.problems ? { problems: this.problems } : {}) } };
  }
}

/** Problems as one sentence, e.g. "spec.training.batchSize: Too big: expected number to be <=50000". */
export function summarise(problems: Problem[]): string {
  const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`);
  return shown.join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
}

/** Maps Fastify's own errors (body parsing, limits) onto the catalogue. */
export function fromFastifyError(err: { code?: string; statusCode?: number; message: string }, bodyLimit: number): ApiError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('invalid_json', `the request body is not valid JSON: ${err.message.replace(/^Body is not valid JSON but content-type is set to 'application\/json'\s*/, '') || 'syntax error'}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_json', 'the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload_too_large', `the request body is larger than ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 'unsupported Content-Type: send the body as application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('invalid_request', 'Content-Length does not match the body', [{ path: 'Content-Length', message: 'does not match the body' }]);
    default:
      if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) return new ApiError('invalid_json', `the request body is not valid JSON: ${err.message}`);
      return null;
  }
}
