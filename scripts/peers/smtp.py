#!/usr/bin/env python3
"""An SMTP server for tests (aiosmtpd) on 127.0.0.1.

Prints the port it listens on as its first stdout line, then records each message as one JSON
line ({"mail_from", "rcpt_tos", "data", "login"}) to --record FILE. --fail-first N answers 451
to the first N messages; --auth USER:PASSWORD offers AUTH (without TLS) and accepts only that
pair. It exits when its stdin closes (the test that started it is gone) or on SIGTERM/SIGKILL.
"""
import argparse
import asyncio
import json
import os
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from peerlib import exit_when_stdin_closes, own_process_group


class Recorder:
    def __init__(self, record, fail_first):
        self.record = record
        self.fail_left = fail_first

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return "451 4.3.0 try again later (test peer)"
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        entry = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "login": login,
        }
        with open(self.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
        return "250 2.0.0 OK queued (test peer)"


def authenticator_for(pair):
    user, _, password = pair.partition(":")

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


async def serve(args):
    handler = Recorder(args.record, args.fail_first)
    options = {}
    if args.auth:
        options = {"authenticator": authenticator_for(args.auth), "auth_require_tls": False}
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, **options), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--auth")
    args = parser.parse_args()
    own_process_group()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
