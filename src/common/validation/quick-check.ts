import {
  getMetadataStorage,
  ValidationTypes,
  type ValidationArguments,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
} from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];

/**
 * Says of a DTO instance whether class-validator would find nothing wrong with it: true means
 * valid, false means "ask class-validator" (which then names what is wrong).
 */
export type QuickCheck = (entity: object) => boolean;

interface Rule {
  metadata: Metadata;
  /** Their `instance` is read on every call, as the executor reads it (a container may change). */
  constraints: { readonly instance: ValidatorConstraintInterface; readonly async: boolean }[];
}

interface Property {
  name: string;
  conditions: Metadata[];
  defined: Rule[];
  custom: Rule[];
}

/** The rule types the check runs as class-validator does; any other keeps a class on its path. */
const RUNNABLE = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.IS_DEFINED,
  ValidationTypes.WHITELIST,
]);

/**
 * class-validator's executor builds an error object per property, and a promise, for every
 * payload, valid or not: a fifth of what a socket event allocated. Most payloads are valid. This
 * runs the same rules for them (the same constraint objects, the same metadata list, conditions
 * and `each` handled as its executor does, under the options below) and allocates next to
 * nothing; only a payload it cannot pass goes through `validate()`, which reports it. So the
 * errors clients see are class-validator's own, and the check can only be stricter, never
 * laxer: a class with a rule type it does not run (nested, promise) or an async constraint gets
 * no check at all.
 *
 * Only for the options it mirrors: whitelist with forbidNonWhitelisted, no skipping, no groups.
 * A class's rules are read once, at its first check: all are registered when the class is
 * defined (validation-metadata-cache.ts relies on the same).
 */
export function quickChecks(
  options: ValidatorOptions,
  storage: Storage = getMetadataStorage(),
): (metatype: object) => QuickCheck | null {
  const mirrored =
    options.whitelist === true &&
    options.forbidNonWhitelisted === true &&
    !options.skipMissingProperties &&
    !options.skipNullProperties &&
    !options.skipUndefinedProperties &&
    !options.groups?.length &&
    !options.always &&
    !options.strictGroups;
  if (!mirrored) return () => null;
  const compiled = new WeakMap<object, QuickCheck | null>();
  return (metatype) => {
    let check = compiled.get(metatype);
    if (check === undefined) compiled.set(metatype, (check = compile(metatype, storage)));
    return check;
  };
}

/**
 * The rules ValidationExecutor.execute asks for, for a validate() without a schema or groups: the
 * class's own and its ancestors'.
 */
export function targetRules(metatype: object, storage: Storage = getMetadataStorage()): Metadata[] {
  return storage.getTargetValidationMetadatas(
    metatype as new () => object,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
}

function compile(metatype: object, storage: Storage): QuickCheck | null {
  // The list and grouping the executor uses.
  const metadatas = targetRules(metatype, storage);
  if (metadatas.length === 0) return null;
  if (metadatas.some((m) => !RUNNABLE.has(m.type))) return null;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: Property[] = [];
  for (const [name, list] of Object.entries(grouped)) {
    const rulesOf = (type: string): Rule[] =>
      list
        .filter((m) => m.type === type)
        .map((metadata) => ({
          metadata,
          constraints: storage.getTargetValidatorConstraints(metadata.constraintCls),
        }));
    const property: Property = {
      name,
      conditions: list.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION),
      defined: rulesOf(ValidationTypes.IS_DEFINED),
      custom: rulesOf(ValidationTypes.CUSTOM_VALIDATION),
    };
    const rules = [...property.defined, ...property.custom];
    if (rules.some((rule) => rule.constraints.some((c) => c.async))) return null;
    properties.push(property);
  }
  // groupByPropertyName lists only properties with rules: these are the ones the whitelist allows.
  const known = new Set(Object.keys(grouped));
  // What the executor reads from `entity.constructor.name`: the class is checked to be this one.
  const targetName = (metatype as { name: string }).name;
  return (entity) => {
    // validate() looks the rules up by the entity's class: only that class's rules are these.
    if (entity.constructor !== metatype) return false;
    for (const key of Object.keys(entity)) if (!known.has(key)) return false;
    for (const property of properties) {
      const value: unknown = (entity as Record<string, unknown>)[property.name];
      // Every condition is evaluated, as the executor's map-and-reduce does.
      let applies = true;
      for (const condition of property.conditions) {
        applies = (condition.constraints[0] as Condition)(entity, value) && applies;
      }
      if (!applies) continue;
      if (
        !passes(property.defined, entity, value, targetName) ||
        !passes(property.custom, entity, value, targetName)
      ) {
        return false;
      }
    }
    return true;
  };
}

type Condition = (object: object, value: unknown) => boolean;

function passes(rules: Rule[], object: object, value: unknown, targetName: string): boolean {
  // One per property and call, its constraints set for each rule: the constraints read it
  // synchronously, before the next rule runs.
  let args: ValidationArguments | undefined;
  for (const { metadata, constraints } of rules) {
    if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
    args ??= { targetName, property: metadata.propertyName, object, value, constraints: [] };
    args.constraints = metadata.constraints;
    const each =
      metadata.each && (Array.isArray(value) || value instanceof Set || value instanceof Map);
    for (const { instance } of constraints) {
      if (!each) {
        if (!holds(instance.validate(value, args))) return false;
        continue;
      }
      // The items as class-validator's convertToArray takes them: an array as it is.
      const items: unknown[] = Array.isArray(value)
        ? value
        : value instanceof Map
          ? Array.from(value.values())
          : Array.from(value as Set<unknown>);
      for (let i = 0; i < items.length; i++) {
        if (!holds(instance.validate(items[i], args))) return false;
      }
    }
  }
  return true;
}

/** A truthy answer; a promise (an async answer) is left to class-validator. */
function holds(answer: unknown): boolean {
  if (answer !== null && typeof answer === 'object' && 'then' in answer) return false;
  return Boolean(answer);
}
