import {
  ArgumentMetadata,
  Injectable,
  type Type,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DomainException, FieldError, invalidField } from '../errors/domain.exception.js';
import { ErrorCode } from '../errors/error-code.js';
import { BARE_VALUE_KEY } from './bare-value.decorator.js';
import { quickChecks, targetRules, type QuickCheck } from './quick-check.js';
import { quickInstances, type QuickInstance } from './quick-instance.js';
import { ONCE_PER_PARAMETER } from './once-per-parameter.js';

/** What ValidationPipe.toValidate leaves alone, in a set instead of an array per call. */
const UNVALIDATED_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object, Buffer, Date]);

/** What the pipe reads of a DTO class, once per class. */
interface ClassPlan {
  /** The fields the class validates: its own and its ancestors'. */
  fields: ReadonlySet<string>;
  instance: QuickInstance | null;
  check: QuickCheck | null;
}

/**
 * The one validation pipe for REST and sockets: whitelist, forbid unknown fields, transform,
 * and every failure as VALIDATION_FAILED with `[{ field, constraints }]`.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  /**
   * Nest 12 runs the app's global pipes on gateways as well as their own (@RealtimeGateway's):
   * the socket dispatcher runs this one once per parameter (ws-dispatch.ts). A second run would
   * validate its own DTO again and make an equal one; it used to be skipped by a WeakSet of the
   * DTOs made, which cost every event an entry, and every young collection.
   */
  static readonly [ONCE_PER_PARAMETER] = true;
  private readonly quickCheckOf: (metatype: object) => QuickCheck | null;
  private readonly quickInstanceOf: (metatype: Type) => QuickInstance | null;
  private readonly plans = new Map<Type, ClassPlan>();

  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new DomainException(ErrorCode.ValidationFailed, 'validation failed', flatten(errors)),
    });
    this.quickCheckOf = quickChecks(this.validatorOptions);
    this.quickInstanceOf = quickInstances(this.transformOptions);
  }

  /**
   * Answers at once where it can (every JSON payload that passes the quick check, every value it
   * does not validate), and with a promise only where class-validator or class-transformer's
   * executor runs: Nest waits on either, and the socket dispatcher (ws-dispatch.ts) reaches a
   * handler without a promise when nothing before it made one.
   */
  // The base class's signature says Promise<any>; `any` lets this answer either way.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override transform(value: unknown, metadata: ArgumentMetadata): any {
    const isDto = metadata.metatype && this.toValidate(metadata);
    // What super.transform gives such a value (transformPrimitive changes only params and
    // queries), without its promise.
    if (!isDto && metadata.type !== 'param' && metadata.type !== 'query') return value;
    // Looked up for a string only: reflect-metadata walks the prototype chain on every call.
    if (isDto && typeof value === 'string') {
      const bareKey: unknown = Reflect.getMetadata(BARE_VALUE_KEY, metadata.metatype);
      if (typeof bareKey === 'string') value = { [bareKey]: value };
    }
    // A REST request without a body sends no fields: required ones are then named one by one.
    if (isDto && metadata.type === 'body' && value === undefined) value = {};
    if (isDto && metadata.type === 'query' && value !== null && typeof value === 'object') {
      const suspicious = findSuspiciousKey(value, '', 0, { plain: true });
      if (suspicious) throw invalidField(suspicious.field, suspicious.rule, suspicious.message);
    }
    if (isDto && (metadata.type === 'body' || metadata.type === 'custom')) {
      // Binary data arrives as a Buffer: an object, but with a key per byte.
      if (value === null || typeof value !== 'object' || Array.isArray(value) || isBinary(value)) {
        throw invalidField('', 'isObject', 'payload must be an object');
      }
      const shape = { plain: true };
      const suspicious = findSuspiciousKey(value, '', 0, shape);
      if (suspicious) throw invalidField(suspicious.field, suspicious.rule, suspicious.message);
      const plan = this.planOf(metadata.metatype);
      value = withoutNulls(value, plan.fields);
      if (shape.plain) return this.validatePlain(metadata.metatype, plan, value as object);
    }
    return super.transform(value, metadata);
  }

  /**
   * What super.transform does with JSON data (every socket payload, every JSON body), without
   * its passes over the value for what JSON cannot hold (sparse arrays, binary values) or what
   * findSuspiciousKey has refused already (prototype keys): those passes and their awaits were a
   * third of its time per event. A payload the class's quick check passes skips class-validator's
   * executor (quick-check.ts); any other is validated, and reported, by class-validator. A flat
   * payload is made an instance without class-transformer's executor (quick-instance.ts).
   */
  private validatePlain(metatype: Type, plan: ClassPlan, value: object): object | Promise<object> {
    const entity =
      plan.instance?.(value) ?? (plainToInstance(metatype, value, this.transformOptions) as object);
    if (plan.check?.(entity)) return entity;
    return validate(entity, this.validatorOptions).then((errors) => {
      if (errors.length > 0) throw this.exceptionFactory(errors);
      return entity;
    });
  }

  /** ValidationPipe's rule, without the array it builds on every call. */
  protected override toValidate(metadata: ArgumentMetadata): boolean {
    const { metatype, type } = metadata;
    if (type === 'custom' && !this.validateCustomDecorators) return false;
    return metatype !== undefined && metatype !== null && !UNVALIDATED_TYPES.has(metatype);
  }

  private planOf(metatype: Type): ClassPlan {
    let plan = this.plans.get(metatype);
    if (!plan) {
      plan = {
        fields: new Set(targetRules(metatype).map((rule) => rule.propertyName)),
        instance: this.quickInstanceOf(metatype),
        check: this.quickCheckOf(metatype),
      };
      this.plans.set(metatype, plan);
    }
    return plan;
  }
}

const MAX_DEPTH = 16;
/** Per object: more would make the error list as long as the payload. */
const MAX_KEYS = 100;
/**
 * Per array: twice the longest list any payload may hold (a group's 500 members). A longer one is
 * refused before any rule sees it: class-validator's ArrayUnique compares every item with every
 * other, and a 1 MB frame of short ids held the event loop for seconds.
 */
export const MAX_ITEMS = 1000;
/** Longer keys are refused without being named, so an error never echoes them back. */
export const MAX_KEY_LENGTH = 100;
const NUL = '\u0000';
// __proto__, constructor and prototype pollute; the other Object.prototype names (hasOwnProperty,
// toString...) slip through class-validator's whitelist, which looks fields up in a plain object.
const FORBIDDEN_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * Prototype keys, absurd nesting, absurd keys, absurdly long arrays, NUL characters and unpaired
 * UTF-16 surrogates (which PostgreSQL text cannot
 * hold: they used to fail in the query, as INTERNAL) are refused outright, at any depth.
 * `shape.plain` is left true only for data JSON can hold: no binary value, no sparse array.
 */
function findSuspiciousKey(
  value: object,
  path: string,
  depth: number,
  shape: { plain: boolean },
): { field: string; rule: string; message: string } | undefined {
  if (depth > MAX_DEPTH) {
    return { field: path, rule: 'maxDepth', message: `nesting deeper than ${MAX_DEPTH} levels` };
  }
  if (Array.isArray(value) && value.length > MAX_ITEMS) {
    return { field: path, rule: 'maxItems', message: `more than ${MAX_ITEMS} items` };
  }
  const keys = Object.keys(value);
  if (Array.isArray(value)) {
    if (keys.length !== value.length) shape.plain = false;
  } else if (keys.length > MAX_KEYS) {
    return { field: path, rule: 'maxKeys', message: `more than ${MAX_KEYS} properties` };
  }
  for (const key of keys) {
    if (key.length > MAX_KEY_LENGTH) {
      const message = `a property name longer than ${MAX_KEY_LENGTH} characters`;
      return { field: path, rule: 'maxKeyLength', message };
    }
    if (key.includes(NUL)) {
      return { field: path, rule: 'noNul', message: 'a property name with a NUL character' };
    }
    if (!key.isWellFormed()) {
      const message = 'a property name with an unpaired surrogate';
      return { field: path, rule: 'wellFormed', message };
    }
    const field = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) {
      return { field, rule: 'whitelistValidation', message: `property ${key} should not exist` };
    }
    const child: unknown = (value as Record<string, unknown>)[key];
    if (typeof child === 'string') {
      if (child.includes(NUL)) {
        return { field, rule: 'noNul', message: `${field} must not contain NUL characters` };
      }
      // Not text: UTF-8 would store U+FFFD in its place, and PostgreSQL refuses it in JSON.
      if (!child.isWellFormed()) {
        const message = `${field} must not contain unpaired surrogates`;
        return { field, rule: 'wellFormed', message };
      }
    }
    if (child !== null && typeof child === 'object') {
      if (isBinary(child)) {
        shape.plain = false;
        continue;
      }
      const found = findSuspiciousKey(child, field, depth + 1, shape);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A field of the DTO sent as `null` is taken as absent, as JSON clients write an optional field
 * they leave empty: an optional one gets its default, a required one is refused as missing.
 * (`IsOptional` lets null through: `limit: null` made an empty page, and `sinceSeq: null` a join
 * that recovered nothing.) No payload field gives null a meaning of its own. An unknown field
 * stays, to be refused. The value itself when it has no such field.
 */
function withoutNulls(value: object, fields: ReadonlySet<string>): object {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if ((value as Record<string, unknown>)[key] !== null || !fields.has(key)) continue;
    copy ??= { ...value };
    delete copy[key];
  }
  return copy ?? value;
}

/** A Buffer or typed array: what Socket.IO makes of binary data. */
export function isBinary(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints
      ? [{ field, constraints: { ...error.constraints } }]
      : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
