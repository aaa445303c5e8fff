import { afterAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeNeeding } from '../../test/support/needs.js';
import { subscriberOf } from './redis-cluster.adapter.js';

const url = process.env.REDIS_URL;

it('gives the subscriber no timeouts, and lets it send its subscriptions again after a close', () => {
  const main = new Redis({
    lazyConnect: true,
    commandTimeout: 100,
    socketTimeout: 200,
    autoResendUnfulfilledCommands: false,
  });
  const { options } = subscriberOf(main);
  expect(options).toMatchObject({
    commandTimeout: undefined,
    socketTimeout: undefined,
    autoResendUnfulfilledCommands: true,
    lazyConnect: true,
  });
});

describeNeeding('redis cluster adapter', ['Redis'])('the cluster adapter subscriber', () => {
  const clients: Redis[] = [];
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('stays subscribed when it subscribes while its connection is being set up', async () => {
    const main = new Redis(url!);
    const sub = subscriberOf(main);
    const pub = new Redis(url!);
    clients.push(main, sub, pub);
    const errors: string[] = [];
    sub.on('error', (error: Error) => errors.push(error.message));
    const channel = `race:${process.pid}:${Date.now()}`;
    // The moment Nest may create a namespace: connected, not yet ready.
    sub.once('connect', () => void sub.subscribe(channel));
    const received = new Promise<string>((resolve) =>
      sub.on('message', (_channel: string, message: string) => resolve(message)),
    );
    let listeners = 0;
    for (const deadline = Date.now() + 3000; listeners === 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (sub.status === 'ready') listeners = await pub.publish(channel, 'hello');
    }
    expect(listeners).toBe(1);
    await expect(received).resolves.toBe('hello');
    expect(errors).toEqual([]);
  }, 10_000);
});
