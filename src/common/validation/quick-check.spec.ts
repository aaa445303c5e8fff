import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  registerDecorator,
  validate,
  ValidateIf,
  ValidateNested,
  type ValidatorOptions,
} from 'class-validator';
import { CreateChatDto } from '../../modules/chat/dto/create-chat.dto.js';
import { SendMessageBodyDto } from '../../modules/chat/dto/rest.dto.js';
import { DisputeStatusDto } from '../../modules/disputes/dto/dispute.dto.js';
import {
  CreateNotificationDto,
  ListNotificationsDto,
} from '../../modules/notifications/dto/notification.dto.js';
import { CreateOrderDto } from '../../modules/orders/dto/create-order.dto.js';
import { OrderSendMessageDto } from '../../modules/orders/dto/order-chat.dto.js';
import { GetMessagesDto } from '../../modules/chat/dto/chat-ref.dto.js';
import { ReactionDto, TypingDto } from '../../modules/chat/dto/message-ref.dto.js';
import { ReadMessagesDto, SendMessageDto } from '../../modules/chat/dto/send-message.dto.js';
import { quickChecks } from './quick-check.js';

/** AppValidationPipe's validator options. */
const OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

class Probe {
  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(9)
  n!: number;

  @ValidateIf((probe: Probe) => probe.n > 5)
  @IsIn(['a', 'b'])
  big?: string;

  @IsOptional()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  tags?: unknown;

  @IsOptional()
  @IsInt({ each: true, validateIf: (_: unknown, value: unknown) => value !== 'skip' })
  counts?: unknown;

  @Allow()
  note?: unknown;

  @IsDefined()
  present?: unknown;

  @ValidateIf((probe: Probe) => probe.n === 9)
  @IsDefined()
  whenNine?: unknown;

  @IsOptional()
  @Answers()
  answer?: unknown;
}

/** A synchronous constraint whose answer is the value itself: truthy, falsy or a promise. */
function Answers(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'answers',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: { validate: (value: unknown) => value as boolean },
    });
}

/** Re-declares a rule of its parent's property: the child's rules are what count. */
class ChildProbe extends Probe {
  @IsInt()
  @Min(5)
  declare n: number;
}

class Nested {
  @ValidateNested()
  probe!: Probe;
}

class Slow {
  @IsString()
  name!: string;
}
registerDecorator({
  name: 'slowly',
  target: Slow,
  propertyName: 'name',
  async: true,
  validator: { validate: (value: unknown) => Promise.resolve(typeof value === 'string') },
});

const UUID = '0b8e3f52-6c1a-4b9a-9f0e-2d7c4a1b3e5f';
const UPPER = '0B8E3F52-6C1A-4B9A-9F0E-2D7C4A1B3E5F';

/** Valid and invalid payloads for each class, as they arrive (before class-transformer). */
const CORPUS: [new () => object, unknown[]][] = [
  [
    Probe,
    [
      { n: 1, present: 0 },
      { n: 1 },
      { n: 1, present: null },
      { n: 9, present: 1 },
      { n: 9, present: 1, whenNine: 'x' },
      { n: 1, present: 1, answer: 1 },
      { n: 1, present: 1, answer: 'yes' },
      { n: 1, present: 1, answer: 0 },
      { n: 1, present: 1, answer: '' },
      { n: 5, note: { any: 'thing' } },
      { n: 6, big: 'a' },
      { n: 6 },
      { n: 4, big: 'zzz' },
      { n: 0 },
      { n: 10 },
      { n: '3' },
      {},
      { n: null },
      { n: 2, extra: 1 },
      { n: 2, tags: ['x', 'y'] },
      { n: 2, tags: ['x', 2] },
      { n: 2, tags: ['a', 'b', 'c', 'd'] },
      { n: 2, tags: 'x' },
      { n: 2, tags: null },
      { n: 2, tags: new Set(['x']) },
      { n: 2, tags: new Set([1]) },
      { n: 2, tags: new Map([['k', 'v']]) },
      { n: 2, tags: new Map([['k', 1]]) },
      { n: 2, counts: [1, 2] },
      { n: 2, counts: [1, 'x'] },
      { n: 2, counts: 'skip' },
      { n: 2, counts: 'other' },
    ],
  ],
  [
    ChildProbe,
    [
      { n: 5, present: 1 },
      { n: 2, present: 1 },
      { n: 'x', present: 1 },
    ],
  ],
  [
    SendMessageDto,
    [
      { chatId: UUID, text: 'hi' },
      { chatId: UPPER, text: '  hi  ', clientMessageId: 'c-1' },
      { chatId: UUID, text: '   ' },
      { chatId: UUID, text: 'x'.repeat(4001) },
      { chatId: UUID, text: 'x'.repeat(4000) },
      { chatId: 'not-a-uuid', text: 'hi' },
      { chatId: UUID, text: 3 },
      { chatId: UUID, attachmentIds: [UUID] },
      { chatId: UUID, attachmentIds: [UUID, UUID] },
      { chatId: UUID, attachmentIds: ['nope'] },
      { chatId: UUID, attachmentIds: UUID },
      { chatId: UUID, replyToId: UPPER, text: 'r' },
      { chatId: UUID, replyToId: 'nope', text: 'r' },
      { chatId: UUID, text: 'hi', clientMessageId: 'x'.repeat(101) },
      { chatId: UUID, text: 'hi', whatever: true },
      { text: 'hi' },
    ],
  ],
  [
    TypingDto,
    [
      { chatId: UUID, isTyping: true },
      { chatId: UUID, isTyping: 'yes' },
      { chatId: UUID },
      { chatId: UUID, isTyping: false, extra: 1 },
    ],
  ],
  [
    GetMessagesDto,
    [
      { chatId: UUID },
      { chatId: UUID, before: 10, limit: 50 },
      { chatId: UUID, before: 0 },
      { chatId: UUID, after: 0, limit: 1 },
      { chatId: UUID, limit: 0 },
      { chatId: UUID, limit: 1000 },
      { chatId: UUID, before: 1.5 },
    ],
  ],
  [
    ReadMessagesDto,
    [
      { chatId: UUID, upToSeq: 3 },
      { chatId: UUID, messageIds: [UUID] },
      { chatId: UUID, messageIds: Array.from({ length: 501 }, () => UUID) },
      { chatId: UUID, upToSeq: -1 },
    ],
  ],
  [
    CreateChatDto,
    [
      { type: 'DIRECT', userId: 'u-2' },
      { type: 'DIRECT' },
      { type: 'GROUP', title: 'T', memberIds: ['a', 'b'] },
      { type: 'GROUP', title: ' ', memberIds: ['a'] },
      { type: 'GROUP', title: 'T', memberIds: ['a', 'a'] },
      { type: 'GROUP', title: 'T', memberIds: [''] },
      { type: 'ORDER', title: 'T', memberIds: [] },
    ],
  ],
  [
    SendMessageBodyDto,
    [{ text: 'hi' }, { text: 'hi', chatId: UUID }, { text: '' }, { attachmentIds: [UUID] }],
  ],
  [
    OrderSendMessageDto,
    [
      { orderId: UUID, text: 'hi', clientMessageId: 'c' },
      { orderId: 'x', text: 'hi' },
      { chatId: UUID, text: 'hi' },
    ],
  ],
  [
    DisputeStatusDto,
    [
      { status: 'IN_REVIEW' },
      { status: 'RESOLVED', resolution: 'refund' },
      { status: 'RESOLVED' },
      { status: 'IN_REVIEW', resolution: '' },
      { status: 'NOPE' },
    ],
  ],
  [
    CreateOrderDto,
    [
      { performerId: 'p', title: 'T', amount: 10.5 },
      { performerId: 'p', title: 'T', amount: 10.555 },
      { performerId: 'p', title: 'T', amount: -1 },
      { performerId: 'p', title: ' ' },
    ],
  ],
  [
    CreateNotificationDto,
    [
      { userId: 'u', type: 'IN_APP', subject: 's', message: 'm', actionUrl: '/x', data: { a: 1 } },
      { userId: 'u', type: 'IN_APP', subject: 's', message: 'm', actionUrl: 'javascript:x' },
      { userId: 'u', type: 'IN_APP', subject: 's', message: 'm', data: 'text' },
      { userId: 'u', type: 'SMS', subject: 's', message: 'm' },
    ],
  ],
  [ListNotificationsDto, [{ unreadOnly: true, limit: 5 }, { unreadOnly: 'yes' }, { limit: 0 }]],
  [
    ReactionDto,
    [
      { messageId: UUID, emoji: '👍' },
      { messageId: UUID, emoji: 'ab' },
      { messageId: UUID, emoji: '👍👍' },
    ],
  ],
];

describe('quickChecks', () => {
  const checkOf = quickChecks(OPTIONS);

  it('passes exactly the payloads class-validator passes, for every class it checks', async () => {
    let passed = 0;
    for (const [metatype, payloads] of CORPUS) {
      const check = checkOf(metatype);
      expect({ metatype: metatype.name, compiled: check !== null }).toEqual({
        metatype: metatype.name,
        compiled: true,
      });
      for (const payload of payloads) {
        const entity = plainToInstance<object, unknown>(metatype, payload);
        const valid = (await validate(entity, OPTIONS)).length === 0;
        expect({ metatype: metatype.name, payload, quick: check!(entity) }).toEqual({
          metatype: metatype.name,
          payload,
          quick: valid,
        });
        if (valid) passed += 1;
      }
    }
    // The corpus has both kinds in numbers: a check that refused everything would fail above.
    expect(passed).toBeGreaterThan(25);
  });

  it('checks each item of a Set as class-validator does', async () => {
    const check = checkOf(Probe)!;
    for (const tags of [new Set(['x']), new Set([1]), new Set()]) {
      const entity = Object.assign(new Probe(), { n: 1, present: 1, tags });
      const valid = (await validate(entity, OPTIONS)).length === 0;
      expect({ tags: [...tags], quick: check(entity) }).toEqual({ tags: [...tags], quick: valid });
    }
  });

  it('leaves a thenable answer to class-validator', () => {
    const entity = Object.assign(new Probe(), { n: 1, present: 1, answer: Promise.resolve(true) });
    expect(checkOf(Probe)!(entity)).toBe(false);
  });

  it('checks an entity of its own class only', () => {
    const entity = Object.assign(new ChildProbe(), { n: 2, present: 1 });
    expect(checkOf(Probe)!(entity)).toBe(false);
  });

  it('leaves to class-validator classes with nested or async rules, or none', () => {
    expect(checkOf(Nested)).toBeNull();
    expect(checkOf(Slow)).toBeNull();
    expect(checkOf(class Bare {})).toBeNull();
  });

  it('checks nothing under options it does not mirror', () => {
    expect(quickChecks({ ...OPTIONS, skipMissingProperties: true })(Probe)).toBeNull();
    expect(quickChecks({ ...OPTIONS, forbidNonWhitelisted: false })(Probe)).toBeNull();
    expect(quickChecks({ ...OPTIONS, groups: ['admin'] })(Probe)).toBeNull();
  });
});
