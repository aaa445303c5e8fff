import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type Lookup = MetadataStorage['getTargetValidationMetadatas'];
type Metadatas = ReturnType<Lookup>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const memoized = new WeakSet<MetadataStorage>();
/** The lookup's key without schema or groups, by `always` and `strictGroups`. */
const PLAIN_KEYS = ['', 'strict', 'always', 'always strict'];

/**
 * class-validator looks up a class's rules on every validate() by testing every decorated class
 * in the app for being one of its ancestors (typestack/class-validator#2686): about 15% of an
 * acknowledged socket event's CPU here. A class's rules, its ancestors' included, are all
 * registered when the class is defined, before anything can validate it, so the answer per class
 * and options is fixed: this keeps it, and the rules grouped by property that every validate()
 * then builds from it (class-validator only reads them). Idempotent. (Rules added to an already
 * validated class at run time, with registerDecorator, would be missed; nothing here does that.)
 */
export function memoizeValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (memoized.has(storage)) return;
  memoized.add(storage);
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const byTarget = new WeakMap<object, Map<string, Metadatas>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    let answers = byTarget.get(target);
    if (!answers) byTarget.set(target, (answers = new Map<string, Metadatas>()));
    // Without a schema or groups (every call here), the key is one of four constant strings.
    const key =
      schema || groups?.length
        ? JSON.stringify([schema ?? null, always, strictGroups, groups ?? []])
        : PLAIN_KEYS[Number(always) * 2 + Number(strictGroups)];
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = lookup(target, schema, always, strictGroups, groups)));
    return answer;
  };
  const group = storage.groupByPropertyName.bind(storage);
  // Keyed by the kept answers above, which are the only arrays validate() groups.
  const grouped = new WeakMap<Metadatas, Grouped>();
  storage.groupByPropertyName = (metadatas) => {
    let answer = grouped.get(metadatas);
    if (!answer) grouped.set(metadatas, (answer = group(metadatas)));
    return answer;
  };
}
