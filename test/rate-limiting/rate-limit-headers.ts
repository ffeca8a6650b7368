/** One scope's entry in a `RateLimit` or `RateLimit-Policy` header. */
export type FieldParams = Record<string, number>;

/** Parses `"user";r=42;t=17, "burst";r=3;t=1` into { user: { r: 42, t: 17 }, ... }. */
export function parseRateLimitField(header: string | undefined): Record<string, FieldParams> {
  const scopes: Record<string, FieldParams> = {};
  for (const item of (header ?? '').split(',').map((part) => part.trim())) {
    const [name, ...params] = item.split(';');
    const match = /^"([a-z]+)"$/.exec(name ?? '');
    if (!match) continue;

    scopes[match[1]] = Object.fromEntries(
      params.map((param) => {
        const [key, value] = param.split('=');
        return [key, Number(value)];
      }),
    );
  }

  return scopes;
}
