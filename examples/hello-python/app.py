"""The Python example: handler app.handler answers {"message": "Hello, <name>!"}."""


def handler(event, context):
    name = (event or {}).get("name", "World")
    print("greeting %s in request %s" % (name, context.aws_request_id))
    return {"message": "Hello, %s!" % name}
