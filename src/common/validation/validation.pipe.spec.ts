import { describe, expect, it, jest } from '@jest/globals';
import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { IsArray, IsOptional, IsString, Length } from 'class-validator';
import { DomainException } from '../errors/domain.exception.js';
import { IsUuid } from './is-uuid.decorator.js';
import { Trim } from './trim.decorator.js';
import { AppValidationPipe, MAX_ITEMS } from './validation.pipe.js';
import { ONCE_PER_PARAMETER } from './once-per-parameter.js';

class NoteDto {
  @IsUuid()
  chatId!: string;

  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 5)
  text?: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

const CHAT = '0B8E3F52-6C1A-4B9A-9F0E-2D7C4A1B3E5F';
/** Too long to be an id (a made-up id of a sane length reads as an unknown one). */
const NOT_AN_ID = 'x'.repeat(129);
const payload: ArgumentMetadata = { type: 'body', metatype: NoteDto };

/** The error details of a refusal, or the value that passed. */
async function outcome(value: unknown): Promise<unknown> {
  try {
    return await new AppValidationPipe().transform(value, payload);
  } catch (error) {
    if (!(error instanceof DomainException)) throw error;
    return { code: error.code, details: error.details };
  }
}

describe('AppValidationPipe', () => {
  it('turns JSON data into the DTO with its transforms, without Nest’s passes for other data', async () => {
    const nest = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      const note = await outcome({ chatId: CHAT, text: '  hi  ', tags: ['a'] });
      expect(note).toBeInstanceOf(NoteDto);
      expect(note).toEqual({ chatId: CHAT.toLowerCase(), text: 'hi', tags: ['a'] });
      expect(nest).not.toHaveBeenCalled();
    } finally {
      nest.mockRestore();
    }
  });

  it('refuses JSON data field by field: wrong types, lengths after trimming, unknown fields', async () => {
    expect(await outcome({ chatId: NOT_AN_ID, text: ' toolong ', extra: 1 })).toEqual({
      code: 'VALIDATION_FAILED',
      details: [
        { field: 'extra', constraints: { whitelistValidation: 'property extra should not exist' } },
        { field: 'chatId', constraints: { isUuid: 'chatId must be a UUID' } },
        {
          field: 'text',
          constraints: { isLength: 'text must be shorter than or equal to 5 characters' },
        },
      ],
    });
  });

  it('leaves what JSON cannot hold (binary values, sparse arrays) to Nest’s full pass', async () => {
    const nest = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      const binary = await outcome({ chatId: CHAT, tags: [Buffer.from('a')] });
      expect(binary).toMatchObject({ code: 'VALIDATION_FAILED' });
      // eslint-disable-next-line no-sparse-arrays
      const sparse = await outcome({ chatId: CHAT, tags: ['a', , 'b'] });
      expect(sparse).toEqual({ chatId: CHAT.toLowerCase(), tags: ['a', 'b'] });
      expect(nest).toHaveBeenCalledTimes(2);
    } finally {
      nest.mockRestore();
    }
  });

  it('makes of its own DTO an equal one: once per parameter is enough (ONCE_PER_PARAMETER)', async () => {
    const pipe = new AppValidationPipe();
    const note = (await pipe.transform({ chatId: CHAT, text: '  hi ' }, payload)) as NoteDto;
    const again = (await pipe.transform(note, payload)) as NoteDto;
    expect(again).toBeInstanceOf(NoteDto);
    expect(again).toEqual(note);
    expect((AppValidationPipe as { [ONCE_PER_PARAMETER]?: true })[ONCE_PER_PARAMETER]).toBe(true);
  });

  it('refuses an array of more than MAX_ITEMS items before any rule reads it', async () => {
    const tags = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `t${i}`);
    expect(await outcome({ chatId: CHAT, tags })).toEqual({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'tags', constraints: { maxItems: `more than ${MAX_ITEMS} items` } }],
    });
    expect(await outcome({ chatId: CHAT, tags: tags.slice(1) })).toBeInstanceOf(NoteDto);
  });

  it('refuses an unpaired surrogate in any string, and takes a paired one', async () => {
    expect(await outcome({ chatId: CHAT, text: 'a\ud800', tags: ['b'] })).toEqual({
      code: 'VALIDATION_FAILED',
      details: [
        { field: 'text', constraints: { wellFormed: 'text must not contain unpaired surrogates' } },
      ],
    });
    expect(await outcome({ chatId: CHAT, tags: ['\udc00'] })).toMatchObject({
      details: [{ field: 'tags.0', constraints: { wellFormed: expect.any(String) } }],
    });
    expect(await outcome({ chatId: CHAT, text: '👍' })).toEqual({
      chatId: CHAT.toLowerCase(),
      text: '👍',
    });
  });

  it('takes a field sent as null as absent', async () => {
    const note = await outcome({ chatId: CHAT, text: null, tags: null });
    expect(note).toBeInstanceOf(NoteDto);
    expect(note).toEqual({ chatId: CHAT.toLowerCase() });
    expect(await outcome({ chatId: null })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'chatId' }],
    });
  });

  it('still refuses an unknown field sent as null', async () => {
    expect(await outcome({ chatId: CHAT, extra: null })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'extra', constraints: { whitelistValidation: expect.any(String) } }],
    });
  });

  it('validates an instance of the DTO it did not make', async () => {
    const made = Object.assign(new NoteDto(), { chatId: NOT_AN_ID });
    expect(await outcome(made)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
