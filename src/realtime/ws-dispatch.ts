import type { ArgumentMetadata, CanActivate, PipeTransform } from '@nestjs/common';
import {
  ExecutionContextHost,
  FORBIDDEN_MESSAGE,
  ParamsTokenFactory,
  STATIC_CONTEXT,
} from '@nestjs/core/internal';
import { WsException } from '@nestjs/websockets';
import { WsContextCreator } from '@nestjs/websockets/context/ws-context-creator.js';
import { catchError, EMPTY, isObservable, lastValueFrom } from 'rxjs';
import { oncePerParameter } from '../common/validation/once-per-parameter.js';

type Handler = (...args: unknown[]) => unknown;
type Create = (
  this: WsContextCreator,
  instance: object,
  callback: Handler,
  moduleKey: string,
  methodName: string,
  contextId?: unknown,
  inquirerId?: string,
) => Handler;

/** A parameter as Nest describes it once per handler (WsContextCreator.getMetadata). */
interface ParamProperties {
  index: number;
  type: number | string;
  data: ArgumentMetadata['data'];
  pipes: PipeTransform[];
  schema?: unknown;
  metatype?: unknown;
  extractValue: (...args: unknown[]) => unknown;
}

/** What of WsContextCreator's own members `create` uses (private in its typings). */
interface Internals {
  wsProxy: { handleError(handler: unknown, args: unknown[], error: unknown): void };
  exceptionFiltersContext: { create(...args: unknown[]): unknown };
  pipesContextCreator: { create(...args: unknown[]): PipeTransform[] };
  guardsContextCreator: { create(...args: unknown[]): CanActivate[] };
  interceptorsContextCreator: { create(...args: unknown[]): unknown[] };
  contextUtils: {
    mergeParamsMetatypes(params: ParamProperties[], types: unknown[]): ParamProperties[];
  };
  getMetadata(
    instance: object,
    methodName: string,
    type: 'ws',
  ): {
    argsLength: number;
    paramtypes: unknown[];
    getParamsMetadata: (moduleKey: string) => ParamProperties[] | undefined;
  };
  reflectCallbackPattern(callback: Handler): string | undefined;
}

const installed = Symbol('ws-dispatch');
const tokens = new ParamsTokenFactory();

/**
 * Nest runs each socket event through a context it assembles per event: an ExecutionContextHost
 * for the guards and one per custom parameter, a parameter array, and about twenty promises (an
 * async function per guard run, parameter and pipe, each awaited even when it answered at once).
 * On `typing` (the `overhead` benchmark) that was about a tenth of the CPU an event costs the app.
 *
 * This replaces WsContextCreator's `create` with one that resolves the same guards, pipes,
 * parameters and exception filters, once per handler as Nest does, and runs them per event in
 * Nest's order and with Nest's arguments (a pipe class marked ONCE_PER_PARAMETER once, where
 * Nest lists it as global and as the gateway's), waiting only on what returns a promise (or, for
 * a guard, an Observable). A synchronous guard, pipe and parameter chain reaches the handler
 * without a single promise. Failures go to the handler's exception filters through Nest's own
 * error path (WsProxy), as before. Handlers with interceptors, or of request-scoped gateways,
 * keep Nest's own context; so does everything if Nest's internals are not what this expects.
 * Idempotent; affects every application in the process (tests boot several).
 */
export function installWsDispatch(): void {
  const prototype = WsContextCreator.prototype as unknown as {
    create: Create;
    [installed]?: true;
  };
  if (prototype[installed]) return;
  prototype[installed] = true;
  const nestCreate = prototype.create;
  prototype.create = function (...args) {
    const [instance, callback, moduleKey, methodName, contextId, inquirerId] = args;
    const self = this as unknown as Internals;
    const own =
      (contextId === undefined || contextId === STATIC_CONTEXT) &&
      understands(self) &&
      self.interceptorsContextCreator.create(
        instance,
        callback,
        moduleKey,
        STATIC_CONTEXT,
        inquirerId,
      ).length === 0;
    return own
      ? compile(self, instance, callback, moduleKey, methodName, inquirerId)
      : nestCreate.apply(this, args);
  };
}

/** The members `compile` calls, checked once per handler: a Nest upgrade that changes them falls back. */
function understands(self: Internals): boolean {
  return (
    typeof self.getMetadata === 'function' &&
    typeof self.reflectCallbackPattern === 'function' &&
    typeof self.wsProxy?.handleError === 'function' &&
    typeof self.exceptionFiltersContext?.create === 'function' &&
    typeof self.pipesContextCreator?.create === 'function' &&
    typeof self.guardsContextCreator?.create === 'function' &&
    typeof self.interceptorsContextCreator?.create === 'function' &&
    typeof self.contextUtils?.mergeParamsMetatypes === 'function'
  );
}

/** A parameter's value, its pipes (the handler's, then its own) and their metadata, per handler. */
interface Param {
  index: number;
  extractValue: (...args: unknown[]) => unknown;
  pipes: PipeTransform[];
  metadata: ArgumentMetadata;
}

function compile(
  self: Internals,
  instance: object,
  callback: Handler,
  moduleKey: string,
  methodName: string,
  inquirerId: string | undefined,
): Handler {
  // In the order of Nest's create: each may set the pipes' module context for the next.
  const { argsLength, paramtypes, getParamsMetadata } = self.getMetadata(
    instance,
    methodName,
    'ws',
  );
  const context = [instance, callback, moduleKey, STATIC_CONTEXT, inquirerId];
  const exceptionHandler = self.exceptionFiltersContext.create(...context);
  const pipes = self.pipesContextCreator.create(...context);
  const guards = self.guardsContextCreator.create(...context);
  const paramsMetadata = getParamsMetadata(moduleKey);
  const params: Param[] = (
    paramsMetadata ? self.contextUtils.mergeParamsMetatypes(paramsMetadata, paramtypes) : []
  ).map((param) => ({
    index: param.index,
    extractValue: param.extractValue,
    pipes: oncePerParameter(pipes.concat(param.pipes)),
    // What PipesConsumer.apply passes each pipe.
    metadata: {
      metatype: param.metatype as ArgumentMetadata['metatype'],
      type: tokens.exchangeEnumForString(param.type as number),
      data: param.data,
      schema: param.schema,
    } as ArgumentMetadata,
  }));
  const pattern = self.reflectCallbackPattern(callback) ?? 'unknown';
  const type = instance.constructor;

  const fail = (args: unknown[], error: unknown): undefined => {
    self.wsProxy.handleError(exceptionHandler, args, error);
    return undefined;
  };
  /** The handler's result as WsProxy gives it: an Observable's errors go to the filters too. */
  const outcome = (args: unknown[], result: unknown): unknown =>
    isObservable(result)
      ? result.pipe(
          catchError((error: unknown) => {
            fail(args, error);
            return EMPTY;
          }),
        )
      : result;

  /** Runs guards from `from` on; undefined when each answered true at once. */
  const guard = (
    args: unknown[],
    from: number,
    host?: ExecutionContextHost,
  ): Promise<void> | void => {
    if (!host) {
      host = new ExecutionContextHost(args, type as never, callback);
      host.setType('ws');
    }
    for (let i = from; i < guards.length; i++) {
      const allowed = guards[i].canActivate(host);
      if (typeof allowed === 'boolean') {
        if (!allowed) throw new WsException(FORBIDDEN_MESSAGE);
        continue;
      }
      const context = host;
      return Promise.resolve(allowed)
        .then((value: unknown) => (isObservable(value) ? lastValueFrom(value) : value))
        .then((value) => {
          if (!value) throw new WsException(FORBIDDEN_MESSAGE);
          return guard(args, i + 1, context);
        });
    }
  };

  const invoke = (args: unknown[]): unknown => {
    if (params.length === 0) return callback.apply(instance, args);
    const values: unknown[] = new Array(argsLength).fill(undefined);
    let pending: Promise<void>[] | undefined;
    for (const param of params) {
      let value: unknown;
      try {
        value = applyPipes(param.extractValue(...args), param.pipes, param.metadata, 0);
      } catch (error) {
        // As in Nest's (an async function per parameter): the others are still resolved, their
        // failures handled, and the handler is not called. What was thrown is passed on as it was.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        value = Promise.reject(error);
      }
      if (isThenable(value)) {
        (pending ??= []).push(
          Promise.resolve(value).then((resolved) => {
            values[param.index] = resolved;
          }),
        );
      } else {
        values[param.index] = value;
      }
    }
    if (pending) return Promise.all(pending).then(() => callback.apply(instance, values));
    return callback.apply(instance, values);
  };

  return function dispatch(...args: unknown[]): Promise<unknown> {
    // As WsProxy: the pattern follows the client's arguments (client, data, ack).
    args.push(pattern);
    let result: unknown;
    try {
      const guarded = guards.length > 0 ? guard(args, 0) : undefined;
      result = guarded ? guarded.then(() => invoke(args)) : invoke(args);
    } catch (error) {
      return Promise.resolve(fail(args, error));
    }
    if (!isThenable(result)) return Promise.resolve(outcome(args, result));
    return Promise.resolve(result).then(
      (value) => outcome(args, value),
      (error: unknown) => fail(args, error),
    );
  };
}

/**
 * PipesConsumer.applyPipes without its awaits where nothing is pending: a thenable value (an
 * async custom decorator, a pipe's promise) is waited for before the next pipe.
 */
function applyPipes(
  value: unknown,
  pipes: PipeTransform[],
  metadata: ArgumentMetadata,
  from: number,
): unknown {
  for (let i = from; i < pipes.length; i++) {
    if (isThenable(value)) {
      return Promise.resolve(value).then((resolved) => applyPipes(resolved, pipes, metadata, i));
    }
    // A copy per call, as PipesConsumer makes: a pipe may change what it is given.
    value = pipes[i].transform(value, { ...metadata });
  }
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
