import { describe, expect, it } from '@jest/globals';
import { Exclude, Expose, plainToInstance, Transform, Type } from 'class-transformer';
import { Allow, IsInt, IsOptional, IsString } from 'class-validator';
import { JoinChatDto, GetMessagesDto } from '../../modules/chat/dto/chat-ref.dto.js';
import { CreateChatDto } from '../../modules/chat/dto/create-chat.dto.js';
import { ReactionDto, TypingDto } from '../../modules/chat/dto/message-ref.dto.js';
import { SendMessageBodyDto } from '../../modules/chat/dto/rest.dto.js';
import { ReadMessagesDto, SendMessageDto } from '../../modules/chat/dto/send-message.dto.js';
import { CreateNotificationDto } from '../../modules/notifications/dto/notification.dto.js';
import { quickInstances } from './quick-instance.js';

class Probe {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? `${value}!` : value))
  @Transform(({ value, key, obj }: { value: unknown; key: string; obj: Record<string, unknown> }) =>
    typeof value === 'string' ? `${value}/${key}/${String(obj.n)}` : value,
  )
  @IsString()
  word?: unknown;

  @Transform(({ value }: { value: unknown }) => `grouped ${String(value)}`, { groups: ['admin'] })
  @IsInt()
  n?: unknown;

  @IsOptional()
  list?: unknown;

  @Allow()
  initial: unknown = 'default';

  @Allow()
  get computed(): string {
    return 'getter';
  }

  @Allow()
  method(): string {
    return 'method';
  }
}

/** Inherits its parent's transforms and adds one to an inherited property. */
class ChildProbe extends Probe {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.length : value))
  declare word?: unknown;
}

class Typed {
  @Type(() => Number)
  @IsInt()
  n?: unknown;

  @IsString()
  s?: unknown;
}

class Exposing {
  @Expose({ name: 'renamed' })
  @IsString()
  s?: unknown;
}

class Excluding {
  @Exclude()
  @IsString()
  hidden?: unknown;

  @IsString()
  s?: unknown;
}

const UUID = '0b8e3f52-6c1a-4b9a-9f0e-2d7c4a1b3e5f';
const UPPER = '0B8E3F52-6C1A-4B9A-9F0E-2D7C4A1B3E5F';

/** A payload class-transformer must make itself: the quick path answers null. */
class Slow {
  constructor(readonly payload: object) {}
}
const slow = (payload: object): Slow => new Slow(payload);

/** Payloads as they arrive (JSON), for each class; `slow(...)` marks those it must not take. */
const CORPUS: [new () => object, object[]][] = [
  [
    Probe,
    [
      {},
      { word: 'hi', n: 3 },
      { n: 'x', word: 7 },
      { list: [1, 'a', null, true] },
      { list: [] },
      { initial: 'given' },
      { initial: null },
      { computed: 'set?', method: 'set?' },
      slow({ list: [1, [2]] }),
      slow({ list: [{ a: 1 }] }),
      slow({ list: { a: 1 } }),
      slow({ other: 1 }),
      slow({ word: 'x', other: 1 }),
    ],
  ],
  [ChildProbe, [{ word: 'abc', n: 1 }, { word: 5 }]],
  [Typed, [{ s: 'x' }, slow({ n: '5' }), slow({ s: 'x', n: '5' })]],
  [Exposing, [slow({ s: 'x' }), slow({ renamed: 'x' })]],
  [Excluding, [slow({ s: 'x' }), slow({ hidden: 'x' })]],
  [TypingDto, [{ chatId: UPPER, isTyping: true }, { chatId: 5, isTyping: 'yes' }, {}]],
  [
    SendMessageDto,
    [
      { chatId: UUID, text: '  hi  ' },
      { chatId: UPPER, text: 'x', attachmentIds: [UPPER, UUID], replyToId: UPPER },
      { chatId: UUID, clientMessageId: 'c1', attachmentIds: [1, null] },
      slow({ chatId: UUID, attachmentIds: [[UPPER]] }),
      slow({ chatId: UUID, text: { a: 1 } }),
    ],
  ],
  [SendMessageBodyDto, [{ text: ' a ' }, slow({ chatId: UUID, text: 'a' })]],
  [ReadMessagesDto, [{ chatId: UPPER, messageIds: [UPPER] }, { chatId: UUID, upToSeq: 4 }]],
  [JoinChatDto, [{ chatId: UPPER }, { chatId: UUID, sinceSeq: '12', limit: 5 }]],
  [GetMessagesDto, [{ chatId: UUID, before: '99' }, { chatId: UUID, after: 3, limit: 'x' }]],
  [ReactionDto, [{ messageId: UPPER, emoji: '👍' }]],
  [CreateChatDto, [{ type: 'GROUP', title: '  t  ', memberIds: ['a', 'b'] }]],
  [
    CreateNotificationDto,
    [
      { userId: 'u', type: 'SYSTEM', subject: ' s ', message: ' m ' },
      slow({ userId: 'u', type: 'SYSTEM', subject: 's', message: 'm', data: { a: 1 } }),
    ],
  ],
];

describe('quickInstances', () => {
  const quick = quickInstances(undefined);

  it.each(
    CORPUS.flatMap(([cls, payloads]) =>
      payloads.map((entry) => {
        const isSlow = entry instanceof Slow;
        return [cls.name, isSlow ? entry.payload : entry, cls, isSlow] as const;
      }),
    ),
  )('%s %j: what plainToInstance makes, or null', (_name, payload, cls, isSlow) => {
    const made = quick(cls)?.(structuredClone(payload)) ?? null;
    if (isSlow) {
      expect(made).toBeNull();
      return;
    }
    const expected = plainToInstance(cls, structuredClone(payload));
    expect(made).not.toBeNull();
    expect(Object.getPrototypeOf(made)).toBe(cls.prototype);
    expect(Object.keys(made!)).toEqual(Object.keys(expected));
    expect(made).toStrictEqual(expected);
  });

  it('makes the flat payloads of transform-only classes, and copies their arrays', () => {
    const list = [1, 'a'];
    const probe = quick(Probe)!({ word: 'hi', n: 3, list }) as Probe;
    expect(probe).toBeInstanceOf(Probe);
    expect(probe).toMatchObject({ word: 'hi!/word/3', n: 3, list: [1, 'a'], initial: 'default' });
    expect(probe.list).not.toBe(list);
    expect(quick(TypingDto)!({ chatId: UPPER, isTyping: true })).toEqual({
      chatId: UUID,
      isTyping: true,
    });
    // The parent's transforms first, then the child's: the length of 'abc!/word/undefined'.
    expect(quick(ChildProbe)!({ word: 'abc' })).toMatchObject({ word: 19 });
    // A setter-less accessor and a method are left alone, as class-transformer leaves them.
    const kept = quick(Probe)!({ computed: 'x', method: 'x' }) as Probe;
    expect(kept.computed).toBe('getter');
    expect(kept.method()).toBe('method');
  });

  it('makes nothing for @Expose or @Exclude classes, or under options it does not mirror', () => {
    expect(quick(Exposing)).toBeNull();
    expect(quick(Excluding)).toBeNull();
    expect(quickInstances({ enableImplicitConversion: true })(TypingDto)).toBeNull();
    expect(quickInstances({})(TypingDto)).not.toBeNull();
  });
});
