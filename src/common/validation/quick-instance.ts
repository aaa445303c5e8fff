import { TransformationType, type ClassTransformOptions } from 'class-transformer';
import type { TransformMetadata } from 'class-transformer/types/interfaces/index.js';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';
import { createRequire } from 'node:module';
import { targetRules } from './quick-check.js';

// Where class-transformer's decorators record their metadata, and the options its executor starts
// from: neither is in its public exports (@nestjs/mapped-types reads the storage the same way).
const require = createRequire(import.meta.url);
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
};
const { defaultOptions } = require('class-transformer/cjs/constants/default-options.constant') as {
  defaultOptions: ClassTransformOptions;
};

/**
 * What `plainToInstance(metatype, plain)` would make of a flat payload, or null: then ask
 * class-transformer.
 */
export type QuickInstance = (plain: object) => object | null;

interface Property {
  /** Its @Transform functions, in the order class-transformer applies them. */
  transforms: TransformMetadata[];
  /** An accessor without a setter on the class's prototype: class-transformer leaves it alone. */
  readOnly: boolean;
}

/**
 * class-transformer's executor looks every key of a payload up in its metadata, walking the
 * class's ancestors and building lists each time: a few microseconds per payload, allocation
 * included, on every socket event. For a class with no @Type, @Expose or @Exclude, and a payload
 * of its validated properties holding primitives or arrays of primitives (nearly every socket
 * payload), its result is simple: a new instance, each value copied (arrays as new arrays) and
 * passed through the property's @Transform functions. This makes that, with the metadata read
 * once per class. Anything else (another key, a nested object, a @Type, options it does not
 * mirror) gets null, and class-transformer does the work as before. A class's metadata is read
 * at its first payload: decorators (and @nestjs/mapped-types' copies) are all recorded when the
 * class is defined, long before.
 */
export function quickInstances(
  options: ClassTransformOptions | undefined,
  storage: MetadataStorage = defaultMetadataStorage,
): (metatype: new () => object) => QuickInstance | null {
  // plainToInstance's executor runs with the defaults and these options over them.
  if (options !== undefined && Object.keys(options).length > 0) return () => null;
  const compiled = new WeakMap<object, QuickInstance | null>();
  return (metatype) => {
    let make = compiled.get(metatype);
    if (make === undefined) compiled.set(metatype, (make = compile(metatype, storage)));
    return make;
  };
}

function compile(metatype: new () => object, storage: MetadataStorage): QuickInstance | null {
  if (
    storage.getStrategy(metatype) !== 'none' ||
    storage.getExposedMetadatas(metatype).length > 0 ||
    storage.getExcludedMetadatas(metatype).length > 0
  ) {
    return null;
  }
  const properties = new Map<string, Property>();
  for (const { propertyName: name } of targetRules(metatype)) {
    if (properties.has(name) || storage.findTypeMetadata(metatype, name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(metatype.prototype, name);
    properties.set(name, {
      // applyCustomTransformations without groups or a version: only group-less transforms.
      transforms: storage
        .findTransformMetadatas(metatype, name, TransformationType.PLAIN_TO_CLASS)
        .filter((m) => !m.options?.groups?.length),
      readOnly: Boolean(descriptor && !descriptor.set),
    });
  }
  if (properties.size === 0) return null;
  return (plain) => {
    const keys = Object.keys(plain);
    for (const key of keys) {
      if (!properties.has(key) || !isFlat((plain as Record<string, unknown>)[key])) return null;
    }
    const entity = new metatype() as Record<string, unknown>;
    if (entity.constructor !== metatype) return null;
    // One executor's options per payload, as plainToInstance makes: the defaults, copied.
    let executorOptions: ClassTransformOptions | undefined;
    for (const key of keys) {
      const { transforms, readOnly } = properties.get(key)!;
      // As the executor does: a method or a getter of the instance is not overwritten.
      if (readOnly || entity[key] instanceof Function) continue;
      let value: unknown = (plain as Record<string, unknown>)[key];
      if (Array.isArray(value)) value = copyArray(value);
      for (const { transformFn } of transforms) {
        value = transformFn({
          value,
          key,
          obj: plain,
          type: TransformationType.PLAIN_TO_CLASS,
          options: (executorOptions ??= { ...defaultOptions }),
        }) as unknown;
      }
      entity[key] = value;
    }
    return entity;
  };
}

/** A primitive, or an array of primitives: what the executor copies without looking deeper. */
function isFlat(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item !== null && typeof item === 'object') return false;
  }
  return true;
}

/** The executor copies an array with forEach, which leaves out the holes of a sparse one. */
function copyArray(value: unknown[]): unknown[] {
  const copy: unknown[] = [];
  value.forEach((item) => copy.push(item));
  return copy;
}
