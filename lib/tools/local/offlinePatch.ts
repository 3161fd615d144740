/**
 * Corrections to serverless-offline 14.8, the local stack's API Gateway emulator, so a
 * request gets the status and the body encoding it gets from a deployed HTTP API. Applied when
 * its modules load (a module hook `onnxless start` passes to the emulator's process with
 * `--import`), never written into the user's node_modules: the fix ships with the onnxless package
 * and every project that installs it has it, with nothing to patch at install time.
 *
 * Hand-written because no maintained release has these fixes; each edit names its anchor and the
 * hook fails, naming the file, when an upgrade of serverless-offline moved it (a silent
 * no-op would bring the wrong encodings back).
 */
interface Edit {
  /** What the edit is for, for the message when its anchor is gone. */
  readonly why: string;
  readonly find: string;
  readonly replace: string;
}

export const OFFLINE_EDITS: Readonly<Record<string, readonly Edit[]>> = Object.freeze({
  'serverless-offline/src/utils/index.js': [
    {
      // AWS documents the rule ("If the content type of the request is binary, the body is
      // base64-encoded"; `isBase64Encoded` in
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)
      // without listing the text types. Measured on AWS (ministackorg/ministack#766): only text/*,
      // application/json, application/xml and application/javascript arrive as UTF-8 text; every
      // other type, and a body with no Content-Type at all, arrive base64-encoded. Upstream decoded
      // a body without Content-Type as UTF-8, which corrupts binary tensors from clients that send
      // none (Triton's tritonclient.http).
      why: 'request bodies encoded as an HTTP API encodes them',
      find: `  return typeof contentType === "string" &&
    possibleBinaryContentTypes.some((possibleBinaryContentType) =>
      contentType.includes(possibleBinaryContentType),
    )
    ? "binary"
    : "utf8"`,
      replace: `  return typeof contentType === "string" &&
    /^(text\\/[^;\\s]+|application\\/(json|xml|javascript))\\s*(;|$)/i.test(contentType.trim())
    ? "utf8"
    : "binary"`,
    },
  ],
  'serverless-offline/src/events/http/HttpServer.js': [
    {
      // A function that throws (or whose build is missing) is a 502 with
      // {"message": "Internal server error"} on an HTTP API, never a 200 wrapping the error
      // (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html). "error"
      // adds the reason, which the local stack may show and AWS does not.
      why: 'a failed invocation answered 502',
      find: `        /* LAMBDA PROXY INTEGRATION HAPIJS RESPONSE CONFIGURATION */

        if (
          endpoint.isHttpApi &&`,
      replace: `        /* LAMBDA PROXY INTEGRATION HAPIJS RESPONSE CONFIGURATION */

        if (err && endpoint.isHttpApi) {
          result = {
            body: stringify({ message: "Internal server error", error: (err.message || err).toString() }),
            headers: { "Content-Type": "application/json" },
            isBase64Encoded: false,
            statusCode: 502,
          }
        } else if (
          endpoint.isHttpApi &&`,
    },
    {
      // An HTTP API passes a Cookie header it cannot parse to the function (in `cookies` and
      // `headers`); hapi's cookie validation answered its own 400 before the handler.
      why: 'unparseable cookies passed to the function',
      find: `    const hapiMethod = method === "ANY" ? "*" : method

    const state = this.#options.disableCookieValidation
`,
      replace: `    const hapiMethod = method === "ANY" ? "*" : method

    const state = this.#options.disableCookieValidation || httpEvent.isHttpApi
`,
    },
    {
      // A path that is not valid percent-encoding (`/v2/models/%E0%A4%A`) goes to the catch-all
      // route like any other path, as API Gateway sends it to $default; hapi answered its own 400
      // "Invalid request path" before routing.
      why: 'invalid percent-encoding routed to $default',
      find: `    if (this.#server.match("*", "/{p*}")) {
      return`,
      replace: `    if (this.#server.match("*", "/{p*}")) {
      const router = this.#server._core.router
      const catchAll = router.route("*", "/")
      if (catchAll?.route) router.specials.badRequest = { route: catchAll.route }
      return`,
    },
    {
      // With no CORS configured, a deployed HTTP API adds no CORS header at all, so no other web
      // origin may read its answers; upstream answered every Origin with itself and
      // `access-control-allow-credentials: true`, so any page a developer visited could call the
      // local stack and read what it answers. Only the stack's own origin (its pages, /docs and
      // /playground, on localhost) is granted.
      why: 'no CORS grant to other origins',
      find: `        } else {
          response.headers["access-control-allow-origin"] =
            request.headers.origin
          response.headers["access-control-allow-credentials"] = "true"
`,
      replace: `        } else if (
          ["localhost", "127.0.0.1", "[::1]"].some(
            (host) => request.headers.origin === \`http://\${host}:\${this.#options.httpPort}\`,
          )
        ) {
          response.headers["access-control-allow-origin"] =
            request.headers.origin
          response.headers["access-control-allow-credentials"] = "true"
`,
    },
    {
      // With `httpApi.cors` configured, API Gateway grants only the listed origins, on every
      // answer; upstream checked the list on a preflight alone and granted any Origin otherwise.
      why: 'CORS granted to the configured origins only',
      find: `          if (request.method === "options") {
            response.statusCode = 204
            const allowAllOrigins =
              httpApiCors.allowedOrigins.length === 1 &&
              httpApiCors.allowedOrigins[0] === "*"
            if (
              !allowAllOrigins &&
              !httpApiCors.allowedOrigins.includes(request.headers.origin)
            ) {
              return h.continue
            }
          }
`,
      replace: `          if (request.method === "options") response.statusCode = 204
          const allowAllOrigins =
            httpApiCors.allowedOrigins.length === 1 &&
            httpApiCors.allowedOrigins[0] === "*"
          if (
            !allowAllOrigins &&
            !httpApiCors.allowedOrigins.includes(request.headers.origin)
          ) {
            return h.continue
          }
`,
    },
  ],
  'serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js': [
    {
      // serverless deploys an HTTP API's routes on its `$default` stage, whose URLs carry no stage
      // segment, and the event says `$default`; the emulator serves them at the root too but named
      // its --stage, which a handler takes for a named stage's `/dev` prefix (lib/core/http/apiGatewayV2.ts).
      why: 'HTTP API events on the $default stage',
      find: `        stage: this.#stage,`,
      replace: `        stage: "$default",`,
    },
  ],
});

/** The source of one of serverless-offline's files with its edits made; fails naming a lost anchor. */
export function patchOfflineSource(file: string, source: string): string {
  const edits = OFFLINE_EDITS[file];
  if (!edits) return source;
  return edits.reduce((code, edit) => {
    if (!code.includes(edit.find)) {
      throw new Error(
        `onnxless: cannot apply "${edit.why}" to ${file}: this serverless-offline is not the version onnxless supports (14.8.2); install that version`,
      );
    }
    return code.replace(edit.find, edit.replace);
  }, source);
}

/** The file of OFFLINE_EDITS a module URL is, if any (`.../node_modules/serverless-offline/src/...`). */
export function offlineFileOf(url: string): string | undefined {
  const normalized = url.replaceAll('\\', '/');
  return Object.keys(OFFLINE_EDITS).find((file) => normalized.endsWith(`/node_modules/${file}`));
}
