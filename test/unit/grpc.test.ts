import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { grpcMethod, isGrpcProblem, type GrpcMethod, type GrpcSpec } from '../../src/scenario/grpc-method.js';
import { fillRequest } from '../../src/scenario/grpc-request.js';
import { loadScenario, ScenarioError } from '../../src/scenario/load.js';
import { codeName, grpcOutcome } from '../../src/workload/grpc-status.js';
import { tempFiles } from '../helpers/files.js';

const PROTO = `syntax = "proto3";
package shop;
import "common.proto";

service Orders {
  rpc Place (Order) returns (Receipt);
  rpc Watch (Order) returns (stream Receipt);
  rpc Upload (stream Order) returns (Receipt);
  rpc Chat (stream Order) returns (stream Receipt);
}

enum Priority { LOW = 0; HIGH = 1; }

message Order {
  uint64 id = 1;
  string note = 2;
  repeated int32 items = 3;
  Priority priority = 4;
  common.Address address = 5;
  map<string, string> tags = 6;
  bool gift = 7;
  message Line { string sku = 1; }
  repeated Line lines = 8;
}

message Receipt { string id = 1; }
`;
const COMMON = `syntax = "proto3";
package common;
message Address { string street = 1; uint32 number = 2; }
`;

const spec = (over: Partial<GrpcSpec>): GrpcSpec => ({
  proto: 'shop.proto',
  include: [],
  method: 'shop.Orders/Place',
  request: {},
  rate: 20,
  concurrency: 4,
  count: 1,
  timeout: 10_000,
  ...over,
});

function scenario(grpc: string): string {
  return `target:
  process: { command: [node, server.js] }
  ready: { log: listening }
workload:
  grpc:
${grpc}
`;
}

async function problems(files: Record<string, string>) {
  const dir = tempFiles(files);
  try {
    await loadScenario(join(dir, 'scenario.yml'));
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems.map((p) => ({ line: p.line, keyPath: p.keyPath, message: p.message }));
  }
  throw new Error('expected the scenario to be rejected');
}

describe('gRPC status → outcome (what grpc-js reported against a real server, see grpc-status.ts)', () => {
  it.each([
    ['OK', status.OK, 'OK', 0, 'ok'],
    ['OK, a stream the server ended', status.OK, 'OK', 12, 'ok'],
    ['refused: nothing listening', status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:4000. Resolution note: ', 0, 'refused'],
    ['refused through a published container port', status.UNAVAILABLE, 'No connection established. Last error: Failed to connect (2026-01-01T00:00:00.000Z). Resolution note: ', 0, 'refused'],
    ['forceShutdown, unary', status.CANCELLED, 'Call cancelled', 0, 'reset'],
    ['forceShutdown, a stream with messages', status.CANCELLED, 'Call cancelled', 4, 'truncated'],
    ['the server killed, unary', status.UNAVAILABLE, 'read ECONNRESET', 0, 'reset'],
    ['the server killed, a stream', status.UNAVAILABLE, 'Connection dropped', 3, 'truncated'],
    ['GOAWAY, retried, refused again', status.UNAVAILABLE, 'Stream refused by server', 0, 'reset'],
    ['RST_STREAM without trailers', status.INTERNAL, 'Received RST_STREAM with code 2 (Internal server error)', 0, 'reset'],
    ['deadline', status.DEADLINE_EXCEEDED, 'Deadline exceeded after 2.001s,remote_addr=127.0.0.1:4000', 0, 'timeout'],
    ['deadline, a stream with messages', status.DEADLINE_EXCEEDED, 'Deadline exceeded after 2.001s', 2, 'truncated'],
    ['a handler error', status.UNKNOWN, 'boom', 0, 'rpc-error'],
    ['INTERNAL from a handler', status.INTERNAL, 'database gone', 0, 'rpc-error'],
    ['the server says it is draining', status.UNAVAILABLE, 'draining', 0, 'rpc-error'],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED, 'queue full', 0, 'rpc-error'],
    ['UNIMPLEMENTED', status.UNIMPLEMENTED, 'The server does not implement the method /shop.Orders/Nope', 0, 'rpc-error'],
  ])('%s', (_, code, details, messages, outcome) => {
    expect(grpcOutcome(code, details, messages)).toBe(outcome);
  });

  it('names codes as grpc-js does', () => {
    expect([codeName(0), codeName(1), codeName(14), codeName(99)]).toEqual(['OK', 'CANCELLED', 'UNAVAILABLE', '99']);
  });
});

describe('gRPC request filling', () => {
  it('a string that is exactly "{id}" becomes the number, inside a longer one it is text', () => {
    const template = { id: '{id}', note: 'order {id} of {id}', items: ['{id}', 2], address: { street: 'Main', number: '{id}' }, gift: true };
    expect(fillRequest(template, 7)).toEqual({ id: 7, note: 'order 7 of 7', items: [7, 2], address: { street: 'Main', number: 7 }, gift: true });
    expect(template.id).toBe('{id}'); // the template is left alone
  });

  it('the number encodes into numeric and string fields alike', () => {
    const dir = tempFiles({ 'shop.proto': PROTO, 'common.proto': COMMON });
    const method = grpcMethod(spec({}), dir) as GrpcMethod;
    const { requestSerialize: encode, requestDeserialize: decode } = method.definition;
    const order = decode(encode(fillRequest({ id: '{id}', note: '{id}', items: ['{id}'], address: { number: '{id}' } }, 42) as object)) as Record<string, unknown>;
    expect(String(order.id)).toBe('42'); // uint64: a Long
    expect(order.note).toBe('42');
    expect(order.items).toEqual([42]);
    expect(order.address).toEqual({ number: 42 });
  });

  it('finds the method with its path and kind, through imports', () => {
    const dir = tempFiles({ 'shop.proto': PROTO, 'common.proto': COMMON });
    expect(grpcMethod(spec({}), dir)).toMatchObject({ path: '/shop.Orders/Place', streaming: false });
    expect(grpcMethod(spec({ method: 'shop.Orders/Watch' }), dir)).toMatchObject({ path: '/shop.Orders/Watch', streaming: true });
    expect(isGrpcProblem(grpcMethod(spec({ method: 'shop.Orders/Upload' }), dir))).toBe(true);
  });
});

describe('gRPC load-time checks: exit 2 at the key path', () => {
  const files = (grpc: string, extra: Record<string, string> = {}) => ({
    'scenario.yml': scenario(grpc),
    'shop.proto': PROTO,
    'common.proto': COMMON,
    ...extra,
  });

  it('a proto that cannot be read names the error (ENOENT)', async () => {
    expect(await problems(files('    - { proto: missing.proto, method: shop.Orders/Place }'))).toEqual([
      { line: 6, keyPath: 'workload.grpc[0].proto', message: expect.stringMatching(/^cannot load missing\.proto: ENOENT: no such file or directory, open '.*missing\.proto'$/) },
    ]);
  });

  it('a proto that does not parse names the line of the parse error', async () => {
    const broken = PROTO.replace('rpc Place (Order) returns (Receipt);', 'rpc Place (Order) returns (Receipt)');
    expect(await problems(files('    - { proto: shop.proto, method: shop.Orders/Place }', { 'shop.proto': broken }))).toEqual([
      { line: 6, keyPath: 'workload.grpc[0].proto', message: "cannot load shop.proto: illegal token 'rpc', ';' expected (line 7)" },
    ]);
  });

  it('an import not found is named', async () => {
    const found = await problems({ 'scenario.yml': scenario('    - { proto: shop.proto, method: shop.Orders/Place }'), 'shop.proto': PROTO });
    expect(found).toEqual([{ line: 6, keyPath: 'workload.grpc[0].proto', message: expect.stringMatching(/^cannot load shop\.proto: ENOENT: .*common\.proto'$/) }]);
  });

  it('a method the proto lacks lists the methods it has', async () => {
    expect(await problems(files('    - proto: shop.proto\n      method: shop.Orders/Plaec'))).toEqual([
      {
        line: 7,
        keyPath: 'workload.grpc[0].method',
        message: 'shop.proto has no method shop.Orders/Plaec; it has: shop.Orders/Place, shop.Orders/Watch, shop.Orders/Upload, shop.Orders/Chat',
      },
    ]);
  });

  it('client-streaming and bidirectional methods are refused, saying so', async () => {
    const found = await problems(files('    - { proto: shop.proto, method: shop.Orders/Upload }\n    - { proto: shop.proto, method: shop.Orders/Chat }'));
    expect(found).toEqual([
      { line: 6, keyPath: 'workload.grpc[0].method', message: 'shop.Orders/Upload is client-streaming: not supported (unary and server-streaming methods are)' },
      { line: 7, keyPath: 'workload.grpc[1].method', message: 'shop.Orders/Chat is bidirectional-streaming: not supported (unary and server-streaming methods are)' },
    ]);
  });

  it('a request protobuf.js would silently get wrong is a problem at its field', async () => {
    const request = [
      '      request:',
      '        id: "{id}"',
      '        nots: hello',
      '        items: 3',
      '        priority: URGENT',
      '        gift: "yes"',
      '        address: { number: five }',
      '        lines: [{ sku: a }, { skew: b }]',
    ].join('\n');
    const found = await problems(files(`    - proto: shop.proto\n      method: shop.Orders/Place\n${request}`));
    expect(found).toEqual([
      { line: 10, keyPath: 'workload.grpc[0].request.nots', message: 'Order has no field nots; it has: id, note, items, priority, address, tags, gift, lines' },
      { line: 11, keyPath: 'workload.grpc[0].request.items', message: 'expected a list for items (repeated int32)' },
      { line: 12, keyPath: 'workload.grpc[0].request.priority', message: 'expected one of LOW, HIGH (or its number) for priority (shop.Priority)' },
      { line: 13, keyPath: 'workload.grpc[0].request.gift', message: 'expected true or false for gift (bool)' },
      { line: 14, keyPath: 'workload.grpc[0].request.address.number', message: 'expected a number for number (uint32)' },
      { line: 15, keyPath: 'workload.grpc[0].request.lines[1].skew', message: 'Line has no field skew; it has: sku' },
    ]);
  });

  it('a well-formed request loads, maps and enum names included', async () => {
    const dir = tempFiles(
      files('    - proto: shop.proto\n      method: shop.Orders/Watch\n      request: { id: "{id}", note: "n-{id}", items: [1, "{id}"], priority: HIGH, tags: { any: thing }, address: { street: x }, lines: [{ sku: "{id}" }] }'),
    );
    const s = await loadScenario(join(dir, 'scenario.yml'));
    expect(s.workload.grpc[0]).toMatchObject({ proto: 'shop.proto', method: 'shop.Orders/Watch', count: 1 });
  });

});
