import { describe, expect, it } from '@jest/globals';
import { ChatSequence } from './chat-sequence.js';

describe('ChatSequence', () => {
  it('adds to the open group of a chat while it waits, and stores each group once, in turn', async () => {
    const sequence = new ChatSequence();
    const stored: string[][] = [];
    const store = (group: string[]) => (stored.push([...group]), Promise.resolve());
    const joinAny = () => true;
    const first = sequence.gather<string>('c', joinAny, store);
    first.push('a');
    expect(sequence.gather<string>('c', joinAny, store)).toBe(first);
    first.push('b');
    await sequence.run('c', () => Promise.resolve());
    expect(stored).toEqual([['a', 'b']]);
  });

  it('closes the open group when anything else is queued for the chat, and only for that chat', async () => {
    const sequence = new ChatSequence();
    const order: string[] = [];
    const store = (group: string[]) => (order.push(group.join('+')), Promise.resolve());
    const joinAny = () => true;
    sequence.gather<string>('c', joinAny, store).push('before');
    sequence.gather<string>('other', joinAny, store).push('elsewhere');
    const closed = sequence.run('c', () => (order.push('close'), Promise.resolve()));
    sequence.gather<string>('c', joinAny, store).push('after');
    sequence.gather<string>('other', joinAny, store).push('elsewhere too');
    await closed;
    await sequence.run('c', () => Promise.resolve());
    await sequence.run('other', () => Promise.resolve());
    expect(order).toEqual(['before', 'elsewhere+elsewhere too', 'close', 'after']);
  });

  it('opens a new group when the open one refuses the next', async () => {
    const sequence = new ChatSequence();
    const stored: string[][] = [];
    const store = (group: string[]) => (stored.push([...group]), Promise.resolve());
    const upToTwo = (group: string[]) => group.length < 2;
    for (const item of ['a', 'b', 'c']) sequence.gather<string>('c', upToTwo, store).push(item);
    await sequence.run('c', () => Promise.resolve());
    expect(stored).toEqual([['a', 'b'], ['c']]);
  });
});
