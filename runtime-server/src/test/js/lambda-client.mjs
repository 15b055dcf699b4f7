// Drives lambdarun serve with the AWS SDK for JavaScript v3 and prints what the SDK parsed, as one
// JSON document, for LambdaApiJavaScriptIT to assert.
// Usage: node lambda-client.mjs ENDPOINT ZIP FAILING_ZIP STREAMING_ZIP GATE
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, InvokeCommand,
  InvokeWithResponseStreamCommand, LambdaClient, ListFunctionsCommand, PublishLayerVersionCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";

const [endpoint, zipPath, failingZipPath, streamingZipPath, gatePath] = process.argv.slice(2);
const lambda = new LambdaClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "dummy" },
  maxAttempts: 1,
});
const text = (bytes) => Buffer.from(bytes ?? []).toString("utf8");
const failure = async (send) => {
  try {
    await send();
    return { name: "none" };
  } catch (e) {
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
};

const out = {};
const created = await lambda.send(new CreateFunctionCommand({
  FunctionName: "hello-js", Runtime: "python3.12", Handler: "app.handler",
  Role: "arn:aws:iam::000000000000:role/lambda-role", Code: { ZipFile: readFileSync(zipPath) },
}));
out.create = { status: created.$metadata.httpStatusCode, arn: created.FunctionArn, state: created.State };
out.waiter = (await waitUntilFunctionActiveV2(
  { client: lambda, maxWaitTime: 30 }, { FunctionName: "hello-js" })).state;

const invoked = await lambda.send(new InvokeCommand({
  FunctionName: "hello-js", LogType: "Tail", Payload: Buffer.from('{"name":"js"}'),
}));
out.invoke = {
  status: invoked.StatusCode, version: invoked.ExecutedVersion, error: invoked.FunctionError ?? null,
  payload: text(invoked.Payload), log: Buffer.from(invoked.LogResult, "base64").toString("utf8"),
};
out.event = (await lambda.send(new InvokeCommand({
  FunctionName: "hello-js", InvocationType: "Event", Payload: Buffer.from("{}"),
}))).StatusCode;
out.dryRun = (await lambda.send(new InvokeCommand({
  FunctionName: "hello-js", InvocationType: "DryRun",
}))).StatusCode;
out.badPayload = await failure(() => lambda.send(new InvokeCommand({
  FunctionName: "hello-js", Payload: Buffer.from("{not json"),
})));
const streamed = async (FunctionName) => {
  const response = await lambda.send(new InvokeWithResponseStreamCommand({
    FunctionName, LogType: "Tail", Payload: Buffer.from('{"name":"stream"}'),
  }));
  const chunks = [];
  let complete = null;
  for await (const event of response.EventStream) {
    if (event.PayloadChunk) chunks.push(Buffer.from(event.PayloadChunk.Payload));
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return {
    status: response.StatusCode, version: response.ExecutedVersion,
    requestId: response.$metadata.requestId,
    contentType: response.ResponseStreamContentType, payload: Buffer.concat(chunks).toString("utf8"),
    errorCode: complete.ErrorCode ?? null, errorDetails: complete.ErrorDetails ?? null,
    log: Buffer.from(complete.LogResult ?? "", "base64").toString("utf8"),
  };
};
out.stream = await streamed("hello-js");
await lambda.send(new CreateFunctionCommand({
  FunctionName: "fails-js", Runtime: "python3.12", Handler: "app.handler",
  Role: "arn:aws:iam::000000000000:role/lambda-role", Code: { ZipFile: readFileSync(failingZipPath) },
}));
out.streamFailure = await streamed("fails-js");
out.streamUnknown = await failure(() => lambda.send(new InvokeWithResponseStreamCommand({
  FunctionName: "nope-js",
})));
await lambda.send(new DeleteFunctionCommand({ FunctionName: "fails-js" }));
// a streaming Node function waits for the gate file after its first write: this client creates the
// file only once it has read the first PayloadChunk, so that chunk arrived while the function ran
await lambda.send(new CreateFunctionCommand({
  FunctionName: "streams-js", Runtime: "nodejs20.x", Handler: "index.handler",
  Role: "arn:aws:iam::000000000000:role/lambda-role", Code: { ZipFile: readFileSync(streamingZipPath) },
}));
const live = await lambda.send(new InvokeWithResponseStreamCommand({
  FunctionName: "streams-js", Payload: Buffer.from(JSON.stringify({ gate: gatePath })),
}));
out.live = { chunks: [], gateBeforeFirstChunk: null, errorCode: "no InvokeComplete" };
for await (const event of live.EventStream) {
  if (event.PayloadChunk) {
    if (out.live.chunks.length === 0) {
      out.live.gateBeforeFirstChunk = existsSync(gatePath);
      writeFileSync(gatePath, "open");
    }
    out.live.chunks.push(text(event.PayloadChunk.Payload));
  }
  if (event.InvokeComplete) out.live.errorCode = event.InvokeComplete.ErrorCode ?? null;
}
await lambda.send(new DeleteFunctionCommand({ FunctionName: "streams-js" }));
out.list = (await lambda.send(new ListFunctionsCommand({}))).Functions.map((f) => f.FunctionName);
out.update = (await lambda.send(new UpdateFunctionConfigurationCommand({
  FunctionName: "hello-js", Environment: { Variables: { MODE: "js" } },
}))).Environment.Variables;
out.layer = (await lambda.send(new PublishLayerVersionCommand({
  LayerName: "js-layer", Content: { ZipFile: readFileSync(zipPath) },
}))).LayerVersionArn;
out.unknown = await failure(() => lambda.send(new GetFunctionCommand({ FunctionName: "nope-js" })));
out.delete = (await lambda.send(new DeleteFunctionCommand({ FunctionName: "hello-js" })))
  .$metadata.httpStatusCode;
out.deleted = await failure(() => lambda.send(new InvokeCommand({ FunctionName: "hello-js" })));
lambda.destroy();
console.log(JSON.stringify(out));
