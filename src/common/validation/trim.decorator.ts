import { Transform } from 'class-transformer';

/** Trims a string before validation (so length limits apply to what is stored). */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
