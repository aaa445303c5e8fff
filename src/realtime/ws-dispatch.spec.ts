import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
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
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { map, of, throwError, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { DomainException } from '../common/errors/domain.exception.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { AppValidationPipe } from '../common/validation/validation.pipe.js';
import { WsExceptionFilter } from '../common/ws/ws-exception.filter.js';
import { AuthenticatedIoAdapter } from './authenticated-io.adapter.js';
import { installWsDispatch } from './ws-dispatch.js';

// The same gateway, booted once with Nest's own per-event context and once with the dispatcher,
// must answer every event alike: guards of each kind (sync, promise, Observable, refusing,
// throwing, global), pipes sync and async, custom parameters sync and async, handlers that
// return, reject, throw or give an Observable, and interceptors (which keep Nest's context).

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

class Wrap implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value: unknown) => ({ wrapped: value })));
  }
}

@WebSocketGateway({ namespace: '/probe' })
@UseGuards(PayloadGuard)
@UsePipes(AppValidationPipe)
@UseFilters(WsExceptionFilter)
class ProbeGateway {
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

async function boot(): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(ProbeModule, { logger: false });
  app.useGlobalPipes(new AppValidationPipe());
  app.useWebSocketAdapter(new AuthenticatedIoAdapter(app, { middlewares: [], serverOptions: {} }));
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

describe('installWsDispatch', () => {
  let nest: { app: INestApplication; url: string };
  let fast: { app: INestApplication; url: string };
  let nestSocket: ClientSocket;
  let fastSocket: ClientSocket;

  beforeAll(async () => {
    // Handlers get their per-event context when the gateway is bound: this app keeps Nest's.
    nest = await boot();
    installWsDispatch();
    installWsDispatch(); // idempotent
    fast = await boot();
    [nestSocket, fastSocket] = await Promise.all([connect(nest.url), connect(fast.url)]);
  });
  afterAll(async () => {
    nestSocket?.disconnect();
    fastSocket?.disconnect();
    await nest?.app.close();
    await fast?.app.close();
  });

  it.each(CASES)('answers %s as Nest does', async (name, event, payload) => {
    const [viaNest, viaDispatch] = [
      await emit(nestSocket, event, payload),
      await emit(fastSocket, event, payload),
    ];
    expect(viaDispatch).toEqual(viaNest);
    if (name in EXPECTED) expect(viaDispatch).toEqual(EXPECTED[name]);
  });

  it('answers validation failures, refusals by promise and by Observable as Nest does', async () => {
    const refused = await emit(fastSocket, 'echo', { text: 'x', guard: 'observableDeny' });
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'INTERNAL' }) });
    const invalid = (await emit(fastSocket, 'echo', { text: 5 })) as { error: { code: string } };
    expect(invalid.error.code).toBe('VALIDATION_FAILED');
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
});
