"""A minimal SMTP server that stores every message it receives as JSON.

It stands in for the next hop behind the private Postfix so the tests can see
exactly which recipients and headers were delivered. Loopback only.
"""
import json
import os
import socketserver
import threading
import uuid


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 fbl-sink ESMTP")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-fbl-sink")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = line[10:].strip(), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                recipients.append(line[8:].strip().split(" ")[0].strip("<>"))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = self._read_data()
                self.server.store(sender, recipients, data)
                self.reply("250 2.0.0 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # RSET, NOOP
                self.reply("250 ok")

    def _read_data(self):
        lines = []
        while True:
            raw = self.rfile.readline()
            if not raw or raw in (b".\r\n", b".\n"):
                return b"".join(lines).decode("utf-8", "replace")
            if raw.startswith(b".."):
                raw = raw[1:]
            lines.append(raw)


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, directory):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self):
        return self.server_address[1]

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()

    def store(self, sender, recipients, data):
        record = {"mail_from": sender, "rcpt_to": recipients, "data": data}
        path = os.path.join(self.directory, uuid.uuid4().hex + ".json")
        with open(path + ".tmp", "w") as out:
            json.dump(record, out)
        os.rename(path + ".tmp", path)

    def messages(self):
        found = []
        for name in sorted(os.listdir(self.directory)):
            if name.endswith(".json"):
                with open(os.path.join(self.directory, name)) as f:
                    found.append(json.load(f))
        return found
