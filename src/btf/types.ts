/**
 * Decoded BTF types: one discriminated union member per kind. Type ids are
 * numbers (id 0 is `void`); names are '' when anonymous.
 */
import type { FuncLinkage, VarLinkage } from './kinds.js';

interface Named {
  readonly id: number;
  readonly name: string;
}

export interface BtfVoid extends Named {
  readonly kind: 'VOID';
}

export interface BtfInt extends Named {
  readonly kind: 'INT';
  readonly size: number;
  /** Value bits (may be less than size*8 in old-style bitfield encodings). */
  readonly bits: number;
  /** Bit offset of the value within the storage (old-style bitfields). */
  readonly bitOffset: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG: a name (maybe) and one referenced type. */
export interface BtfRef extends Named {
  readonly kind: 'PTR' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'TYPE_TAG';
  readonly type: number;
}

export interface BtfArray extends Named {
  readonly kind: 'ARRAY';
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  readonly bitfieldSize: number;
}

export interface BtfComposite extends Named {
  readonly kind: 'STRUCT' | 'UNION';
  readonly size: number;
  /** kind_flag: member offsets carry bitfield sizes. */
  readonly bitfields: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnum extends Named {
  readonly kind: 'ENUM';
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

export interface BtfEnum64 extends Named {
  readonly kind: 'ENUM64';
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

export interface BtfFwd extends Named {
  readonly kind: 'FWD';
  readonly union: boolean;
}

export interface BtfFunc extends Named {
  readonly kind: 'FUNC';
  /** The FUNC_PROTO id. */
  readonly type: number;
  readonly linkage: FuncLinkage | 'unknown';
}

export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

export interface BtfFuncProto extends Named {
  readonly kind: 'FUNC_PROTO';
  readonly returnType: number;
  /** Parameters without the trailing varargs marker. */
  readonly params: readonly BtfParam[];
  readonly variadic: boolean;
}

export interface BtfVar extends Named {
  readonly kind: 'VAR';
  readonly type: number;
  readonly linkage: VarLinkage | 'unknown';
}

export interface BtfDatasec extends Named {
  readonly kind: 'DATASEC';
  readonly size: number;
  readonly vars: readonly {
    readonly type: number;
    readonly offset: number;
    readonly size: number;
  }[];
}

export interface BtfFloat extends Named {
  readonly kind: 'FLOAT';
  readonly size: number;
}

export interface BtfDeclTag extends Named {
  readonly kind: 'DECL_TAG';
  readonly type: number;
  /** Member or parameter index the tag applies to; -1 for the whole type. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

export type BtfTypeKind = BtfType['kind'];
