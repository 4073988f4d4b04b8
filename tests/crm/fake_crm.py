#!/usr/bin/env python3
"""A local CRM for the tests and the benchmark of crm/.

Listens on 127.0.0.1 (port 0 unless --port), prints "PORT <n>" once ready,
and plays a SuperOffice tenant, a Standard Webhooks receiver, HubSpot and
Brevo. Every request is recorded; effects are counted so a test can assert
that each happened exactly once. Scripted faults and state are set through
/_control/* (JSON):

  POST /_control/setup  {"persons": {"a@x": [1, 2]}, "token": "t", "app_token": "a",
                         "webhook_secret": "whsec_...", "delay_ms": 0}
  POST /_control/faults [{"method": "DELETE", "path": "/Consent/", "status": 500,
                          "times": 1, "headers": {"Retry-After": "2"}, "body": "...",
                          "delay_ms": 0}]
  GET  /_control/requests   every request seen (method, path, headers, body), unless
                            setup turned "record_requests" off (the benchmark)
  GET  /_control/counts     {"DELETE /api/v1/Person/1/Consent/Email": 2, ...}: every
                            request, always counted, so "sent once" can fail
  GET  /_control/effects    {"consent_revoked": {"1": 1}, "webhook": {...}, ...}
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {
    "persons": {},          # email -> [person ids]
    "token": None,          # accepted SuperOffice/HubSpot token (None = any)
    "app_token": None,
    "webhook_secret": None,
    "delay_ms": 0,
    "faults": [],
    "requests": [],
    "record_requests": True,
    "counts": {},           # "METHOD path" -> requests, whatever record_requests says
    "consent": {},          # person id -> still consenting
    "effects": {"consent_revoked": {}, "webhook": {}, "hubspot": {}, "brevo": {}},
    "webhook_verified": {},  # webhook-id -> all signatures verified
}


def verify_standard_webhook(secret, headers, body):
    """The Standard Webhooks verification, written from the specification."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature", "")
    if not msg_id or not timestamp or not secret:
        return False
    if abs(time.time() - int(timestamp)) > 300:
        return False
    key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


def odata_email(filter_text):
    match = re.search(r"'((?:[^']|'')*)'", filter_text)
    return match.group(1).replace("''", "'") if match else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status, body=b"", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body and not any(n.lower() == "content-type" for n in (headers or {})):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        body = self._read_body()
        if self.path.startswith("/_control/"):
            return self._control(method, body)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with LOCK:
            counted = f"{method} {urllib.parse.urlsplit(self.path).path}"
            STATE["counts"][counted] = STATE["counts"].get(counted, 0) + 1
            if STATE["record_requests"]:
                STATE["requests"].append({"method": method, "path": self.path, "t": time.monotonic(),
                                          "headers": headers,
                                          "body": body.decode("utf-8", "replace")})
            fault = self._take_fault(method)
            delay = STATE["delay_ms"]
        if fault is not None:
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000)
            if "status" in fault:
                return self._answer(fault["status"], fault.get("body", ""), fault.get("headers"))
        if delay:
            time.sleep(delay / 1000)
        self._crm(method, headers, body)

    def _take_fault(self, method):
        for fault in STATE["faults"]:
            if fault.get("times", 1) <= 0:
                continue
            if fault.get("method", method) != method or fault.get("path", "") not in self.path:
                continue
            fault["times"] = fault.get("times", 1) - 1
            return fault
        return None

    def _authorised(self, headers):
        token = STATE["token"]
        if token is None:
            return True
        auth = headers.get("authorization", "")
        if auth not in (f"SOTicket {token}", f"Bearer {token}"):
            return False
        app = STATE["app_token"]
        return app is None or headers.get("so-apptoken") == app

    def _crm(self, method, headers, body):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if path == "/api/v1/Person" and method == "GET":
            if not self._authorised(headers):
                return self._answer(401, {"Error": "unauthorised"})
            query = urllib.parse.parse_qs(url.query)
            email = odata_email(query.get("$filter", [""])[0])
            ids = STATE["persons"].get(email, [])
            return self._answer(200, {"value": [{"personId": i} for i in ids]})
        match = re.fullmatch(r"/api/v1/Person/(\d+)/Consent/(\w+)", path)
        if match and method == "DELETE":
            if not self._authorised(headers):
                return self._answer(401, {"Error": "unauthorised"})
            person = match.group(1)
            with LOCK:
                if not STATE["consent"].get(person, False):
                    return self._answer(404, {"Error": "no such consent"})
                STATE["consent"][person] = False
                revoked = STATE["effects"]["consent_revoked"]
                revoked[person] = revoked.get(person, 0) + 1
            return self._answer(204)
        if path == "/webhook" and method == "POST":
            msg_id = headers.get("webhook-id", "")
            ok = verify_standard_webhook(STATE["webhook_secret"], headers, body)
            with LOCK:
                verified = STATE["webhook_verified"]
                verified[msg_id] = verified.get(msg_id, True) and ok
                if not ok:
                    return self._answer(401, {"error": "bad signature"})
                events = STATE["effects"]["webhook"]
                events[msg_id] = events.get(msg_id, 0) + 1
            return self._answer(204)
        if path == "/communication-preferences/v3/unsubscribe" and method == "POST":
            address = json.loads(body or b"{}").get("emailAddress", "")
            with LOCK:
                done = STATE["effects"]["hubspot"]
                if address in done:
                    return self._answer(400, {"message": f"{address} is already unsubscribed"})
                done[address] = 1
            return self._answer(200, {"status": "UNSUBSCRIBED"})
        match = re.fullmatch(r"/v3/contacts/(.+)", path)
        if match and method == "PUT":
            address = urllib.parse.unquote(match.group(1))
            with LOCK:
                done = STATE["effects"]["brevo"]
                done[address] = done.get(address, 0) + 1
            return self._answer(204)
        self._answer(404, {"error": "no such endpoint"})

    def _control(self, method, body):
        what = self.path[len("/_control/"):]
        with LOCK:
            if what == "setup" and method == "POST":
                setup = json.loads(body)
                for key in ("token", "app_token", "webhook_secret", "delay_ms", "record_requests"):
                    if key in setup:
                        STATE[key] = setup[key]
                if "persons" in setup:
                    STATE["persons"] = setup["persons"]
                    for ids in setup["persons"].values():
                        for person in ids:
                            STATE["consent"][str(person)] = True
                return self._answer(204)
            if what == "faults" and method == "POST":
                STATE["faults"] = json.loads(body)
                return self._answer(204)
            if what == "requests":
                return self._answer(200, STATE["requests"])
            if what == "counts":
                return self._answer(200, STATE["counts"])
            if what == "effects":
                return self._answer(200, {**STATE["effects"],
                                          "webhook_verified": STATE["webhook_verified"]})
        self._answer(404, {"error": "no such control"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--key", help="the certificate's private key (PEM)")
    arguments = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    if arguments.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(arguments.cert, arguments.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.request_queue_size = 256
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
