/**
 * Compile-time link between the zod schemas (what we parse at run time) and the types generated
 * from the services' OpenAPI documents: `true satisfies Conforms<Parsed, Generated>` stops the
 * build when a field we read is renamed, retyped or removed by a service.
 */
export type Conforms<Parsed, Generated> = [keyof Parsed] extends [keyof Generated]
  ? [Parsed] extends [Pick<Generated, keyof Parsed & keyof Generated>]
    ? true
    : { mismatch: Parsed; expected: Pick<Generated, keyof Parsed & keyof Generated> }
  : { unknownFields: Exclude<keyof Parsed, keyof Generated> };

/** `true` when two unions hold exactly the same members (an enum we list vs the generated one). */
export type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : { missingHere: Exclude<B, A> }
  : { unknownThere: Exclude<A, B> };
