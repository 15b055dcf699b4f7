'use strict';
/*
 * lambdarun's runtime client for Node.js functions.
 *
 * Loops on the Lambda Runtime API named by AWS_LAMBDA_RUNTIME_API: loads the handler named by
 * _HANDLER from LAMBDA_TASK_ROOT (CommonJS or ES module), passes each event with a context
 * object, and reports results and errors in AWS's shapes. A thrown error, a rejected promise or
 * an error passed to the callback is reported as Unhandled, like AWS's own runtime.
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
  for (;;) {
    const next = await call('GET', '/invocation/next');
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
