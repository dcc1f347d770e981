// In-memory datasets: 8-bit images held once in one typed array per split; training normalises
// each mini-batch on the fly, so no float copy of the whole set is ever made.

/** n images of d features (CIFAR-10: d = 3072 = 1024 R, 1024 G, 1024 B) and their labels. */
export interface ImageSet {
  readonly n: number;
  readonly d: number;
  /** n * d bytes, image i at [i * d, (i + 1) * d). */
  readonly x: Uint8Array;
  /** n labels in [0, classes). */
  readonly y: Uint8Array;
}

export interface ImageShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

export interface DatasetSplits {
  readonly train: ImageSet;
  readonly validation: ImageSet;
  readonly test: ImageSet;
  readonly classes: number;
  readonly classNames: readonly string[];
  /** Present when the features are channel-major images (needed for flips and W-row pictures). */
  readonly imageShape: ImageShape | null;
  /** Where it came from, for results and logs, e.g. "cifar10 binary /data/cifar10". */
  readonly source: string;
}

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export const CIFAR10_SHAPE: ImageShape = { channels: 3, height: 32, width: 32 };
