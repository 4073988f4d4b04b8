#!/usr/bin/env python3
"""The CRM for the outbox benchmark: answers every request with 204 after a
fixed delay (default 20 ms), on asyncio so thousands of requests per second
cost one core at most and the figures measure the worker, not this server.
Prints "PORT <n>". Records the monotonic start time of every request;
GET /_control/requests returns them as [{"t": ...}, ...]; POST /_control/setup
{"delay_ms": n} changes the delay."""

import argparse
import asyncio
import json
import time

STATE = {"delay": 0.020, "starts": []}


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            if path.startswith("/_control/"):
                answer = b""
                if path == "/_control/requests":
                    answer = json.dumps([{"t": t} for t in STATE["starts"]]).encode()
                elif path == "/_control/setup" and method == "POST":
                    setup = json.loads(body or b"{}")
                    if "delay_ms" in setup:
                        STATE["delay"] = setup["delay_ms"] / 1000
                status = b"200 OK" if answer else b"204 No Content"
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                             b"Content-Length: " + str(len(answer)).encode() + b"\r\n\r\n" + answer)
                await writer.drain()
                continue
            STATE["starts"].append(time.monotonic())
            await asyncio.sleep(STATE["delay"])
            writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    server = await asyncio.start_server(handle, "127.0.0.1", arguments.port, backlog=512)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
