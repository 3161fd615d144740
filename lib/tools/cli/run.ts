// The CLI's entry: bin/onnxless.mjs runs it through tsx from the sources, the images run its
// compiled form (dist/onnxless.mjs, `npm run build:cli`).
import { main } from './main';

await main(process.argv);
