#!/usr/bin/env python3
"""A tiny OAuth2 token introspection endpoint (RFC 7662) for Dovecot's oauth2 passdb in the tests. Standard library
only, on 127.0.0.1.

  oauth_introspect.py --dir DIR --port PORT --token-file FILE --user USER

It knows one valid access token, the first line of FILE (random per run, written by start.sh), which belongs to
USER. Dovecot asks with `introspection_mode = post`: POST / with the form body token=TOKEN. The answer is a JSON
object: {"active": true, "email": USER} for the token, {"active": false} for anything else (Dovecot then refuses the
login). GET /ready answers 200 (start.sh's ready check). Every answer is counted in DIR/oauth-introspect.log, one
line "active" or "inactive" per request (never the token). --dir names DIR on the command line, so that stop.sh
recognises the process as one of this run's.
"""

import argparse
import http.server
import json
import os
import sys
import urllib.parse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--user", required=True)
    arguments = parser.parse_args()
    with open(arguments.token_file, encoding="ascii") as token_file:
        token = token_file.readline().strip()
    if not token:
        sys.exit("oauth_introspect.py: the token file is empty")
    log_path = os.path.join(arguments.dir, "oauth-introspect.log")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 -- http.server's name
            if self.path == "/ready":
                self.answer(200, {"ready": True})
            else:
                self.answer(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = urllib.parse.parse_qs(self.rfile.read(min(length, 65536)).decode("utf-8", "replace"))
            given = form.get("token", [""])[0]
            active = given == token
            with open(log_path, "a", encoding="ascii") as log:
                log.write("active\n" if active else "inactive\n")
            self.answer(200, {"active": True, "email": arguments.user} if active else {"active": False})

        def log_message(self, format, *args):  # noqa: A002 -- quiet: the request line may carry a token (get mode)
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
