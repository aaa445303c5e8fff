import type { PipeTransform } from '@nestjs/common';

/**
 * Marks a pipe class whose output, run through it again, comes out the same: where Nest lists it
 * more than once for a parameter (a global pipe and a gateway's), it need run only once.
 */
export const ONCE_PER_PARAMETER = Symbol('once per parameter');

/** The pipes in order, each class marked ONCE_PER_PARAMETER kept at its first place only. */
export function oncePerParameter(pipes: PipeTransform[]): PipeTransform[] {
  const seen = new Set<unknown>();
  return pipes.filter((pipe) => {
    const type = pipe.constructor as { [ONCE_PER_PARAMETER]?: true };
    if (type[ONCE_PER_PARAMETER] !== true) return true;
    if (seen.has(type)) return false;
    seen.add(type);
    return true;
  });
}
