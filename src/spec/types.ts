/**
 * ProbeSpec: what the user asked for, as pure data. Produced by the parser from
 * one line of the probe language (or a raw kernel definition line), consumed by
 * the planner. Spans are 0-based columns into `text`, for caret diagnostics.
 */

export type ProbeKind = 'kprobe' | 'kretprobe' | 'uprobe' | 'uretprobe' | 'tracepoint';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ProbeTarget = KernelTarget | UserTarget | TracepointTarget;

export interface KernelTarget {
  readonly kind: 'kernel';
  /** `MOD:` prefix, when given. */
  readonly module: string | null;
  /** Function symbol; null when probing an address. */
  readonly symbol: string | null;
  /** Absolute address when the place is a number. */
  readonly address: bigint | null;
  readonly offset: bigint;
  readonly span: Span;
}

export interface UserTarget {
  readonly kind: 'user';
  /** Path as typed: absolute, relative, or a library short name (`libc`). */
  readonly path: string;
  /** Symbol, or null when a file offset was given. */
  readonly symbol: string | null;
  /** With a symbol: offset from the symbol. Without: the file offset. */
  readonly offset: bigint;
  /** USDT semaphore offset `(0xNN)` from raw lines. */
  readonly refCtrOffset: bigint | null;
  readonly span: Span;
}

export interface TracepointTarget {
  readonly kind: 'tracepoint';
  readonly group: string;
  readonly event: string;
  readonly span: Span;
}

/** tracefs fetch types. */
export type BaseType =
  | 'u8'
  | 'u16'
  | 'u32'
  | 'u64'
  | 's8'
  | 's16'
  | 's32'
  | 's64'
  | 'x8'
  | 'x16'
  | 'x32'
  | 'x64'
  | 'char'
  | 'string'
  | 'ustring'
  | 'symbol'
  | 'symstr'
  | '%pd'
  | '%pD';

export interface TypeSpec {
  /** Base type; for a bitfield, the container as `u8/u16/u32/u64`. */
  readonly base: BaseType;
  readonly bitfield: {
    readonly width: number;
    readonly offset: number;
    readonly container: 8 | 16 | 32 | 64;
  } | null;
  /** Array element count, or null. */
  readonly array: number | null;
  /** As it will be written after `:`. */
  readonly text: string;
  readonly span: Span;
}

export type FetchExpr =
  /** A function argument by name; its position is resolved by prototype (BTF) or by position. */
  | { readonly kind: 'param'; readonly name: string; readonly span: Span }
  /** `argN` / `$argN`, 1-based. */
  | { readonly kind: 'argN'; readonly index: number; readonly span: Span }
  | { readonly kind: 'retval'; readonly span: Span }
  | { readonly kind: 'comm'; readonly span: Span }
  /** `$stack` (index null) or `$stackN`. */
  | { readonly kind: 'stack'; readonly index: number | null; readonly span: Span }
  /** `%REG`, name without `%` exactly as typed. */
  | { readonly kind: 'reg'; readonly reg: string; readonly span: Span }
  /** `@ADDR`. */
  | { readonly kind: 'addr'; readonly address: bigint; readonly span: Span }
  /** `@SYM[+|-OFFS]` (kernel only). */
  | { readonly kind: 'sym'; readonly symbol: string; readonly offset: bigint; readonly span: Span }
  /** `@+FOFFS` (uprobes only). */
  | { readonly kind: 'fileoff'; readonly offset: bigint; readonly span: Span }
  /** `[+|-][u]OFFS(INNER)`. */
  | {
      readonly kind: 'deref';
      readonly offset: bigint;
      readonly user: boolean;
      readonly inner: FetchExpr;
      readonly span: Span;
    }
  /** `\IMM` or `\"str"`: `value` is the text after the backslash. */
  | { readonly kind: 'imm'; readonly value: string; readonly span: Span }
  /** `base->a.b->c`: a member path on a named argument, resolved with BTF. */
  | {
      readonly kind: 'member';
      readonly base: FetchExpr;
      readonly path: readonly { readonly op: '->' | '.'; readonly name: string }[];
      readonly span: Span;
    };

export interface ArgSpec {
  /** Field name in the event. For `name=FETCH` the given name; for a bare param its name. */
  readonly name: string;
  /** True when the user wrote `name=...` explicitly. */
  readonly explicitName: boolean;
  readonly expr: FetchExpr;
  readonly type: TypeSpec | null;
  readonly span: Span;
}

/** Filter expression tree, checked against the probe's fields by the planner. */
export type FilterExpr =
  | {
      readonly kind: 'and' | 'or';
      readonly left: FilterExpr;
      readonly right: FilterExpr;
      readonly span: Span;
    }
  | { readonly kind: 'not'; readonly operand: FilterExpr; readonly span: Span }
  | {
      readonly kind: 'cmp';
      readonly field: string;
      readonly fieldSpan: Span;
      readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&' | '~';
      readonly value:
        | { readonly kind: 'number'; readonly text: string }
        | { readonly kind: 'string'; readonly text: string };
      readonly span: Span;
    };

export interface ProbeSpec {
  readonly kind: ProbeKind;
  /** The whole input line as typed. */
  readonly text: string;
  readonly target: ProbeTarget;
  /** Arguments; null when no list was given (`k:vfs_read`), [] for `()`. */
  readonly args: readonly ArgSpec[] | null;
  /** `args` / `$arg*` in the list: take every parameter (needs a prototype). */
  readonly allArgs: boolean;
  readonly filter: FilterExpr | null;
  /** Filter source text after `if`. */
  readonly filterText: string | null;
  /** Kretprobe maxactive from a raw `rN:` line or `maxactive=`. */
  readonly maxactive: number | null;
  /** Given group/event from a raw line, or null to let the planner name it. */
  readonly group: string | null;
  readonly event: string | null;
  /** The form it was written in. */
  readonly syntax: 'probekit' | 'raw';
}
