/**
 * Replaces `method` of the class of `instance` by `wrap(original)`, once per class and method
 * (Engine.IO's classes, once per process): no connection pays for a closure or a listener of its
 * own, and a connection that needs state keeps it in a property the wrapper reads.
 */
export function patchClass<T extends object, K extends keyof T & string>(
  instance: T,
  method: K,
  wrap: (original: T[K]) => T[K],
): void {
  const type = Object.getPrototypeOf(instance) as T;
  let done = patched.get(type);
  if (!done) patched.set(type, (done = new Set()));
  if (done.has(method)) return;
  done.add(method);
  if (typeof type[method] === 'function') type[method] = wrap(type[method]);
}
const patched = new WeakMap<object, Set<string>>();
