/**
 * Decoding the records of generated trace programs (layout in
 * src/plan/bpf/types.ts) into the same typed events the tracefs decoders give.
 */
import { BPF_HEADER, type BpfProbePlan, type BpfSlot } from '../plan/bpf/types.js';
import type { DecodeErrorEvent, FieldValue, TraceEvent } from '../stream/types.js';
import { bytesToString, intValue } from '../stream/values.js';

const FAULT: FieldValue = { fault: true };

type SlotReader = (view: DataView, bytes: Uint8Array, faulted: boolean) => FieldValue;

function slotReader(s: BpfSlot): SlotReader {
  const at = s.offset;
  switch (s.kind) {
    case 'int': {
      const size = s.size;
      const signed = s.bitfield ? false : s.signed;
      return (view, _b, faulted) =>
        faulted ? FAULT : intValue(view.getBigUint64(at, true), size, signed);
    }
    case 'string':
    case 'ctx-string':
      return (_v, bytes, faulted) =>
        faulted && bytes[at] === 0 ? FAULT : bytesToString(bytes, at, at + s.max);
    case 'comm':
      return (_v, bytes) => bytesToString(bytes, at, at + 16);
    case 'strings':
      return (view, bytes) => {
        const n = Math.min(Number(view.getBigUint64(at, true)), s.count);
        const out: string[] = [];
        for (let k = 0; k < n; k++) {
          const from = at + 8 + k * s.max;
          out.push(bytesToString(bytes, from, from + s.max));
        }
        return out;
      };
    case 'ints':
    case 'ctx-ints':
      return (view, _b, faulted) => {
        if (faulted && s.kind === 'ints') return FAULT;
        const out: FieldValue[] = [];
        for (let k = 0; k < s.count; k++) {
          out.push(intValue(view.getBigUint64(at + 8 * k, true), s.size, s.signed));
        }
        return out;
      };
  }
}

export interface BpfRecordDecoder {
  decode(data: Uint8Array): TraceEvent | DecodeErrorEvent;
}

interface Compiled {
  readonly plan: BpfProbePlan;
  readonly names: readonly string[];
  readonly readers: readonly SlotReader[];
  readonly shown: readonly boolean[];
}

export function bpfRecordDecoder(plans: readonly BpfProbePlan[]): BpfRecordDecoder {
  const compiled: Compiled[] = plans.map((plan) => ({
    plan,
    names: plan.slots.map((s) => s.name),
    readers: plan.slots.map(slotReader),
    shown: plan.slots.map((s) => !plan.hidden.includes(s.name)),
  }));
  return {
    decode(data) {
      if (data.length < BPF_HEADER.size) {
        return {
          type: 'decode-error',
          cpu: null,
          message: `BPF record of ${data.length} bytes, shorter than its ${BPF_HEADER.size}-byte header`,
        };
      }
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const index = view.getUint32(BPF_HEADER.probe, true);
      const c = compiled[index];
      if (!c || data.length < c.plan.recordSize) {
        return {
          type: 'decode-error',
          cpu: view.getUint32(BPF_HEADER.cpu, true),
          message: c
            ? `BPF record of ${data.length} bytes for ${c.plan.probe}, which writes ${c.plan.recordSize}`
            : `BPF record names probe ${index}, which this run does not have`,
        };
      }
      const faults = view.getBigUint64(BPF_HEADER.faults, true);
      const address = c.plan.address ? view.getBigUint64(BPF_HEADER.address, true) : 0n;
      const isReturn = c.plan.address?.kind === 'regs' && c.plan.address.meaning === 'ret-ip';
      const fields: Record<string, FieldValue> = {};
      for (let i = 0; i < c.readers.length; i++) {
        if (!c.shown[i]) continue;
        const faulted = faults !== 0n && ((faults >> BigInt(i)) & 1n) === 1n;
        fields[c.names[i]!] = c.readers[i]!(view, data, faulted);
      }
      return {
        type: 'event',
        group: c.plan.group,
        event: c.plan.event,
        comm: bytesToString(data, BPF_HEADER.comm, BPF_HEADER.comm + 16),
        pid: view.getUint32(BPF_HEADER.pid, true),
        tgid: view.getUint32(BPF_HEADER.tgid, true),
        cpu: view.getUint32(BPF_HEADER.cpu, true),
        timestampNs: view.getBigUint64(BPF_HEADER.timestamp, true),
        ip: address !== 0n && !isReturn ? address : null,
        func: null,
        retIp: address !== 0n && isReturn ? address : null,
        fields,
      };
    },
  };
}
