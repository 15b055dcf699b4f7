'use strict';
/*
 * lambdarun's runtime client for Node.js functions.
 *
 * Loops on the Lambda Runtime API named by AWS_LAMBDA_RUNTIME_API: loads the handler named by
 * _HANDLER from LAMBDA_TASK_ROOT (CommonJS or ES module), passes each event with a context
 * object, and reports results and errors in AWS's shapes. A thrown error, a rejected promise or
 * an error passed to the callback is reported as Unhandled, like AWS's own runtime.
 *
 * Response streaming as AWS's Node runtime offers it, through the global `awslambda`: a handler
 * wrapped in `awslambda.streamifyResponse(handler)` is called as `handler(event, responseStream,
 * context)` and what it writes is posted as it is written, in the Runtime API's streaming mode
 * (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked); an error it throws or rejects
 * with ends the stream with the trailers `Lambda-Runtime-Function-Error-Type` and
 * `Lambda-Runtime-Function-Error-Body` (the error JSON in base64).
 * `awslambda.HttpResponseStream.from(stream, metadata)` writes AWS's HTTP integration prelude (the
 * metadata as JSON, then 8 zero bytes) before the first bytes.
 */
const fs = require('fs');
const http = require('http');
const path = require('path');
const { pathToFileURL } = require('url');

const PREFIX = '/2018-06-01/runtime';
const address = process.env.AWS_LAMBDA_RUNTIME_API;
const separator = address.lastIndexOf(':');
const host = address.substring(0, separator);
const port = Number(address.substring(separator + 1));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

global.awslambda = {
  streamifyResponse(handler) {
    handler[HANDLER_STREAMING] = STREAM_RESPONSE;
    return handler;
  },
  HttpResponseStream: class HttpResponseStream {
    static from(stream, metadata) {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      const prelude = JSON.stringify(metadata === undefined ? {} : metadata);
      stream._onBeforeFirstWrite = (write) => {
        write(prelude);
        write(new Uint8Array(8));
      };
      return stream;
    }
  },
};

class Fault extends Error {
  constructor(errorType, message) {
    super(message);
    this.errorType = errorType;
  }
}

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : body;
    const request = http.request(
      {
        host, port, method, agent, path: PREFIX + route,
        headers: Object.assign({ 'Content-Length': Buffer.byteLength(payload) }, headers || {}),
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
    request.on('error', reject);
    request.end(payload);
  });
}

function errorDocument(error) {
  if (error instanceof Fault) {
    return { errorType: error.errorType, errorMessage: error.message, trace: [] };
  }
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack || '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function logError(document) {
  process.stderr.write(`${new Date().toISOString()}\t${current}\tERROR\t${JSON.stringify(document)}\n`);
}

async function postError(route, error) {
  const document = errorDocument(error);
  logError(document);
  await call('POST', route, JSON.stringify(document), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': 'Unhandled',
  });
}

function moduleFile(taskRoot, moduleName) {
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(taskRoot, moduleName + extension);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return path.resolve(taskRoot, moduleName);
}

async function loadModule(file) {
  if (file.endsWith('.mjs')) {
    return import(pathToFileURL(file).href);
  }
  try {
    return require(file);
  } catch (error) {
    if (error && error.code === 'ERR_REQUIRE_ESM') {
      return import(pathToFileURL(file).href);
    }
    throw error;
  }
}

async function loadHandler(handler) {
  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot < 0) {
    throw new Fault('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  }
  const moduleName = handler.substring(0, dot);
  const handlerPath = handler.substring(dot + 1);
  let loaded;
  try {
    loaded = await loadModule(moduleFile(taskRoot, moduleName));
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new Fault('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    }
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new Fault('Runtime.ImportModuleError', `Error: ${error.message}`);
    }
    throw error;
  }
  let target = loaded;
  for (const part of handlerPath.split('.')) {
    target = target == null ? undefined : target[part];
  }
  if (typeof target !== 'function' && loaded && loaded.default) {
    target = loaded.default;
    for (const part of handlerPath.split('.')) {
      target = target == null ? undefined : target[part];
    }
  }
  if (typeof target !== 'function') {
    throw new Fault('Runtime.HandlerNotFound', `${moduleName}.${handlerPath} is undefined or not exported`);
  }
  return target;
}

function parseObject(text) {
  try {
    const value = text ? JSON.parse(text) : undefined;
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch (ignored) {
    return undefined;
  }
}

function context(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const clientContext = headers['lambda-runtime-client-context'];
  const identity = headers['lambda-runtime-cognito-identity'];
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseObject(clientContext),
    identity: parseObject(identity),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function run(handler, event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    // an error, context.done/succeed/fail and a settled promise answer at once, as on AWS
    const answer = (error, result) => {
      if (settled) {
        return;
      }
      settled = true;
      if (error !== undefined && error !== null) {
        reject(error);
      } else {
        resolve(result);
      }
    };
    // a result passed to the callback waits until the event loop is empty, unless the handler
    // set context.callbackWaitsForEmptyEventLoop to false (pending work then stays for later)
    const callback = (error, result) => {
      if (!settled && (error === undefined || error === null) && ctx.callbackWaitsForEmptyEventLoop) {
        settled = true;
        process.once('beforeExit', () => resolve(result));
        return;
      }
      answer(error, result);
    };
    ctx.done = answer;
    ctx.succeed = (result) => answer(null, result);
    ctx.fail = (error) => answer(error || new Error('failed'));
    let returned;
    try {
      returned = handler(event, ctx, callback);
    } catch (error) {
      answer(error);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => answer(null, result), (error) => answer(error === undefined ? new Error('undefined') : error));
    } else if (handler.length < 3) {
      callback(null, returned);
    }
  });
}

// the request posting the response, as the stream handed to the handler: bytes go out as written
function responseStream(request) {
  const write = request.write.bind(request);
  const end = request.end.bind(request);
  let written = false;
  const beforeFirstWrite = () => {
    if (!written) {
      written = true;
      if (typeof request._onBeforeFirstWrite === 'function') {
        request._onBeforeFirstWrite((bytes) => write(bytes));
      }
    }
  };
  request.setContentType = (type) => request.setHeader('Content-Type', type);
  request.write = (chunk, encoding, callback) => {
    beforeFirstWrite();
    return write(chunk, encoding, callback);
  };
  request.end = (chunk, encoding, callback) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
      request.write(chunk, encoding);
      return end(typeof encoding === 'function' ? encoding : callback);
    }
    beforeFirstWrite();
    return end(chunk, encoding, callback);
  };
  return request;
}

// runs a streamifyResponse handler; settles when lambdarun has answered the streamed /response
function stream(handler, requestId, event, ctx) {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host, port, agent, method: 'POST', path: `${PREFIX}/invocation/${requestId}/response`,
        headers: {
          'Content-Type': 'application/octet-stream',
          'Lambda-Runtime-Function-Response-Mode': 'streaming',
          'Transfer-Encoding': 'chunked',
          Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
        },
      },
      (response) => {
        response.resume();
        response.on('end', resolve);
        response.on('error', resolve);
      });
    request.on('error', (error) => {
      logError(errorDocument(error));
      resolve();
    });
    const responses = responseStream(request);
    const fail = (error) => {
      const document = errorDocument(error === undefined ? new Error('undefined') : error);
      logError(document);
      if (!responses.writableEnded) {
        responses.addTrailers({
          [ERROR_TYPE_TRAILER]: document.errorType,
          [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(document)).toString('base64'),
        });
        responses.end();
      }
    };
    let returned;
    try {
      returned = handler(event, responses, ctx);
    } catch (error) {
      fail(error);
      return;
    }
    // an async handler's stream ends when its promise settles; a plain one ends it itself
    if (returned && typeof returned.then === 'function') {
      returned.then(
        () => {
          if (!responses.writableEnded) {
            responses.end();
          }
        },
        fail);
    }
  });
}

let current;

// console output in AWS's line format: time, request id, level, message
const format = require('util').format;
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'],
  ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[method] = (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${current}\t${level}\t${format(...args)}\n`);
  };
}

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '');
  } catch (error) {
    await postError('/init/error', error);
    process.exit(1);
  }
  let served = false;
  for (;;) {
    let next;
    try {
      next = await call('GET', '/invocation/next');
    } catch (error) {
      // Once an event has been served, a Runtime API that is gone means lambdarun is shutting the
      // instance down (it closes the instance's port, then stops the process): exit quietly.
      if (served) {
        process.exit(0);
      }
      throw error;
    }
    served = true;
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    current = requestId;
    const traceId = next.headers['lambda-runtime-trace-id'];
    if (traceId) {
      process.env._X_AMZN_TRACE_ID = traceId;
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    let event;
    try {
      event = next.body ? JSON.parse(next.body) : null;
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, new Fault('Runtime.UnmarshalError', `Unable to parse input as JSON: ${error.message}`));
      continue;
    }
    if (handler[HANDLER_STREAMING] === STREAM_RESPONSE) {
      await stream(handler, requestId, event, context(next.headers));
      current = undefined;
      continue;
    }
    let payload;
    try {
      const result = await run(handler, event, context(next.headers));
      payload = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, error);
      current = undefined;
      continue;
    }
    await call('POST', `/invocation/${requestId}/response`, payload, { 'Content-Type': 'application/json' });
    current = undefined;
  }
}

async function crash(error) {
  if (current !== undefined) {
    const requestId = current;
    current = undefined;
    try {
      await postError(`/invocation/${requestId}/error`, error);
    } catch (ignored) {
      // the Runtime API is gone; exiting is all that is left
    }
  } else {
    logError(errorDocument(error));
  }
  process.exit(129);
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

main().catch((error) => {
  logError(errorDocument(error));
  process.exit(1);
});
