/**
 * Glance's version-discovery document. Only minor versions whose features this service has are listed: v2.0–v2.4
 * (images, tasks, members, tags, JSON-Patch) and v2.5 (the `shared` visibility of Ocata), which is CURRENT.
 * v2.6+ (interoperable import, hidden images, stores) are not implemented, so they are not advertised.
 */
const VERSIONS = [
  { id: 'v2.5', status: 'CURRENT' },
  { id: 'v2.4', status: 'SUPPORTED' },
  { id: 'v2.3', status: 'SUPPORTED' },
  { id: 'v2.2', status: 'SUPPORTED' },
  { id: 'v2.1', status: 'SUPPORTED' },
  { id: 'v2.0', status: 'SUPPORTED' },
] as const;

export function versionsDocument(baseUrl: string) {
  return {
    versions: VERSIONS.map((version) => ({
      ...version,
      links: [{ rel: 'self', href: `${baseUrl}/v2/` }],
    })),
  };
}

/** The request's own view of where the API lives; forwarded headers only when a trusted proxy sets them. */
export interface BaseUrlSource {
  protocol: string;
  host: string | undefined;
  forwardedProto: string | undefined;
  forwardedHost: string | undefined;
}

/**
 * This API's base URL as the client reached it. `X-Forwarded-Proto`/`-Host` are honoured only when
 * `trustForwarded` is on (the API sits behind a proxy that sets them); otherwise any client could make the
 * document point elsewhere. Only the first value of a comma-separated forwarded header counts (the client-most hop).
 */
export function baseUrlOf(source: BaseUrlSource, trustForwarded: boolean): string {
  const first = (value: string | undefined) => value?.split(',')[0]?.trim() || undefined;
  const proto = (trustForwarded && first(source.forwardedProto)) || source.protocol;
  const host = (trustForwarded && first(source.forwardedHost)) || source.host || 'localhost';
  const safeProto = proto === 'https' ? 'https' : 'http';
  return `${safeProto}://${host}`;
}
