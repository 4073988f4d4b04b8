#!/usr/bin/env python3
"""A local Mailgun API for the tests of the blanket-stop lift and of
`fblctl import --from mailgun`: the complaints list of one domain.

Listens on 127.0.0.1 (port 0), prints "PORT <n>" once ready. Every request
needs HTTP Basic "api:<api_key>" (else 401, as Mailgun answers).

  DELETE /v3/<domain>/complaints/<address>   200 removed, 404 not listed
  GET    /v3/<domain>/complaints?limit=N[&page=next&address=A]
         pages in address order, Mailgun's pivot paging: the page after the
         last is empty; paging.next always points on

Control (JSON):
  POST /_control/setup  {"api_key": "k", "domain": "example.com",
                         "complaints": ["a@x", ...], "page_size": 2,
                         "next_base": "http://elsewhere:1",  # paging URLs on another host
                         "malformed_page": 2}                # that GET page is not JSON
  POST /_control/faults [{"method": "DELETE", "path": "/complaints/", "status": 500, "times": 1}]
  GET  /_control/requests   every request seen (method, path, headers)
  GET  /_control/effects    {"complaints": [...]}: what is still listed
"""

import base64
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"api_key": "key", "domain": "example.com", "complaints": [], "page_size": 1000,
         "next_base": None, "malformed_page": None, "pages_served": 0, "faults": [],
         "requests": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _answer(self, status, body=None):
        data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/_control/"):
            return self._control(method, body)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with LOCK:
            STATE["requests"].append({"method": method, "path": self.path, "headers": headers})
            fault = self._take_fault(method)
        if fault is not None:
            return self._answer(fault["status"], fault.get("body", {"message": "fault"}))
        expected = "Basic " + base64.b64encode(f"api:{STATE['api_key']}".encode()).decode()
        if headers.get("authorization") != expected:
            return self._answer(401, {"message": "Invalid private key"})
        self._api(method)

    def _take_fault(self, method):
        for fault in STATE["faults"]:
            if fault.get("times", 1) <= 0:
                continue
            if fault.get("method", method) != method or fault.get("path", "") not in self.path:
                continue
            fault["times"] = fault.get("times", 1) - 1
            return fault
        return None

    def _api(self, method):
        url = urllib.parse.urlsplit(self.path)
        prefix = f"/v3/{STATE['domain']}/complaints"
        path = urllib.parse.unquote(url.path)
        if method == "DELETE" and path.startswith(prefix + "/"):
            address = path[len(prefix) + 1:]
            with LOCK:
                if address not in STATE["complaints"]:
                    return self._answer(404, {"message": "No spam complaints found for this address"})
                STATE["complaints"].remove(address)
            return self._answer(200, {"message": "Spam complaint has been removed",
                                      "address": address})
        if method == "GET" and path == prefix:
            return self._page(urllib.parse.parse_qs(url.query))
        self._answer(404, {"message": "no such endpoint"})

    def _page(self, query):
        limit = int(query.get("limit", ["100"])[0])
        with LOCK:
            STATE["pages_served"] += 1
            number = STATE["pages_served"]
            listed = sorted(STATE["complaints"])
            size = min(limit, STATE["page_size"])
            base = STATE["next_base"] or f"http://127.0.0.1:{self.server.server_address[1]}"
            malformed = STATE["malformed_page"] == number
        if malformed:
            return self._answer(200, b'{"items": [{"address": "half')
        pivot = query.get("address", [""])[0] if query.get("page") == ["next"] else ""
        after = [a for a in listed if a > pivot] if pivot else listed
        items = after[:size]
        last = items[-1] if items else pivot
        page = base + f"/v3/{STATE['domain']}/complaints"
        self._answer(200, {
            "items": [{"address": a, "code": "", "count": 1,
                       "created_at": "Tue, 15 Nov 2016 08:25:11 GMT"} for a in items],
            "paging": {
                "first": f"{page}?limit={limit}",
                "next": f"{page}?page=next&address={urllib.parse.quote(last)}&limit={limit}",
                "previous": f"{page}?page=previous&address={urllib.parse.quote(items[0] if items else '')}&limit={limit}",
                "last": f"{page}?page=last&limit={limit}",
            },
        })

    def _control(self, method, body):
        what = self.path[len("/_control/"):]
        with LOCK:
            if what == "setup" and method == "POST":
                STATE.update(json.loads(body))
                return self._answer(204)
            if what == "faults" and method == "POST":
                STATE["faults"] = json.loads(body)
                return self._answer(204)
            if what == "requests":
                return self._answer(200, STATE["requests"])
            if what == "effects":
                return self._answer(200, {"complaints": STATE["complaints"]})
        self._answer(404, {"error": "no such control"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
