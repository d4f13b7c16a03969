/**
 * The probe language: one line into a ProbeSpec.
 *
 *   probe   := KIND ':' TARGET [ '(' [arg {',' arg}] ')' ] [ 'if' filter ]
 *   KIND    := kprobe|k  kretprobe|kr  uprobe|u  uretprobe|ur  tracepoint|t
 *   TARGET  := [MOD:]FUNC[+OFFS] | 0xADDR            (k, kr: no offset on kr)
 *            | PATH:SYMBOL[+OFFS] | PATH:FILEOFFSET  (u, ur: split at the last ':')
 *            | GROUP:EVENT                           (t)
 *   arg     := NAME[:TYPE] | NAME=FETCH[:TYPE] | argN | retval | comm | stackN | args
 *   FETCH   := %REG | @ADDR | @SYM[+-OFFS] | @+FOFFS | $argN | $retval | $comm
 *            | $stack[N] | [+-][u]OFFS(FETCH) | \IMM | \"str" | NAME | NAME->a.b
 *   TYPE    := u8..u64 | s8..s64 | x8..x64 | char | string | ustring | symbol
 *            | symstr | %pd | %pD | b<width>@<offset>/<container> | TYPE[N]
 *   filter  := cmp | filter && filter | filter || filter | !filter | (filter)
 *   cmp     := FIELD (== != < <= > >= & ~) (NUMBER | "STRING")
 *
 * Raw kernel lines (`p[:[GRP/]EVENT] PLACE ARGS`, `r[N]...`) are validated and
 * kept as typed (syntax 'raw'); perf-tools shorthands (`p:FUNC ARGS`,
 * `p:LIB:SYM ARGS`) become probekit specs with the event named after FUNC.
 */
export { SPEC_ERROR_CODES, type SpecErrorCode } from './codes.js';
export { type FetchContext, parseFetch } from './fetch.js';
export { parseFilter } from './filter.js';
export { KINDS_HINT, PROBE_KINDS } from './kinds.js';
export { LIMITS as SPEC_LIMITS } from './lexical.js';
export { RESERVED_ARG_NAMES } from './names.js';
export { parseProbe } from './parse.js';
export {
  formatArg,
  formatFetch,
  formatKernelPlace,
  formatUserPlace,
  renderRawLine,
} from './render.js';
export { BASE_TYPES, parseType, TYPES_HINT } from './type.js';
