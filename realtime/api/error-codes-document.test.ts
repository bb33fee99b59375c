import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { expect, it } from 'vitest';
import { completeDocument, documentInfo } from './openapi-document';
import { errorResponses } from './schemas';

it('an operation that names its error codes lists them under their status, still referring to the shared answer', () => {
  const api = new OpenAPIHono().basePath('/api/v1');
  const route = createRoute({
    method: 'post',
    path: '/rooms/{id}/offers',
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: { description: 'ok', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } },
      ...errorResponses(400, 'ROUND_CLOSED', 'INSUFFICIENT_FUNDS', 404),
    },
  });
  api.openapi(route, (c) => c.json({ ok: true }, 200));
  const op = (completeDocument(api.getOpenAPI31Document(documentInfo())) as any).paths['/api/v1/rooms/{id}/offers'].post;
  expect(op.responses['409']).toEqual({ $ref: '#/components/responses/Conflict', description: expect.stringMatching(/ROUND_CLOSED, INSUFFICIENT_FUNDS$/) });
  expect(op.responses['400']).toEqual({ $ref: '#/components/responses/ValidationError' });
  expect(op.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
});
