import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './logging.module.js';

describe('redactUrl', () => {
  it.each([
    [
      '/socket.io/?EIO=4&token=abc.def.ghi&transport=websocket',
      '/socket.io/?EIO=4&token=[REDACTED]&transport=websocket',
    ],
    ['/api/x?token=abc', '/api/x?token=[REDACTED]'],
    ['/api/x?access_token=abc#frag', '/api/x?access_token=[REDACTED]#frag'],
    ['/api/users/me', '/api/users/me'],
  ])('turns %s into %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
