/** Server-level OIP routes: GET /v2, /v2/health/live, /v2/health/ready. No model is loaded here. */
import { createServerHandler } from '../lib/lambda/createServerHandler';

export const handler = createServerHandler();
