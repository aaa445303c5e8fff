import { describe, expect, it } from '@jest/globals';
import { clip } from './clip.js';

describe('clip', () => {
  it('leaves text within the limit as it is', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('a😀', 3)).toBe('a😀');
  });

  it('cuts at the limit', () => {
    expect(clip('abcdef', 4)).toBe('abcd');
    expect(clip('😀😀😀', 4)).toBe('😀😀');
  });

  it('never keeps half of a surrogate pair', () => {
    expect(clip('ab😀', 3)).toBe('ab');
    expect(clip('😀😀😀', 5)).toBe('😀😀');
    expect(clip('ab😀', 3).isWellFormed()).toBe(true);
  });
});
