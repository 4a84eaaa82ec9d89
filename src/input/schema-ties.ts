// Compile-time ties between a zod schema that checks a saved file and the TypeScript type of what sigstorm writes,
// for schemas kept deliberately looser than the type (older and newer files must pass). Types only: nothing here
// runs. Used as `value satisfies …` statements beside the schema, so `tsc` fails, naming the field, when they drift.

/**
 * A schema's input type as the fields it names: the `[key: string]: unknown` a loose object adds is dropped (an
 * interface has no index signature, so it could never satisfy one); a record's index signature is kept.
 */
export type SchemaFields<S> = S extends readonly (infer E)[]
  ? SchemaFields<E>[]
  : S extends object
    ? { [K in keyof S as string extends K ? (unknown extends S[K] ? never : K) : K]: SchemaFields<S[K]> }
    : S;

/**
 * The key paths (`stop.steps[].atMs`) a schema's input type `S` names that the type `T` has nowhere: a typo, or a
 * field renamed on one side only. `never` when the schema checks only what `T` has; unions are compared by the keys
 * of any member.
 */
export type SchemaOnlyKeys<S, T, Path extends string = ''> = S extends readonly (infer E)[]
  ? SchemaOnlyKeys<E, ElementOf<T>, `${Path}[]`>
  : S extends object
    ?
        | { [K in keyof Named<S> & string]: K extends AnyKeyOf<T> ? SchemaOnlyKeys<S[K], FieldOf<T, K>, Joined<Path, K>> : Joined<Path, K> }[keyof Named<S> & string]
        | (string extends keyof S ? (unknown extends S[string] ? never : SchemaOnlyKeys<S[string], ValueOf<T>, `${Path}[key]`>) : never)
    : never;

/** The keys an object type names (its index signature, if any, left out). */
type Named<S> = { [K in keyof S as string extends K ? never : K]: S[K] };
type Joined<Path extends string, K extends string> = Path extends '' ? K : `${Path}.${K}`;
type AnyKeyOf<T> = T extends unknown ? keyof T : never;
type FieldOf<T, K> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type ValueOf<T> = T extends unknown ? T[keyof T] : never;
type ElementOf<T> = T extends readonly (infer E)[] ? E : never;
