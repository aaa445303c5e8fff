import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The property may be given only when `applies` holds of the payload (a field of one variant of
 * a payload, refused in the others rather than ignored). Put it under a `@ValidateIf` that runs
 * when the property is given.
 */
export function OnlyIf<T extends object>(
  applies: (payload: T) => boolean,
  message: string,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'onlyIf',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message, ...options },
      validator: { validate: (_value: unknown, args) => applies(args!.object as T) },
    });
}
