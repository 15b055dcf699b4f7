// The Node.js example: handler index.handler answers {"message": "Hello, <name>!"}.
exports.handler = async (event, context) => {
  const name = (event && event.name) || 'World';
  console.log(`greeting ${name} in request ${context.awsRequestId}`);
  return { message: `Hello, ${name}!` };
};
