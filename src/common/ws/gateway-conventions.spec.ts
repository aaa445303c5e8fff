import { describe, expect, it } from '@jest/globals';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants';
import { GATEWAY_METADATA } from '@nestjs/websockets/constants';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AppValidationPipe } from '../validation/validation.pipe.js';
import { WsExceptionFilter } from './ws-exception.filter.js';
import { WsJwtGuard } from './ws-jwt.guard.js';

// Each gateway class carries its guard, pipe and filter itself (through @RealtimeGateway), as
// STYLE.md asks: Nest applies no global filter to gateways (Nest 12 does apply global pipes and
// guards; the validation pipe passes on the DTO it already made). This fails for any that does not.
const srcDir = join(import.meta.dirname, '..', '..');

function gatewayFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return gatewayFiles(path);
    return entry.name.endsWith('.gateway.ts') ? [path] : [];
  });
}

const files = gatewayFiles(srcDir);

describe('every gateway carries the socket conventions', () => {
  it('finds the gateways of all five namespaces', () => {
    expect(files.map((f) => relative(srcDir, f)).sort()).toEqual(
      expect.arrayContaining([
        'modules/chat/chat.gateway.ts',
        'modules/disputes/disputes.gateway.ts',
        'modules/notifications/notifications.gateway.ts',
        'modules/orders/orders.gateway.ts',
        'modules/presence/presence.gateway.ts',
      ]),
    );
  });

  it.each(files.map((f) => [relative(srcDir, f), f]))('%s', async (_name, file) => {
    const exports = Object.values((await import(file)) as Record<string, unknown>);
    const gateways = exports.filter(
      (value): value is object =>
        typeof value === 'function' && Reflect.getMetadata(GATEWAY_METADATA, value) === true,
    );
    expect(gateways.length).toBeGreaterThan(0);
    for (const gateway of gateways) {
      expect(Reflect.getMetadata(GUARDS_METADATA, gateway)).toContain(WsJwtGuard);
      expect(Reflect.getMetadata(PIPES_METADATA, gateway)).toContain(AppValidationPipe);
      expect(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, gateway)).toContain(WsExceptionFilter);
    }
  });
});
