import os


def handler(event, context):
    name = event.get("name", "World")
    print("python greeting " + name + " in request " + context.aws_request_id)
    if name == "boom":
        raise ValueError("no greeting for boom")
    return {"message": "Hello, " + name + "!", "pid": os.getpid()}
