// `trainyard info`: which kernels training would use, and with how many threads.
import { backendInfo } from '../nativeKernels/selectKernels.js';

export async function infoCommand(): Promise<void> {
  const i = backendInfo();
  console.log(`backend: ${i.backend}`);
  console.log(`blas: ${i.blas ?? 'none (TypeScript kernels)'}`);
  console.log(`threads: ${i.threads}`);
  if (i.coretype) console.log(`core type: ${i.coretype}`);
  if (i.warning) console.log(`note: ${i.warning}`);
}
