/**
 * Function prototypes from BTF: FUNC → FUNC_PROTO → parameters, in the shape
 * the planner consumes (`FunctionPrototype`), and as C text.
 */
import { SpecError } from '../errors.js';
import type { FunctionParam, FunctionPrototype } from '../plan/types.js';
import { nearNames } from '../util/names.js';
import type { Btf } from './btf.js';
import { typeName } from './cname.js';
import { btfCorrupt } from './errors.js';
import { isSigned, isUserPointer, resolved, sizeOf, stringKind } from './resolve.js';
import type { BtfFunc, BtfFuncProto } from './types.js';

/** The FUNC id for a name, or a SpecError listing up to 5 near names. */
export function requireFunction(btf: Btf, name: string): number {
  const id = btf.findFunction(name);
  if (id !== undefined) return id;
  const near = nearNames(name, btf.functionNames(), 5);
  throw new SpecError(
    'E_BTF_NO_FUNCTION',
    `no function '${name}' in the kernel's BTF (${btf.source})`,
    {
      hint:
        near.length > 0
          ? `did you mean: ${near.join(', ')}?`
          : 'check the name in /proc/kallsyms; functions inlined everywhere have no BTF entry',
      details: { function: name, suggestions: near },
    },
  );
}

/** The FUNC and its FUNC_PROTO for a name. */
export function functionTypes(btf: Btf, name: string): { func: BtfFunc; proto: BtfFuncProto } {
  const func = btf.type(requireFunction(btf, name)) as BtfFunc;
  const proto = btf.type(func.type);
  if (proto.kind !== 'FUNC_PROTO') {
    throw btfCorrupt(
      'E_BTF_BAD_TYPE',
      `FUNC '${name}' points at type id ${func.type}, a ${proto.kind}, not a FUNC_PROTO`,
      { typeId: func.id, source: btf.source },
    );
  }
  return { func, proto };
}

function param(btf: Btf, name: string, type: number): FunctionParam {
  const kind = resolved(btf, type).kind;
  return {
    name,
    type: typeName(btf, type),
    isString: stringKind(btf, type) !== null,
    isUserPtr: isUserPointer(btf, type),
    size: sizeOf(btf, type),
    signed: isSigned(btf, type),
    isPointer: kind === 'PTR',
    typeId: type,
    isAggregate: kind === 'STRUCT' || kind === 'UNION',
  };
}

/** The planner's view of a kernel function: parameter names, C types, sizes, signedness. */
export function functionPrototype(btf: Btf, name: string): FunctionPrototype {
  const { func, proto } = functionTypes(btf, name);
  const ret = resolved(btf, proto.returnType);
  return {
    name,
    returnType: typeName(btf, proto.returnType),
    params: proto.params.map((p, i) => param(btf, p.name === '' ? `arg${i + 1}` : p.name, p.type)),
    btfId: func.id,
    returnSize: sizeOf(btf, proto.returnType),
    returnSigned: isSigned(btf, proto.returnType),
    returnIsVoid: ret.kind === 'VOID',
    returnIsPointer: ret.kind === 'PTR',
    returnTypeId: proto.returnType,
    variadic: proto.variadic,
  };
}

/** A kernel function as a C declaration: `ssize_t vfs_read(struct file *file, char *buf, ...)`. */
export function renderPrototype(btf: Btf, name: string): string {
  return typeName(btf, functionTypes(btf, name).func.id);
}

/**
 * `PlanOptions.prototype` from BTF: the prototype, or null for a function BTF
 * does not know (inlined everywhere, or not a function). Corrupt BTF still throws.
 */
export function prototypeResolver(btf: Btf): (func: string) => FunctionPrototype | null {
  return (func) => (btf.findFunction(func) === undefined ? null : functionPrototype(btf, func));
}
