import { describe, expect, it } from '@jest/globals';
import { clientIp } from './client-ip.js';

describe('clientIp', () => {
  const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.2' };

  it('is the peer address unless the proxy is trusted', () => {
    expect(clientIp('10.0.0.2', headers, false)).toBe('10.0.0.2');
  });

  it('is the first X-Forwarded-For address behind a trusted proxy', () => {
    expect(clientIp('10.0.0.2', headers, true)).toBe('203.0.113.7');
  });

  it('falls back to the peer when a trusted proxy sent no header', () => {
    expect(clientIp('10.0.0.2', {}, true)).toBe('10.0.0.2');
    expect(clientIp('10.0.0.2', { 'x-forwarded-for': ' ' }, true)).toBe('10.0.0.2');
  });
});
