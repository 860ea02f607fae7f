import { describe, expect, it } from 'vitest';
import { baseUrlOf, versionsDocument } from './version-document.js';

const request = {
  protocol: 'http',
  host: 'api.internal:9292',
  forwardedProto: 'https',
  forwardedHost: 'images.example.com, proxy.local',
};

describe('version discovery', () => {
  it('lists v2 minor versions, exactly one CURRENT, each linking to <base>/v2/', () => {
    const doc = versionsDocument('http://h:1');
    expect(doc.versions.filter((v) => v.status === 'CURRENT').map((v) => v.id)).toEqual(['v2.5']);
    for (const v of doc.versions) expect(v.links).toEqual([{ rel: 'self', href: 'http://h:1/v2/' }]);
  });

  it('ignores X-Forwarded-* unless trusted, and then takes the first hop', () => {
    expect(baseUrlOf(request, false)).toBe('http://api.internal:9292');
    expect(baseUrlOf(request, true)).toBe('https://images.example.com');
    expect(baseUrlOf({ ...request, forwardedProto: 'javascript' }, true)).toBe('http://images.example.com');
  });
});
