import { describe, expect, it } from '@jest/globals';
import { clientIp } from './client-ip.js';

describe('clientIp', () => {
  const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.2' };

  it('is the peer address unless a proxy is trusted', () => {
    expect(clientIp('10.0.0.9', headers, 0)).toBe('10.0.0.9');
  });

  it('is the last X-Forwarded-For address behind one trusted proxy', () => {
    expect(clientIp('10.0.0.9', headers, 1)).toBe('10.0.0.2');
  });

  it('is the Nth address from the right behind N trusted proxies', () => {
    expect(clientIp('10.0.0.9', headers, 2)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': 'a, 198.51.100.1, 10.0.0.1' }, 2)).toBe(
      '198.51.100.1',
    );
  });

  it('cannot be chosen by the client through the entries it sends first', () => {
    const spoofed = (first: string) => ({ 'x-forwarded-for': `${first}, 198.51.100.20` });
    expect(clientIp('10.0.0.9', spoofed('203.0.113.1'), 1)).toBe('198.51.100.20');
    expect(clientIp('10.0.0.9', spoofed('203.0.113.2'), 1)).toBe('198.51.100.20');
  });

  it('reads repeated headers as one list', () => {
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': ['1.1.1.1', '198.51.100.3'] }, 1)).toBe(
      '198.51.100.3',
    );
  });

  it('falls back to the peer when the header is missing, too short or not an address', () => {
    expect(clientIp('10.0.0.9', {}, 1)).toBe('10.0.0.9');
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': ' ' }, 1)).toBe('10.0.0.9');
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': '198.51.100.1' }, 2)).toBe('10.0.0.9');
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': 'evil, anything' }, 1)).toBe('10.0.0.9');
    expect(clientIp('10.0.0.9', { 'x-forwarded-for': '2001:db8::1' }, 1)).toBe('2001:db8::1');
  });
});
