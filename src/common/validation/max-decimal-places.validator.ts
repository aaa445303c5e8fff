import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * A finite number with at most `places` decimals, as written in JSON: 12.34 passes, 1.005 and
 * 1e-7 do not. class-validator's `maxDecimalPlaces` counts the digits after a '.' of the number's
 * text, and threw a TypeError (a 500) on a number JavaScript writes with an exponent (1e-7). Here
 * the number is rounded to `places` and must come back unchanged.
 */
export function hasAtMostDecimals(value: unknown, places: number): boolean {
  return (
    typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(places)) === value
  );
}

export function MaxDecimalPlaces(places: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'maxDecimalPlaces',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [places],
      options: {
        message: `${String(propertyName)} must have at most ${places} decimal places`,
        ...options,
      },
      validator: { validate: (value: unknown) => hasAtMostDecimals(value, places) },
    });
}
