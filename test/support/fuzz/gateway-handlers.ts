import type { INestApplication, Type } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  PARAM_ARGS_METADATA,
} from '@nestjs/websockets/constants.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { GatewayMetadataExplorer } from '@nestjs/websockets/gateway-metadata-explorer.js';
import { getMetadataStorage } from 'class-validator';
import { BARE_VALUE_KEY } from '../../../src/common/validation/bare-value.decorator.js';
import { ValidateAs } from '../../../src/common/validation/validate-as.pipe.js';

export type FieldKind =
  'string' | 'uuid' | 'enum' | 'emoji' | 'int' | 'boolean' | 'array' | 'object';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Absent (or, for most, null) is valid. */
  optional: boolean;
  /** isIn values. */
  allowed?: readonly unknown[];
  /** For arrays: what each element must be. */
  element?: FieldKind;
}

export interface HandlerSpec {
  namespace: string;
  event: string;
  gateway: string;
  /** The payload class the handler validates, if it takes a payload. */
  dto?: Type;
  fields: FieldSpec[];
  /** The field a bare string payload stands for (joinChat's chatId). */
  bareKey?: string;
}

/**
 * Every @SubscribeMessage handler of every gateway in the running app, found the way Nest binds
 * them (GatewayMetadataExplorer), with the fields of its payload class: a new handler or field
 * is fuzzed without touching the fuzz suite.
 */
export function discoverHandlers(app: INestApplication): HandlerSpec[] {
  const explorer = new GatewayMetadataExplorer(new MetadataScanner());
  const seen = new Set<unknown>();
  const handlers: HandlerSpec[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const { metatype, instance } = wrapper as { metatype?: unknown; instance?: unknown };
      if (typeof metatype !== 'function' || !instance || seen.has(metatype)) continue;
      if (Reflect.getMetadata(GATEWAY_METADATA, metatype) !== true) continue;
      seen.add(metatype);
      const options = (Reflect.getMetadata(GATEWAY_OPTIONS, metatype) ?? {}) as {
        namespace?: string;
      };
      for (const { message, methodName } of explorer.explore(instance)) {
        const dto = payloadClass(instance, methodName);
        const bareKey: unknown = dto && Reflect.getMetadata(BARE_VALUE_KEY, dto);
        handlers.push({
          namespace: options.namespace ?? '/',
          event: String(message),
          gateway: metatype.name,
          dto,
          fields: dto ? fieldsOf(dto) : [],
          bareKey: typeof bareKey === 'string' ? bareKey : undefined,
        });
      }
    }
  }
  return handlers;
}

const PRIMITIVES = new Set<unknown>([Object, String, Number, Boolean, Array, Function, undefined]);

function payloadClass(instance: object, methodName: string): Type | undefined {
  const args = (Reflect.getMetadata(PARAM_ARGS_METADATA, instance.constructor, methodName) ??
    {}) as Record<string, { index: number; pipes?: unknown[] }>;
  const key = Object.keys(args).find((k) => k.split(':')[0] === String(WsParamtype.PAYLOAD));
  if (!key) return undefined;
  const { index, pipes = [] } = args[key];
  const declared = pipes.find((pipe): pipe is ValidateAs => pipe instanceof ValidateAs);
  if (declared) return declared.type;
  const paramTypes = (Reflect.getMetadata('design:paramtypes', instance, methodName) ??
    []) as unknown[];
  const type = paramTypes[index];
  return PRIMITIVES.has(type) ? undefined : (type as Type);
}

const KIND_BY_RULE: Record<string, FieldKind> = {
  isUuid: 'uuid',
  isIn: 'enum',
  isSingleEmoji: 'emoji',
  isInt: 'int',
  isBoolean: 'boolean',
  isObject: 'object',
  isString: 'string',
};

function fieldsOf(dto: Type): FieldSpec[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const names = [...new Set(metas.map((m) => m.propertyName))];
  return names.map((name) => {
    const own = metas.filter((m) => m.propertyName === name);
    const rules = own.filter((m) => !m.each).map((m) => m.name ?? '');
    const eachRules = own.filter((m) => m.each).map((m) => m.name ?? '');
    const kindOf = (list: string[]): FieldKind | undefined =>
      Object.entries(KIND_BY_RULE).find(([rule]) => list.includes(rule))?.[1];
    const isArray = rules.includes('isArray');
    const spec: FieldSpec = {
      name,
      kind: isArray ? 'array' : (kindOf(rules) ?? 'string'),
      optional: own.some((m) => m.type === 'conditionalValidation'),
      element: isArray ? (kindOf(eachRules) ?? 'string') : undefined,
    };
    const isIn = own.find((m) => m.name === 'isIn');
    if (isIn) spec.allowed = (isIn.constraints as unknown[][])[0];
    return spec;
  });
}
