import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { downloadCifar10 } from '../../src/dataFiles/downloadCifar10.js';
import { readBinaryBatch } from '../../src/dataFiles/cifar10Binary.js';

const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

/** A small archive in the official layout: cifar-10-batches-bin/<batch>.bin with 12 records each. */
async function makeArchive(): Promise<Buffer> {
  const root = mkdtempSync(join(tmpdir(), 'ty-arch-'));
  const folder = join(root, 'cifar-10-batches-bin');
  mkdirSync(folder);
  files.forEach((f, b) => {
    const rec = Buffer.alloc(12 * 3073);
    for (let i = 0; i < 12; i++) {
      rec[i * 3073] = (i + b) % 10;
      for (let j = 1; j < 3073; j++) rec[i * 3073 + j] = (i * 7 + j + b) & 255;
    }
    writeFileSync(join(folder, f), rec);
  });
  writeFileSync(join(folder, 'batches.meta.txt'), 'airplane\nautomobile\n');
  const out = join(root, 'a.tar.gz');
  await tar.c({ gzip: true, cwd: root, file: out }, ['cifar-10-batches-bin']);
  return readFileSync(out);
}

async function serve(body: Buffer): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== '/cifar-10-binary.tar.gz') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`, server };
}

test('downloads, verifies and unpacks the archive into the binary layout', async () => {
  const archive = await makeArchive();
  const { url, server } = await serve(archive);
  try {
    const out = mkdtempSync(join(tmpdir(), 'ty-dl-'));
    const md5 = createHash('md5').update(archive).digest('hex');
    let progressCalls = 0;
    await downloadCifar10({ outDir: out, url, md5, onProgress: () => progressCalls++ });
    assert.ok(progressCalls > 0);
    for (const f of files) {
      const set = readBinaryBatch(join(out, f));
      assert.equal(set.n, 12);
    }
    assert.deepEqual(readdirSync(out).sort(), [...files, 'batches.meta.txt'].sort(), 'no temporary files left');
  } finally {
    server.close();
  }
});

test('a checksum mismatch is an error and leaves nothing behind', async () => {
  const archive = await makeArchive();
  const { url, server } = await serve(archive);
  try {
    const out = mkdtempSync(join(tmpdir(), 'ty-dl-'));
    await assert.rejects(downloadCifar10({ outDir: out, url, md5: '0'.repeat(32) }), /checksum mismatch/);
    assert.deepEqual(readdirSync(out), []);
  } finally {
    server.close();
  }
});

test('an HTTP error names the address and status', async () => {
  const { url, server } = await serve(Buffer.alloc(0));
  try {
    const out = mkdtempSync(join(tmpdir(), 'ty-dl-'));
    await assert.rejects(downloadCifar10({ outDir: out, url: url.replace('cifar-10-binary', 'missing') }), /HTTP 404/);
    assert.ok(!existsSync(join(out, 'test_batch.bin')));
  } finally {
    server.close();
  }
});
