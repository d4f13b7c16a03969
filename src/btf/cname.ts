/**
 * C spelling of a type: `struct file *`, `const char *`, `size_t`, `int [16]`,
 * `void (*)(int)`. Written the way C declarators nest: the base type on the
 * left, the declarator (pointers, arrays, parameter lists) wrapped around the
 * name. `typeName(id, 'buf')` gives `char *buf`.
 */
import type { Btf } from './btf.js';
import { Walk } from './resolve.js';

/** The C text for a type, optionally declaring `name`. */
export function typeName(btf: Btf, id: number, name = ''): string {
  return declare(btf, id, name, 0, new Walk(btf, id, 'naming a type')).trim();
}

function join(base: string, decl: string): string {
  return decl === '' ? base : `${base} ${decl}`;
}

function tagged(kind: string, name: string): string {
  return name === '' ? `${kind} {...}` : `${kind} ${name}`;
}

function declare(btf: Btf, id: number, decl: string, depth: number, walk: Walk): string {
  walk.enter(depth);
  const t = btf.type(id);
  const next = (type: number, d: string) => declare(btf, type, d, depth + 1, walk);
  switch (t.kind) {
    case 'VOID':
      return join('void', decl);
    case 'INT':
    case 'FLOAT':
    case 'TYPEDEF':
      return join(t.name, decl);
    case 'STRUCT':
      return join(tagged('struct', t.name), decl);
    case 'UNION':
      return join(tagged('union', t.name), decl);
    case 'ENUM':
    case 'ENUM64':
      return join(tagged('enum', t.name), decl);
    case 'FWD':
      return join(tagged(t.union ? 'union' : 'struct', t.name), decl);
    case 'PTR': {
      const inner = btf.kindOf(t.type);
      const d = inner === 'ARRAY' || inner === 'FUNC_PROTO' ? `(*${decl})` : `*${decl}`;
      return next(t.type, d);
    }
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT': {
      const q = t.kind === 'CONST' ? 'const' : t.kind === 'VOLATILE' ? 'volatile' : 'restrict';
      // A qualified pointer is spelled after the star (`char * const p`); anything else before.
      if (btf.kindOf(t.type) === 'PTR') return next(t.type, decl === '' ? q : `${q} ${decl}`);
      return `${q} ${next(t.type, decl)}`;
    }
    case 'TYPE_TAG': {
      const tag = t.name === 'user' ? '__user' : `__attribute__((btf_type_tag("${t.name}")))`;
      if (btf.kindOf(t.type) === 'PTR') return next(t.type, decl === '' ? tag : `${tag} ${decl}`);
      return `${next(t.type, '')} ${tag}${decl === '' ? '' : ` ${decl}`}`;
    }
    case 'ARRAY':
      return next(t.type, `${decl}[${t.nelems}]`);
    case 'FUNC_PROTO': {
      const params = t.params.map((p) => declare(btf, p.type, p.name, depth + 1, walk).trim());
      if (t.variadic) params.push('...');
      return next(t.returnType, `${decl}(${params.length === 0 ? 'void' : params.join(', ')})`);
    }
    case 'FUNC':
      return next(t.type, `${t.name}${decl}`);
    case 'VAR':
      return next(t.type, decl === '' ? t.name : decl);
    case 'DATASEC':
      return join(`SEC("${t.name}")`, decl);
    case 'DECL_TAG':
      return `__attribute__((btf_decl_tag("${t.name}"))) ${next(t.type, decl)}`;
  }
}
