/**
 * A collector for tests: accepts OTLP/HTTP trace exports (`POST /v1/traces`) in protobuf or
 * JSON, as the hub's processes send them, and reads back the spans with the service that sent
 * each. The protobuf is read with a reader of protobuf's wire format that knows only the fields
 * of opentelemetry/proto/trace/v1 the tests look at (ids, parent, name, kind, attributes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  /** '' for a trace's root. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

export interface OtlpSink {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** The content-type of every export received. */
  contentTypes: string[];
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const type = String(req.headers['content-type'] ?? '');
      contentTypes.push(type);
      const body = Buffer.concat(chunks);
      if (req.url === '/v1/traces') spans.push(...(type.includes('json') ? fromJson(JSON.parse(body.toString())) : fromProtobuf(body)));
      res.setHeader('content-type', type || 'application/x-protobuf');
      res.end(type.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One field of a protobuf message: its number and its value (a varint or fixed number, or bytes). */
interface Field {
  no: number;
  value: bigint | Buffer;
}

function fieldsOf(buffer: Buffer): Field[] {
  const fields: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const [no, wire] = [key >>> 3, key & 7];
    if (wire === 0) fields.push({ no, value: varint() });
    else if (wire === 1) fields.push({ no, value: buffer.readBigUInt64LE((at += 8) - 8) });
    else if (wire === 5) fields.push({ no, value: BigInt(buffer.readUInt32LE((at += 4) - 4)) });
    else if (wire === 2) {
      const length = Number(varint());
      fields.push({ no, value: buffer.subarray(at, (at += length)) });
    } else throw new Error(`protobuf wire type ${wire} at byte ${at}: not an OTLP export`);
  }
  return fields;
}

const bytes = (fields: Field[], no: number) => fields.filter((f) => f.no === no).map((f) => f.value as Buffer);
const text = (fields: Field[], no: number) => bytes(fields, no)[0]?.toString('utf8') ?? '';

const doubleOf = (fixed64: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(fixed64);
  return buffer.readDoubleLE();
};

/** KeyValue { key = 1; AnyValue value = 2 }, AnyValue { string 1, bool 2, int 3, double 4 }. */
function attributesOf(keyValues: Buffer[]): ReceivedSpan['attributes'] {
  const attributes: ReceivedSpan['attributes'] = {};
  for (const keyValue of keyValues) {
    const fields = fieldsOf(keyValue);
    const value = fieldsOf(bytes(fields, 2)[0] ?? Buffer.alloc(0))[0];
    // Arrays, maps and bytes (AnyValue's fields 5 to 7) are not read: the hub's spans carry none.
    if (!value || value.no > 4) continue;
    attributes[text(fields, 1)] =
      value.no === 1 ? (value.value as Buffer).toString('utf8') : value.no === 2 ? value.value === 1n : value.no === 3 ? Number(BigInt.asIntN(64, value.value as bigint)) : doubleOf(value.value as bigint);
  }
  return attributes;
}

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }. */
function fromProtobuf(body: Buffer): ReceivedSpan[] {
  const received: ReceivedSpan[] = [];
  for (const resourceSpans of bytes(fieldsOf(body), 1)) {
    const fields = fieldsOf(resourceSpans);
    // Resource { repeated KeyValue attributes = 1 }
    const resource = attributesOf(bytes(fieldsOf(bytes(fields, 1)[0] ?? Buffer.alloc(0)), 1));
    for (const scopeSpans of bytes(fields, 2)) {
      const scopeFields = fieldsOf(scopeSpans);
      const scope = text(fieldsOf(bytes(scopeFields, 1)[0] ?? Buffer.alloc(0)), 1);
      for (const span of bytes(scopeFields, 2)) {
        const s = fieldsOf(span);
        received.push({
          service: String(resource['service.name']),
          scope,
          traceId: bytes(s, 1)[0]?.toString('hex') ?? '',
          spanId: bytes(s, 2)[0]?.toString('hex') ?? '',
          parentSpanId: bytes(s, 4)[0]?.toString('hex') ?? '',
          name: text(s, 5),
          kind: Number(s.find((f) => f.no === 6)?.value ?? 0n),
          attributes: attributesOf(bytes(s, 9)),
        });
      }
    }
  }
  return received;
}

interface JsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
const jsonAttributes = (list: { key: string; value: JsonValue }[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue ?? '')]));

function fromJson(body: any): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((resourceSpans: any) => {
    const service = String(jsonAttributes(resourceSpans.resource?.attributes)['service.name']);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans: any) =>
      (scopeSpans.spans ?? []).map((span: any) => ({
        service,
        scope: scopeSpans.scope?.name ?? '',
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        attributes: jsonAttributes(span.attributes),
      })),
    );
  });
}
