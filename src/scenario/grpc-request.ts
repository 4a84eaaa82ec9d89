import type { MessageTypeDefinition, PackageDefinition } from '@grpc/proto-loader';
import type { KeyPath } from '../input/key-path.js';

// The request message a scenario writes for a gRPC method: filled per operation, and checked against its type
// when the scenario loads, since protobuf.js encodes whatever it is given without a word.

/**
 * The request of operation `id`: a string that is exactly "{id}" becomes the id as a number (protobuf.js makes it
 * text for a string field, a number for any numeric one); "{id}" inside a longer string is replaced as text.
 */
export function fillRequest(template: unknown, id: number): unknown {
  if (template === '{id}') return id;
  if (typeof template === 'string') return template.replaceAll('{id}', String(id));
  if (Array.isArray(template)) return template.map((v) => fillRequest(v, id));
  if (isObject(template)) return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fillRequest(v, id)]));
  return template;
}

/**
 * What protobuf.js would silently get wrong in a request, each at its key path under `request`: a field the message
 * does not have (dropped), text that is no number for a numeric field (sent as 0), an enum name it does not know
 * (dropped), a scalar where a list or a message goes (a throw at every call).
 */
export function requestProblems(
  type: MessageTypeDefinition<object, object>,
  request: Record<string, unknown>,
  definitions: PackageDefinition,
): { at: KeyPath; message: string }[] {
  const index = typeIndex(definitions);
  const problems: { at: KeyPath; message: string }[] = [];
  const walk = (value: Record<string, unknown>, name: string, message: MessageDescriptor, at: KeyPath) => {
    for (const [key, v] of Object.entries(value)) {
      const field = message.field.find((f) => f.name === key);
      const fieldType = field?.typeName ? resolve(index, field.typeName, name) : undefined;
      if (!field) {
        const fields = message.field.map((f) => f.name).join(', ') || 'none';
        problems.push({ at: [...at, key], message: `${message.name} has no field ${key}; it has: ${fields}` });
      } else if (field.label === 'LABEL_REPEATED' && !isMap(fieldType)) {
        if (Array.isArray(v)) v.forEach((item, i) => check(field, fieldType, item, [...at, key, i]));
        else problems.push({ at: [...at, key], message: `expected a list for ${key} (repeated ${typeText(field, fieldType)})` });
      } else {
        check(field, fieldType, v, [...at, key]);
      }
    }
  };
  const check = (field: FieldDescriptor, fieldType: Named | undefined, value: unknown, at: KeyPath) => {
    const expected = expectation(field, fieldType, value);
    if (expected) problems.push({ at, message: `expected ${expected} for ${field.name} (${typeText(field, fieldType)})` });
    else if (fieldType && 'field' in fieldType.type && !isMap(fieldType)) {
      walk(value as Record<string, unknown>, fieldType.name, fieldType.type, at);
    }
  };
  // The request type's full name, the scope its fields' type names are written in: proto-loader gives the method
  // a copy of the descriptor, found again by its name and fields.
  const requestType = type.type as MessageDescriptor;
  const same = (t: MessageDescriptor | EnumDescriptor) => t.name === requestType.name && JSON.stringify(t) === JSON.stringify(requestType);
  const requestName = [...index].find(([, t]) => same(t))?.[0] ?? requestType.name;
  walk(request, requestName, requestType, []);
  if (problems.length === 0) {
    try {
      type.serialize(fillRequest(request, 0) as object);
    } catch (error) {
      problems.push({ at: [], message: `protobuf.js cannot encode it: ${(error as Error).message}` });
    }
  }
  return problems.map((p) => ({ ...p, at: ['request', ...p.at] }));
}

/** Why `value` does not fit `field`, or undefined when it does ("{id}" stands for a number). */
function expectation(field: FieldDescriptor, fieldType: Named | undefined, value: unknown): string | undefined {
  const filled = fillRequest(value, 0);
  switch (field.type) {
    case 'TYPE_MESSAGE':
    case 'TYPE_GROUP':
      return isObject(value) ? undefined : 'a mapping';
    case 'TYPE_ENUM': {
      const names = fieldType && 'value' in fieldType.type ? fieldType.type.value.map((v) => v.name) : [];
      const known = Number.isInteger(filled) || (typeof value === 'string' && names.includes(value));
      return known ? undefined : `one of ${names.join(', ')} (or its number)`;
    }
    case 'TYPE_BOOL':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'TYPE_STRING':
    case 'TYPE_BYTES':
      return typeof filled === 'string' || typeof filled === 'number' ? undefined : 'text';
    default: // every numeric type
      return typeof filled === 'number' || (typeof filled === 'string' && filled.trim() !== '' && Number.isFinite(Number(filled)))
        ? undefined
        : 'a number';
  }
}

// proto-loader hands each message type over as a DescriptorProto in JSON form (each enum as an EnumDescriptorProto),
// type names as the .proto wrote them: just the parts read here.
interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType?: MessageDescriptor[];
  enumType?: EnumDescriptor[];
  options?: { mapEntry?: boolean } | null;
}
interface EnumDescriptor {
  name: string;
  value: { name: string }[];
}
interface Named {
  name: string;
  type: MessageDescriptor | EnumDescriptor;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A map<K, V> field: repeated key/value entries, written as a mapping whose keys are not checked. */
const isMap = (t: Named | undefined) => t !== undefined && 'field' in t.type && t.type.options?.mapEntry === true;
const typeText = (field: FieldDescriptor, t: Named | undefined) => t?.name ?? field.type.replace(/^TYPE_/, '').toLowerCase();

/** Every message and enum by full name, nested ones too (proto-loader lists the top-level ones). */
function typeIndex(definitions: PackageDefinition): Map<string, MessageDescriptor | EnumDescriptor> {
  const index = new Map<string, MessageDescriptor | EnumDescriptor>();
  const add = (name: string, type: MessageDescriptor | EnumDescriptor) => {
    index.set(name, type);
    if ('field' in type) for (const nested of [...(type.nestedType ?? []), ...(type.enumType ?? [])]) add(`${name}.${nested.name}`, nested);
  };
  for (const [name, d] of Object.entries(definitions)) if ('format' in d) add(name, d.type as MessageDescriptor | EnumDescriptor);
  return index;
}

/** A type name as written inside message `scope`, looked up from the innermost scope out (protobuf's rule). */
function resolve(index: Map<string, MessageDescriptor | EnumDescriptor>, written: string, scope: string): Named | undefined {
  if (written.startsWith('.')) {
    const type = index.get(written.slice(1));
    return type && { name: written.slice(1), type };
  }
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const name = [...parts.slice(0, i), written].join('.');
    const type = index.get(name);
    if (type) return { name, type };
  }
  return undefined;
}
