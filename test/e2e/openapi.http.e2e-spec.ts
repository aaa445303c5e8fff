import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/create-test-app.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
interface Response {
  content?: Record<string, { schema?: { $ref?: string } }>;
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, Response>;
}
interface Schema {
  required?: string[];
  properties?: Record<string, { oneOf?: { type?: string }[] }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const ERROR = '#/components/schemas/ErrorResponse';

// What a client generated from /docs-json relies on, for every route at once.
describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  let operations: [string, Operation][];

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await request(t.url).get('/docs-json').expect(200)).body as Document;
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]): [string, Operation] => [
          `${method} ${path}`,
          op,
        ]),
      );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('documents the error body of every /api route', () => {
    const undocumented = operations
      .filter(
        ([, op]) =>
          !Object.values(op.responses).some(
            (r) => r.content?.['application/json']?.schema?.$ref === ERROR,
          ),
      )
      .map(([name]) => name);
    expect(undocumented).toEqual([]);
  });

  it('gives every successful answer a schema', () => {
    const bare = operations.flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status, r]) => status.startsWith('2') && status !== '204' && !r.content)
        .map(([status]) => `${name} ${status}`),
    );
    expect(bare).toEqual([]);
  });

  it('names each header once, and requires no Idempotency-Key', () => {
    for (const [name, op] of operations) {
      const headers = (op.parameters ?? []).filter((p) => p.in === 'header');
      const names = headers.map((p) => p.name.toLowerCase());
      expect([name, new Set(names).size]).toEqual([name, names.length]);
      const key = headers.find((p) => p.name.toLowerCase() === 'idempotency-key');
      expect([name, key?.required ?? false]).toEqual([name, false]);
    }
  });

  it('requires nextCursor (null at the end) in every page', () => {
    const pages = Object.entries(doc.components.schemas).filter(([name]) =>
      name.endsWith('PageResponse'),
    );
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const [name, schema] of pages)
      expect([name, schema.required]).toEqual([
        name,
        expect.arrayContaining(['items', 'hasMore', 'nextCursor']),
      ]);
  });

  it("describes an error's details as the contract's list of fields, or an object", () => {
    const details = doc.components.schemas.ErrorResponse.properties?.details;
    expect(details?.oneOf?.map((s) => s.type)).toEqual(['array', 'object']);
  });

  it("documents a file link's exp and sig", () => {
    const download = doc.paths['/api/files/{id}'].get;
    const query = (download.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query.sort()).toEqual(['exp', 'sig']);
  });
});
