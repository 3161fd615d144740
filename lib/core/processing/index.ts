/** Pre- and post-processing steps that pipelines compose: one concept per file, re-exported here. */
export * from './input/mediaType';
export * from './input/jsonBody';
export * from './input/mediaInput';

export * from './image/loadSharp';
export * from './image/RawImage';
export * from './image/imageHeader';
export * from './image/decodeImage';
export * from './image/resizeImage';
export * from './image/imageTensor';

export * from './audio/AudioClip';
export * from './audio/decodeWav';
export * from './audio/mixToMono';
export * from './audio/resample';
export * from './audio/frameSignal';

export * from './model/runRecurrent';

export * from './text/loadTokenizer';
export * from './text/encodeTexts';

export * from './postprocess/argmax';
export * from './postprocess/characterDictionary';
export * from './postprocess/ctcGreedyDecode';
export * from './postprocess/speechSegments';
export * from './postprocess/meanPooling';
export * from './postprocess/l2Normalize';
