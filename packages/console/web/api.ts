/** The reviewer API (services/review-queue/openapi.yaml), same origin, bearer token on every call. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
}

export function createApi(token: () => string | undefined, onUnauthenticated: (message: string) => void): Api {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`/api${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The review service did not answer. Is it running?');
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : {};
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error ?? {};
      const failure = new ApiError(response.status, error.code ?? `HTTP_${response.status}`, error.message ?? response.statusText);
      if (response.status === 401) onUnauthenticated(failure.message);
      throw failure;
    }
    return json as T;
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body ?? {}) };
}

export const enc = encodeURIComponent;
