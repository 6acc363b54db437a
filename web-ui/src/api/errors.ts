// One error type for everything the API and Cognito answer, so pages branch
// on `type` and show `message` (or the friendlier text of messages.ts).

export class ApiError extends Error {
  /** The exception name (`__type`), e.g. UserNotFoundException. */
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.type = type;
    this.status = status;
  }
}

const statusTypes: Record<number, string> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  413: 'PayloadTooLargeException',
  429: 'TooManyRequestsException',
  503: 'ServiceUnavailableException',
};

/**
 * Maps an error answer to an ApiError. Functions answer {__type, message};
 * API Gateway itself answers {message} only (401 Unauthorized, 404 Not
 * Found, 429 throttling, 500 crashes), so the status names those.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const rawType = typeof b.__type === 'string' ? b.__type : '';
  // AWS JSON protocols may prefix the type ("com.amazonaws...#Name").
  const type = rawType ? rawType.slice(rawType.lastIndexOf('#') + 1) : (statusTypes[status] ?? 'UnexpectedException');
  const message =
    typeof b.message === 'string' && b.message
      ? b.message
      : typeof b.Message === 'string' && b.Message
        ? b.Message
        : status >= 500
          ? 'An unexpected error occurred.'
          : `Request failed (HTTP ${status}).`;
  return new ApiError(type, message, status);
}

export function isApiError(e: unknown, type?: string): e is ApiError {
  return e instanceof ApiError && (type === undefined || e.type === type);
}
