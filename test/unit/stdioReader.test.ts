// The stdio message reader (lsp/stdioReader.ts): messages cut right however the bytes are chunked,
// Content-Length counted in bytes, every framing error logged and followed by the next message,
// the length capped, and JSON that is not a message kept from the connection.

import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { StdioMessageReader } from '../../server/src/lsp/stdioReader';

/** Frames a body as the base protocol does. */
function frame(body: string, extraHeaders = ''): string {
  return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n${extraHeaders}\r\n${body}`;
}

function request(id: number, params?: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'runlens/status', ...(params === undefined ? {} : { params }) });
}

/** Feeds `input` to a reader in the given chunks; returns what the connection got and what was logged. */
function read(input: string | Buffer, options: { chunkBytes?: number; splitAt?: number; maxContentLengthBytes?: number; throwOn?: number } = {}): { messages: unknown[]; log: string[] } {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const messages: unknown[] = [];
  const log: string[] = [];
  const reader = new StdioMessageReader(new PassThrough(), { log: (line) => log.push(line), maxContentLengthBytes: options.maxContentLengthBytes });
  reader.listen((message) => {
    messages.push(message);
    if ('throwOn' in options && (message as { id?: unknown }).id === options.throwOn) throw new Error('the connection failed');
  });
  if (options.splitAt !== undefined) {
    reader.push(bytes.subarray(0, options.splitAt));
    reader.push(bytes.subarray(options.splitAt));
  } else {
    const chunkBytes = options.chunkBytes ?? (bytes.length || 1);
    for (let i = 0; i < bytes.length; i += chunkBytes) reader.push(bytes.subarray(i, i + chunkBytes));
  }
  return { messages, log };
}

/** The ids of the messages delivered. */
function ids(messages: unknown[]): unknown[] {
  return messages.map((m) => (m as { id?: unknown }).id);
}

describe('stdio message reader', () => {
  const unicode = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///ü.js', text: 'ünïcödé ✓ 😀 \u0000 "q"\r\n\r\nContent-Length: 5\r\n\r\n' } } });
  const messages = [frame(request(1)), frame(request(2), 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n'), frame(unicode), frame(request(3, { x: [1, 'two', null] }))].join('');
  const expected = [JSON.parse(request(1)), JSON.parse(request(2)), JSON.parse(unicode), JSON.parse(request(3, { x: [1, 'two', null] }))];

  it('delivers the same messages however the input is split: at every byte, and byte by byte', () => {
    const length = Buffer.byteLength(messages);
    for (let at = 0; at <= length; at++) {
      const got = read(messages, { splitAt: at });
      assert.deepEqual(got.messages, expected, `split at byte ${at}`);
      assert.deepEqual(got.log, [], `split at byte ${at}`);
    }
    for (const chunkBytes of [1, 2, 3, 7, 64]) assert.deepEqual(read(messages, { chunkBytes }), { messages: expected, log: [] }, `chunks of ${chunkBytes} bytes`);
  });

  it('counts Content-Length in bytes, not characters: a multi-byte body and the message after it', () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'x', params: 'ü😀✓'.repeat(1000) });
    assert.notEqual(Buffer.byteLength(body), body.length);
    const got = read(frame(body) + frame(request(8)), { chunkBytes: 5 });
    assert.deepEqual(got, { messages: [JSON.parse(body), JSON.parse(request(8))], log: [] });
  });

  it('skips line breaks between messages quietly', () => {
    assert.deepEqual(read(`\r\n${frame(request(1))}\n\r\n${frame(request(2))}`, { chunkBytes: 1 }), { messages: [JSON.parse(request(1)), JSON.parse(request(2))], log: [] });
  });

  // Each case: bad bytes, then two good requests (ids 101 and 102). `mayLose` when the bad bytes
  // hide the next header (a length too long runs into it): 102 must still come.
  const body = request(100);
  const framingErrors: { name: string; bytes: string; log: RegExp; mayLose?: boolean }[] = [
    { name: 'no header at all', bytes: body, log: /framing error at byte 0: not a header name: "\{\\"jsonrpc\\""/ },
    { name: 'a header without Content-Length', bytes: `X-Length: ${body.length}\r\n\r\n${body}`, log: /framing error at byte 0: no Content-Length header/ },
    { name: 'Content-Length not a number', bytes: `Content-Length: many\r\n\r\n${body}`, log: /Content-Length is not a length: "many"/ },
    { name: 'Content-Length negative', bytes: `Content-Length: -5\r\n\r\n${body}`, log: /Content-Length is not a length: "-5"/ },
    { name: 'Content-Length fractional', bytes: `Content-Length: 5.5\r\n\r\n${body}`, log: /Content-Length is not a length: "5.5"/ },
    { name: 'Content-Length empty', bytes: `Content-Length:\r\n\r\n${body}`, log: /Content-Length is not a length: ""/ },
    { name: 'two different Content-Lengths', bytes: `Content-Length: ${body.length}\r\nContent-Length: 3\r\n\r\n${body}`, log: /two different Content-Length headers/ },
    { name: 'a header line without a colon', bytes: `Content-Length ${body.length}\r\n\r\n${body}`, log: /a header line without a colon/ },
    { name: 'Content-Length too short', bytes: `Content-Length: ${body.length - 5}\r\n\r\n${body}`, log: /not JSON[^]*framing error at byte \d+: not a header name: "tus\\"}Content-Length"/ },
    { name: 'Content-Length too long, running into the next message', bytes: `Content-Length: ${body.length + 5}\r\n\r\n${body}`, log: /not JSON[^]*framing error at byte \d+: no Content-Length header \(header "nt-Length/, mayLose: true },
    { name: 'garbage with no end of header', bytes: 'x'.repeat(20_000), log: /no end of header within 8,192 bytes/ },
    { name: 'binary garbage', bytes: '\u0000\u00ff\r\n\r\n\u0001', log: /framing error at byte 0/ },
  ];

  for (const c of framingErrors) {
    it(`logs a framing error and delivers the next message: ${c.name}`, () => {
      for (const chunkBytes of [undefined, 1, 13]) {
        const got = read(c.bytes + frame(request(101)) + frame(request(102)), { chunkBytes });
        const what = `chunks of ${chunkBytes ?? 'all'} bytes: ${JSON.stringify(got.log)}`;
        assert.deepEqual(ids(got.messages), c.mayLose ? [102] : [101, 102], what);
        assert.match(got.log.join('\n'), c.log, what);
        assert.match(got.log.join('\n'), /skipped [\d,]+ bytes; reading again at byte \d+/, what);
      }
    });
  }

  it('caps Content-Length: a larger one is a framing error, skipped to the next header', () => {
    const max = 100;
    const fits = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: 'a'.repeat(max - 49) });
    assert.equal(fits.length, max);
    const tooLong = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'x', params: 'a'.repeat(max - 48) });
    const got = read(frame(fits) + frame(tooLong) + frame(request(3)), { maxContentLengthBytes: max, chunkBytes: 7 });
    assert.deepEqual(ids(got.messages), [1, 3]);
    assert.match(got.log[0], /framing error at byte \d+: Content-Length 101 is over the limit of 100 bytes/);
    // The default, 256 MiB: one byte more is refused at once, without waiting for the body.
    const huge = read(`Content-Length: ${256 * 1024 * 1024 + 1}\r\n\r\n{}` + frame(request(4)));
    assert.deepEqual(ids(huge.messages), [4]);
    assert.match(huge.log[0], /Content-Length 268,435,457 is over the limit of 268,435,456 bytes/);
    assert.match(read('Content-Length: 99999999999999999999\r\n\r\n' + frame(request(5))).log[0], /Content-Length is not a length/);
  });

  it('drops bodies that are not JSON, with a log line, and reads on', () => {
    for (const bad of ['', '{bad json', '['.repeat(200_000), `${request(9)}xxxxx`]) {
      const got = read(frame(bad) + frame(request(1)));
      assert.deepEqual(ids(got.messages), [1], bad.slice(0, 20));
      assert.equal(got.log.length, 1, bad.slice(0, 20));
      assert.match(got.log[0], /^dropped a body that is not JSON \([\d,]+ bytes at byte 0\)/);
    }
    const binary = read(Buffer.concat([Buffer.from('Content-Length: 5\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]), Buffer.from(frame(request(1)))]));
    assert.deepEqual(ids(binary.messages), [1]);
  });

  it('keeps JSON that is not a request, notification or response from the connection, however deeply nested', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const notMessages: [string, RegExp][] = [
      [deep(5_000), /an array of 1 elements \(LSP has no batches\)/],
      ['{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), /an object with members "a"/],
      [`{"jsonrpc":"2.0","id":${deep(5_000)},"method":"runlens/status"}`, /the "runlens\/status" request has an id that is an array/],
      ['{"jsonrpc":"2.0","id":true,"method":"x"}', /an id that is a boolean/],
      ['{"jsonrpc":"2.0","id":null,"method":"x"}', /an id that is null/],
      ['{"jsonrpc":"2.0","id":7777,"method":null}', /a member "method" that is null/],
      [`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error","data":${deep(5_000)}}}`, /a response with id null, error -32700: Parse error/],
      ['{"jsonrpc":"2.0"}', /an object with members "jsonrpc"/],
      ['{}', /an object with no members/],
      ['[]', /an array of 0 elements/],
      ['42', /a number/],
      ['null', /: null$/],
      ['"runlens/status"', /a string/],
    ];
    for (const [bad, log] of notMessages) {
      const got = read(frame(bad) + frame(request(1)));
      assert.deepEqual(ids(got.messages), [1], bad.slice(0, 40));
      assert.equal(got.log.length, 1, bad.slice(0, 40));
      assert.match(got.log[0], /^dropped a body that is not a JSON-RPC message/);
      assert.match(got.log[0], log);
    }
  });

  it('passes on messages whatever they hold, a response without result as its id alone', () => {
    const deepParams = `{"jsonrpc":"2.0","id":5,"method":"textDocument/codeLens","params":{"textDocument":${'['.repeat(200_000) + ']'.repeat(200_000)}}}`;
    const inputs = [
      deepParams,
      '{"jsonrpc":"2.0","method":"initialized","params":{}}',
      '{"id":"s","method":"m"}',
      '{"jsonrpc":"2.0","id":6,"result":null}',
      '{"jsonrpc":"2.0","id":"7","error":{"code":1,"message":"no"}}',
      '{"jsonrpc":"2.0","id":8,"extra":[[[[1]]]]}',
    ];
    const got = read(inputs.map((b) => frame(b)).join(''), { chunkBytes: 4096 });
    assert.deepEqual(got.log, []);
    assert.deepEqual(ids(got.messages), [5, undefined, 's', 6, '7', 8]);
    assert.deepEqual(got.messages[5], { jsonrpc: '2.0', id: 8 });
  });

  it('survives a connection that throws on a message, and reads on', () => {
    const got = read(frame(request(1)) + frame(request(2)), { throwOn: 1 });
    assert.deepEqual(ids(got.messages), [1, 2]);
    assert.deepEqual(got.log, ['the connection failed on the message at byte 0: the connection failed']);
  });

  it('reads a large message in small chunks in linear time', () => {
    const big = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///big.js', languageId: 'javascript', version: 1, text: 'const x = 1; // ✓\n'.repeat(500_000) } } });
    const input = Buffer.from(frame(big) + frame(request(1)));
    assert.ok(input.length > 9_000_000);
    // A reader that copied what was buffered on each chunk would take minutes here (9,000 chunks of
    // 9 MB) and hit the test's timeout; no wall-clock threshold is asserted.
    const got = read(input, { chunkBytes: 1024 });
    assert.deepEqual(got.log, []);
    assert.equal(got.messages.length, 2);
    assert.equal((got.messages[0] as { params: { textDocument: { text: string } } }).params.textDocument.text.length, 18 * 500_000);
  });

  it('listens to a stream: delivers its data, and tells the connection once that it ended', async () => {
    const stream = new PassThrough();
    const log: string[] = [];
    const reader = new StdioMessageReader(stream, { log: (line) => log.push(line) });
    const got: unknown[] = [];
    let closes = 0;
    reader.onClose(() => closes++);
    reader.listen((m) => got.push(m));
    const bytes = Buffer.from(frame(request(1)) + frame(request(2)).slice(0, 30));
    stream.write(bytes.subarray(0, 10));
    stream.write(bytes.subarray(10));
    stream.end();
    await new Promise<void>((resolve) => stream.on('close', () => setImmediate(resolve)));
    assert.deepEqual(ids(got), [1]);
    assert.equal(closes, 1);
    assert.deepEqual(log, [`input ended with 8 bytes of an unfinished message at byte ${bytes.length - 8}`]);
  });
});
