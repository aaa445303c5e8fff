import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type INestApplication,
  Module,
  type NestInterceptor,
  type PipeTransform,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { GuardsConsumer, PipesConsumer } from '@nestjs/core/internal';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { EMPTY, map, of, throwError, type Observable } from 'rxjs';
import type { Namespace, Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { DomainException } from '../common/errors/domain.exception.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppValidationPipe } from '../common/validation/validation.pipe.js';
import { WsExceptionFilter } from '../common/ws/ws-exception.filter.js';
import { AuthenticatedIoAdapter } from './authenticated-io.adapter.js';
import { installSharedHandlers } from './shared-handlers.js';
import { installWsDispatch } from './ws-dispatch.js';

// The same gateway, booted once with Nest's own per-event context and handlers bound per socket,
// and once with the dispatcher and shared handlers, must answer every event alike: guards of
// each kind (sync, promise, Observable, refusing, throwing, global), pipes sync and async, custom
// parameters sync and async, handlers that return, reject, throw or give an Observable, and
// interceptors (which keep Nest's context).

class ProbeDto {
  @IsString()
  text!: string;

  @IsOptional()
  @IsString()
  guard?: string;

  @IsOptional()
  @IsInt()
  n?: number;
}

const globalGuardCalls = { count: 0 };

@Injectable()
class GlobalGuard implements CanActivate {
  canActivate(): boolean {
    globalGuardCalls.count++;
    return true;
  }
}

/** Answers as `guard` in the payload asks. */
@Injectable()
class PayloadGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean | Promise<boolean> | Observable<boolean> {
    const ws = context.switchToWs();
    const data = ws.getData<{ guard?: string } | undefined>();
    // What a guard sees: the client, the payload and the event's name last.
    if (ws.getPattern() !== context.getArgs().at(-1)) return false;
    if (context.getType() !== 'ws' || context.getClass() !== ProbeGateway) return false;
    switch (data?.guard) {
      case 'deny':
        return false;
      case 'throw':
        throw new DomainException(ErrorCode.Forbidden, 'not you');
      case 'promise':
        return Promise.resolve(true);
      case 'promiseDeny':
        return Promise.resolve(false);
      case 'observable':
        return of(false, true);
      case 'observableDeny':
        return of(true, false);
      case 'one':
        return 1 as unknown as boolean;
      case 'nothing':
        return undefined as unknown as boolean;
      case 'empty':
        return EMPTY;
      case undefined:
      default:
        return true;
    }
  }
}

/** The socket's id, through a context of its own, as createParamDecorator gives one. */
const SocketId = createParamDecorator(
  (prefix: string, context: ExecutionContext) =>
    `${prefix}${context.switchToWs().getClient<Socket>().id}`,
);
/** A custom parameter whose factory answers with a promise: pipes get what it resolves to. */
const Later = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    new Promise<string>((resolve) =>
      setImmediate(() => resolve(context.switchToWs().getData<{ text: string }>().text)),
    ),
);

/** A custom parameter whose promise rejects, later than a synchronous failure after it. */
const LaterFailure = createParamDecorator(
  () =>
    new Promise<string>((_resolve, reject) =>
      setImmediate(() => reject(new DomainException(ErrorCode.NotFound, 'later'))),
    ),
);
/** Counts its evaluations: every parameter is resolved, even after another has failed. */
const evaluated = { count: 0 };
const Noted = createParamDecorator(() => ++evaluated.count);
class Refuse implements PipeTransform {
  transform(): never {
    throw new DomainException(ErrorCode.Conflict, 'refused at once');
  }
}

class AsyncUpper implements PipeTransform {
  transform(value: unknown): Promise<unknown> {
    return Promise.resolve(typeof value === 'string' ? value.toUpperCase() : value);
  }
}
class Exclaim implements PipeTransform {
  transform(value: unknown): unknown {
    return typeof value === 'string' ? `${value}!` : value;
  }
}

/** The app's filter, noting each call's host arguments. */
const filtered: unknown[][] = [];
class NotingFilter extends WsExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    filtered.push(host.getArgs());
    super.catch(exception, host);
  }
}

class Wrap implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value })));
  }
}

@WebSocketGateway({ namespace: '/probe' })
@UseGuards(PayloadGuard)
@UsePipes(AppValidationPipe)
@UseFilters(NotingFilter)
class ProbeGateway {
  @WebSocketServer()
  server!: Namespace;

  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() socket: Socket): object {
    return { id: socket.id };
  }

  @SubscribeMessage('echo')
  echo(
    @MessageBody() dto: ProbeDto,
    @ConnectedSocket() socket: Socket,
    @SocketId('id:') id: string,
  ): object {
    return { ...dto, made: dto instanceof ProbeDto, sameSocket: id === `id:${socket.id}` };
  }

  @SubscribeMessage('asyncParams')
  asyncParams(
    @Later(null, Exclaim) later: string,
    @MessageBody('text', AsyncUpper, Exclaim) text: string,
  ): object {
    return { later, text };
  }

  @SubscribeMessage('twoFailures')
  // Nest resolves parameters last first: the later failure, the immediate one, then the count.
  twoFailures(
    @Noted() noted: number,
    @MessageBody(Refuse) body: unknown,
    @LaterFailure() later: string,
  ): object {
    return { later, body, noted };
  }

  @SubscribeMessage('manual')
  manual(@Ack() ack: (answer: unknown) => void, @MessageBody() dto: ProbeDto): void {
    ack({ ok: true, data: { manual: dto.text } });
  }

  @SubscribeMessage('bare')
  bare(...args: unknown[]): object {
    return { count: args.length, data: args[1], ackIsLast: typeof args.at(-1) === 'function' };
  }

  @SubscribeMessage('throws')
  throws(): never {
    throw new DomainException(ErrorCode.Conflict, 'taken');
  }

  @SubscribeMessage('rejects')
  async rejects(): Promise<never> {
    await Promise.resolve();
    throw new DomainException(ErrorCode.NotFound, 'gone');
  }

  @SubscribeMessage('observable')
  observable(): Observable<object> {
    return of({ first: true }, { first: false });
  }

  @SubscribeMessage('observableError')
  observableError(): Observable<never> {
    return throwError(() => new DomainException(ErrorCode.NotFound, 'none'));
  }

  @SubscribeMessage('intercepted')
  @UseInterceptors(Wrap)
  intercepted(@MessageBody() dto: ProbeDto): object {
    return { text: dto.text };
  }
}

@Module({ providers: [ProbeGateway, { provide: APP_GUARD, useClass: GlobalGuard }] })
class ProbeModule {}

/** With `shared: false`, an adapter without bindSharedHandlers: Nest binds handlers per socket. */
async function boot({
  shared,
}: {
  shared: boolean;
}): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(ProbeModule, { logger: false });
  app.useGlobalPipes(new AppValidationPipe());
  const adapter = new AuthenticatedIoAdapter(app, { middlewares: [], serverOptions: {} });
  // What installSharedHandlers asks of an adapter, hidden: it leaves this one to Nest's own way.
  if (!shared) Object.defineProperty(adapter, 'bindSharedHandlers', { value: undefined });
  app.useWebSocketAdapter(adapter);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

function connect(url: string): Promise<ClientSocket> {
  const socket = io(`${url.replace('[::1]', '127.0.0.1')}/probe`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const emit = (socket: ClientSocket, event: string, payload?: unknown): Promise<unknown> =>
  socket.timeout(5000).emitWithAck(event, payload);

const CASES: [string, string, unknown][] = [
  ['a valid DTO, the socket and a custom parameter', 'echo', { text: 'hi', n: 2 }],
  ['an invalid DTO', 'echo', { text: 5 }],
  ['an unknown field', 'echo', { text: 'hi', admin: true }],
  ['a guard that answers with a promise', 'echo', { text: 'p', guard: 'promise' }],
  ['a guard whose promise refuses', 'echo', { text: 'p', guard: 'promiseDeny' }],
  ['a guard whose Observable ends true', 'echo', { text: 'o', guard: 'observable' }],
  ['a guard whose Observable ends false', 'echo', { text: 'o', guard: 'observableDeny' }],
  ['a guard that refuses', 'echo', { text: 'd', guard: 'deny' }],
  ['a guard that answers 1', 'echo', { text: '1', guard: 'one' }],
  ['a guard that answers undefined', 'echo', { text: 'u', guard: 'nothing' }],
  ['a guard whose Observable ends empty', 'echo', { text: 'e', guard: 'empty' }],
  [
    'a parameter failing at once between one failing later and one that does not fail',
    'twoFailures',
    { text: 'f' },
  ],
  ['a handler that acknowledges by hand', 'manual', { text: 'm' }],
  ['a guard that throws', 'echo', { text: 't', guard: 'throw' }],
  ['async custom parameters and pipes', 'asyncParams', { text: 'abc' }],
  ['a handler without parameter decorators', 'bare', { x: 1 }],
  ['a handler that throws', 'throws', {}],
  ['a handler that rejects', 'rejects', {}],
  ['a handler that gives an Observable', 'observable', {}],
  ['a handler whose Observable errs', 'observableError', {}],
  ['a handler behind an interceptor', 'intercepted', { text: 'i' }],
  ['an interceptor handler with a bad payload', 'intercepted', { text: 1 }],
];

const EXPECTED: Record<string, unknown> = {
  'a valid DTO, the socket and a custom parameter': {
    ok: true,
    data: { text: 'hi', n: 2, made: true, sameSocket: true },
  },
  'a guard that refuses': {
    ok: false,
    error: { code: 'INTERNAL', message: expect.any(String) },
  },
  'a guard that throws': { ok: false, error: { code: 'FORBIDDEN', message: 'not you' } },
  'a guard that answers 1': { ok: true, data: expect.objectContaining({ text: '1' }) },
  'a guard that answers undefined': {
    ok: false,
    error: { code: 'INTERNAL', message: expect.any(String) },
  },
  'a parameter failing at once between one failing later and one that does not fail': {
    ok: false,
    error: { code: 'CONFLICT', message: 'refused at once' },
  },
  'a handler that acknowledges by hand': { ok: true, data: { manual: 'm' } },
  'async custom parameters and pipes': { ok: true, data: { later: 'abc!', text: 'ABC!' } },
  'a handler without parameter decorators': {
    ok: true,
    // Nest's default parameters: the client, the payload, and the acknowledgement.
    data: { count: 3, data: { x: 1 }, ackIsLast: true },
  },
  'a handler that throws': { ok: false, error: { code: 'CONFLICT', message: 'taken' } },
  'a handler that rejects': { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } },
  'a handler that gives an Observable': { ok: true, data: { first: true } },
  'a handler whose Observable errs': { ok: false, error: { code: 'NOT_FOUND', message: 'none' } },
  'a handler behind an interceptor': { ok: true, data: { wrapped: { text: 'i' } } },
};

describe('installWsDispatch and installSharedHandlers', () => {
  let nest: { app: INestApplication; url: string };
  let fast: { app: INestApplication; url: string };
  let nestSocket: ClientSocket;
  let fastSocket: ClientSocket;

  beforeAll(async () => {
    // Handlers get their per-event context when the gateway is bound: this app keeps Nest's.
    nest = await boot({ shared: false });
    installWsDispatch();
    installWsDispatch(); // idempotent
    installSharedHandlers();
    installSharedHandlers();
    fast = await boot({ shared: true });
    [nestSocket, fastSocket] = await Promise.all([connect(nest.url), connect(fast.url)]);
  });
  afterAll(async () => {
    nestSocket?.disconnect();
    fastSocket?.disconnect();
    await nest?.app.close();
    await fast?.app.close();
  });

  it.each(CASES)('answers %s as Nest does', async (name, event, payload) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      filtered.length = 0;
      evaluated.count = 0;
      const viaNest = await emit(nestSocket, event, payload);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const nestFiltered = filtered.splice(0);
      const nestEvaluated = evaluated.count;
      const viaDispatch = await emit(fastSocket, event, payload);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const fastFiltered = filtered.splice(0);
      expect(viaDispatch).toEqual(viaNest);
      if (name in EXPECTED) expect(viaDispatch).toEqual(EXPECTED[name]);
      // A failure reaches the filter once, with the client's arguments and the event's name.
      const failed = (viaDispatch as { ok: boolean }).ok ? 0 : 1;
      expect([nestFiltered.length, fastFiltered.length]).toEqual([failed, failed]);
      for (const args of [...nestFiltered, ...fastFiltered]) {
        expect(args).toHaveLength(4);
        expect(args[1]).toEqual(payload);
        expect(typeof args[2]).toBe('function');
        expect(args[3]).toBe(event);
      }
      expect(evaluated.count).toBe(2 * nestEvaluated);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('answers validation failures, refusals by promise and by Observable as Nest does', async () => {
    const refused = await emit(fastSocket, 'echo', { text: 'x', guard: 'observableDeny' });
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'INTERNAL' }) });
    const invalid = (await emit(fastSocket, 'echo', { text: 5 })) as { error: { code: string } };
    expect(invalid.error.code).toBe('VALIDATION_FAILED');
  });

  it('runs the validation pipe once per parameter, though Nest lists it as global and as the gateway’s', async () => {
    const transform = jest.spyOn(AppValidationPipe.prototype, 'transform');
    const onPayload = () =>
      transform.mock.calls.filter(([, metadata]) => metadata.metatype === ProbeDto).length;
    try {
      await emit(fastSocket, 'echo', { text: 'once' });
      expect(onPayload()).toBe(1);
      transform.mockClear();
      await emit(nestSocket, 'echo', { text: 'twice' });
      expect(onPayload()).toBe(2);
    } finally {
      transform.mockRestore();
    }
  });

  it('runs global guards too', async () => {
    const before = globalGuardCalls.count;
    await emit(fastSocket, 'echo', { text: 'g' });
    expect(globalGuardCalls.count).toBe(before + 1);
  });

  it("skips Nest's per-event consumers, except behind an interceptor", async () => {
    const guards = jest.spyOn(GuardsConsumer.prototype, 'tryActivate');
    const pipes = jest.spyOn(PipesConsumer.prototype, 'apply');
    try {
      await emit(fastSocket, 'echo', { text: 'a' });
      expect(guards).not.toHaveBeenCalled();
      expect(pipes).not.toHaveBeenCalled();
      await emit(nestSocket, 'echo', { text: 'a' });
      expect(guards).toHaveBeenCalledTimes(1);
      await emit(fastSocket, 'intercepted', { text: 'a' });
      expect(guards).toHaveBeenCalledTimes(2);
    } finally {
      guards.mockRestore();
      pipes.mockRestore();
    }
  });

  it('listens on every socket with one function per handler, and hands each its own socket', async () => {
    const others = await Promise.all([connect(fast.url), connect(nest.url)]);
    try {
      for (const socket of [fastSocket, others[0]])
        expect(await emit(socket, 'whoami')).toEqual({ ok: true, data: { id: socket.id } });
      const listenersOf = (app: INestApplication) =>
        [...app.get(ProbeGateway).server.sockets.values()].map((s) => s.listeners('echo'));
      const [first, second] = listenersOf(fast.app);
      expect(first).toHaveLength(1);
      expect(second).toEqual(first);
      // Nest's own way, with an adapter that cannot share them: a function per socket.
      const [one, two] = listenersOf(nest.app);
      expect(one).toHaveLength(1);
      expect(two[0]).not.toBe(one[0]);
    } finally {
      for (const socket of others) socket.disconnect();
    }
  });
});
