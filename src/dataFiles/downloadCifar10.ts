// Downloads the official CIFAR-10 binary archive, verifies its checksum, and unpacks the batches.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { readBinaryBatch } from './cifar10Binary.js';

export const CIFAR10_BINARY_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_BINARY_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
const BATCH_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

export interface DownloadOptions {
  outDir: string;
  url?: string;
  md5?: string;
  onProgress?: (received: number, total: number | null) => void;
}

/** Leaves outDir holding the six .bin batches and batches.meta.txt; returns outDir. */
export async function downloadCifar10({ outDir, url = CIFAR10_BINARY_URL, md5 = CIFAR10_BINARY_MD5, onProgress }: DownloadOptions): Promise<string> {
  if (isPrepared(outDir)) return outDir;
  mkdirSync(outDir, { recursive: true });
  const partial = join(outDir, '.download.tar.gz');
  const staging = join(outDir, '.unpack');
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status} ${res.statusText}`);
    const total = Number(res.headers.get('content-length')) || null;
    let received = 0;
    const hash = createHash('md5');
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        hash.update(chunk);
        onProgress?.(received, total);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as never), meter, createWriteStream(partial));
    const digest = hash.digest('hex');
    if (digest !== md5) throw new Error(`checksum mismatch for ${url}: md5 ${digest}, expected ${md5}; the download is corrupt or not the CIFAR-10 binary archive`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    await pipeline(createReadStream(partial), tar.x({ cwd: staging, strict: true }));
    const folder = findBatchFolder(staging);
    for (const f of BATCH_FILES) readBinaryBatch(join(folder, f)); // validates each batch before it is kept
    for (const f of [...BATCH_FILES, 'batches.meta.txt']) if (existsSync(join(folder, f))) renameSync(join(folder, f), join(outDir, f));
    return outDir;
  } finally {
    rmSync(partial, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

export function isPrepared(dir: string): boolean {
  return BATCH_FILES.every((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).size > 0 && statSync(join(dir, f)).size % 3073 === 0);
}

function findBatchFolder(root: string): string {
  if (existsSync(join(root, 'test_batch.bin'))) return root;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (e.isDirectory() && existsSync(join(root, e.name, 'test_batch.bin'))) return join(root, e.name);
  }
  throw new Error('the archive holds no CIFAR-10 binary batches (test_batch.bin not found)');
}
