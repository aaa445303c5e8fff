import { SetMetadata } from '@nestjs/common';

export const BARE_VALUE_KEY = 'validation:bare-value';

/** Lets a payload arrive as a bare string, read as `{ [key]: value }` (e.g. joinChat's chatId). */
export const AcceptsBareValue = (key: string): ClassDecorator => SetMetadata(BARE_VALUE_KEY, key);
